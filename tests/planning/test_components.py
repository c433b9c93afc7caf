"""Variance components (PracTools BW2stageSRS / BW2stagePPS) of finite populations.

Checked against values worked out on paper, an independent pandas computation
of the PracTools definitions, and the exact two-stage design variance of
:mod:`simsample.theory` (Cochran's theorem 10.1).
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simsample as ss
from simsample import InvalidParameterError, Population, TwoStage
from simsample.planning import optimal_design, synthetic_population, variance_components

# Three clusters of two units: totals 4, 10, 16 (tbar 10, variance 36), every S_i^2 = 2,
# unit mean 5 and variance 42/5. On paper: B^2 = 36/100, W^2 = 3 (4 x 2 x 3)/30^2 = 0.08,
# unit relvariance 8.4/25 = 0.336, k = 0.44/0.336, delta = 0.36/0.44.
HAND = Population(y=[1.0, 3.0, 4.0, 6.0, 7.0, 9.0], group=["a", "a", "b", "b", "c", "c"])


def test_srs_components_by_hand():
    vc = variance_components(HAND)
    assert vc.B2 == pytest.approx(0.36, rel=1e-14)
    assert vc.W2 == pytest.approx(0.08, rel=1e-14)
    assert vc.unit_relvar == pytest.approx(0.336, rel=1e-14)
    assert vc.k == pytest.approx(0.44 / 0.336, rel=1e-14)
    assert vc.delta == pytest.approx(0.36 / 0.44, rel=1e-14)


def test_pps_components_by_hand():
    # equal sizes: p_i = 1/3; S_U1^2 = sum p (t/p - 30)^2 = (18^2 + 0 + 18^2)/3 = 216
    vc = variance_components(HAND, first_stage="pps")
    assert vc.B2 == pytest.approx(216 / 900, rel=1e-14)
    assert vc.W2 == pytest.approx(3 * 24 / 900, rel=1e-14)
    # sizes 1, 1, 2: p = (1/4, 1/4, 1/2); sum p (t/p - 30)^2 = (16-30)^2/4 + (40-30)^2/4 + 2^2/2
    vc = variance_components(HAND, first_stage="pps", size=[1.0, 1.0, 2.0])
    assert vc.B2 == pytest.approx((196 / 4 + 100 / 4 + 4 / 2) / 900, rel=1e-14)
    assert vc.W2 == pytest.approx((8 * 4 + 8 * 4 + 8 * 2) / 900, rel=1e-14)
    assert vc.delta == pytest.approx(vc.B2 / (vc.B2 + vc.W2))


def _reference(frame: pd.DataFrame, pps_size=None):
    """The PracTools definitions, written with pandas."""
    g = frame.groupby("g")["y"]
    t, n_i, s2 = g.sum(), g.size(), g.var(ddof=1)
    s2 = s2.fillna(s2.mean())  # lonely.SSU = "mean"
    G, t_u = len(t), t.sum()
    if pps_size is None:
        b2 = t.var(ddof=1) / t.mean() ** 2
        w2 = G * (n_i ** 2 * s2).sum() / t_u ** 2
    else:
        p = pps_size / pps_size.sum()
        b2 = (p * (t / p - t_u) ** 2).sum() / t_u ** 2
        w2 = (n_i ** 2 * s2 / p).sum() / t_u ** 2
    relvar = frame["y"].var(ddof=1) / frame["y"].mean() ** 2
    return b2, w2, relvar, (b2 + w2) / relvar, b2 / (b2 + w2)


@pytest.fixture(scope="module")
def unequal():
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 30, 40)
    sizes[3] = 1  # a lonely unit
    g = np.repeat([f"c{j:02d}" for j in range(sizes.size)], sizes)
    y = 10 + np.repeat(rng.normal(0, 2, sizes.size), sizes) + rng.gamma(2.0, 1.5, sizes.sum())
    order = rng.permutation(y.size)  # caller order differs from grouped storage
    return pd.DataFrame({"y": y[order], "g": g[order]})


def test_srs_components_match_an_independent_computation(unequal):
    vc = variance_components(Population(unequal["y"], unequal["g"]))
    assert (vc.B2, vc.W2, vc.unit_relvar, vc.k, vc.delta) == pytest.approx(
        _reference(unequal), rel=1e-12)


def test_pps_components_match_an_independent_computation(unequal):
    pop = Population(unequal["y"], unequal["g"])
    size = pd.Series(np.linspace(1.0, 5.0, pop.n_groups), index=pop.labels)
    vc = variance_components(pop, first_stage="pps", size=size.to_numpy())
    assert (vc.B2, vc.W2, vc.unit_relvar, vc.k, vc.delta) == pytest.approx(
        _reference(unequal, size), rel=1e-12)
    by_counts = variance_components(pop, first_stage="pps")  # default size: M_i
    counts = unequal.groupby("g")["y"].size().astype(float)
    assert by_counts.B2 == pytest.approx(_reference(unequal, counts)[0], rel=1e-12)


def test_lonely_units():
    pop = Population([1.0, 3.0, 4.0, 6.0, 9.0, 7.0, 9.0], ["a", "a", "b", "b", "b", "c", "d"])
    s2 = {"a": 2.0, "b": np.var([4.0, 6.0, 9.0], ddof=1)}
    t_u = 39.0
    sizes_sq_s2 = 4 * s2["a"] + 9 * s2["b"]
    mean_s2 = (s2["a"] + s2["b"]) / 2
    assert variance_components(pop).W2 == pytest.approx(
        4 * (sizes_sq_s2 + 2 * mean_s2) / t_u ** 2, rel=1e-14)
    assert variance_components(pop, lonely="zero").W2 == pytest.approx(
        4 * sizes_sq_s2 / t_u ** 2, rel=1e-14)


@pytest.mark.parametrize("k, m", [(2, 1), (5, 7), (19, 12), (20, 12)])
def test_equal_sizes_agree_with_theory_variance(k, m):
    pop = ss.two_level(n_groups=20, group_size=12, mean=5.0, icc=0.3, seed=3)
    vc = variance_components(pop)
    G, M, mu = 20, 12, pop.mean
    # Cochran thm 10.1 through B^2 and W^2 (both fpcs)
    expected = mu ** 2 * ((1 - k / G) * vc.B2 / k + (1 - m / M) * vc.W2 / (k * m))
    assert ss.theory.variance(pop, TwoStage(k, m)) == pytest.approx(expected, rel=1e-12)
    assert mu ** 2 * vc.relvariance(k, m, fpc=True) == pytest.approx(expected, rel=1e-12)
    # B^2 mu^2 is S1^2 and W^2 mu^2 the mean within-cluster variance
    assert vc.B2 * mu ** 2 == pytest.approx(pop.between_variance, rel=1e-12)
    assert vc.W2 * mu ** 2 == pytest.approx(pop.within_variance, rel=1e-12)
    assert vc.relvariance(k, m) == pytest.approx(vc.B2 / k + vc.W2 / (k * m), rel=1e-15)


def test_unequal_sizes_agree_with_the_expansion_estimator_variance(unequal):
    big = unequal[unequal.groupby("g")["y"].transform("size") >= 3]
    pop = Population(big["y"], big["g"])
    vc = variance_components(pop)
    for k, m in [(2, 1), (10, 3), (pop.n_groups, 2)]:
        exact = ss.theory.variance(pop, TwoStage(k, m, estimator="expansion"))
        assert pop.mean ** 2 * vc.relvariance(k, m, fpc=True) == pytest.approx(exact, rel=1e-12)


@given(scale=st.floats(0.01, 100.0), seed=st.integers(0, 2**32 - 1))
def test_components_are_scale_and_order_invariant(scale, seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 9, 6)
    y = 3.0 + rng.normal(size=sizes.sum())
    g = np.repeat(np.arange(6), sizes)
    base = variance_components(Population(y, g))
    order = rng.permutation(y.size)
    moved = variance_components(Population(scale * y[order], g[order] + 100))
    assert (moved.B2, moved.W2, moved.unit_relvar, moved.delta) == pytest.approx(
        (base.B2, base.W2, base.unit_relvar, base.delta), rel=1e-9)


def test_synthetic_population_realises_the_planned_components_exactly():
    plan = optimal_design(delta=0.05, cost_cluster=750, cost_unit=100, budget=100_000,
                          mean=40.0, unit_relvar=0.3, k=1.1)
    pop = synthetic_population(plan, sampling_fraction=0.1, seed=5)
    vc = variance_components(pop)
    assert pop.equal_sizes and pop.n_groups == 540 and pop.group_sizes[0] == 110
    assert pop.mean == pytest.approx(40.0, rel=1e-14)
    assert vc.B2 == pytest.approx(0.3 * 1.1 * 0.05, rel=1e-10)
    assert vc.W2 == pytest.approx(0.3 * 1.1 * 0.95, rel=1e-10)
    assert vc.delta == pytest.approx(0.05, rel=1e-10)
    assert np.allclose(pop.group_variances, 0.3 * 1.1 * 0.95 * 40.0 ** 2, rtol=1e-10)
    # its exact design CV is the planned CV with both fpcs, and nothing else
    design = plan.design()
    planned_fpc = plan.cv ** 2 - vc.B2 / pop.n_groups - vc.W2 / (plan.clusters * 110)
    assert ss.theory.variance(pop, design) / 40.0 ** 2 == pytest.approx(planned_fpc, rel=1e-9)


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="Population"):
        variance_components([1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="'first_stage'"):
        variance_components(HAND, first_stage="pps2")
    with pytest.raises(InvalidParameterError, match="'size'.*3 positive"):
        variance_components(HAND, first_stage="pps", size=[1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="'size'.*3 positive"):
        variance_components(HAND, first_stage="pps", size=[1.0, 0.0, 2.0])
    with pytest.raises(InvalidParameterError, match="first_stage='pps'"):
        variance_components(HAND, size=[1.0, 1.0, 1.0])
    with pytest.raises(InvalidParameterError, match="non-zero mean"):
        variance_components(Population([-1.0, 1.0, -2.0, 2.0], [0, 0, 1, 1]))
    with pytest.raises(InvalidParameterError, match="lonely='zero'"):
        variance_components(Population([1.0, 2.0, 3.0], [0, 1, 2]))
    assert math.isclose(variance_components(Population([1.0, 2.0, 3.0], [0, 1, 2]),
                                            lonely="zero").W2, 0.0)
