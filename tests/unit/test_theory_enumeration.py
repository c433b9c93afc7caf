"""Exact enumeration: every possible sample of a tiny population, with its probability.

Feeding each sample to the engine's own estimator kernel (``Design._estimate``)
gives the exact sampling distribution: its mean and variance must equal
``theory`` exactly, and the variance estimators must be exactly unbiased.
"""

import itertools
import math

import numpy as np
import pytest

import simsample as ss
from simsample._kernels.moments import CLUSTER_T, EST, NAIVE_T, SE
from simsample.theory import UNWEIGHTED

SIZES_EQUAL = [3, 3, 3, 3]
SIZES_UNEQUAL = [3, 4, 2, 5]


def _population(sizes, seed=3):
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.normal(loc=2.0 * rng.normal(), size=s) for s in sizes])
    group = np.repeat([f"g{j}" for j in range(len(sizes))], sizes)
    return ss.Population(y=y, group=group)


def _enumerate_group_design(pop, design):
    """Yield (probability, out) for every sample of a TwoStage/ClusterSample design."""
    sizes = pop.group_sizes
    offsets = pop.offsets
    k = design.groups
    take = getattr(design, "per_group", None)
    p_groups = 1.0 / math.comb(pop.n_groups, k)
    for groups in itertools.combinations(range(pop.n_groups), k):
        choices = [itertools.combinations(range(sizes[g]), take or sizes[g]) for g in groups]
        p_within = math.prod(1.0 / math.comb(sizes[g], take or sizes[g]) for g in groups)
        for units in itertools.product(*choices):
            ys = np.concatenate([pop.stored_y[offsets[g] + np.array(u)]
                                 for g, u in zip(groups, units)])
            start = np.concatenate(([0], np.cumsum([len(u) for u in units])))
            out = np.empty((2, 3))
            design.estimate_layout(pop, ys, start, sizes[list(groups)].astype(float), out)
            yield p_groups * p_within, out


def _exact_moments(samples):
    p = np.array([s[0] for s in samples])
    out = np.array([s[1] for s in samples])
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    mean = (p[:, None] * out[:, :, EST]).sum(axis=0)
    var = (p[:, None] * (out[:, :, EST] - mean) ** 2).sum(axis=0)
    mean_v = (p[:, None] * out[:, :, SE] ** 2).sum(axis=0)
    return mean, var, mean_v, p, out


@pytest.mark.parametrize("sizes", [SIZES_EQUAL, SIZES_UNEQUAL], ids=["equal", "unequal"])
@pytest.mark.parametrize("k,m", [(2, 2), (3, 1), (2, 1)])
def test_two_stage_expansion_estimator_is_exactly_unbiased_with_unbiased_variance(sizes, k, m):
    pop = _population(sizes)
    design = ss.TwoStage(k, m, estimator="expansion")
    mean, var, mean_v, *_ = _exact_moments(list(_enumerate_group_design(pop, design)))
    assert mean[CLUSTER_T] == pytest.approx(pop.mean, rel=1e-12)
    assert var[CLUSTER_T] == pytest.approx(ss.theory.variance(pop, design), rel=1e-10)
    assert ss.theory.is_exact(pop, design)
    if m > 1:  # with one unit per group the within-group term cannot be estimated
        assert mean_v[CLUSTER_T] == pytest.approx(var[CLUSTER_T], rel=1e-10)


@pytest.mark.parametrize("k,m", [(2, 2), (3, 2), (2, 3)])
def test_two_stage_equal_sizes_matches_cochran_theorem_10_1(k, m):
    pop = _population(SIZES_EQUAL)
    design = ss.TwoStage(k, m)
    mean, var, mean_v, *_ = _exact_moments(list(_enumerate_group_design(pop, design)))
    G, M = pop.n_groups, SIZES_EQUAL[0]
    cochran = (1 - k / G) * pop.between_variance / k + (1 - m / M) * pop.within_variance / (k * m)
    assert var[CLUSTER_T] == pytest.approx(cochran, rel=1e-10)
    assert ss.theory.variance(pop, design) == pytest.approx(cochran, rel=1e-12)
    assert mean[CLUSTER_T] == pytest.approx(pop.mean, rel=1e-12)
    assert mean_v[CLUSTER_T] == pytest.approx(var[CLUSTER_T], rel=1e-10)


@pytest.mark.parametrize("k", [2, 3])
def test_unweighted_mean_moments_and_expected_s2_are_exact(k):
    pop = _population(SIZES_UNEQUAL)
    design = ss.TwoStage(k, 2)
    mean, var, mean_v, p, out = _exact_moments(list(_enumerate_group_design(pop, design)))
    mom = ss.theory.moments(pop, design, UNWEIGHTED)
    assert mom.exact
    assert mean[NAIVE_T] == pytest.approx(mom.expectation, rel=1e-12)
    assert mean[NAIVE_T] == pytest.approx(pop.group_means.mean(), rel=1e-12)
    assert var[NAIVE_T] == pytest.approx(mom.variance, rel=1e-10)
    n = k * 2
    mean_s2 = (p * out[:, NAIVE_T, SE] ** 2).sum() * n
    assert mean_s2 == pytest.approx(ss.theory.expected_naive_s2(pop, design), rel=1e-10)


@pytest.mark.parametrize("sizes", [SIZES_EQUAL, SIZES_UNEQUAL], ids=["equal", "unequal"])
def test_cluster_sample_expansion_is_exact(sizes):
    pop = _population(sizes)
    design = ss.ClusterSample(2, estimator="expansion")
    mean, var, mean_v, *_ = _exact_moments(list(_enumerate_group_design(pop, design)))
    assert mean[CLUSTER_T] == pytest.approx(pop.mean, rel=1e-12)
    assert var[CLUSTER_T] == pytest.approx(ss.theory.variance(pop, design), rel=1e-10)
    assert mean_v[CLUSTER_T] == pytest.approx(var[CLUSTER_T], rel=1e-10)


def test_ratio_estimator_with_unequal_sizes_is_flagged_as_approximate():
    pop = _population(SIZES_UNEQUAL)
    design = ss.ClusterSample(2)
    assert not ss.theory.is_exact(pop, design)
    # the linearisation approximation is in the right neighbourhood of the exact variance
    _, var, *_ = _exact_moments(list(_enumerate_group_design(pop, design)))
    assert 0.3 < ss.theory.variance(pop, design) / var[CLUSTER_T] < 3.0


def test_srs_enumeration_matches_theory_and_unbiased_variance_estimate():
    pop = _population([2, 2, 3])
    n = 3
    design = ss.SRS(n)
    p = 1.0 / math.comb(pop.n_units, n)
    outs = []
    for units in itertools.combinations(range(pop.n_units), n):
        out = np.empty((2, 3))
        design.estimate_layout(pop, pop.stored_y[list(units)], None, None, out)
        outs.append(out)
    outs = np.array(outs)
    mean = p * outs[:, CLUSTER_T, EST].sum()
    var = p * ((outs[:, CLUSTER_T, EST] - mean) ** 2).sum()
    assert mean == pytest.approx(pop.mean, rel=1e-12)
    assert var == pytest.approx(ss.theory.variance(pop, design), rel=1e-12)
    assert p * (outs[:, CLUSTER_T, SE] ** 2).sum() == pytest.approx(var, rel=1e-10)
