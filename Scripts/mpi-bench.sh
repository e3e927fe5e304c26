#!/usr/bin/env bash
# Data-parallel throughput of the tutorial MLP (hidden 128) over Open MPI on this machine:
# samples/s, step time and the per-step time spent in MPI collectives, for 1 and 2 processes at
# the same global batch. Usage: Scripts/mpi-bench.sh [steps] [global batch]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-200}" batch="${2:-256}"
swift build -c release --product keras-mpi-check >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
flags=(--allow-run-as-root --oversubscribe --bind-to none --mca btl self,vader --mca btl_vader_single_copy_mechanism none)
for ranks in 1 2; do
    mpirun "${flags[@]}" -np "$ranks" .build/release/keras-mpi-check bench "$steps" "$batch"
done
