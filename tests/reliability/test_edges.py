"""Right answers at the edges: censuses, constant data, overflow, extreme iccs."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import simsample as ss
from simsample._kernels.accumulate import ZERO_WIDTH_RTOL, covers, covers_array


def _coverage(pop, design, reps=20):
    summary = ss.simulate(pop, {"d": design}, reps=reps, seed=1).summary()
    return dict(zip(summary["method"], summary["coverage"])), summary


def test_srs_census_covers():
    pop = ss.two_level(100, 50, seed=0)  # its census estimate misses the truth by rounding
    coverage, summary = _coverage(pop, ss.SRS(pop.n_units))
    assert coverage["cluster_t"] == 1.0
    assert summary.loc[summary["method"] == "cluster_t", "mean_width"].item() == 0.0


def test_two_stage_census_on_equal_groups_covers():
    pop = ss.two_level(100, 50, seed=1)
    coverage, _ = _coverage(pop, ss.TwoStage(100, 50))
    assert coverage == {"naive_t": 1.0, "cluster_t": 1.0}


def test_constant_y_under_neyman_allocation_covers():
    pop = ss.Population(np.full(400, 0.1), np.repeat(np.arange(4), 100))
    coverage, summary = _coverage(pop, ss.Stratified(40, allocation="neyman"))
    assert coverage == {"naive_t": 1.0, "cluster_t": 1.0}
    assert (summary["mean_width"] == 0.0).all()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(1e-3, 1e6), min_size=2, max_size=40), st.integers(0, 2**31))
def test_any_finite_census_covers(values, seed):
    y = np.asarray(values)
    pop = ss.Population(y, np.arange(y.size) % 2)
    summary = ss.simulate(pop, {"c": ss.SRS(y.size)}, reps=3, seed=seed).summary()
    assert summary.loc[summary["method"] == "cluster_t", "coverage"].item() == 1.0


@given(st.floats(-1e300, 1e300), st.floats(0.0, 0.5))
def test_zero_width_rule_is_rounding_only(estimate, off):
    # a zero-width interval covers a truth within the tolerance, and nothing further away
    tol = ZERO_WIDTH_RTOL * abs(estimate)
    assert covers(estimate, estimate, estimate + off * tol)
    if abs(estimate) > 1e-300:
        far = estimate + 4 * tol * np.sign(estimate)
        assert not covers(estimate, estimate, far)
        assert not covers_array(np.array([estimate]), np.array([estimate]), far)[0]


def test_wide_intervals_keep_the_plain_rule():
    assert covers(0.0, 1.0, 1.0) and not covers(0.0, 1.0, 1.0 + 1e-12)
    assert not covers(0.0, 1.0, float("nan"))


def test_overflowing_generated_y_is_refused_naming_the_parameters():
    with pytest.raises(ss.InvalidParameterError, match=r"'mean' and 'total_var' of two_level "
                       r"give\(s\) values up to"):
        ss.two_level(mean=1e308, total_var=1e308, seed=1)


def test_supplied_y_whose_squares_overflow_is_refused():
    with pytest.raises(ss.InvalidParameterError, match=r"'y' give\(s\) values up to 1e\+200"):
        ss.Population([1e200, -1e200, 1.0], [0, 0, 1])


@pytest.mark.statistical
def test_binary_icc_near_zero_is_independent_bernoulli():
    pop = ss.binary_two_level(200, 50, prevalence=0.5, icc=1e-320, seed=1)
    # Bernoulli(0.5) for every unit: the share of ones is 0.5 within 5 SE
    assert abs(pop.mean - 0.5) < 5 * np.sqrt(0.25 / pop.n_units)


@pytest.mark.statistical
def test_binary_icc_near_one_makes_groups_all_zero_or_all_one():
    pop = ss.binary_two_level(400, 20, prevalence=0.3, icc=1 - 1e-12, seed=2)
    means = pop.group_means
    assert set(np.unique(means)) <= {0.0, 1.0}
    assert abs(means.mean() - 0.3) < 5 * np.sqrt(0.21 / 400)


def test_survey_weights_that_overflow_are_refused():
    data = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1e308] * 4, "g": [1, 1, 2, 2]})
    with pytest.raises(ss.InvalidParameterError, match=r"'weights' of SurveyDesign give"):
        ss.SurveyDesign(data, ids=["g"], weights="w")
