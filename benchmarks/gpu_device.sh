#!/usr/bin/env bash
# One session on a GPU machine: the CUDA tests on the real device, then the GPU benchmark.
#     bash benchmarks/gpu_device.sh [OUT_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
export NUMBA_ENABLE_CUDASIM=0 NUMBA_CUDA_LOW_OCCUPANCY_WARNINGS=0 PYTHONUNBUFFERED=1
export PYTHONPATH=.${PYTHONPATH:+:$PYTHONPATH}
out=${1:-${OUT:-benchmarks/out}}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
python3 -c "import numba, numpy, numba.cuda as c; print('numba', numba.__version__, 'numpy', numpy.__version__, 'cuda', c.is_available())"
# the suite's warning filters turn numba's low-occupancy notes on tiny test launches into errors
timeout 170 python3 -m pytest tests/cuda -q -p no:cacheprovider -p no:warnings 2>&1 \
    | tee "$out/cuda_tests.txt" | tail -15
timeout 380 python3 benchmarks/gpu.py --seconds 10 --out "$out" 2>&1 | tee "$out/gpu_log.txt"
