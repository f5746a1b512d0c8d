#!/usr/bin/env bash
# Training on Slurm: bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args]
# GPUS (default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5) and SRUN_ARGS come from the environment.
# Without WORK_DIR (or with WORK_DIR "") the work dir is train.py's default: the config's work_dir,
# else work_dirs/<config name>.
set -x
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=${4:-}
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
root=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$root:$PYTHONPATH" srun -p "$PARTITION" --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 $SRUN_ARGS \
    python -u "$root/tools/train.py" "$CONFIG" ${WORK_DIR:+--work-dir="$WORK_DIR"} --launcher=slurm "${@:5}"
