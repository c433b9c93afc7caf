"""Superpopulation replication: a new population every replication, two targets per method."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simsample as ss

K, M, RHO = 6, 5, 0.1
MODEL = ss.Superpopulation(ss.two_level, n_groups=30, group_size=20, icc=RHO, mean=1.0)
METHODS = ["reml_wald", "reml_satterthwaite", "cluster_t"]


@pytest.fixture(scope="module")
def result():
    return ss.simulate(MODEL, {"two-stage": ss.TwoStage(K, M)}, 6000, seed=3, methods=METHODS)


def _row(result, method, target):
    table = result.summary()
    return table[(table.method == method) & (table.target == target)].iloc[0]


@pytest.mark.statistical
def test_singular_share_is_the_f_probability(result):
    """Balanced random intercept: REML tau^2 = 0 iff MSB <= MSW, P(F(k-1, k(m-1)) <= c)."""
    expected = stats.f.cdf((1 - RHO) / (1 - RHO + M * RHO), K - 1, K * (M - 1))
    for method in ("reml_wald", "reml_satterthwaite"):
        row = _row(result, method, "model mean")
        assert abs(row.singular_rate - expected) <= 4 * row.singular_rate_mcse, (
            row.singular_rate, expected)
    assert np.isnan(_row(result, "cluster_t", "model mean").singular_rate)


@pytest.mark.statistical
def test_wald_under_covers_and_satterthwaite_is_near_nominal_with_six_groups(result):
    wald = _row(result, "reml_wald", "model mean")
    sat = _row(result, "reml_satterthwaite", "model mean")
    assert wald.coverage < 0.95 - 4 * wald.coverage_mcse
    assert abs(sat.coverage - 0.95) <= 4 * sat.coverage_mcse
    assert abs(sat.coverage - 0.95) < abs(wald.coverage - 0.95)


def test_both_targets_are_named_and_the_realised_one_averages_the_populations(result):
    table = result.summary()
    assert list(table.target.unique()) == ["population mean", "model mean"]
    assert (table[table.target == "model mean"].truth == 1.0).all()
    realised = table[table.target == "population mean"].truth.iloc[0]
    # the average of 6000 finite-population means: within 4 SE of the model mean
    se = np.sqrt(RHO / 30 + (1 - RHO) / 600) / np.sqrt(6000)
    assert abs(realised - 1.0) < 4 * se
    assert table.theory_variance.isna().all()


def test_reproducible_for_any_n_jobs_and_samples_per_population():
    designs = {"two-stage": ss.TwoStage(K, M)}
    one = ss.simulate(MODEL, designs, 400, seed=8, methods=METHODS, progress=False)
    two = ss.simulate(MODEL, designs, 400, seed=8, methods=METHODS, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one.summary(), two.summary(), check_exact=True)
    grouped = ss.simulate(MODEL, designs, 400, seed=8, methods=METHODS,
                          samples_per_population=20, progress=False)
    assert grouped.summary().reps.tolist() == one.summary().reps.tolist()
    with pytest.raises(ValueError, match="multiple of samples_per_population=3"):
        ss.simulate(MODEL, designs, 400, seed=8, samples_per_population=3)
    with pytest.raises(ValueError, match="do not pass 'seed'"):
        ss.Superpopulation(ss.two_level, n_groups=5, seed=1)


def test_the_icc_is_judged_against_the_model_icc_too():
    model = ss.Superpopulation(ss.two_level, n_groups=30, group_size=20, icc=0.2, mean=1.0)
    table = ss.simulate(model, {"t": ss.TwoStage(10, 8)}, 200, seed=3, estimand="icc",
                        progress=False).summary()
    assert list(table.target.unique()) == ["population icc", "model icc"]
    assert (table[table.target == "model icc"].truth == 0.2).all()
