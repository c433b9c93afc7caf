"""Failed replications: counted, their first keys kept, carried to csv/json/html, replayable."""

import json
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample import cli, engine
from simsample._kernels.accumulate import record
from simsample._kernels.rng import uniform01
from simsample._task import KernelTask, t_quantiles
from simsample.config import DESIGN_KINDS, register_design_kind
from simsample.studies import replay

CHUNK = engine.CHUNK_SIZE
FAIL_AT = 3  # replication r of a chunk fails when r % every == FAIL_AT


@numba.njit(cache=False)
def _flaky_chunk(every, state, reps, truth, tq, acc, kept):  # pragma: no cover
    """One uniform per replication as the estimate; NaN when rep % every == FAIL_AT."""
    for rep in range(reps):
        u = uniform01(state)
        estimate = np.nan if rep % every == FAIL_AT else u
        record(acc, 0, kept, rep, estimate, 0.25, 5.0, tq, truth[0], 1.0)


@dataclass(frozen=True)
class Flaky(ss.Design):
    """A test design whose replication r fails (NaN estimate) when r % every == 3."""

    every: int

    def check(self, population):
        pass

    def expected_size(self, population):
        return 1.0

    def _mean_task(self, population, level):
        return KernelTask(kernel=_flaky_chunk, args=(self.every,), methods=("flaky_t",),
                          estimators=("uniform",), targets=("one half",),
                          truth=np.array([0.5]), tq=t_quantiles(level, [5]))


@pytest.fixture
def flaky_kind():
    register_design_kind("Flaky", Flaky)
    yield
    del DESIGN_KINDS["Flaky"]


def _expected_failures(every: int, reps: int) -> tuple[int, list[list[int]]]:
    """Failures counted replication by replication, and the first failing key of each chunk."""
    count, keys = 0, []
    for chunk in range(-(-reps // CHUNK)):
        n = min(CHUNK, reps - chunk * CHUNK)
        failing = [r for r in range(n) if r % every == FAIL_AT]
        count += len(failing)
        if failing and len(keys) < engine.MAX_FAILURE_KEYS:
            keys.append([chunk, failing[0]])
    return count, keys


def test_failures_are_counted_keyed_and_reported(tmp_path, flaky_kind, capsys):
    reps = 6 * CHUNK + 10
    study = tmp_path / "flaky.toml"
    study.write_text(f"""
reps = {reps}
seed = 3
[population]
generator = "two_level"
n_groups = 4
group_size = 3
[designs.flaky]
kind = "Flaky"
[grid]
"designs.flaky.every" = [7, 1000]
""")
    out = tmp_path / "out"
    assert cli.main(["run", str(study), "--out", str(out), "--quiet"]) == 0
    summary = pd.read_csv(out / "summary.csv")
    record_json = json.loads((out / "summary.json").read_text())
    html = (out / "report.html").read_text()
    for condition, every in enumerate([7, 1000]):
        n_failed, keys = _expected_failures(every, reps)
        row = summary[summary["condition"] == condition].iloc[0]
        assert row["n_failed"] == n_failed and row["reps"] == reps - n_failed
        assert record_json["conditions"][condition]["failures"] == {"flaky/flaky_t": keys}
        assert len(keys) == engine.MAX_FAILURE_KEYS  # one per chunk, capped
        assert ", ".join(f"({c}, {r})" for c, r in keys) in html
        assert record_json["summary"][condition]["n_failed"] == n_failed

    bad = replay(study, 0, "flaky", chunk=2, rep=FAIL_AT)
    good = replay(study, 0, "flaky", chunk=2, rep=FAIL_AT + 1)
    assert bad.estimates["failed"].tolist() == [True] and np.isnan(bad.estimates["estimate"][0])
    assert good.estimates["failed"].tolist() == [False]
    assert 0.0 <= good.estimates["estimate"][0] < 1.0
    assert bad.sample is None  # this test design cannot draw outside its kernel


def test_zero_within_group_variance_is_not_a_failure(tmp_path):
    """y constant within groups: every sampled group has s2 = 0, yet estimates are finite."""
    levels = {"a": 1.0, "b": 4.0, "c": 2.5, "d": 7.0, "e": 3.0}
    rows = [(g, v) for g, v in levels.items() for _ in range(6)]
    pd.DataFrame(rows, columns=["school", "score"]).to_csv(tmp_path / "flat.csv", index=False)
    study = {"reps": 2000, "seed": 4,
             "population": {"generator": "csv", "path": str(tmp_path / "flat.csv"),
                            "y": "score", "group": "school"},
             "designs": {"two-stage": {"kind": "TwoStage", "groups": 3, "per_group": 2},
                         "cluster": {"kind": "ClusterSample", "groups": 3},
                         "SRS": {"kind": "SRS", "n": 6}}}
    run = ss.run_study(study, progress=False)
    summary = run.summary()
    assert (summary["n_failed"] == 0).all() and (summary["reps"] == 2000).all()
    assert np.isfinite(summary["mean_variance_estimate"]).all()
    assert run.failures == {}
    # the population really is constant within groups
    population = run.studies[0].population
    assert population.within_variance == 0.0 and population.n_groups == 5
