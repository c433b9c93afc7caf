"""Exact design-based theory: expectations and variances of the estimators of the mean.

Notation as in :mod:`simsample.population` (Cochran 1977): G groups of sizes
M_j (N units), k groups sampled, m units per sampled group, f1 = k/G,
f2j = m/M_j. Every function takes the population and a design. The formulas::

    SRS of n:            Var(ybar) = (1 - n/N) S^2 / n.
    Two-stage, equal M:  Var(ybar) = (1 - f1) S1^2 / k + (1 - f2) S2^2 / (k m)
                         (Cochran, thm 10.1); one-stage cluster sampling is m = M.
    Unequal sizes, expansion estimator (G/k) sum M_j ybar_j / N (unbiased), exact:
        Var = [G^2 (1 - f1) S_T^2 / k + (G/k) sum_j M_j^2 (1 - f2j) S_j^2 / m_j] / N^2,
        S_T^2 the variance of the group totals (Cochran 11.2-11.3).
    Unequal sizes, ratio estimator sum M_j ybar_j / sum M_j: the linearisation
        (first-order Taylor) variance of Cochran eq. 11.30,
        [(1 - f1)/k sum_j M_j^2 (Ybar_j - mu)^2/(G - 1)
         + 1/(k G) sum_j M_j^2 (1 - f2j) S_j^2 / m_j] / Mbar^2,
        an approximation with O(1/k) relative error: is_exact is False.
    Unweighted mean of a two-stage sample (naive_t's estimator), the mean of the
        k sampled group means: expectation mean_j Ybar_j (biased for mu when sizes
        differ and group means vary with size), exact variance
        (1 - f1) S1^2 / k + (1/(k G)) sum_j (1 - f2j) S_j^2 / m.
    SRS with replacement:  Var(ybar) = (N - 1)/N S^2 / n. Exact.
    Stratified:            Var = sum_h W_h^2 (1 - n_h/N_h) S_h^2 / n_h (Cochran 5.3);
                           the unweighted mean has E = sum_h n_h Ybar_h / n and
                           Var = sum_h (n_h/n)^2 (1 - n_h/N_h) S_h^2 / n_h. Exact.
    PPS (randomised systematic, m per group, pi_j = k M_j / N): unbiased; exact
                           two-stage variance for equal sizes; otherwise the
                           Hartley-Rao (1962) approximation, exact=False.
    Three-stage:           Cochran 10.8 with fpc at each stage; exact for the
                           expansion and unweighted means, linearisation for the
                           ratio mean with unequal sizes (exact=False).

Design effects compare with an SRS of the same expected size.

Examples
--------
>>> import simsample as ss
>>> pop = ss.two_level(n_groups=100, group_size=50, icc=0.2, seed=1)
>>> design = ss.TwoStage(10, 10)
>>> round(ss.theory.design_effect(pop, design), 3), round(ss.theory.kish_design_effect(0.2, 10), 3)
(2.505, 2.8)
>>> round(ss.theory.naive_coverage(pop, design), 3)
0.787
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ._validation import check_real
from .designs import SRS, Design, Moments, TwoStage
from .designs.base import EXPANSION, RATIO, SAMPLE_MEAN, STRATIFIED, UNWEIGHTED, srs_variance

if TYPE_CHECKING:
    from .population import Population


def moments(population: Population, design: Design, estimator: str | None = None) -> Moments:
    """Expectation and variance of ``estimator`` (default: the design's own) under ``design``.

    Each design holds its own theory (:meth:`Design.moments`); this is the facade.

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The sampling design.
    estimator : str, optional
        The estimator of the mean (see :meth:`Design.moments`); None: the design's own.

    Returns
    -------
    Moments
        Expectation, variance and whether the variance is exact.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> m = ss.theory.moments(pop, design)
    >>> m.exact, round(m.variance, 4)
    (True, 0.0531)
    """
    return design.moments(population, estimator)


def variance(population: Population, design: Design, estimator: str | None = None) -> float:
    """Design variance of the estimator of the mean (default: the design's own estimator).

    Exact for SRS, for one- and two-stage cluster sampling with equal group
    sizes and for the expansion estimator; the linearisation approximation
    for the ratio estimator with unequal sizes (see :func:`is_exact`).

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The sampling design.
    estimator : str, optional
        The estimator of the mean (see :meth:`Design.moments`); None: the design's own.

    Returns
    -------
    float
        Var of the estimator over repeated samples.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> round(ss.theory.variance(pop, design), 4)
    0.0531
    """
    return moments(population, design, estimator).variance


def is_exact(population: Population, design: Design, estimator: str | None = None) -> bool:
    """Whether :func:`variance` is exact (not an approximation) for this case.

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The sampling design.
    estimator : str, optional
        The estimator of the mean (see :meth:`Design.moments`); None: the design's own.

    Returns
    -------
    bool
        False where the variance is a linearisation or Hartley-Rao approximation.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(None, group_size=[5, 15] * 10, icc=0.2, seed=1)
    >>> design = ss.ClusterSample(4)
    >>> ss.theory.is_exact(pop, design), ss.theory.is_exact(pop, design, "expansion")
    (False, True)
    """
    return moments(population, design, estimator).exact


def design_effect(population: Population, design: Design, estimator: str | None = None) -> float:
    """Var(design) / Var(SRS of the same expected size): the exact design effect.

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The sampling design.
    estimator : str, optional
        The estimator of the mean (see :meth:`Design.moments`); None: the design's own.

    Returns
    -------
    float
        The design effect (1: as efficient as SRS).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> round(ss.theory.design_effect(pop, design), 3)
    1.415
    """
    return variance(population, design, estimator) / srs_variance(
        population, design.expected_size(population))


def kish_design_effect(icc: float, per_group: float) -> float:
    """Kish's approximation 1 + (m - 1) rho of the design effect of m units per group.

    Approximate: it ignores finite-population corrections and assumes equal
    group sizes; compare with the exact :func:`design_effect`.

    Parameters
    ----------
    icc : float
        The intraclass correlation rho, in [-1, 1].
    per_group : float
        m, the units sampled per group (at least 1).

    Returns
    -------
    float
        1 + (m - 1) rho.

    Examples
    --------
    >>> import simsample as ss
    >>> ss.theory.kish_design_effect(0.2, 5)
    1.8
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

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The sampling design (SRS or a fixed number of units per group).
    level : float, default 0.95
        Nominal confidence level, in (0, 1).

    Returns
    -------
    float
        The approximate coverage probability.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> round(ss.theory.naive_coverage(pop, design), 3)
    0.917
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

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The sampling design (SRS or a fixed number of units per group).

    Returns
    -------
    float
        E[s^2] over repeated samples.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> round(ss.theory.expected_naive_s2(pop, design), 3), round(pop.variance, 3)
    (0.817, 0.834)
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


def _take(design, population) -> int | None:
    """Units per sampled group, or None if every group's size (unequal sizes)."""
    if isinstance(design, TwoStage):
        return design.per_group
    if population.equal_sizes:
        return int(population.group_sizes[0])
    return None


__all__ = ["Moments", "moments", "variance", "is_exact", "srs_variance", "design_effect",
           "kish_design_effect", "naive_coverage", "expected_naive_s2", "SAMPLE_MEAN",
           "UNWEIGHTED", "RATIO", "EXPANSION", "STRATIFIED"]
