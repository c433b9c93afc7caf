"""Populations from the lecture on differences and micro/macro effects.

Each function returns a :class:`~simsample.Population` with a micro
covariate x (and, for :func:`income_voting`, a macro covariate X), built by
:func:`simsample.covariate_population` with ``exact=True``, so that its
census effects (``pop.delta``, ``pop.within_effect``, ``pop.between_effect``,
``pop.slope_sd``) equal the generating parameters. :data:`RECOMMENDED_DESIGNS`
names the designs that show each point.

Examples
--------
>>> import simsample as ss
>>> pop = ss.scenarios.simpson(seed=1)
>>> round(pop.delta, 2), round(pop.within_effect, 2)
(0.29, -1.0)
>>> sorted(ss.scenarios.RECOMMENDED_DESIGNS)
['income_voting', 'over_conservative', 'simpson', 'under_conservative']

Run ``ss.simulate(pop, ss.scenarios.RECOMMENDED_DESIGNS["simpson"], reps=10_000, seed=2,
estimand="difference")`` to see each estimator find its own target.
"""

from __future__ import annotations

import numpy as np

from ..designs import SRS, ClusterSample, TwoStage
from .covariates import covariate_population
from .core import Population


def over_conservative(seed=None) -> Population:
    """Ignoring groups makes the interval for delta too wide (over-conservative).

    200 groups of 20 units; in every group exactly 10 units have x = 1 (x
    varies within groups only). y = group effect (SD 1) + 0.5 x + residual
    (SD 1): icc about 0.5. Because x is balanced within groups the group
    effects cancel from the difference ybar1 - ybar0, but the naive
    two-sample variance s^2 (1/n1 + 1/n0) counts them: the naive SE is too
    large and its interval covers delta = 0.5 far more often than the
    nominal level. The cluster-robust (CR1) interval, whose per-group scores
    are free of the group effects, is close to nominal.

    Recommended designs: ``TwoStage(40, 10)`` (naive coverage near 100%,
    cluster_robust near 95% with 40 sampled groups) and, for contrast,
    ``SRS(400)``, whose units are independent: there the naive interval is
    right. (A cluster sample of whole groups would estimate delta without
    error here: every group's own difference is exactly 0.5.)
    ``between`` and ``contextual`` are not reported: every group has the
    same mean of x, so the between effect is undefined.

    Parameters
    ----------
    seed : None, int or numpy.random.SeedSequence, optional
        Seeds the population; the same seed gives the same population.

    Returns
    -------
    Population
        With micro covariate x (and macro X) and census effects as designed.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.over_conservative(seed=1)
    >>> pop.n_groups, pop.n_units, round(pop.delta, 3)
    (200, 4000, 0.5)
    """
    return covariate_population(
        200, 20, x="binary", x_mean=0.5, x_group_sd=0.0, within_effect=0.5, group_sd=1.0,
        residual_sd=1.0, seed=seed, name="over_conservative")


def under_conservative(seed=None) -> Population:
    """Ignoring groups makes the interval for delta too narrow (under-conservative).

    300 groups of 20 units; x = 1 is concentrated in some groups (logit of
    the group prevalence has SD 3: about half of the groups have at most 10%
    or at least 90% x = 1, a fifth have x = 0 or x = 1 only). y = group
    effect (SD 1) + residual (SD 1), with no effect of x at all: the
    population delta is exactly 0, as are the within and between
    effects. A sample of few groups still shows a difference, because the
    groups that happen to hold the x = 1 units differ in their group
    effects: the naive interval treats the units as independent, is far
    too narrow and covers delta = 0 much less often than nominal. The
    cluster-robust interval (t with k - 1 df for k sampled groups) is close
    to nominal; with few groups CR1 is somewhat liberal (Cameron and Miller
    2015, sec. VI).

    Recommended designs: ``TwoStage(10, 10)`` (few groups: the naive
    interval fails badly, CR1 is slightly liberal) and ``TwoStage(20, 10)``
    (CR1 nominal). Sampling many more of the 300 groups makes CR1, which
    ignores the finite-population correction of the first stage,
    conservative.

    Parameters
    ----------
    seed : None, int or numpy.random.SeedSequence, optional
        Seeds the population; the same seed gives the same population.

    Returns
    -------
    Population
        With micro covariate x (and macro X) and census effects as designed.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.under_conservative(seed=1)
    >>> pop.n_groups, pop.n_units, round(pop.delta, 3)
    (300, 6000, -0.0)
    """
    return covariate_population(
        300, 20, x="binary", x_mean=0.5, x_group_sd=3.0, within_effect=0.0,
        contextual_effect=0.0, group_sd=1.0, residual_sd=1.0, seed=seed,
        name="under_conservative")


def simpson(seed=None) -> Population:
    """Simpson's paradox: delta > 0 in the population, delta_j < 0 in every group.

    10 groups of 100 units with shares of x = 1 from 10% to 90% (10, 19, ...,
    90 units). Within every group x = 1 lowers y by 1 (every ``group_deltas`` entry
    is exactly -1: no slope variation), but groups with more x = 1 units have
    a much higher mean (between effect +4, contextual effect +5), so pooled
    over groups the units with x = 1 have the higher mean: ``pop.delta`` is
    about +0.29 (whatever the seed: the shares are fixed, and with
    ``exact=True`` so are the within and between effects).

    The naive difference (and cluster_robust, the same estimate) estimates
    the population delta (> 0); the within (fixed-effects) estimator
    estimates the within-group effect (-1). Recommended designs: ``SRS(200)``
    and ``TwoStage(10, 20)`` (every group, 20 units in each: a stratified
    sample). Both reach the targets of ``naive`` and ``within`` without the
    O(1/k) bias that sampling k of many groups gives the pooled slope when
    the within and between effects differ. With every group in the sample
    the cluster-robust intervals, which treat the groups as sampled from a
    larger population of groups, are conservative. ``between`` uses sample
    shares of x, which carry sampling error, and is biased towards the
    within effect (errors in variables).

    Parameters
    ----------
    seed : None, int or numpy.random.SeedSequence, optional
        Seeds the population; the same seed gives the same population.

    Returns
    -------
    Population
        With micro covariate x (and macro X) and census effects as designed.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.simpson(seed=1)
    >>> pop.n_groups, pop.n_units, round(pop.delta, 3)
    (10, 1000, 0.292)
    >>> pop.group_deltas.max()
    np.float64(-0.9999999999999999)
    """
    return covariate_population(
        10, 100, x="binary", x_mean=np.linspace(0.1, 0.9, 10), within_effect=-1.0,
        contextual_effect=5.0, group_sd=0.3, residual_sd=1.0, seed=seed, name="simpson")


def income_voting(seed=None, *, binary: bool = False) -> Population:
    """Income and voting across 50 states: micro and macro effects of opposite sign.

    The pattern of the 2004 US presidential election exit polls (Gelman,
    Shor, Bafumi and Park 2007, "Rich state, poor state, red state, blue
    state: what's the matter with Connecticut?", QJPS 2:345; Gelman et al.
    2008, *Red State, Blue State, Rich State, Poor State*, Princeton UP):
    within every state richer voters are more likely to vote Republican,
    yet richer states vote more Democratic, and the income slope varies
    from state to state (steep in poor states such as Mississippi, flat in
    Connecticut).

    50 states of 2000 voters. x = individual income (standardised log
    income: state means with SD 0.4, SD 0.9 within states); X = state income,
    the state's mean of x. y = latent propensity to vote Republican (logit
    scale: residual SD 1.6, near the 1.81 of a logistic variable) with

    * within-state (micro) effect of income +0.3 (``pop.within_effect``),
    * state-specific income slopes with SD 0.15 (``pop.slope_sd``),
    * between-state (macro) effect of state income -0.6
      (``pop.between_effect`` and ``pop.macro_effect``; contextual effect -0.9),
    * state effects with SD 0.3.

    ``binary=True`` replaces y by the vote itself, 1{latent > 0}; the census
    effects are then those of the linear probability model (smaller, same
    signs), and ``meta`` keeps the latent parameters.

    Recommended designs: ``TwoStage(50, 200)`` (an exit poll: every state,
    200 voters in each; within, macro and heterogeneity) and
    ``ClusterSample(10)`` (10 whole states: between and heterogeneity
    without within-state sampling error). With few voters per state,
    ``between`` uses noisy state means of income and is biased towards the
    within effect; ``macro`` uses the known state income and is not.

    Parameters
    ----------
    seed : None, int or numpy.random.SeedSequence, optional
        Seeds the population; the same seed gives the same population.
    binary : bool, default False
        A binary (voted Republican or not) outcome instead of the logit-scale propensity.

    Returns
    -------
    Population
        With micro covariate x (and macro X) and census effects as designed.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.income_voting(seed=8)
    >>> pop.n_groups, round(pop.within_effect, 3), round(pop.macro_effect, 3)
    (50, 0.3, -0.6)
    """
    pop = covariate_population(
        50, 2000, x="normal", x_mean=0.0, x_group_sd=0.4, x_sd=0.9, within_effect=0.3,
        contextual_effect=-0.9, slope_sd=0.15, X="group_mean", group_sd=0.3,
        residual_sd=1.6, seed=seed, name="income_voting")
    if not binary:
        return pop
    votes = (pop._y_sorted > 0.0).astype(np.float64)
    meta = dict(pop.meta, outcome="1{latent propensity > 0}")
    return Population._from_grouped(votes, pop.group_sizes.copy(), name="income_voting (votes)",
                                    meta=meta, x_sorted=pop._x_sorted.copy(), X=pop.X.copy())


#: Designs that show each scenario's point (name -> design), for ``simulate``.
RECOMMENDED_DESIGNS = {
    "over_conservative": {"TwoStage(40x10)": TwoStage(40, 10), "SRS(400)": SRS(400)},
    "under_conservative": {"TwoStage(10x10)": TwoStage(10, 10),
                           "TwoStage(20x10)": TwoStage(20, 10)},
    "simpson": {"SRS(200)": SRS(200), "TwoStage(10x20)": TwoStage(10, 20)},
    "income_voting": {"TwoStage(50x200)": TwoStage(50, 200),
                      "ClusterSample(10)": ClusterSample(10)},
}

__all__ = ["over_conservative", "under_conservative", "simpson", "income_voting",
           "RECOMMENDED_DESIGNS"]
