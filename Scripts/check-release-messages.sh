#!/usr/bin/env bash
# Checks that misuse of non-throwing APIs stops with its message in a release (-O) build, where
# `precondition` messages would be stripped: each case of keras-misuse must exit non-zero and
# print the expected text on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product keras-misuse
bin="$(swift build -c release --show-bin-path)/keras-misuse"
status=0
check() {
    local name=$1 expected=$2 err
    if err=$(SWIFT_BACKTRACE=enable=no "$bin" "$name" 2>&1 >/dev/null); then
        echo "check-release-messages: $name did not stop" >&2; status=1; return
    fi
    if grep -qF -- "$expected" <<<"$err"; then
        echo "check-release-messages: $name stops with its message"
    else
        echo "check-release-messages: $name lost its message; stderr was:" >&2; echo "$err" >&2; status=1
    fi
}
check matmul "matmul: inner dimensions differ"
check layer-call "Input 0 of layer \"dense\" is incompatible with the layer: expected axis -1 of input shape to have value 4"
check variable-assign "Variable 'variable'.assign: expected shape"
check model-call-arity "expects 2 input(s), but it received 1 input tensors"
check hashing-bins "Hashing: The \`num_bins\` for \`Hashing\` cannot be \`None\` or non-positive values. Received: num_bins=0."
check backup-frequency "BackupAndRestore: saveFrequency must be .epoch or a positive number of batches, received 0"
check integer-lookup-floats "inputs must be integers, received a float32 tensor"
exit $status
