"""The GPU backend, run in numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1, see conftest).

The simulator executes every device thread in Python, so problems are tiny and
replications few; tolerances still come from the Monte Carlo standard error.
"""

import itertools
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simsample as ss
from simsample import engine
from simsample._rng import xoshiro_state
from simsample.engine.backends.cuda import simulate_cuda
from tests.helpers import assert_mc_close

SMALL = dict(blocks=2, block_size=32)


@pytest.fixture(scope="module")
def pop():
    return ss.two_level(n_groups=8, group_size=[4, 5, 6, 4, 5, 6, 4, 7], icc=0.3, seed=1)


def _cuda(pop, designs, reps, seed, **launch):
    plan = engine.build_plan(pop, designs, reps, seed=seed)
    return simulate_cuda(plan, progress=False, **{**SMALL, **launch})


@pytest.mark.statistical
@pytest.mark.parametrize("table_bits,entry_bits", [(0, 32), (4, 32), (4, 16)],
                         ids=["bitmask", "hash-table-32", "hash-table-16"])
def test_floyd_device_code_draws_every_subset_equally_often(table_bits, entry_bits, global_seed):
    from numba import cuda

    from simsample.engine.backends._cuda_kernels import make_subset_kernel

    n_frame, n, threads, reps = 5, 2, 32, 200
    out = np.zeros((threads, reps, n), np.int64)
    keys = cuda.to_device(xoshiro_state(np.random.SeedSequence(global_seed)))
    # 3 index bits leave 29 tag bits; with 2 index bits for a tiny table the tag would
    # run out every 2**30 draws: the clearing path is exercised by the next test
    make_subset_kernel(table_bits, entry_bits)[1, threads](n_frame, n, 3, keys, out)
    counts = {s: 0 for s in itertools.combinations(range(n_frame), n)}
    for sample in out.reshape(-1, n):
        assert len(set(sample.tolist())) == n and 0 <= sample.min() and sample.max() < n_frame
        counts[tuple(sorted(sample.tolist()))] += 1
    assert stats.chisquare(list(counts.values())).pvalue > 1e-4


@pytest.mark.statistical
def test_variance_and_coverage_match_theory(pop, global_seed):
    designs = {"srs": ss.SRS(5), "two-stage": ss.TwoStage(3, 2, estimator="expansion"),
               "cluster": ss.ClusterSample(3, estimator="expansion")}
    summary = _cuda(pop, designs, 10_000, global_seed).summary()
    assert (summary["reps"] == 10_000).all() and (summary["n_failed"] == 0).all()
    for _, row in summary[summary["method"] == "cluster_t"].iterrows():
        assert row["theory_exact"]
        assert_mc_close(row["variance"], row["theory_variance"], row["variance_mcse"])
        assert_mc_close(row["mean_variance_estimate"], row["theory_variance"],
                        np.hypot(row["mean_variance_estimate_mcse"], row["variance_mcse"]))
    # coverage against the CPU engine's (whose own MCSE is five times smaller)
    cpu = ss.simulate(pop, designs, 250_000, seed=global_seed).summary()
    both = summary.merge(cpu, on=["design", "method"], suffixes=("_gpu", "_cpu"))
    for _, row in both.iterrows():
        assert_mc_close(row["coverage_gpu"], row["coverage_cpu"],
                        np.hypot(row["coverage_mcse_gpu"], row["coverage_mcse_cpu"]))


def test_same_seed_and_launch_give_identical_results(pop):
    designs = {"srs": ss.SRS(4), "two-stage": ss.TwoStage(3, 2)}
    a = _cuda(pop, designs, 200, 11).summary()
    b = _cuda(pop, designs, 200, 11).summary()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = _cuda(pop, designs, 200, 12).summary()
    assert not np.array_equal(a["variance"], c["variance"])


@pytest.mark.parametrize("shared_tables", [False, True], ids=["local", "shared"])
def test_ratio_estimator_and_large_frames_use_the_hash_tables(shared_tables):
    """Frames over 256 units take the hash-table path (16- and 32-bit entries)."""
    big = ss.two_level(n_groups=300, group_size=[3, 300] * 150, icc=0.2, seed=2)
    huge_group = ss.two_level(n_groups=3, group_size=[10, 10, 9000], seed=3)  # 32-bit entries
    for pop, designs in [(big, {"srs": ss.SRS(6), "two-stage": ss.TwoStage(4, 3)}),
                         (huge_group, {"srs": ss.SRS(6), "two-stage": ss.TwoStage(2, 3)})]:
        gpu = _cuda(pop, designs, 256, 5, shared_tables=shared_tables).summary()
        cpu = ss.simulate(pop, designs, 20_000, seed=5).summary()
        assert (gpu["reps"] == 256).all()
        for (_, g), (_, c) in zip(gpu.iterrows(), cpu.iterrows()):
            assert_mc_close(g["bias"], c["bias"], np.hypot(g["bias_mcse"], c["bias_mcse"]))


@pytest.mark.parametrize("entry_bits", [32, 16])
def test_hash_table_clears_when_its_tags_run_out(entry_bits, global_seed):
    """One tag bit left above the index bits: the table is cleared before every draw."""
    from numba import cuda

    from simsample.engine.backends._cuda_kernels import make_subset_kernel

    out = np.zeros((8, 50, 3), np.int64)
    keys = cuda.to_device(xoshiro_state(np.random.SeedSequence(global_seed)))
    make_subset_kernel(3, entry_bits)[1, 8](6, 3, entry_bits - 1, keys, out)
    samples = out.reshape(-1, 3)
    assert all(len(set(s.tolist())) == 3 for s in samples)
    assert len({tuple(sorted(s.tolist())) for s in samples}) == 20  # all C(6,3) subsets seen


def test_what_the_gpu_cannot_do_is_refused_before_any_work(pop):
    with pytest.raises(ValueError, match="cannot keep replicate estimates"):
        ss.simulate(pop, {"s": ss.SRS(3)}, 10, keep_estimates=True, backend="cuda")
    with pytest.raises(ValueError, match="design 'w' is SRS"):
        ss.simulate(pop, {"w": ss.SRS(3, replace=True)}, 10, backend="cuda")
    with pytest.raises(ValueError, match="design 'p' is PPS"):
        ss.simulate(pop, {"p": ss.PPS(2, 2)}, 10, backend="cuda")
    effects = ss.scenarios.simpson(seed=1)
    with pytest.raises(ValueError, match="estimates the mean only"):
        ss.simulate(effects, {"s": ss.SRS(30)}, 10, estimand="difference", backend="cuda")


def test_without_a_device_cuda_fails_with_one_line():
    code = ("import simsample as ss; pop = ss.two_level(4, 3, seed=1); "
            "ss.simulate(pop, ss.SRS(3), 10, backend='cuda')")
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("simsample.engine.backends.cuda.CudaUnavailableError: backend='cuda' needs")


STUDY = """
name = "gpu"
reps = 200
seed = 4

[population]
generator = "two_level"
n_groups = 12
group_size = 6

[designs.srs]
kind = "SRS"
n = 8

[designs.two-stage]
kind = "TwoStage"
groups = 3

[grid]
"designs.two-stage.per_group" = [2, 3]
"""


def test_studies_run_on_the_gpu_backend(tmp_path, monkeypatch):
    import simsample.engine.backends.cuda as backend

    monkeypatch.setattr(backend, "default_blocks", lambda: 2)  # 2 x 64 simulated threads
    study = tmp_path / "gpu.toml"
    study.write_text(STUDY)
    run = ss.run_study(study, tmp_path / "out", backend="cuda", progress=False)
    summary = run.summary()
    assert len(summary) == 2 * 2 * 2 and (summary["reps"] == 200).all()
    assert (tmp_path / "out" / "summary.json").exists()
    with pytest.raises(ValueError, match="not available with backend='cuda'"):
        ss.run_study(study, tmp_path / "out", backend="cuda", resume=True, progress=False)


def test_the_cli_refuses_cuda_without_a_device_in_one_line(tmp_path):
    study = tmp_path / "gpu.toml"
    study.write_text(STUDY)
    env = {**os.environ, "NUMBA_ENABLE_CUDASIM": "0", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, "-m", "simsample", "run", str(study), "--out",
                             str(tmp_path / "o"), "--backend", "cuda"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "backend='cuda' needs an NVIDIA GPU" in result.stderr
    assert not (tmp_path / "o").exists()
