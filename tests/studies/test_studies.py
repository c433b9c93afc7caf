"""run_study: seeds addressed by condition and chunk, growth without recomputation, refusals."""


import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample import engine
from simsample.studies.checkpoint import CheckpointMismatchError
from simsample.studies.config import load_study
from simsample.studies import replay

from .common import chunk_files, summary_bytes, tiny

CHUNK = engine.CHUNK_SIZE


@pytest.fixture
def count_chunks(monkeypatch):
    """Records every (plan seed spawn key, chunk) that the executor computes."""
    from simsample.engine import executor

    computed = []
    run_chunk = executor.run_chunk

    def counting(plan, chunk):
        computed.append((tuple(plan.seed.spawn_key), chunk))
        return run_chunk(plan, chunk)

    monkeypatch.setattr(executor, "run_chunk", counting)
    return computed


def _designs(per_group):
    return {"SRS": ss.SRS(16), "two-stage": ss.TwoStage(4, per_group)}


def test_conditions_use_the_documented_streams():
    """Condition c = simulate(two_level(seed=(POPULATION, c)), seed=(SAMPLING, c)), by hand."""
    run = ss.run_study(tiny(), progress=False)
    summary = run.summary()
    for c, (icc, per_group) in enumerate([(0.1, 2), (0.1, 4), (0.3, 2), (0.3, 4)]):
        population = ss.two_level(n_groups=20, group_size=8, icc=icc,
                                   seed=np.random.SeedSequence(11, spawn_key=(0, c)))
        expected = ss.simulate(population, _designs(per_group), reps=300,
                               seed=np.random.SeedSequence(11, spawn_key=(1, c))).summary()
        np.testing.assert_array_equal(run.studies[c].population.y, population.y)
        got = summary[summary["condition"] == c]
        assert (got["icc"] == icc).all() and (got["two-stage.per_group"] == per_group).all()
        pd.testing.assert_frame_equal(
            got.drop(columns=["condition", "icc", "two-stage.per_group"]).reset_index(drop=True),
            expected, check_exact=True)
    # each condition its own population (no fixed seed)
    assert not np.array_equal(run.studies[0].population.y, run.studies[1].population.y)


def test_a_fixed_population_seed_is_shared_by_all_conditions():
    study = tiny(population={"generator": "two_level", "n_groups": 20, "group_size": 8,
                             "icc": 0.2, "seed": 5},
                 grid={"designs.two-stage.per_group": [2, 4]})
    run = ss.run_study(study, progress=False)
    fixed = ss.two_level(n_groups=20, group_size=8, icc=0.2, seed=5)
    for study_c in run.studies:
        np.testing.assert_array_equal(study_c.population.y, fixed.y)


def test_more_reps_keep_and_reuse_every_complete_chunk(tmp_path, count_chunks):
    study = tiny(grid={"icc": [0.1, 0.3], "designs.two-stage.per_group": [3]})
    out = tmp_path / "grow"
    first = ss.run_study(study, out, reps=CHUNK + 100, progress=False)
    assert first.computed_chunks == 4 and len(chunk_files(out)) == 4
    complete = {p.relative_to(out): p.read_bytes() for p in chunk_files(out)
                if p.name == "chunk000000.npz"}
    count_chunks.clear()

    grown = ss.run_study(study, out, reps=3 * CHUNK, resume=True, progress=False)
    # chunk 0 is reused; chunk 1 (100 reps before, 4096 now) and chunk 2 are computed
    assert grown.reused_chunks == 2 and grown.computed_chunks == 4
    assert sorted(chunk for _, chunk in count_chunks) == [1, 1, 2, 2]
    for name, data in complete.items():
        assert (out / name).read_bytes() == data

    fresh = tmp_path / "fresh"
    ss.run_study(study, fresh, reps=3 * CHUNK, progress=False)
    assert summary_bytes(out) == summary_bytes(fresh)


def test_a_condition_added_at_the_end_leaves_the_others_unchanged(tmp_path, count_chunks):
    out = tmp_path / "study"
    before = ss.run_study(tiny(), out, progress=False).summary()
    count_chunks.clear()
    grown_grid = {"icc": [0.1, 0.3, 0.5], "designs.two-stage.per_group": [2, 4]}
    after = ss.run_study(tiny(grid=grown_grid), out, resume=True, progress=False)
    assert after.reused_chunks == 4 and after.computed_chunks == 2
    assert sorted(key for key, _ in count_chunks) == [(1, 4), (1, 5)]  # (SAMPLING, c)
    summary = after.summary()
    pd.testing.assert_frame_equal(summary[summary["condition"] < 4], before, check_exact=True)
    assert set(summary.loc[summary["condition"] >= 4, "icc"]) == {0.5}


@pytest.mark.parametrize("change, expected", [
    ({"seed": 12}, "seed 11 (here 12)"),
    ({"grid": {"icc": [0.2, 0.3], "designs.two-stage.per_group": [2, 4]}},
     "condition 0 differs in population.icc (0.1 there, 0.2 here)"),
    ({"designs": {"SRS": {"kind": "SRS", "n": 12}, "two-stage": {"kind": "TwoStage",
                                                               "groups": 4}}},
     "designs.SRS.n (16 there, 12 here)"),
])
def test_resume_refuses_a_different_study(tmp_path, change, expected):
    out = tmp_path / "study"
    ss.run_study(tiny(), out, progress=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(CheckpointMismatchError) as info:
        ss.run_study(tiny(**change), out, resume=True, progress=False)
    assert expected in str(info.value) and "\n" not in str(info.value)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_existing_study_is_not_overwritten_without_resume(tmp_path):
    out = tmp_path / "study"
    ss.run_study(tiny(), out, progress=False)
    with pytest.raises(CheckpointMismatchError, match="already holds a study"):
        ss.run_study(tiny(), out, progress=False)


def test_summary_has_one_row_per_condition_design_and_method():
    run = ss.run_study(tiny(), progress=False)
    summary = run.summary()
    assert len(summary) == 4 * 2 * 2
    assert list(summary.columns[:3]) == ["condition", "icc", "two-stage.per_group"]
    assert list(summary.columns[3:]) == list(ss.results.SUMMARY_COLUMNS)
    assert summary.groupby(["condition", "design", "method"]).size().eq(1).all()
    assert (summary["reps"] + summary["n_failed"] == 300).all()


def test_replay_recomputes_the_replication_of_a_key():
    """The replayed replication equals the engine's kept estimates of that replication."""
    spec = load_study(tiny(), reps=CHUNK + 50)
    condition, rep = 3, 20
    from simsample.studies import build_condition, sampling_seed

    plan = build_condition(spec, spec.conditions()[condition])
    kept = ss.simulate(plan.population, plan.designs, reps=CHUNK + 50,
                       seed=sampling_seed(spec, spec.conditions()[condition]),
                       keep_estimates=True).estimates["two-stage"]
    again = replay(spec, condition, "two-stage", chunk=1, rep=rep)
    expected = kept[kept["rep"] == CHUNK + rep].reset_index(drop=True)
    np.testing.assert_array_equal(again.estimates["estimate"], expected["estimate"])
    np.testing.assert_array_equal(again.estimates["se"], expected["se"])
    assert not again.estimates["failed"].any()
    # the sample drawn from the same state gives the same estimates outside the kernel
    sample = again.sample
    assert sample.size == 4 * 4 and len(set(sample.groups)) == 4
    own = sample.estimate(level=spec.level)
    np.testing.assert_allclose(own["estimate"], expected["estimate"], rtol=1e-12)
    np.testing.assert_allclose(own["se"], expected["se"], rtol=1e-12)
    with pytest.raises(ss.InvalidParameterError, match="'rep' of replay"):
        replay(spec, condition, "two-stage", chunk=1, rep=50)


def test_resume_needs_an_output_folder_and_dask_a_scheduler_backend():
    with pytest.raises(ss.InvalidParameterError, match="'resume' of run_study"):
        ss.run_study(tiny(), resume=True, progress=False)
    with pytest.raises(ss.InvalidParameterError, match="'scheduler' of run_study"):
        ss.run_study(tiny(), scheduler="tcp://127.0.0.1:1", progress=False)


def test_a_csv_population_is_read_relative_to_the_study_file_and_its_content_hashed(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"district": np.repeat(np.arange(12), 5),
                          "score": rng.normal(size=60).round(3)})
    frame.to_csv(data / "schools.csv", index=False)
    study = tmp_path / "schools.toml"
    study.write_text("""
reps = 200
seed = 5
[population]
generator = "csv"
path = "data/schools.csv"
y = "score"
group = "district"
[designs.two-stage]
kind = "TwoStage"
groups = 4
per_group = 3
""")
    out = tmp_path / "out"
    run = ss.run_study(study, out, progress=False)
    expected = ss.Population(frame["score"], frame["district"])
    np.testing.assert_array_equal(run.studies[0].population.y, expected.y)
    assert "data/schools.csv" in summary_bytes(out).decode()
    assert str(tmp_path) not in summary_bytes(out).decode()  # no machine paths

    frame.loc[0, "score"] += 1.0  # the data change: the checkpoint is not this study's any more
    frame.to_csv(data / "schools.csv", index=False)
    with pytest.raises(CheckpointMismatchError, match="condition 0 differs in files"):
        ss.run_study(study, out, resume=True, progress=False)
