#!/usr/bin/env bash
# Fuzzes the model, weights and NumPy loaders with libFuzzer (and AddressSanitizer):
#
#   Scripts/fuzz-loader.sh [seconds=600] [extra libFuzzer flags...]
#
# Builds Fuzz/keras-fuzz-loader with -sanitize=fuzzer,address into .build/fuzz, seeds it with
# Fuzz/corpus (kept as regression inputs: SavingFuzzCorpusTests replays them) and runs it for
# the given time. New interesting inputs go to .build/fuzz/corpus; crashes to .build/fuzz/crash-*.
# Fuzz/hdf5.dict (HDF5 structure signatures) helps mutations reach the HDF5 reader's structures.
# Leak detection is off: an InputLayer and its symbolic output tensor reference each other
# (a cycle of the functional graph, not of the loaders), which LeakSanitizer reports per model.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"; shift || true
swift build --build-path .build/fuzz --product keras-fuzz-loader \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
mkdir -p .build/fuzz/corpus
cp -n Fuzz/corpus/* .build/fuzz/corpus/ 2>/dev/null || true
# libhdf5 asks malloc for metadata sizes a corrupt file declares (petabytes) and reports an error
# when that fails, as it does outside AddressSanitizer; let ASan fail such requests the same way.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
exec .build/fuzz/debug/keras-fuzz-loader .build/fuzz/corpus -max_total_time="$seconds" \
    -max_len=65536 -rss_limit_mb=4096 -artifact_prefix=.build/fuzz/ -print_final_stats=1 \
    -detect_leaks=0 -timeout=10 -dict=Fuzz/hdf5.dict "$@"
