"""The California schools population, and simulation studies on it."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsample as ss
from simsample.population.datasets import california_schools, california_schools_frame
from tests.helpers import assert_mc_close

DATA = Path(__file__).resolve().parent.parent / "data"


def test_population_shape_and_outcomes():
    pop = california_schools()
    assert (pop.n_units, pop.n_groups) == (6194, 757)
    sizes = pop.group_sizes
    assert (sizes.min(), sizes.max(), int((sizes == 1).sum())) == (1, 552, 187)
    frame = california_schools_frame()
    assert list(frame.columns) == ["snum", "dnum", "stype", "api00", "api99", "enroll", "meals"]
    assert frame["snum"].is_unique
    np.testing.assert_allclose(pop.mean, frame["api00"].mean(), rtol=1e-12)
    api99 = california_schools("api99")
    np.testing.assert_allclose(api99.mean, frame["api99"].mean(), rtol=1e-12)
    enroll = california_schools("enroll")
    assert enroll.n_units == 6194 - 37 and enroll.meta["dropped"] == 37
    assert np.isfinite(enroll.y).all()


def test_apiclus1_is_a_cluster_sample_of_this_population():
    # every school of apiclus1 (R's one-stage sample of 15 districts) is in the
    # population with the same values, and each sampled district is complete
    sample = pd.read_csv(DATA / "apiclus1.csv")
    frame = california_schools_frame()
    cols = ["snum", "dnum", "api00", "api99", "enroll", "meals"]
    merged = sample[cols].merge(frame[cols], on="snum", suffixes=("", "_pop"))
    assert len(merged) == len(sample) == 183
    for col in cols[1:]:
        np.testing.assert_array_equal(merged[col], merged[f"{col}_pop"])
    in_districts = frame[frame["dnum"].isin(sample["dnum"])]
    assert len(in_districts) == len(sample)
    # its calibrated weights sum to the number of schools, its fpc to the districts
    assert sample["pw"].sum() == pytest.approx(6194, rel=1e-6)
    assert (sample["fpc"] == california_schools().n_groups).all()


def test_min_schools_keeps_large_districts():
    pop = california_schools(min_schools=5)
    assert pop.group_sizes.min() >= 5
    assert (pop.n_groups, pop.n_units) == (325, 5289)
    with pytest.raises(ValueError, match="'min_schools'"):
        california_schools(min_schools=1000)
    with pytest.raises(ValueError, match="'y'"):
        california_schools("stype")


@pytest.mark.statistical
def test_two_stage_study_on_districts_matches_theory(global_seed):
    # 187 districts have one school, so two-stage designs of the whole
    # population take one school per district; ClusterSample takes whole
    # districts. The expansion estimator's theory is exact: the Monte Carlo
    # variance ratio against SRS must agree with it within 4 MCSE.
    pop = california_schools()
    designs = {"SRS": ss.SRS(100),
               "two-stage": ss.TwoStage(100, 1, estimator="expansion"),
               "districts": ss.ClusterSample(50, estimator="expansion"),
               "two-stage ratio": ss.TwoStage(100, 1)}
    study = ss.simulate(pop, designs, reps=20_000, seed=global_seed)
    summary = study.summary().set_index(["design", "method"])
    for design in ("SRS", "two-stage", "districts"):
        row = summary.loc[(design, "cluster_t")]
        assert row["theory_exact"]
        assert_mc_close(row["variance_ratio"], row["theory_variance_ratio"],
                        row["variance_ratio_mcse"])
        assert_mc_close(row["bias"], 0.0, row["bias_mcse"])
    # clustering by district costs precision: one school in each of 100
    # districts is not an SRS of 100 schools (expansion by district size)
    assert summary.loc[("two-stage", "cluster_t"), "theory_variance_ratio"] > 10
    # theory by hand (Cochran 11.2-11.3, from the data frame): expansion estimator
    # Var = [G^2 (1 - f1) S_T^2 / k + (G/k) sum_j M_j^2 (1 - m/M_j) S_j^2 / m] / N^2
    frame = california_schools_frame()
    by = frame.groupby("dnum")["api00"]
    size, s2 = by.size(), by.var(ddof=1).fillna(0.0)
    n_units, n_groups, k, m = len(frame), len(size), 100, 1
    hand = (n_groups ** 2 * (1 - k / n_groups) * by.sum().var(ddof=1) / k
            + n_groups / k * np.sum(size ** 2 * (1 - m / size) * s2 / m)) / n_units ** 2
    srs = (1 - 100 / n_units) * frame["api00"].var(ddof=1) / 100
    np.testing.assert_allclose(summary.loc[("two-stage", "cluster_t"), "theory_variance"], hand,
                               rtol=1e-10)
    np.testing.assert_allclose(study.variance_ratio("two-stage", "SRS").theory, hand / srs,
                               rtol=1e-10)
    # the ratio estimator's theory is a linearisation approximation
    assert not summary.loc[("two-stage ratio", "cluster_t"), "theory_exact"]


@pytest.mark.statistical
def test_two_stage_study_on_districts_of_five_or_more_schools(global_seed):
    pop = california_schools(min_schools=5)
    designs = {"SRS": ss.SRS(100), "two-stage": ss.TwoStage(20, 5, estimator="expansion")}
    summary = ss.simulate(pop, designs, reps=20_000, seed=global_seed).summary()
    row = summary.set_index(["design", "method"]).loc[("two-stage", "cluster_t")]
    assert row["theory_exact"] and row["mean_n"] == 100
    assert_mc_close(row["variance_ratio"], row["theory_variance_ratio"],
                    row["variance_ratio_mcse"])
