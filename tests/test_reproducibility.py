"""Same seed, same results, bit for bit, whatever n_jobs, backend or scheduling."""

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample import engine
from simsample.engine.executor import batch_items


@pytest.fixture(scope="module")
def setting():
    pop = ss.two_level(n_groups=40, group_size=[8, 12] * 20, icc=0.25, seed=3)
    designs = {"SRS": ss.SRS(30), "two-stage": ss.TwoStage(6, 5), "cluster": ss.ClusterSample(3)}
    return pop, designs


def _run(setting, **kwargs):
    pop, designs = setting
    kwargs = {"reps": 3 * engine.CHUNK_SIZE + 123, "seed": 99, "keep_estimates": 5000,
              "progress": False, **kwargs}
    return ss.simulate(pop, designs, **kwargs)


@pytest.fixture(scope="module")
def serial(setting):
    return _run(setting, n_jobs=1)


@pytest.mark.parametrize("n_jobs,backend", [(2, "loky"), (2, "threading"), (3, "threading")])
def test_parallel_runs_are_bitwise_identical_to_serial(setting, serial, n_jobs, backend):
    # the work really is split differently between the runs
    chunks = list(range(1, engine.build_plan(*setting, reps=3 * engine.CHUNK_SIZE + 123).n_chunks))
    assert list(batch_items(chunks, n_jobs)) != [chunks]
    parallel = _run(setting, n_jobs=n_jobs, backend=backend)
    pd.testing.assert_frame_equal(parallel.summary(), serial.summary(), check_exact=True)
    for name in serial.designs:
        pd.testing.assert_frame_equal(parallel.estimates[name], serial.estimates[name],
                                      check_exact=True)


def test_chunks_are_independent_of_each_other_and_of_their_order(setting, serial):
    plan = engine.build_plan(*setting, reps=3 * engine.CHUNK_SIZE + 123, seed=99, keep_estimates=5000)
    results = {c: engine.run_chunk(plan, c) for c in reversed(range(plan.n_chunks))}
    study = engine.assemble(plan, sorted(results.items()))
    pd.testing.assert_frame_equal(study.summary(), serial.summary(), check_exact=True)


def test_more_reps_extend_the_same_replications(setting, serial):
    longer = _run(setting, reps=3 * engine.CHUNK_SIZE + 500)
    for name in serial.designs:
        a, b = serial.estimates[name], longer.estimates[name]
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seeds_differ_and_recorded_entropy_repeats_a_run(setting, serial):
    other = _run(setting, seed=100)
    assert not np.array_equal(other.summary()["variance"], serial.summary()["variance"])
    fresh = _run(setting, seed=None, reps=500)
    again = _run(setting, seed=np.random.SeedSequence(**fresh.seed), reps=500)
    pd.testing.assert_frame_equal(fresh.summary(), again.summary(), check_exact=True)


def test_adding_a_design_leaves_the_others_unchanged(setting, serial):
    pop, designs = setting
    more = ss.simulate(pop, {**designs, "extra": ss.SRS(10)}, reps=serial.reps, seed=99,
                       keep_estimates=5000)
    left = more.summary()
    pd.testing.assert_frame_equal(left[left["design"] != "extra"].reset_index(drop=True),
                                  serial.summary(), check_exact=True)


def test_memory_does_not_grow_with_reps_unless_estimates_are_kept(setting):
    pop, designs = setting
    small = ss.simulate(pop, designs, reps=10, seed=1)
    large = ss.simulate(pop, designs, reps=5 * engine.CHUNK_SIZE, seed=1)
    assert all(k.shape == (2, 0, 4) for k in large._kept.values())
    assert [a.shape for a in small._totals.values()] == [a.shape for a in large._totals.values()]
    with pytest.raises(KeyError, match="keep_estimates"):
        large.estimates
