"""Generated chunk loops: one file per spec, compiled once and loaded from numba's cache."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import simsample as ss
from simsample._kernels.accumulate import new_accumulator
from simsample.engine import build_plan
from simsample.engine.loops import cache_dir, compiled_loop, loop_source


def test_a_second_process_loads_the_compiled_loop_from_the_cache():
    pop = ss.two_level(n_groups=12, group_size=6, seed=1)
    task = build_plan(pop, {"t": ss.TwoStage(4, 3)}, 10).tasks[0]
    compiled_loop(task.spec)(*task.args, np.ones(4, np.uint64), np.zeros((1, 4), np.uint64), 1,
                             task.truth, task.tq, new_accumulator(2), np.zeros((2, 0, 4)))
    check = """
import numpy as np, simsample as ss
from simsample._kernels.accumulate import new_accumulator
from simsample.engine import build_plan
from simsample.engine.loops import compiled_loop
pop = ss.two_level(n_groups=12, group_size=6, seed=1)
task = build_plan(pop, {"t": ss.TwoStage(4, 3)}, 10).tasks[0]
loop = compiled_loop(task.spec)
loop(*task.args, np.ones(4, np.uint64), np.zeros((1, 4), np.uint64), 1, task.truth, task.tq,
     new_accumulator(2), np.zeros((2, 0, 4)))
print(sum(loop.stats.cache_hits.values()), sum(loop.stats.cache_misses.values()))
"""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            cwd=root, check=True, env={**os.environ, "PYTHONPATH": str(root)})
    assert result.stdout.split() == ["1", "0"]


def test_one_file_per_spec_named_by_its_source():
    pop = ss.two_level(n_groups=12, group_size=6, seed=1)
    a = build_plan(pop, {"t": ss.TwoStage(4, 3)}, 10).tasks[0].spec
    again = build_plan(pop, {"t": ss.TwoStage(5, 2)}, 10).tasks[0].spec
    b = build_plan(pop, {"t": ss.TwoStage(4, 3)}, 10, methods=["cluster_t"]).tasks[0].spec
    c = build_plan(pop, {"t": ss.SRS(5)}, 10).tasks[0].spec
    assert a.key() == again.key()           # parameters are arguments, not source
    assert len({a.key(), b.key(), c.key()}) == 3   # the rows recorded and the design are
    compiled_loop(c)
    path = cache_dir() / f"loop_{c.key()}.py"
    assert path.read_text() == loop_source(c)
    assert "from simsample.designs._srs_kernels import draw_srs as _draw" in loop_source(c)
