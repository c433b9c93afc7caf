"""Exact enumeration of every sample of tiny populations, with its probability.

Each enumerated sample goes through the design's own estimator kernel
(``Design._estimate``), giving the exact sampling distribution of the
estimators: expectations and variances must equal ``simsample.theory`` where
it is exact, unbiased variance estimators must average to the variance, and
the unit inclusion probabilities must equal ``inclusion_probabilities``.
The PPS scheme is enumerated from its definition (every random order of the
groups, every random start), independently of the kernel that draws it.
"""

import itertools
import math
from collections import defaultdict

import numpy as np
import pytest

import simsample as ss
from simsample._kernels.moments import CLUSTER_T, EST, NAIVE_T, SE
from simsample.theory import UNWEIGHTED


def _population(sizes, seed=3, shuffle=True):
    """Groups of the given sizes with different means; units in a shuffled caller order."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.normal(loc=2.0 * rng.normal(), scale=1.0 + j % 2, size=s)
                        for j, s in enumerate(sizes)])
    group = np.repeat([f"g{j}" for j in range(len(sizes))], sizes)
    order = rng.permutation(y.size) if shuffle else np.arange(y.size)
    return ss.Population(y=y[order], group=group[order])


def _moments(samples, n_units):
    """Exact mean, variance and mean variance estimate per method, and unit inclusion."""
    p = np.array([s[0] for s in samples])
    out = np.array([s[1] for s in samples])
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    mean = (p[:, None] * out[:, :, EST]).sum(axis=0)
    var = (p[:, None] * (out[:, :, EST] - mean) ** 2).sum(axis=0)
    mean_v = (p[:, None] * out[:, :, SE] ** 2).sum(axis=0)
    inclusion = np.zeros(n_units)
    for prob, _, stored in samples:
        inclusion[np.unique(stored)] += prob
    return mean, var, mean_v, inclusion


def _caller(pop, stored_values):
    out = np.empty_like(stored_values)
    out[pop._order] = stored_values
    return out


# -- SRS with replacement ---------------------------------------------------------------------

def test_srs_with_replacement_exact_moments_and_inclusion():
    pop = _population([2, 3], shuffle=True)
    N, n = pop.n_units, 3
    design = ss.SRS(n, replace=True)
    samples = []
    for draws in itertools.product(range(N), repeat=n):
        stored = np.array(draws)
        out = np.empty((2, 3))
        design.estimate_layout(pop, pop.stored_y[stored], np.array([0, n]), np.array([float(N)]), out)
        samples.append((1.0 / N ** n, out, stored))
    mean, var, mean_v, inclusion = _moments(samples, N)
    sigma2 = np.var(pop.y) / n  # population variance with divisor N, over n draws
    assert mean == pytest.approx([pop.mean, pop.mean])
    assert var == pytest.approx([sigma2, sigma2])
    assert ss.theory.variance(pop, design) == pytest.approx(sigma2)
    assert ss.theory.is_exact(pop, design)
    assert mean_v == pytest.approx(var)  # s^2/n is unbiased: both intervals are design-based
    assert design.inclusion_probabilities(pop) == pytest.approx(_caller(pop, inclusion))
    assert inclusion == pytest.approx(np.full(N, 1 - (1 - 1 / N) ** n))


# -- stratified -------------------------------------------------------------------------------

def _enumerate_stratified(pop, design):
    take = design.sample_sizes(pop)
    sizes, offsets = pop.group_sizes, pop.offsets
    choices = [itertools.combinations(range(s), t) for s, t in zip(sizes, take)]
    p = 1.0 / math.prod(math.comb(int(s), int(t)) for s, t in zip(sizes, take))
    start = np.concatenate(([0], np.cumsum(take)))
    for units in itertools.product(*choices):
        stored = np.concatenate([offsets[h] + np.array(u) for h, u in enumerate(units)])
        out = np.empty((2, 3))
        design.estimate_layout(pop, pop.stored_y[stored], start, sizes.astype(float), out)
        yield p, out, stored


@pytest.mark.parametrize("design", [ss.Stratified(n_per_stratum=(2, 2, 3)),
                                    ss.Stratified(n_per_stratum=2),
                                    ss.Stratified(8, allocation="proportional"),
                                    ss.Stratified(7, allocation="neyman")], ids=str)
def test_stratified_mean_is_unbiased_with_exact_theory_and_unbiased_variance(design):
    pop = _population([3, 4, 5])
    mean, var, mean_v, inclusion = _moments(list(_enumerate_stratified(pop, design)),
                                            pop.n_units)
    # independent reference: Cochran 5.3 from the caller-order data
    take = design.sample_sizes(pop)
    groups = [pop.y[pop.group == label] for label in pop.labels]
    W = np.array([g.size for g in groups]) / pop.n_units
    stratum_var = np.array([(1 - t / g.size) * g.var(ddof=1) / t for g, t in zip(groups, take)])
    assert mean[CLUSTER_T] == pytest.approx(pop.mean)
    assert var[CLUSTER_T] == pytest.approx((W ** 2 * stratum_var).sum())
    assert var[CLUSTER_T] == pytest.approx(ss.theory.variance(pop, design))
    assert mean_v[CLUSTER_T] == pytest.approx(var[CLUSTER_T])
    unweighted = ss.theory.moments(pop, design, UNWEIGHTED)
    shares = take / take.sum()
    assert mean[NAIVE_T] == pytest.approx(unweighted.expectation)
    assert mean[NAIVE_T] == pytest.approx(sum(s * g.mean() for s, g in zip(shares, groups)))
    assert var[NAIVE_T] == pytest.approx(unweighted.variance)
    assert design.inclusion_probabilities(pop) == pytest.approx(_caller(pop, inclusion))
    assert design.weights(pop) == pytest.approx(1.0 / _caller(pop, inclusion))


# -- PPS: randomised systematic sampling, enumerated from its definition ----------------------

def _systematic_pps_group_samples(sizes, k):
    """{ordered tuple of groups: probability}: every order of the groups x every start."""
    N = int(sum(sizes))
    samples = defaultdict(float)
    orders = list(itertools.permutations(range(len(sizes))))
    p = 1.0 / (len(orders) * N)
    for order in orders:
        ends = np.cumsum([k * sizes[g] for g in order])  # stretches on [0, k N)
        for start in range(N):
            points = start + N * np.arange(k)
            hit = np.searchsorted(ends, points, side="right")  # stretch holding each point
            samples[tuple(order[h] for h in hit)] += p
    return samples


def _enumerate_pps(pop, design):
    sizes, offsets = pop.group_sizes, pop.offsets
    m = design.per_group
    for groups, p_groups in _systematic_pps_group_samples(list(sizes), design.groups).items():
        assert len(set(groups)) == len(groups)  # without replacement
        p_within = math.prod(1.0 / math.comb(int(sizes[g]), m) for g in groups)
        for units in itertools.product(*[itertools.combinations(range(sizes[g]), m)
                                         for g in groups]):
            stored = np.concatenate([offsets[g] + np.array(u) for g, u in zip(groups, units)])
            out = np.empty((2, 3))
            design.estimate_layout(pop, pop.stored_y[stored], np.arange(len(groups) + 1) * m,
                             sizes[list(groups)].astype(float), out)
            yield p_groups * p_within, out, stored


def test_systematic_pps_group_inclusion_probabilities_are_exactly_proportional_to_size():
    sizes, k = [2, 5, 3, 2], 2
    pop = _population(sizes)
    design = ss.PPS(k, 1)
    inclusion = np.zeros(len(sizes))
    for groups, p in _systematic_pps_group_samples(sizes, k).items():
        inclusion[list(groups)] += p
    assert inclusion == pytest.approx(k * np.array(sizes) / sum(sizes), abs=1e-12)
    assert design.group_inclusion_probabilities(pop) == pytest.approx(inclusion, abs=1e-12)


@pytest.mark.parametrize("sizes,k,m", [([2, 5, 3, 2], 2, 2), ([3, 3, 3, 3, 3], 3, 2)],
                         ids=["unequal", "equal"])
def test_pps_is_self_weighting_and_unbiased(sizes, k, m):
    pop = _population(sizes)
    design = ss.PPS(k, m)
    mean, var, mean_v, inclusion = _moments(list(_enumerate_pps(pop, design)), pop.n_units)
    assert mean == pytest.approx([pop.mean, pop.mean])
    assert inclusion == pytest.approx(np.full(pop.n_units, k * m / pop.n_units))
    assert design.inclusion_probabilities(pop) == pytest.approx(_caller(pop, inclusion))
    theory = ss.theory.moments(pop, design)
    assert theory.expectation == pytest.approx(pop.mean)
    if len(set(sizes)) == 1:
        # equal sizes: a random order makes the groups an SRS, so two-stage theory is exact
        assert theory.exact
        assert var[CLUSTER_T] == pytest.approx(theory.variance)
        assert var[CLUSTER_T] == pytest.approx(ss.theory.variance(pop, ss.TwoStage(k, m)))
    else:
        assert not theory.exact
    # the with-replacement variance estimator errs on the safe side
    assert mean_v[CLUSTER_T] > var[CLUSTER_T]


def test_pps_unequal_sizes_theory_is_the_hartley_rao_approximation():
    sizes, k, m = [2, 5, 3, 2, 4], 2, 2
    pop = _population(sizes)
    design = ss.PPS(k, m)
    # Hartley and Rao (1962) for the HT total of group totals Y_j, plus the within part
    totals, pi = pop.group_totals, k * np.array(sizes) / pop.n_units
    hr_total = (pi * (1 - (k - 1) / k * pi) * (totals / pi - totals.sum() / k) ** 2).sum()
    within = (np.array(sizes) ** 2 * (1 - m / np.array(sizes)) * pop.group_variances / m / pi).sum()
    theory = ss.theory.moments(pop, design)
    assert not theory.exact
    assert theory.variance == pytest.approx((hr_total + within) / pop.n_units ** 2)
    # here, as usual, closer to the exact variance than the with-replacement formula
    _, var, mean_v, _ = _moments(list(_enumerate_pps(pop, design)), pop.n_units)
    assert abs(theory.variance - var[CLUSTER_T]) < abs(mean_v[CLUSTER_T] - var[CLUSTER_T])


# -- three-stage ------------------------------------------------------------------------------

def _three_level_population(subgroup_sizes, seed=5):
    """subgroup_sizes: one list of subgroup sizes per group. Caller order shuffled."""
    rng = np.random.default_rng(seed)
    y, group, sub = [], [], []
    for j, subs in enumerate(subgroup_sizes):
        u = rng.normal()
        for s, size in enumerate(subs):
            v = rng.normal()
            y.extend(u + v + rng.normal(size=size))
            group.extend([f"school{j}"] * size)
            sub.extend([f"class{j}.{s}"] * size)
    order = rng.permutation(len(y))
    return ss.Population(y=np.array(y)[order], group=np.array(group)[order],
                         subgroup=np.array(sub)[order])


def _enumerate_three_stage(pop, design, keep_sizes=False):
    k, l, m = design.groups, design.subgroups, design.per_subgroup
    per_group = pop.subgroups_per_group
    gso, so = pop.group_sub_offsets, pop.sub_offsets
    sub_sizes = pop.subgroup_sizes
    for groups in itertools.combinations(range(pop.n_groups), k):
        p1 = 1.0 / math.comb(pop.n_groups, k)
        for subs in itertools.product(*[itertools.combinations(range(per_group[g]), l)
                                        for g in groups]):
            p2 = math.prod(1.0 / math.comb(int(per_group[g]), l) for g in groups)
            chosen = [gso[g] + s for g, sub in zip(groups, subs) for s in sub]
            p3 = math.prod(1.0 / math.comb(int(sub_sizes[s]), m) for s in chosen)
            for units in itertools.product(*[itertools.combinations(range(sub_sizes[s]), m)
                                             for s in chosen]):
                stored = np.concatenate([so[s] + np.array(u) for s, u in zip(chosen, units)])
                psu_size = np.column_stack([per_group[list(groups)].astype(float),
                                            sub_sizes[chosen].reshape(k, l).astype(float)])
                out = np.empty((2, 3))
                design.estimate_layout(pop, pop.stored_y[stored], np.arange(k + 1) * l * m,
                                 psu_size, out)
                if keep_sizes:
                    yield p1 * p2 * p3, out, stored, psu_size
                else:
                    yield p1 * p2 * p3, out, stored


UNEQUAL_SCHOOLS = [[2, 3], [3, 2, 2], [2, 2]]


def test_three_stage_expansion_is_unbiased_with_exact_theory_and_unbiased_variance():
    pop = _three_level_population(UNEQUAL_SCHOOLS)
    design = ss.ThreeStage(2, 2, 2, estimator="expansion")
    mean, var, mean_v, inclusion = _moments(list(_enumerate_three_stage(pop, design)),
                                            pop.n_units)
    assert mean[CLUSTER_T] == pytest.approx(pop.mean)
    assert var[CLUSTER_T] == pytest.approx(ss.theory.variance(pop, design))
    assert ss.theory.is_exact(pop, design)
    assert mean_v[CLUSTER_T] == pytest.approx(var[CLUSTER_T])
    unweighted = ss.theory.moments(pop, design, UNWEIGHTED)
    assert mean[NAIVE_T] == pytest.approx(unweighted.expectation)
    assert var[NAIVE_T] == pytest.approx(unweighted.variance)
    assert design.inclusion_probabilities(pop) == pytest.approx(_caller(pop, inclusion))


def _reference_three_stage(ys, L, M, G, N, ratio):
    """Yhat/N or Yhat/Nhat and its SE, vectorised from the textbook formulas.

    ys has shape (k, l, m); L the subgroup counts of the k groups; M (k, l) the
    sizes of the sampled subgroups.
    """
    k, l, m = ys.shape
    ybar, s3 = ys.mean(axis=2), ys.var(axis=2, ddof=1)
    y_hat = G * (L * (M * ybar).mean(axis=1)).mean()
    n_hat = G * (L * M.mean(axis=1)).mean()
    estimate, centre, scale = (y_hat / n_hat, y_hat / n_hat, n_hat) if ratio else (y_hat / N, 0, N)
    t = M * (ybar - centre)                 # estimated subgroup totals (of residuals)
    T = L * t.mean(axis=1)                  # estimated group totals
    later = (L ** 2 * (1 - l / L) * t.var(axis=1, ddof=1) / l
             + L / l * (M ** 2 * (1 - m / M) * s3 / m).sum(axis=1))
    v = G ** 2 * (1 - k / G) * T.var(ddof=1) / k + G / k * later.sum()
    return estimate, np.sqrt(v) / scale


@pytest.mark.parametrize("estimator", ["ratio", "expansion"])
def test_three_stage_estimates_and_standard_errors_match_a_reference(estimator):
    pop = _three_level_population(UNEQUAL_SCHOOLS)
    design = ss.ThreeStage(2, 2, 2, estimator=estimator)
    k, l, m = 2, 2, 2
    samples = list(_enumerate_three_stage(pop, design, keep_sizes=True))
    for _, out, stored, psu_size in samples:
        estimate, se = _reference_three_stage(
            pop.stored_y[stored].reshape(k, l, m), psu_size[:, 0], psu_size[:, 1:],
            pop.n_groups, pop.n_units, estimator == "ratio")
        assert out[CLUSTER_T, EST] == pytest.approx(estimate)
        assert out[CLUSTER_T, SE] == pytest.approx(se)
        assert out[NAIVE_T, EST] == pytest.approx(pop.stored_y[stored].mean())
    if estimator == "ratio":
        mean, _, _, _ = _moments([s[:3] for s in samples], pop.n_units)
        theory = ss.theory.moments(pop, design)
        assert not theory.exact and math.isnan(theory.expectation)
        assert mean[CLUSTER_T] != pytest.approx(pop.mean, abs=1e-9)  # the ratio mean is biased


def test_three_stage_equal_sizes_matches_cochran_and_enumeration():
    pop = _three_level_population([[3, 3, 3]] * 4, seed=8)
    design = ss.ThreeStage(2, 2, 2)
    mean, var, mean_v, _ = _moments(list(_enumerate_three_stage(pop, design)), pop.n_units)
    G, L, M, k, l, m = 4, 3, 3, 2, 2, 2
    frame = np.array(pop.y)
    sub_codes = pop.subgroup_codes
    group_codes = pop.codes
    sub_means = np.array([frame[sub_codes == s].mean() for s in range(G * L)])
    group_means = np.array([frame[group_codes == g].mean() for g in range(G)])
    s1 = group_means.var(ddof=1)
    s2 = ((sub_means - np.repeat(group_means, L)) ** 2).sum() / (G * (L - 1))
    s3 = ((frame - sub_means[sub_codes]) ** 2).sum() / (G * L * (M - 1))
    cochran = ((1 - k / G) * s1 / k + (1 - l / L) * s2 / (k * l)
               + (1 - m / M) * s3 / (k * l * m))
    assert ss.theory.variance(pop, design) == pytest.approx(cochran)
    assert ss.theory.is_exact(pop, design)
    assert var == pytest.approx([cochran, cochran])
    assert mean == pytest.approx([pop.mean, pop.mean])
    assert mean_v[CLUSTER_T] == pytest.approx(cochran)


# -- inclusion probabilities of the core designs ----------------------------------------------

def _enumerate_group_design(pop, k, take):
    sizes, offsets = pop.group_sizes, pop.offsets
    for groups in itertools.combinations(range(pop.n_groups), k):
        p = 1.0 / math.comb(pop.n_groups, k)
        choices = [itertools.combinations(range(sizes[g]), take or sizes[g]) for g in groups]
        p *= math.prod(1.0 / math.comb(int(sizes[g]), take or int(sizes[g])) for g in groups)
        for units in itertools.product(*choices):
            yield p, None, np.concatenate([offsets[g] + np.array(u) for g, u in zip(groups, units)])


@pytest.mark.parametrize("design", [ss.SRS(3), ss.TwoStage(2, 2), ss.ClusterSample(2)], ids=str)
def test_core_designs_inclusion_probabilities_match_enumeration(design):
    pop = _population([2, 4, 3])
    if isinstance(design, ss.SRS):
        samples = [(1 / math.comb(pop.n_units, 3), None, np.array(c))
                   for c in itertools.combinations(range(pop.n_units), 3)]
    else:
        samples = list(_enumerate_group_design(pop, design.groups,
                                               getattr(design, "per_group", None)))
    inclusion = np.zeros(pop.n_units)
    for p, _, stored in samples:
        inclusion[stored] += p
    assert sum(p for p, _, _ in samples) == pytest.approx(1.0)
    assert design.inclusion_probabilities(pop) == pytest.approx(_caller(pop, inclusion))
    assert design.inclusion_probabilities(pop).sum() == pytest.approx(
        design.expected_size(pop))
