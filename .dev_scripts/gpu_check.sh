#!/usr/bin/env bash
# The GPU verification in one prepared script: pre-training with the ERF hook on CUDA in bf16,
# tools/dist_train.sh with one GPU, benchmark_train.py with the paper's ResNet-50 at batch 256,
# bf16 and channels_last (profiled: where the real path loses time against the ceiling), then the
# test suite's fast tests (every backbone family, the detectors, the hooks), whose in-process and
# tool runs train on the GPU wherever there is one. Run from the repository root where mmjigsaw and
# its dependencies import:
#     bash .dev_scripts/gpu_check.sh
# Logs go to $OUT (default work_dirs/gpu_check), the demo data to $DATA (default $OUT/data); a table
# of results ends the output.
# TESTS names the test paths (default tests; the slow ones, the lint among them, are left out),
# TEST_WORKERS the pytest-xdist processes sharing the GPU (default 8), TESTS_TIMEOUT bounds that step
# in seconds (default 600).
# DEVICE=cpu ITERS=2 BATCH=8 WORKERS=2 ERF_IMAGES=1 runs the same steps as a smoke test without a GPU.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${OUT:-work_dirs/gpu_check}
py=${PYTHON:-python3}
device=${DEVICE:-cuda}
iters=${ITERS:-50}
batch=${BATCH:-256}
workers=${WORKERS:-14}
erf_images=${ERF_IMAGES:-8}
amp=$([ "$device" = cuda ] && echo --amp)
mkdir -p "$out"
demo=configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py
data=${DATA:-$out/data}  # demo images and store (DATA=/tmp/... keeps them out of $OUT)

"$py" tools/misc/make_demo_dataset.py --out "$data" --num-train 300 --num-val 10 > "$out/data.log" 2>&1 &&
  "$py" tools/extract_samples.py --ann "$data/annotations/instances_train.json" --img-dir "$data/train" \
    --out "$data/store" --workers 4 >> "$out/data.log" 2>&1
rc_data=$?
store="train_dataloader.dataset.store=$data/store"

start=$(date +%s)
"$py" tools/train.py "$demo" $amp --work-dir "$out/pretrain" \
  --cfg-options "$store" train_cfg.max_iters=$((2 * iters)) custom_hooks.0.interval="$iters" > "$out/pretrain.log" 2>&1
rc_pretrain=$?
t_pretrain=$(( $(date +%s) - start ))

start=$(date +%s)
PYTHON="$py" PORT=${PORT:-29517} bash tools/dist_train.sh "$demo" 1 $amp --work-dir "$out/dist" \
  --cfg-options "$store" train_cfg.max_iters="$iters" custom_hooks.0.interval="$iters" > "$out/dist.log" 2>&1
rc_dist=$?
t_dist=$(( $(date +%s) - start ))

"$py" tools/analysis_tools/benchmark_train.py configs/jigsaw_r50.py --device "$device" $amp --channels-last \
  --batch-size "$batch" --workers "$workers" --iters "$iters" --profile "$out/profile" \
  --cfg-options "$store" model.head.num_classes=7 custom_hooks.0.num_images="$erf_images" > "$out/benchmark.log" 2>&1
rc_bench=$?

parallel=$("$py" -c 'import xdist' 2>/dev/null && echo "-n ${TEST_WORKERS:-8}")  # pytest-xdist where installed
# -v names each test as it ends and SIGINT lets pytest print its summary: a run cut short still says
# which tests failed
timeout -s INT -k 30 "${TESTS_TIMEOUT:-600}" "$py" -m pytest -v -p no:cacheprovider -m 'not slow' $parallel \
  ${TESTS:-tests} > "$out/tests.log" 2>&1
rc_tests=$?

echo
echo "| check | exit | detail |"
echo "|---|---|---|"
echo "| demo data + store | $rc_data | $(grep -m1 '^images' "$out/data.log") |"
echo "| pre-training with ERF hook ($device ${amp:-fp32}) | $rc_pretrain | ${t_pretrain} s; $(grep -c 'ERFUpdateHook: iter' "$out/pretrain.log") ERF refreshes; last: $(grep 'Iter(train)' "$out/pretrain.log" | tail -1 | grep -o 'loss: [0-9.]*') |"
echo "| dist_train.sh, 1 process ($device) | $rc_dist | ${t_dist} s; $(grep -o 'GPU number: [0-9]*' "$out/dist.log" | head -1) |"
echo "| benchmark_train ResNet-50 b$batch | $rc_bench | $(tail -1 "$out/benchmark.log") |"
echo "| fast tests${parallel:+ ($parallel)} (exit 124: cut at TESTS_TIMEOUT) | $rc_tests | $(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$out/tests.log" | tail -1) |"
