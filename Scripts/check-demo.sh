#!/usr/bin/env bash
# Runs the demo (the seed notebook, the image-classification tutorial and the chapters after it)
# and checks the accuracies it prints:
#   `Test accuracy: X`      the tutorial's MLP, X ≥ 0.95
#   `CNN test accuracy: X`  the convnet, which must beat the MLP
# and, when the demo prints them, `LSTM test accuracy: X` ≥ 0.90 and `Transformer test accuracy: X` ≥ 0.80.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-debug}"
swift build -c "$config" --product keras-demo
log=$(mktemp)
# An empty Keras cache, so the tutorial trains on the bundled digits these thresholds are set for
# (it switches to Fashion-MNIST when that is in the cache).
home=$(mktemp -d)
KERAS_HOME="$home" "$(swift build -c "$config" --show-bin-path)/keras-demo" | tee "$log"
rm -rf "$home"
value() { grep -E "^$1: [0-9.]+$" "$log" | head -1 | sed -E "s/^$1: //" || true; }
mlp=$(value "Test accuracy"); cnn=$(value "CNN test accuracy")
lstm=$(value "LSTM test accuracy"); transformer=$(value "Transformer test accuracy")
rm -f "$log"
fail() { echo "check-demo: $*" >&2; exit 1; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
[ -n "$mlp" ] || fail "no 'Test accuracy:' line in the demo output"
[ -n "$cnn" ] || fail "no 'CNN test accuracy:' line in the demo output"
at_least "$mlp" 0.95 || fail "Test accuracy $mlp is below 0.95"
awk -v a="$cnn" -v b="$mlp" 'BEGIN { exit !(a > b) }' || fail "CNN test accuracy $cnn does not beat the MLP's $mlp"
if [ -n "$lstm" ]; then at_least "$lstm" 0.90 || fail "LSTM test accuracy $lstm is below 0.90"; fi
if [ -n "$transformer" ]; then at_least "$transformer" 0.80 || fail "Transformer test accuracy $transformer is below 0.80"; fi
echo "check-demo: MLP $mlp (≥ 0.95), CNN $cnn (> MLP)${lstm:+, LSTM $lstm (≥ 0.90)}${transformer:+, Transformer $transformer (≥ 0.80)}"
