"""Differences of means and micro/macro effects: ``simulate(..., estimand="difference")``.

For a population with a micro covariate x (binary or continuous; see
:func:`simsample.covariate_population` and :mod:`simsample.population.scenarios`), every
replication estimates, from one sample, the effects of x on y with the
methods below; each is compared with the census quantity it targets (the
``target`` column of :meth:`SimulationResult.summary`):

=================  =====================  ====================================================
method             target                 estimator and interval
=================  =====================  ====================================================
naive              population delta       OLS slope of y on x ignoring groups (for binary x:
                                          ybar1 - ybar0) with the pooled-variance two-sample
                                          t interval, n - 2 df
cluster_robust     population delta       the same slope, CR1 cluster-robust SE (clusters =
                                          sampled groups), t with k - 1 df
within             within effect          fixed-effects (group-demeaned) slope, CR1 SE, k' - 1 df
                                          (k' sampled groups in which x varies)
between            between effect         OLS of the k sample group means of y on those of x,
                                          classical SE, k - 2 df
contextual         contextual effect      OLS of y on [1, x - xbar_a, xbar_a]: coefficient of
                                          xbar_a minus that of x - xbar_a, CR1 SE, k - 1 df
heterogeneity      slope variance         moment estimate var(b_a) - mean(v_a) of the variance
                                          of the group slopes (no interval)
heterogeneity_sd   slope SD               sqrt(max(heterogeneity, 0)) (no interval; biased
                                          low by Jensen's inequality and the truncation)
macro              macro effect           OLS of the sample group means of y on the macro
                                          covariate X (only when the population has X)
=================  =====================  ====================================================

Formulas and conventions are in :mod:`simsample.estimands._difference_kernels`;
the targets are defined in :mod:`simsample.population.truths`. User methods
of this estimand take the paired form (y and x of the same units). The pooled (not
Welch) two-sample interval is used for ``naive`` because it is exactly the
classical OLS interval of the slope, so ``naive`` and ``cluster_robust``
share their estimate and differ only in the SE. Methods whose target is
undefined in the population (e.g. ``between`` when every group has the same
mean of x) are left out. A replication in which an estimate or its SE
cannot be computed (no variation in x, too few groups) is a failed
replication (``n_failed``), never an error.

Which designs reach which targets (all estimators are ratios, unbiased only
to O(1/sample size); the statistical tests measure the biases below):

* ``naive``/``cluster_robust``: under SRS, and under TwoStage sampling of
  every group, the sample is self-weighting and the pooled slope is nearly
  unbiased for delta. Sampling k of G groups gives the between-group part of
  the sample's sum of squares of x the expected share (1 - 1/k)/(1 - 1/G) of
  its population share, so when the within and between effects differ the
  pooled slope has an O(1/k - 1/G) bias (income_voting, 10 of 50 whole
  states: +0.011 on delta = 0.18).
* ``within``: nearly unbiased under every design (groups in which x does not
  vary add nothing).
* ``between``/``contextual``: sample group means of x carry sampling error
  when only part of a group is sampled, which biases the between slope
  towards the within effect (errors in variables; Ludtke et al. 2008,
  Psychological Methods 13:203): use whole groups (ClusterSample), where the
  bias is O(1/k - 1/G), or ``macro``.
* ``macro``: the known X is free of sampling error; with every group sampled
  (TwoStage(G, m)) the estimate is linear in unbiased group means and exactly
  unbiased.
* ``heterogeneity``: exactly design-unbiased for the census slope variance
  under ClusterSample (each group's slope is then known). Under two-stage
  sampling v_a is the exact conditional variance of b_a - beta_a in a
  homoscedastic model, so the estimator is unbiased on average over
  populations drawn from such a model; in one finite population it is off
  by a population-specific amount, small when groups are large (income
  voting, 200 of 2,000 per state: +0.3% of the slope variance) and
  noticeable when some group has very few units with x = 1 or x = 0 (the
  pooled variance then stands in for that arm's own variance).

Standard errors treat the sampled groups as drawn with replacement from an
infinite population of groups (no first-stage finite-population correction,
and the slopes of the sampled groups as random): intervals are conservative
when a large share of the groups is sampled, very much so when every group
is (then the groups act as strata). CR1 with few clusters is somewhat
liberal (Cameron and Miller 2015, sec. VI).

References: Cameron and Miller (2015), "A practitioner's guide to
cluster-robust inference", J. Human Resources 50:317 (CR1, G - 1 df);
Raudenbush and Bryk (2002), ch. 5 (within, between, contextual effects).

Examples
--------
>>> import simsample as ss
>>> pop = ss.scenarios.simpson(seed=7)
>>> result = ss.simulate(pop, {"SRS(200)": ss.SRS(200)}, reps=200, seed=700,
...                      estimand="difference", methods=["naive", "within"], progress=False)
>>> table = result.summary().set_index("method")
>>> table.loc[["naive", "within"], "target"].tolist()
['population delta', 'within effect']
"""

from __future__ import annotations

import numpy as np

from .._validation import InvalidParameterError
from . import _difference_kernels as K
from .methods import Method, register

#: What ``simsample.effects`` offers its users (the rest serves the engine).
__all__ = ["DIFFERENCE_METHODS", "ESTIMATORS", "POINT_ONLY", "TARGETS", "methods_for", "truths"]

#: The methods of the difference estimand, in the kernels' row order.
DIFFERENCE_METHODS = ("naive", "cluster_robust", "within", "between", "contextual",
                      "heterogeneity", "heterogeneity_sd", "macro")
assert [DIFFERENCE_METHODS.index(name) for name in DIFFERENCE_METHODS] == [
    K.NAIVE, K.CLUSTER_ROBUST, K.WITHIN, K.BETWEEN, K.CONTEXTUAL, K.HETEROGENEITY,
    K.HETEROGENEITY_SD, K.MACRO]

#: What each method targets (the ``target`` column) ...
TARGETS = {"naive": "population delta", "cluster_robust": "population delta",
           "within": "within effect", "between": "between effect",
           "contextual": "contextual effect", "heterogeneity": "slope variance",
           "heterogeneity_sd": "slope SD", "macro": "macro effect"}
#: ... and with which estimator (the ``estimator`` column).
ESTIMATORS = {"naive": "OLS slope", "cluster_robust": "OLS slope",
              "within": "fixed effects", "between": "group-means OLS",
              "contextual": "contextual model", "heterogeneity": "moment (slope variance)",
              "heterogeneity_sd": "moment (slope SD)", "macro": "group means on X"}
#: Methods without an interval (coverage, SE and width are NaN in the summary).
POINT_ONLY = ("heterogeneity", "heterogeneity_sd")

for _row, _name in enumerate(DIFFERENCE_METHODS):
    register(Method(_name, estimand="difference", target=TARGETS[_name],
                    estimator=ESTIMATORS[_name],
                    interval="none" if _name in POINT_ONLY else "t", builtin_row=_row))

_KERNELS = "simsample.estimands._difference_kernels"


def _all_truths(population) -> dict[str, float]:
    values = {"naive": population.delta, "cluster_robust": population.delta,
              "within": population.within_effect, "between": population.between_effect,
              "contextual": population.contextual_effect,
              "heterogeneity": population.slope_variance,
              "heterogeneity_sd": population.slope_sd}
    if population.X is not None:
        values["macro"] = population.macro_effect
    return values


def methods_for(population) -> tuple[str, ...]:
    """The methods reported for ``population``: those whose target is defined.

    ``macro`` needs X; ``between`` and ``contextual`` need group means of x
    that differ between groups; ``within`` and the heterogeneity methods
    need x to vary within groups (within at least two groups).

    Parameters
    ----------
    population : Population
        A population with a micro covariate ``x``.

    Returns
    -------
    tuple of str
        The default methods of ``simulate(..., estimand="difference")`` for it.

    Examples
    --------
    >>> import simsample as ss
    >>> ss.effects.methods_for(ss.scenarios.simpson(seed=1))[:3]
    ('naive', 'cluster_robust', 'within')
    """
    return tuple(m for m, value in _all_truths(population).items() if np.isfinite(value))


def truths(population) -> np.ndarray:
    """The census target of each method of :func:`methods_for`, in that order.

    Parameters
    ----------
    population : Population
        A population with a micro covariate ``x``.

    Returns
    -------
    numpy.ndarray
        One census value per method (see :data:`TARGETS` for what each one is).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.simpson(seed=1)
    >>> dict(zip(ss.effects.methods_for(pop), ss.effects.truths(pop).round(2)))["within"]
    np.float64(-1.0)
    """
    values = _all_truths(population)
    return np.array([values[m] for m in methods_for(population)])


def _require_x(population) -> None:
    if not population.has_x:
        raise InvalidParameterError(
            "estimand 'difference' needs a population with a micro covariate x; build it with "
            "Population(y, group, x=...), simsample.covariate_population(...) or a "
            "simsample.scenarios function.")


def estimand_params(population) -> tuple:
    """(offsets, X, group_sxx): what the effect estimators read of the population.

    Parameters
    ----------
    population : Population
        A population with a micro covariate x.

    Returns
    -------
    tuple of numpy.ndarray
        Group offsets, the macro covariate (zeros without one) and the
        within-group sums of squares of x.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.simpson(seed=1)
    >>> offsets, X, sxx = ss.effects.estimand_params(pop)
    >>> offsets.shape, X.shape, sxx.shape
    ((11,), (10,), (10,))
    """
    X = population.X
    X = np.array(X, dtype=np.float64) if X is not None else np.zeros(
        population.n_groups)
    return (population.offsets, X, np.ascontiguousarray(population.within_sums[0]))


class DifferenceEstimand:
    """What the engine needs to know of the difference estimand.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.scenarios.simpson(seed=1)
    >>> estimand = ss.effects.DifferenceEstimand()
    >>> estimand.name, estimand.default_methods(pop)[:2]
    ('difference', ('naive', 'cluster_robust'))
    """

    name = "difference"
    call = "paired"
    n_builtin_rows = K.N_EFFECT_METHODS

    def default_methods(self, population) -> tuple[str, ...]:
        _require_x(population)
        methods = methods_for(population)
        if not methods:
            raise InvalidParameterError(
                "estimand 'difference' needs a covariate x that is not constant in the "
                "population.")
        return methods

    def check(self, design, sampler, population) -> None:
        _require_x(population)
        if "difference" not in sampler.estimands:
            raise InvalidParameterError(
                f"estimand 'difference' supports SRS, TwoStage and ClusterSample designs; "
                f"got {design}.")

    def builtin(self, sampler, population):
        kind = "elements" if sampler.kind == "element" else "clusters"
        arrange = (_KERNELS, "arrange_effects_elements") if kind == "elements" else None
        return ((_KERNELS, f"effects_{kind}"), (_KERNELS, f"prepare_effects_{kind}"), arrange,
                estimand_params(population))

    def values(self, population):
        return population.stored_y, population.stored_x

    def truth(self, method: Method, population) -> float:
        values = _all_truths(population)
        if method.builtin:
            return float(values[method.name])
        wanted = self.target(method)
        names = [name for name, target in TARGETS.items() if target == wanted]
        if not names or names[0] not in values:
            raise InvalidParameterError(
                f"'target' of method {method.name!r} must be one of "
                f"{sorted(set(TARGETS.values()))} for estimand 'difference'; got {wanted!r}.")
        return float(values[names[0]])

    def target(self, method: Method) -> str:
        return method.target or TARGETS["naive"]

    def estimator(self, method: Method, design, population) -> str:
        return method.estimator or method.name

    def builtin_dfs(self, sampler) -> range:
        # every df an interval can have: n - 2 (naive), k - 1, k - 2 with k <= n
        return range(1, max(sampler.max_n, 2))
