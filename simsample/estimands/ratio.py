"""Ratios and domain means: estimands of a population with a covariate x.

* ``estimand="ratio"``: the population ratio R = sum y / sum x (x > 0, e.g. a
  denominator such as enrolment). Method ``ratio``: the ratio estimator
  sum w y / sum w x with its linearisation SE, as ``SurveyDesign.ratio``.
* ``estimand="domain_mean"``: the mean of y over the units with x = 1 (a 0/1
  domain indicator, e.g. "high schools"). Method ``domain_mean``: the ratio
  of the weighted sums of y x and x with the full design kept, as
  ``SurveyDesign.mean("y", by="x")``; its sample size is random.

=============  ===================================  ===============================
method         form: degrees of freedom             designs
=============  ===================================  ===============================
ratio          groups: k - 1; strata: n - H         SRS, TwoStage, ClusterSample,
                                                    Stratified
domain_mean    groups: groups holding a domain      SRS, TwoStage, ClusterSample,
               unit - 1; strata: domain units -     Stratified
               strata holding one
=============  ===================================  ===============================

The kernels (:mod:`._ratio_kernels`) are the paired-form methods of
:mod:`.methods`; the one-sample calls of :class:`simsample.SurveyDesign`
compute the same numbers (tests check them to 1e-10).
"""

from __future__ import annotations

import numpy as np

from .._validation import InvalidParameterError
from . import _ratio_kernels as K
from .methods import Method, register

register(Method("ratio", {"groups": K.ratio_groups, "strata": K.ratio_strata},
                estimand="ratio", target="population ratio", estimator="ratio (linearised)"))
register(Method("domain_mean", {"groups": K.domain_mean_groups, "strata": K.domain_mean_strata},
                estimand="domain_mean", target="domain mean", estimator="domain ratio"))


class _PairedEstimand:
    """Shared by the ratio and the domain mean: y and x gathered, no built-in estimator."""

    call = "paired"
    n_builtin_rows = 0

    def default_methods(self, population) -> tuple[str, ...]:
        return (self.name,)

    def check(self, design, sampler, population) -> None:
        if not population.has_x:
            raise InvalidParameterError(
                f"estimand {self.name!r} needs a population with a covariate x "
                "(Population(y, group, x=...)).")
        if self.name not in sampler.estimands:
            raise InvalidParameterError(
                f"estimand {self.name!r} supports SRS, TwoStage, ClusterSample and Stratified "
                f"designs; got {design}.")
        self.check_x(population.stored_x)

    def builtin(self, sampler, population):
        return None, None, None, (0,)

    def values(self, population):
        return population.stored_y, population.stored_x

    def target(self, method: Method) -> str:
        return method.target or self.target_name

    def estimator(self, method: Method, design, population) -> str:
        return method.estimator or method.name

    def builtin_dfs(self, sampler) -> range:
        return range(1, max(sampler.max_n, 2))


class RatioEstimand(_PairedEstimand):
    """sum y / sum x over the population."""

    name = "ratio"
    target_name = "population ratio"

    def check_x(self, x) -> None:
        if not x.sum() > 0:
            raise InvalidParameterError(
                "estimand 'ratio' needs a covariate x with a positive population total; got "
                f"sum x = {x.sum()!r}.")

    def truth(self, method: Method, population) -> float:
        return float(population.stored_y.sum() / population.stored_x.sum())


class DomainMeanEstimand(_PairedEstimand):
    """The mean of y over the domain x = 1."""

    name = "domain_mean"
    target_name = "domain mean"

    def check_x(self, x) -> None:
        if not np.isin(x, (0.0, 1.0)).all() or not x.any():
            raise InvalidParameterError(
                "estimand 'domain_mean' needs x to be a 0/1 domain indicator with at least one "
                "unit in the domain.")

    def truth(self, method: Method, population) -> float:
        x = population.stored_x
        return float(population.stored_y[x == 1.0].mean())
