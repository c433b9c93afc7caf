"""Exact design-based theory: expectations and variances of the estimators of the mean.

Notation as in :mod:`simsample.population` (Cochran 1977): G groups of sizes
M_j (N units), k groups sampled, m units per sampled group, f1 = k/G,
f2j = m/M_j. Every function takes the population and a design.

* SRS of n:            Var(ybar) = (1 - n/N) S^2 / n.
* Two-stage, equal M:  Var(ybar) = (1 - f1) S1^2 / k + (1 - f2) S2^2 / (k m)
                       (Cochran, thm 10.1); one-stage cluster sampling is m = M.
* Unequal sizes, expansion estimator (G/k) sum M_j ybar_j / N (unbiased):
                       Var = [G^2 (1 - f1) S_T^2 / k + (G/k) sum_j M_j^2 (1 - f2j) S_j^2 / m_j] / N^2,
                       S_T^2 the variance of the group totals (Cochran 11.2-11.3). Exact.
* Unequal sizes, ratio estimator sum M_j ybar_j / sum M_j: the linearisation
                       (first-order Taylor) variance of Cochran eq. 11.30,
                       [(1 - f1)/k sum_j M_j^2 (Ybar_j - mu)^2/(G - 1)
                        + 1/(k G) sum_j M_j^2 (1 - f2j) S_j^2 / m_j] / Mbar^2,
                       an approximation with O(1/k) relative error: ``is_exact`` is False.
* The unweighted mean of a two-stage sample (``naive_t``'s estimator) is the
  mean of k sampled group means: expectation mean_j Ybar_j (biased for mu
  when sizes differ and group means vary with size) and exact variance
  (1 - f1) S1^2 / k + (1/(k G)) sum_j (1 - f2j) S_j^2 / m.

Design effects compare with an SRS of the same expected size.

More designs (formulas in the functions below):

* SRS with replacement:  Var(ybar) = (N - 1)/N S^2 / n. Exact.
* Stratified:            Var = sum_h W_h^2 (1 - n_h/N_h) S_h^2 / n_h (Cochran 5.3); the
                         unweighted mean has E = sum_h n_h Ybar_h / n and
                         Var = sum_h (n_h/n)^2 (1 - n_h/N_h) S_h^2 / n_h. Exact.
* PPS (randomised systematic, m per group, pi_j = k M_j / N): unbiased; exact
                         two-stage variance for equal sizes; otherwise the
                         Hartley-Rao (1962) approximation, ``exact=False``.
* Three-stage:           Cochran 10.8 with fpc at each stage; exact for the
                         expansion and unweighted means, linearisation for the
                         ratio mean with unequal sizes (``exact=False``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .designs import SRS, ClusterSample, Design, TwoStage
from .designs import PPS, Stratified, ThreeStage, _three_stage_equal
from .population import Population
from ._validation import check_real

#: Names of the estimators of the mean, as they appear in ``Study.summary()``.
SAMPLE_MEAN = "sample mean"
UNWEIGHTED = "unweighted mean"
RATIO = "ratio"
EXPANSION = "expansion"
STRATIFIED = "stratified"


@dataclass(frozen=True)
class Moments:
    """Expectation and variance of an estimator under a design.

    ``exact`` is False when the variance is an approximation (the ratio
    estimator with unequal group sizes); ``expectation`` is NaN where no exact
    value is known.
    """

    expectation: float
    variance: float
    exact: bool


def moments(population: Population, design: Design, estimator: str | None = None) -> Moments:
    """Expectation and variance of ``estimator`` (default: the design's own) under ``design``."""
    return _moments(design, population, estimator)


def variance(population: Population, design: Design, estimator: str | None = None) -> float:
    """Design variance of the estimator of the mean (default: the design's own estimator).

    Exact for SRS, for one- and two-stage cluster sampling with equal group
    sizes and for the expansion estimator; the linearisation approximation
    for the ratio estimator with unequal sizes (see :func:`is_exact`).
    """
    return moments(population, design, estimator).variance


def is_exact(population: Population, design: Design, estimator: str | None = None) -> bool:
    """Whether :func:`variance` is exact (not an approximation) for this case."""
    return moments(population, design, estimator).exact


def srs_variance(population: Population, n: float) -> float:
    """Var(ybar) of an SRS of ``n`` units without replacement: (1 - n/N) S^2 / n."""
    return (1.0 - n / population.n_units) * population.variance / n


def design_effect(population: Population, design: Design, estimator: str | None = None) -> float:
    """Var(design) / Var(SRS of the same expected size): the exact design effect."""
    return variance(population, design, estimator) / srs_variance(
        population, design.expected_size(population))


def kish_design_effect(icc: float, per_group: float) -> float:
    """Kish's approximation 1 + (m - 1) rho of the design effect of m units per group.

    Approximate: it ignores finite-population corrections and assumes equal
    group sizes; compare with the exact :func:`design_effect`.
    """
    icc = check_real(icc, "icc", low=-1.0, high=1.0)
    per_group = check_real(per_group, "per_group", low=1.0)
    return 1.0 + (per_group - 1.0) * icc


def naive_coverage(population: Population, design: Design, level: float = 0.95) -> float:
    """Approximate coverage of ``naive_t`` (the iid t interval) under ``design``.

    The naive interval is ybar +- t(n-1) s/sqrt(n). Write s^2 = (SSB + SSW)/(n-1)
    for the between- and within-group sums of squares of the sample. Their
    exact design expectations are known (:func:`expected_naive_s2`); treating
    each as a scaled chi-square (k - 1 and k(m - 1) degrees of freedom, exact
    for a normal balanced superpopulation, where they are also independent of
    ybar) gives Satterthwaite's nu, and

        coverage = F_nu((h - b)/sd) - F_nu((-h - b)/sd),  h = t(n-1) sqrt(E[s^2]/n),

    with b and sd the exact bias and standard deviation of the unweighted mean
    and F_nu the t distribution function. An approximation, not an exact
    value: it ignores the finite-population dependence of s^2 and ybar.
    Defined for SRS and for designs with a fixed number of units per group.
    """
    from scipy.special import stdtr, stdtrit

    level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    n = design.expected_size(population)
    ssb, ssw, nu = _naive_sums_of_squares(population, design)
    mom = moments(population, design, None if isinstance(design, SRS) else UNWEIGHTED)
    half = stdtrit(n - 1.0, 0.5 + level / 2.0) * math.sqrt((ssb + ssw) / (n - 1.0) / n)
    bias = mom.expectation - population.mean
    sd = math.sqrt(mom.variance)
    return float(stdtr(nu, (half - bias) / sd) - stdtr(nu, (-half - bias) / sd))


def expected_naive_s2(population: Population, design: Design) -> float:
    """E[s^2], the design expectation of the pooled sample variance of a sample.

    SRS: S^2. Two-stage with m per group: (E[SSB] + E[SSW]) / (k m - 1), with
    E[SSW] = k (m - 1) mean_j S_j^2 and E[SSB] = m k ((G-1)/G S1^2 + W - V_u),
    W = mean_j (1 - f2j) S_j^2 / m and V_u the variance of the unweighted mean.
    """
    ssb, ssw, _ = _naive_sums_of_squares(population, design)
    return (ssb + ssw) / (design.expected_size(population) - 1.0)


def _naive_sums_of_squares(population, design) -> tuple[float, float, float]:
    """E[SSB], E[SSW] and Satterthwaite's degrees of freedom of their sum."""
    if isinstance(design, SRS):
        N = population.n_units
        sigma2 = population.variance * ((N - 1.0) / N if design.replace else 1.0)
        return (design.n - 1.0) * sigma2, 0.0, design.n - 1.0
    k, G = design.groups, population.n_groups
    m = _take(design, population)
    if m is None:
        raise ValueError("the naive-interval theory needs a fixed number of units per group "
                         "(equal group sizes for ClusterSample).")
    sizes = population.group_sizes.astype(np.float64)
    s2j = population.group_variances
    w = float(((1.0 - m / sizes) * s2j / m).mean())
    v_u = moments(population, design, UNWEIGHTED).variance
    ssb = m * k * ((G - 1.0) / G * population.between_variance + w - v_u)
    ssw = k * (m - 1.0) * float(s2j.mean())
    denominator = ssb ** 2 / (k - 1.0) + (ssw ** 2 / (k * (m - 1.0)) if m > 1 else 0.0)
    return ssb, ssw, (ssb + ssw) ** 2 / denominator


# -- per design ------------------------------------------------------------------------------

@functools.singledispatch
def _moments(design: Design, population: Population, estimator: str | None) -> Moments:
    raise NotImplementedError(f"no theory for {type(design).__name__} yet")


@_moments.register
def _(design: SRS, population, estimator):
    _check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED), design)
    if design.replace:
        # n iid draws: sigma^2 / n with sigma^2 = (N - 1)/N S^2
        N = population.n_units
        return Moments(population.mean, (N - 1.0) / N * population.variance / design.n, True)
    return Moments(population.mean, srs_variance(population, design.n), True)


def _take(design, population) -> int | None:
    """Units per sampled group, or None if every group's size (unequal sizes)."""
    if isinstance(design, TwoStage):
        return design.per_group
    if population.equal_sizes:
        return int(population.group_sizes[0])
    return None


@_moments.register(TwoStage)
@_moments.register(ClusterSample)
def _(design, population, estimator):
    _check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED, RATIO, EXPANSION), design)
    k, G, N = design.groups, population.n_groups, population.n_units
    sizes = population.group_sizes.astype(np.float64)
    f1 = k / G
    m = sizes if isinstance(design, ClusterSample) else float(design.per_group)
    # sum_j M_j^2 (1 - f2j) S_j^2 / m_j, the second-stage part of the variance
    second = float((sizes ** 2 * (1.0 - m / sizes) * population.group_variances / m).sum())
    equal = population.equal_sizes
    estimator = estimator or design.estimator
    if estimator in (SAMPLE_MEAN,) and not equal:
        estimator = design.estimator
    if estimator == UNWEIGHTED and (equal or isinstance(design, ClusterSample)):
        # unweighted mean of whole groups = sum of totals / sum of sizes = the ratio estimator
        estimator = RATIO
    if estimator == UNWEIGHTED:
        var = ((1.0 - f1) * population.between_variance / k
               + float(((1.0 - m / sizes) * population.group_variances / m).sum()) / (k * G))
        return Moments(float(population.group_means.mean()), var, True)
    if estimator == EXPANSION or equal:
        totals_var = float(np.var(population.group_totals, ddof=1))
        var = (G * G * (1.0 - f1) * totals_var / k + G / k * second) / (N * N)
        return Moments(population.mean, var, True)
    mbar = N / G
    resid = float((sizes ** 2 * (population.group_means - population.mean) ** 2).sum()) / (G - 1)
    var = ((1.0 - f1) * resid / k + second / (k * G)) / (mbar * mbar)
    return Moments(float("nan"), var, False)


def _check_estimator(estimator, valid, design):
    if estimator not in valid:
        names = ", ".join(repr(v) for v in valid if v is not None)
        raise ValueError(f"'estimator' for {design} must be one of {names}; got {estimator!r}.")


__all__ = ["Moments", "moments", "variance", "is_exact", "srs_variance", "design_effect",
           "kish_design_effect", "naive_coverage", "expected_naive_s2"]


# -- more designs ----------------------------------------------------------------------------

@_moments.register
def _(design: Stratified, population, estimator):
    _check_estimator(estimator, (None, STRATIFIED, SAMPLE_MEAN, UNWEIGHTED), design)
    take = design.sample_sizes(population).astype(np.float64)
    sizes = population.group_sizes.astype(np.float64)
    # per stratum (1 - f_h) S_h^2 / n_h, the variance of its sample mean
    stratum_var = (1.0 - take / sizes) * population.group_variances / take
    if estimator in (None, STRATIFIED):
        weights = sizes / population.n_units
        return Moments(population.mean, float((weights ** 2 * stratum_var).sum()), True)
    # the unweighted sample mean sum_h (n_h/n) ybar_h
    shares = take / take.sum()
    return Moments(float((shares * population.group_means).sum()),
                   float((shares ** 2 * stratum_var).sum()), True)


@_moments.register
def _(design: PPS, population, estimator):
    """Equal sizes: exactly SRS of groups (a random order of equal stretches);
    otherwise Hartley and Rao's (1962) approximation for randomised systematic PPS,

        Var ~ (1/k^2) sum_j pi_j (1 - (k - 1)/k pi_j) (Ybar_j - mu)^2
              + (1/k^2) sum_j pi_j (1 - m/M_j) S_j^2 / m,

    the first term the first-stage variance of the Horvitz-Thompson mean
    (relative error of order (k/G)^2), the second the exact within-group part.
    The estimator is exactly unbiased either way.
    """
    _check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED), design)
    k, m = design.groups, design.per_group
    if population.equal_sizes:
        return _moments(TwoStage(k, m), population, SAMPLE_MEAN)
    pi = design.group_inclusion_probabilities(population)
    sizes = population.group_sizes.astype(np.float64)
    first = float((pi * (1.0 - (k - 1.0) / k * pi)
                   * (population.group_means - population.mean) ** 2).sum())
    second = float((pi * (1.0 - m / sizes) * population.group_variances / m).sum())
    return Moments(population.mean, (first + second) / (k * k), False)


@_moments.register
def _(design: ThreeStage, population, estimator):
    """Three-stage variance of an estimator (1/k) sum_j (1/l) sum_k c_jk (ybar_jk - centre).

    With u_j = (1/L_j) sum_k c_jk (Ybar_jk - centre) (Cochran 1977, 10.8,
    written for a general c_jk):

        Var = (1 - k/G) S_u^2 / k + 1/(k G) sum_j [ (1 - l/L_j) S_cj^2 / l
              + 1/(l L_j) sum_k c_jk^2 (1 - m/M_jk) S_jk^2 / m ],

    S_u^2 the variance of the u_j across groups, S_cj^2 of the
    c_jk (Ybar_jk - centre) within group j. Expansion mean: c_jk = G L_j M_jk / N,
    centre 0 (exact, unbiased). Unweighted mean: c_jk = 1, centre 0 (exact;
    expectation the mean of the u_j). Ratio mean: the expansion c_jk with
    centre mu, the linearisation (``exact=False`` unless all L_j and all M_jk
    are equal, when every estimator is the sample mean and the formula is
    Cochran's (1 - f1) S1^2/k + (1 - f2) S2^2/(k l) + (1 - f3) S3^2/(k l m)).
    """
    _check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED, RATIO, EXPANSION), design)
    equal = _three_stage_equal(population)
    estimator = estimator or design.estimator
    if estimator == SAMPLE_MEAN:
        estimator = EXPANSION if equal else design.estimator
    if equal:
        estimator = EXPANSION
    per_group = population.subgroups_per_group.astype(np.float64)
    L_sub = np.repeat(per_group, population.subgroups_per_group)  # L_j of every subgroup
    if estimator == UNWEIGHTED:
        c = np.ones(population.n_subgroups)
    else:
        c = (population.n_groups * L_sub * population.subgroup_sizes / population.n_units)
    centre = population.mean if estimator == RATIO else 0.0
    expectation, var = _three_stage_variance(population, design, c, centre)
    if estimator == RATIO:
        return Moments(float("nan"), var, False)
    return Moments(expectation, var, True)


def _three_stage_variance(population, design, c, centre) -> tuple[float, float]:
    """Expectation and variance of (1/k) sum_j (1/l) sum_k c_jk (ybar_jk - centre) (+ centre)."""
    k, l, m = design.groups, design.subgroups, design.per_subgroup
    G = population.n_groups
    per_group = population.subgroups_per_group
    L = per_group.astype(np.float64)
    starts = population._group_sub_offsets[:-1]
    sizes = population.subgroup_sizes.astype(np.float64)
    values = c * (population.subgroup_means - centre)
    u = np.add.reduceat(values, starts) / L
    dev = values - np.repeat(u, per_group)
    within = np.where(per_group > 1, np.add.reduceat(dev * dev, starts) / np.maximum(L - 1, 1),
                      0.0)
    third = np.add.reduceat(c * c * (1.0 - m / sizes) * population.subgroup_variances / m,
                            starts) / (l * L)
    second = (1.0 - l / L) * within / l
    var = ((1.0 - k / G) * float(u.var(ddof=1)) / k
           + float((second + third).sum()) / (k * G))
    return float(u.mean()) + centre, var
