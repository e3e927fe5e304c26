#!/usr/bin/env bash
# Load test: `keras serve` against the Python way (FastAPI + uvicorn + Keras,
# ../shared/bench/serve_fastapi.py), same model files, same requests, on 127.0.0.1.
#
# Models: the tutorial MLP (28×28 → Flatten → Dense 128 relu → Dense 10) and the small CNN
# (Conv2D 32 → MaxPooling → Conv2D 64 → MaxPooling → Flatten → Dense 10), written by Python
# Keras. Each request is TF Serving's row format with one 28×28 instance. For each model and
# server, wrk runs at 1, 8 and 64 connections and the script prints requests/s, p50 and p99.
#
# Needs: wrk (apt-get install wrk), a Python with keras, jax, fastapi and uvicorn
# (PYTHON=/tmp/kvenv/bin/python by default). Settings: DURATION (default 10s), PEER
# (default ../shared/bench/serve_fastapi.py next to the repository), CONNECTIONS ("1 8 64"),
# SCRATCH_PATH (a separate build folder for the release build, e.g. .build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/tmp/kvenv/bin/python}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-"1 8 64"}
PEER=${PEER:-$(cd .. && pwd)/shared/bench/serve_fastapi.py}
SWIFT_PORT=${SWIFT_PORT:-18501}
PEER_PORT=${PEER_PORT:-18502}
command -v wrk >/dev/null || { echo "serve-bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
[ -x "$PYTHON" ] || { echo "serve-bench: no Python at $PYTHON (set PYTHON)" >&2; exit 1; }
[ -f "$PEER" ] || { echo "serve-bench: no peer script at $PEER (set PEER)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "serve-bench: writing the models and requests with Python Keras" >&2
KERAS_BACKEND=jax "$PYTHON" - "$work" <<'EOF'
import json, sys
import numpy as np, keras
work = sys.argv[1]
keras.utils.set_random_seed(0)
mlp = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                        keras.layers.Dense(128, activation="relu"), keras.layers.Dense(10)], name="mlp")
cnn = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(32, 3, activation="relu"),
                        keras.layers.MaxPooling2D(), keras.layers.Conv2D(64, 3, activation="relu"),
                        keras.layers.MaxPooling2D(), keras.layers.Flatten(), keras.layers.Dense(10)], name="cnn")
x = np.random.default_rng(0).random((1, 28, 28), dtype=np.float32).round(4)
for name, model, instance in [("mlp", mlp, x), ("cnn", cnn, x[..., None])]:
    model.save(f"{work}/{name}.keras")
    with open(f"{work}/{name}.json", "w") as f:
        json.dump({"instances": instance.tolist()}, f)
EOF

echo "serve-bench: building keras (release)" >&2
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release --product keras "${scratch[@]}" 2>&1 | grep -E "error|Build of product" >&2 || true
KERAS=$(swift build -c release "${scratch[@]}" --show-bin-path)/keras

wait_ready() {  # port model
    for _ in $(seq 1 600); do
        if curl -fs "http://127.0.0.1:$1/v1/models/$2" >/dev/null 2>&1; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || { echo "serve-bench: the server exited" >&2; return 1; }
        sleep 0.1
    done
    echo "serve-bench: the server did not start" >&2
    return 1
}

run_wrk() {  # port model connections -> "rps p50 p99 errors"
    local threads=$(( $3 < 2 ? 1 : 2 ))
    local out
    out=$(wrk -t "$threads" -c "$3" -d "$DURATION" --latency -s "$work/$2.lua" "http://127.0.0.1:$1/v1/models/$2:predict")
    local rps p50 p99 errors
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    echo "$rps $p50 $p99 ${errors:-0}"
}

printf "%-6s %-14s %5s %12s %10s %10s %8s\n" model server conns "requests/s" p50 p99 non-2xx
for model in mlp cnn; do
    cat > "$work/$model.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/$model.json")
wrk.body = f:read("*a")
f:close()
EOF
    for server in keras-serve fastapi; do
        if [ "$server" = keras-serve ]; then
            port=$SWIFT_PORT
            "$KERAS" serve "$work/$model.keras" --name "$model" --port "$port" --log-level warning &
        else
            port=$PEER_PORT
            KERAS_BACKEND=jax "$PYTHON" "$PEER" "$work/$model.keras" --name "$model" --port "$port" &
        fi
        server_pid=$!
        wait_ready "$port" "$model"
        curl -fs -X POST -H "Content-Type: application/json" --data @"$work/$model.json" "http://127.0.0.1:$port/v1/models/$model:predict" >/dev/null
        for c in $CONNECTIONS; do
            read -r rps p50 p99 errors <<<"$(run_wrk "$port" "$model" "$c")"
            printf "%-6s %-14s %5s %12s %10s %10s %8s\n" "$model" "$server" "$c" "$rps" "$p50" "$p99" "$errors"
        done
        kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
        server_pid=""
    done
done
