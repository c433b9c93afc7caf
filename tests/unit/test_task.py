"""Kernel tasks as worker processes receive them."""

import os
from pathlib import Path


def test_workers_call_the_cached_module_kernels(tmp_path):
    """In another process a pickled kernel is a new, uncached dispatcher; workers swap it."""
    import pickle
    import subprocess
    import sys

    from simsample._kernels import simulate as kernels

    (tmp_path / "kernels.pkl").write_bytes(pickle.dumps(
        [kernels.simulate_srs_chunk, kernels.simulate_two_stage_chunk]))
    check = """
import pickle, sys
from simsample._kernels import simulate as kernels
from simsample._task import module_kernel
copies = pickle.loads(open(sys.argv[1], "rb").read())
modules = [kernels.simulate_srs_chunk, kernels.simulate_two_stage_chunk]
pairs = list(zip(copies, modules))
print([c is m for c, m in pairs], [module_kernel(c) is m for c, m in pairs])
"""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", check, str(tmp_path / "kernels.pkl")],
                            capture_output=True, text=True, cwd=root, check=True,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert result.stdout.split("\n")[0] == "[False, False] [True, True]"
