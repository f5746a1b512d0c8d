#!/usr/bin/env bash
# Multi-process evaluation with torchrun: bash tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py args]
# Several nodes: NNODES, NODE_RANK, MASTER_ADDR and PORT on every node. Without CUDA it evaluates
# with GPUS processes on the CPU with gloo. PYTHON picks the interpreter (default: python).
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
root=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$root:$PYTHONPATH" exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$root/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
