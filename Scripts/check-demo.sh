#!/usr/bin/env bash
# Runs the demo (the seed notebook and the image-classification tutorial) and checks that it
# reaches the tutorial's accuracy: the line `Test accuracy: X` with X ≥ 0.95.
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-debug}"
swift build -c "$config" --product keras-demo
log=$(mktemp)
"$(swift build -c "$config" --show-bin-path)/keras-demo" | tee "$log"
line=$(grep -E '^Test accuracy: [0-9.]+$' "$log" || true)
rm -f "$log"
if [ -z "$line" ]; then echo "check-demo: no 'Test accuracy:' line in the demo output" >&2; exit 1; fi
accuracy=${line#Test accuracy: }
if awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.95) }'; then
    echo "check-demo: $line (≥ 0.95)"
else
    echo "check-demo: $line is below 0.95" >&2; exit 1
fi
