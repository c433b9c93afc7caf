"""Sizes beyond the machine or beyond overflow are refused before anything is allocated.

The memory-heavy probes run in one subprocess whose address space is limited
(RLIMIT_AS, 3 GiB): a probe that allocated instead of refusing would fail
there with MemoryError, never hurt the machine.
"""

import json
import subprocess
import sys
import textwrap

import pytest

import simsample as ss
from simsample._limits import MAX_CONDITIONS

PROBES = textwrap.dedent("""
    import json, resource, warnings
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    import numpy as np
    import simsample as ss
    pop = ss.two_level(10, 10, seed=1)
    cases = {
        "groups_1e9": lambda: ss.two_level(n_groups=10**9, group_size=10),
        "size_2_31": lambda: ss.two_level(3, group_size=2**31),
        "poisson_1e12": lambda: ss.two_level(10, ss.sizes.poisson(1e12)),
        "size_2_62": lambda: ss.two_level(2, group_size=2**62),
        "sizes_sequence": lambda: ss.two_level(None, [2**31, 2**31, 5]),
        "srs_replace_1e10": lambda: ss.simulate(pop, {"s": ss.SRS(10**10, replace=True)},
                                                reps=2, seed=1),
        "srs_replace_memory": lambda: ss.simulate(pop, {"s": ss.SRS(2**31, replace=True)},
                                                  reps=2, seed=1),
        "reps_1e18": lambda: ss.simulate(pop, {"s": ss.SRS(5)}, reps=10**18, seed=1),
        "keep_1e8": lambda: ss.simulate(pop, {"s": ss.SRS(5)}, reps=10**8, seed=1,
                                        keep_estimates=10**8),
        "three_level": lambda: ss.three_level(10**6, 10**3, 10**3),
    }
    out = {}
    for name, call in cases.items():
        try:
            call()
            out[name] = ["no error", ""]
        except BaseException as exc:
            out[name] = [type(exc).__name__, str(exc)]
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def refused():
    done = subprocess.run([sys.executable, "-c", PROBES], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case,words", [
    ("groups_1e9", ["'n_groups' x 'group_size' of two_level", "10,000,000,000 units"]),
    ("size_2_31", ["6,442,450,944 units", "2**32 - 1"]),
    ("poisson_1e12", ["'group_size' of two_level", "units in one group"]),
    ("size_2_62", ["9,223,372,036,854,775,808 units"]),  # int64 would overflow to < 0
    ("sizes_sequence", ["'group_size' of two_level", "4,294,967,301 units"]),
    ("srs_replace_1e10", ["'n' of SRS(n=10000000000, replace=True)", "units in one sample"]),
    ("srs_replace_memory", ["'n' of SRS(n=2147483648, replace=True) needs about", "available"]),
    ("reps_1e18", ["'reps' of simulate must be at most 2**53"]),
    ("keep_1e8", ["'keep_estimates' of simulate needs about", "is available", "keep fewer"]),
    ("three_level", ["'n_groups' x 'subgroups_per_group' of three_level needs about", "available"]),
])
def test_size_refused_before_allocation(refused, case, words):
    kind, message = refused[case]
    assert kind in ("InvalidParameterError", "MemoryBudgetError"), (kind, message)
    for word in words:
        assert word in message, message


def test_n_jobs_is_capped_at_usable_cores_with_a_warning():
    pop = ss.two_level(10, 10, seed=1)
    reps = 3 * ss.engine.CHUNK_SIZE
    serial = ss.simulate(pop, {"s": ss.SRS(5)}, reps=reps, seed=3)
    with pytest.warns(ss.SimsampleWarning, match=r"'n_jobs' of simulate is 4096 but this "
                      r"process can use \d+ core"):
        capped = ss.simulate(pop, {"s": ss.SRS(5)}, reps=reps, seed=3, n_jobs=4096)
    assert capped.summary().equals(serial.summary())


def test_chunks_are_produced_lazily():
    from simsample.engine.executor import batch_items, execute

    def endless():
        c = 0
        while True:
            yield c
            c += 1

    first = next(batch_items(endless(), workers=2, total=10**12))
    assert first == list(range(8))
    pop = ss.two_level(10, 10, seed=1)
    plan = ss.engine.build_plan(pop, {"s": ss.SRS(5)}, reps=2**53, seed=1)
    stream = execute({0: plan}, ((0, c) for c in range(plan.n_chunks)), total=plan.n_chunks)
    (key, chunk), result = next(stream)  # the first chunk, without listing 2**41 of them
    assert (key, chunk) == (0, 0) and result.acc[0][0, 0] == ss.engine.CHUNK_SIZE
    stream.close()


def _grid_study(n):
    return {"name": "big", "reps": 10, "seed": 1,
            "population": {"generator": "two_level", "n_groups": 10, "group_size": 4},
            "designs": {"srs": {"kind": "SRS", "n": 4}},
            "grid": {"icc": [i / 1000 for i in range(n)], "total_var": [1.0 + i for i in range(n)],
                     "mean": [float(i) for i in range(n)]}}


def test_study_grid_over_the_limit_is_refused_with_count_and_how_to_raise(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ss.InvalidParameterError,
                       match=r"has 1,000,000 conditions, more than the limit of 10,000; raise "
                             r"it with max_conditions= \(simsample run --max-conditions N\)"):
        ss.run_study(_grid_study(100), out)
    assert not out.exists() and MAX_CONDITIONS == 10_000


def test_study_reps_beyond_the_chunk_limit_refused_before_the_manifest(tmp_path):
    out = tmp_path / "out"
    study = _grid_study(1)
    study["reps"] = 10**13
    with pytest.raises(ss.InvalidParameterError, match=r"'reps' of study 'big' is "
                       r"10,000,000,000,000: 2,441,406,250 chunk files"):
        ss.run_study(study, out)
    assert not out.exists()


def test_verifying_a_plan_larger_than_any_synthetic_population_is_refused_before_building():
    """plan --budget 1e13 --verify: the design (billions of units) is refused, not built."""
    import tracemalloc

    plan = ss.planning.optimal_design(delta=0.1, cost_cluster=100, cost_unit=10, budget=1e13)
    tracemalloc.start()
    try:
        with pytest.raises(ss.InvalidParameterError, match="larger than the largest synthetic"):
            ss.planning.verify(plan, reps=10, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_cli_plan_of_a_huge_budget_with_verify_is_one_line(tmp_path, capsys):
    from simsample.cli import main

    argv = ["plan", "--icc", "0.1", "--cost-cluster", "100", "--cost-unit", "10",
            "--budget", "1e13", "--verify", "--out", str(tmp_path / "plan")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "larger than the largest synthetic" in err
