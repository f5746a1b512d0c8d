#!/usr/bin/env bash
# Multi-process training with torchrun: bash tools/dist_train.sh CONFIG GPUS [train.py args]
# Several nodes: NNODES, NODE_RANK, MASTER_ADDR and PORT on every node. Without CUDA it trains
# GPUS processes on the CPU with gloo. PYTHON picks the interpreter (default: python).
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
root=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$root:$PYTHONPATH" exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$root/tools/train.py" "$CONFIG" --launcher pytorch "${@:3}"
