"""Failed replications: counted, their first keys kept, carried to csv/json/html, replayable."""

import json
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample import cli, engine
from simsample._kernels.rng import uniform01
from simsample.designs import Sampler
from simsample.studies.config import DESIGN_KINDS, register_design_kind
from simsample.studies import replay

CHUNK = engine.CHUNK_SIZE
FAIL_AT = 3  # replication r of a chunk fails when r % every == FAIL_AT
KERNELS = __name__  # this module holds the test design's kernels, as a user's package would


@numba.njit(cache=False)
def prepare_flaky(params):  # pragma: no cover
    """Scratch: the form of a one-unit sample, and the replication counter and its uniform."""
    return (np.zeros(1, np.int64), np.arange(2), np.ones(1), np.full(1, -1),
            np.zeros(1, np.int64), np.zeros(1))


@numba.njit(cache=False)
def draw_flaky(state, every, idx, start, size, groups, counter, uniform):  # pragma: no cover
    """One uniform per replication; counts the replications of the chunk."""
    uniform[0] = uniform01(state)
    counter[0] += 1
    return 1, 1


@numba.njit(cache=False)
def mean_flaky(ys, n, k, every, idx, start, size, groups, counter, uniform,
               out):  # pragma: no cover
    """The uniform as the estimate of both rows; NaN when rep % every == FAIL_AT."""
    rep = counter[0] - 1
    estimate = np.nan if rep % every == FAIL_AT else uniform[0]
    for row in range(2):
        out[row, 0] = estimate
        out[row, 1] = 0.25
        out[row, 2] = 5.0


@dataclass(frozen=True)
class Flaky(ss.Design):
    """A test design whose replication r fails (NaN estimate) when r % every == 3."""

    every: int

    def check(self, population):
        pass

    def expected_size(self, population):
        return 1.0

    def sampler(self, population):
        return Sampler(KERNELS, "prepare_flaky", "draw_flaky", "mean_flaky",
                       params=(self.every,), kind="element", n_units=population.n_units,
                       form_groups=population.n_units, max_n=1, mean_dfs=(5,))

    def estimator_names(self, population):
        return ("uniform", "uniform")


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
        assert record_json["conditions"][condition]["failures"] == {
            "flaky/naive_t": keys, "flaky/cluster_t": keys}
        assert len(keys) == engine.MAX_FAILURE_KEYS  # one per chunk, capped
        assert ", ".join(f"({c}, {r})" for c, r in keys) in html
        assert record_json["summary"][2 * condition]["n_failed"] == n_failed  # naive_t row

    bad = replay(study, 0, "flaky", chunk=2, rep=FAIL_AT)
    good = replay(study, 0, "flaky", chunk=2, rep=FAIL_AT + 1)
    assert bad.estimates["failed"].tolist() == [True, True]
    assert np.isnan(bad.estimates["estimate"][0])
    assert good.estimates["failed"].tolist() == [False, False]
    assert 0.0 <= good.estimates["estimate"][0] < 1.0
    # the replayed sample is the kernel's: its drawing kernel ran rep + 1 times
    assert bad.sample.scratch[4][0] == FAIL_AT + 1


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
