#!/usr/bin/env bash
# Data-parallel throughput of the tutorial MLP (hidden 128) over Open MPI on this machine:
# `mpi np=<n> fit: N samples/s` with the step time and the per-step time spent in MPI collectives,
# for 1 and 2 processes at the same global batch; then whether overlapping an allreduce with
# computation (MPI_Iallreduce polled with MPI_Test) pays, for a 1M- and a 4M-float bucket.
# Usage: Scripts/mpi-bench.sh [steps] [global batch]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-200}" batch="${2:-256}"
swift build -c release --product keras-mpi-check >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Waiting ranks yield the core (mpi_yield_when_idle): on a machine with more ranks than idle cores,
# busy-polling ranks would otherwise take the cores the computing rank needs.
flags=(--allow-run-as-root --oversubscribe --bind-to none --mca btl self,vader --mca btl_vader_single_copy_mechanism none
       --mca mpi_yield_when_idle 1)
for ranks in 1 2; do
    mpirun "${flags[@]}" -np "$ranks" .build/release/keras-mpi-check bench "$steps" "$batch"
done
for floats in 1048576 4194304; do
    mpirun "${flags[@]}" -np 2 .build/release/keras-mpi-check overlap "$floats" 64
done
