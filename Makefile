# swift-keras: `make demo` and `make test` set everything up on a fresh Debian 12 machine.
SYSTEM_PACKAGES := libdnnl-dev zlib1g-dev libhdf5-dev libopenmpi-dev openmpi-bin graphviz librsvg2-bin libpng-dev libturbojpeg0-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench deps docs

## Installs the system libraries the package links (oneDNN), if missing.
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## Builds in release and runs the tutorial demo.
demo: deps
	swift run -c release keras-demo

## Runs the whole test suite, the demo with its accuracy check (Test accuracy ≥ 0.95), and checks
## that stop messages survive a release build.
test: deps
	swift test --parallel
	Scripts/check-demo.sh
	Scripts/check-release-messages.sh

## Prints throughput figures (release build): make bench WORKLOAD=gemm
bench: deps
	swift run -c release keras-bench $(WORKLOAD)

## Builds the DocC documentation of each library (swift-docc-plugin; warnings fail the build) into
## .build/plugins/Swift-DocC/outputs/<Module>.doccarchive, after checking that every public
## declaration has a /// comment (Scripts/check-docs.py lists the ones that do not).
DOC_TARGETS := Keras KerasCore KerasDistributed KerasServing
docs: deps
	Scripts/check-docs.py
	for target in $(DOC_TARGETS); do \
		swift package generate-documentation --target $$target --warnings-as-errors || exit 1; \
	done
