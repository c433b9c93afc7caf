"""Group sizes from a distribution: moments of the drawn sizes against the exact ones."""

import numpy as np
import pytest
from scipy import stats

import simsample as ss
from tests.helpers import assert_mc_close


def _mean_and_variance_mcse(x):
    """Sample mean and variance with their Monte Carlo standard errors."""
    n = x.size
    mean, var = x.mean(), x.var(ddof=1)
    mu4 = ((x - mean) ** 4).mean()
    return mean, np.sqrt(var / n), var, np.sqrt((mu4 - var ** 2) / n)


@pytest.mark.statistical
@pytest.mark.parametrize("mean,minimum", [(30.0, 1), (6.5, 4)])
def test_poisson_sizes_have_the_stated_mean_and_cv(mean, minimum, global_seed):
    dist = ss.sizes.poisson(mean, minimum=minimum)
    sizes = dist.draw(50_000, np.random.default_rng(global_seed))
    assert sizes.dtype == np.int64 and sizes.min() >= minimum
    m, m_se, v, v_se = _mean_and_variance_mcse(sizes.astype(float))
    assert_mc_close(m, mean, m_se)
    assert_mc_close(v, mean - minimum, v_se)
    assert dist.cv == pytest.approx(np.sqrt(mean - minimum) / mean)


def _discretised_lognormal_moments(mean, cv, minimum):
    """Exact mean and variance of max(minimum, rint(X)), X lognormal, from its pmf (scipy)."""
    sigma = np.sqrt(np.log1p(cv ** 2))
    x = stats.lognorm(s=sigma, scale=mean / np.sqrt(1 + cv ** 2))
    top = int(x.ppf(1 - 1e-15)) + 2
    values = np.arange(minimum, top + 1)
    upper_edges = np.append(values[:-1] + 0.5, np.inf)
    pmf = np.diff(np.concatenate(([0.0], x.cdf(upper_edges))))
    m = (pmf * values).sum()
    return m, (pmf * (values - m) ** 2).sum()


@pytest.mark.statistical
@pytest.mark.parametrize("mean,cv,minimum", [(30.0, 0.5, 1), (8.0, 1.0, 2)])
def test_lognormal_sizes_match_the_exact_discretised_distribution(mean, cv, minimum, global_seed):
    dist = ss.sizes.lognormal(mean, cv, minimum=minimum)
    sizes = dist.draw(50_000, np.random.default_rng(global_seed))
    assert sizes.dtype == np.int64 and sizes.min() >= minimum
    exact_mean, exact_var = _discretised_lognormal_moments(mean, cv, minimum)
    m, m_se, v, v_se = _mean_and_variance_mcse(sizes.astype(float))
    assert_mc_close(m, exact_mean, m_se)
    assert_mc_close(v, exact_var, v_se)


def test_lognormal_rounding_keeps_the_nominal_mean_and_cv_when_sizes_are_large():
    # the documented claim: with mean 30 and cv 0.5 both within 0.1% of nominal
    exact_mean, exact_var = _discretised_lognormal_moments(30.0, 0.5, 1)
    assert exact_mean == pytest.approx(30.0, rel=1e-3)
    assert np.sqrt(exact_var) / exact_mean == pytest.approx(0.5, rel=1e-3)


def test_size_distributions_feed_two_level_reproducibly():
    dist = ss.sizes.lognormal(25, 0.8, minimum=3)
    pop = ss.two_level(40, dist, seed=9)
    again = ss.two_level(40, dist, seed=9)
    assert pop.n_groups == 40 and pop.group_sizes.min() >= 3
    np.testing.assert_array_equal(pop.group_sizes, again.group_sizes)
    np.testing.assert_array_equal(pop.y, again.y)
    assert not pop.equal_sizes


def test_reprs_are_readable():
    assert repr(ss.sizes.poisson(30)) == "sizes.poisson(mean=30, minimum=1)"
    assert repr(ss.sizes.lognormal(30, cv=0.5, minimum=2)) == (
        "sizes.lognormal(mean=30, cv=0.5, minimum=2)")


@pytest.mark.parametrize("make,parameter", [
    (lambda: ss.sizes.poisson(1.0), "mean"),
    (lambda: ss.sizes.poisson(5, minimum=0), "minimum"),
    (lambda: ss.sizes.lognormal(20, 0.0), "cv"),
    (lambda: ss.sizes.lognormal(float("nan"), 0.5), "mean"),
    (lambda: ss.sizes.lognormal(20, 0.5, minimum=1.5), "minimum"),
])
def test_bad_parameters_name_the_parameter(make, parameter):
    with pytest.raises(ss.InvalidParameterError, match=f"'{parameter}'"):
        make()
