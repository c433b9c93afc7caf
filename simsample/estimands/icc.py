"""The intraclass correlation as an estimand: ``simulate(..., estimand="icc")``.

Each replication estimates, from the sampled groups (the mean form: y grouped
by sampled PSU), the share of the variance of y that lies between groups:

==========  ================  ============================================================
method      target            estimator and interval
==========  ================  ============================================================
anova_icc   population icc    one-way ANOVA (MSB - MSW) / (MSB + (n0 - 1) MSW); the F-based
                              interval, exact in balanced samples under the normal random-
                              intercept model (Searle), with n0 for m otherwise (approximate);
                              95% only (other levels refused); Fisher's large-sample SE
reml_icc    population icc    tau^2 / (tau^2 + sigma^2) of the REML random-intercept fit
                              (a point estimate; ``singular_rate``: the share of fits with
                              tau^2 = 0, which give 0)
anova_between  population       (MSB - MSW) / n0, a point estimate (may be negative)
               between variance
anova_within   population       MSW, t interval on its chi-square SE sqrt(2 / (n - k)) MSW
               within variance  (n - k df)
reml_between,  the same two     REML tau^2 and sigma^2 (points; ``singular_rate``)
reml_within
==========  ================  ============================================================

The between and within targets are the population's own ANOVA components:
(MSB - MSW) / n0 and MSW over all its units (for equal groups of M: S1^2 - S2^2 / M
and S2^2), what repeated two-stage sampling estimates; with a
:class:`~simsample.Superpopulation` the model's tau^2 and sigma^2 are named too.

Formulas in :mod:`._icc_kernels`; REML is the compiled fit of
:class:`simsample.analysis.mixed.MixedLM`. A replication whose estimate cannot
be computed (no within-group degrees of freedom, MSW = 0, a fit that did not
converge) is a failed replication, never an error.

Target: the finite population's :attr:`Population.icc`, the ANOVA value of the
whole population (group sizes N_j and their n0). It is what repeated sampling
from this one population estimates: under two-stage sampling (m of M units in
each of k groups) E[MSB - MSW] / m equals S1^2 - S2^2 / M, the population's own
between-group component, so the ANOVA ratio is consistent for it whatever m.
It differs from the superpopulation icc of a generator (``population.meta["icc"]``
of :func:`simsample.two_level`, the model's tau^2 / (tau^2 + sigma^2)) by the
population's realisation error, about (1 - rho)(1 + (M - 1) rho) sqrt(2 / (M (M - 1)
(G - 1))) (0.025 for 100 groups of 50 at rho = 0.2): a study of the model
parameter needs a new population per replication (superpopulation replication).
REML estimates the model's icc; in a balanced sample its tau^2 is the truncated
ANOVA value max(0, (MSB - MSW) / m), so ``reml_icc`` is ``anova_icc`` floored at 0
(biased up a little where the ANOVA value is often negative).

Designs: cluster designs handing the sampled groups (TwoStage, ClusterSample,
PPS, ThreeStage: the first-stage groups). Element designs (SRS) are refused:
every unit would be its own group.
"""

from __future__ import annotations

import numpy as np

from .._validation import InvalidParameterError
from . import _icc_kernels as K
from .methods import Method, register

TARGET = "population icc"

register(Method("anova_icc", K.anova_icc_groups, estimand="icc", target=TARGET,
                estimator="one-way ANOVA, F interval", interval="bounds", level=K.ICC_LEVEL))
register(Method("reml_icc", K.reml_icc_groups, estimand="icc", target=TARGET,
                estimator="REML random intercept", interval="none", reports_singular=True))
BETWEEN, WITHIN = "population between variance", "population within variance"
register(Method("anova_between", K.anova_between_groups, estimand="icc", target=BETWEEN,
                estimator="one-way ANOVA (MSB - MSW) / n0", interval="none"))
register(Method("anova_within", K.anova_within_groups, estimand="icc", target=WITHIN,
                estimator="one-way ANOVA MSW"))
register(Method("reml_between", K.reml_between_groups, estimand="icc", target=BETWEEN,
                estimator="REML tau^2", interval="none", reports_singular=True))
register(Method("reml_within", K.reml_within_groups, estimand="icc", target=WITHIN,
                estimator="REML sigma^2", interval="none", reports_singular=True))


def population_components(population) -> dict[str, float]:
    """The population's own ANOVA components: its icc, (MSB - MSW) / n0 and MSW."""
    sizes = population.group_sizes.astype(np.float64)
    n, g = sizes.sum(), sizes.size
    msb = float((sizes * (population.group_means - population.mean) ** 2).sum()) / (g - 1)
    msw = float(((sizes - 1) * population.group_variances).sum()) / (n - g)
    n0 = (n - float((sizes ** 2).sum()) / n) / (g - 1)
    return {TARGET: float(population.icc), BETWEEN: (msb - msw) / n0, WITHIN: msw}


class IccEstimand:
    """What the engine needs to know of the icc: no built-in estimator, the population's icc."""

    name = "icc"
    call = "mean"
    n_builtin_rows = 0

    def default_methods(self, population) -> tuple[str, ...]:
        return ("anova_icc", "reml_icc")

    def check(self, design, sampler, population) -> None:
        if sampler.kind != "cluster" or sampler.form != "groups":
            raise InvalidParameterError(
                "estimand 'icc' needs a cluster design that samples groups (TwoStage, "
                f"ClusterSample, PPS, ThreeStage); got {design}.")
        if not np.isfinite(population.icc):
            raise InvalidParameterError(
                "estimand 'icc' needs a population with at least 2 groups and a group of "
                f"more than one unit; got icc = {population.icc!r}.")

    def builtin(self, sampler, population):
        return None, None, None, (0,)

    def values(self, population):
        return population.stored_y, np.empty(0)

    def truth(self, method: Method, population) -> float:
        components = population_components(population)
        target = self.target(method)
        if target not in components:
            raise InvalidParameterError(
                f"'target' of method {method.name!r} must be one of {sorted(components)} for "
                f"estimand 'icc'; got {target!r}.")
        return components[target]

    def target(self, method: Method) -> str:
        return method.target or TARGET

    def estimator(self, method: Method, design, population) -> str:
        return method.estimator or method.name

    def builtin_dfs(self, sampler) -> range:
        return range(1, max(sampler.max_n, 2))
