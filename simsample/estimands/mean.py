"""The population mean: the built-in ``naive_t`` and ``cluster_t`` methods.

Every design's kernels module has a ``mean_*`` estimator that writes both
rows in one pass over the sample (see :mod:`simsample._kernels.moments`):

=============  ===============  ===================================================
method         target           estimator and interval
=============  ===============  ===================================================
naive_t        population mean  the sampled units treated as an iid sample:
                                ybar +- t(n-1) s/sqrt(n) (the mistake the lecture
                                is about, kept on purpose)
cluster_t      population mean  the design's own estimator and its design-based
                                variance estimator, t with the design's df (for
                                SRS the fpc-corrected SRS interval; the name is
                                historical: ``design_t`` is an alias)
=============  ===============  ===================================================

Designs may offer further built-in methods, rows of their own mean kernel
after ``naive_t`` and ``cluster_t`` (:attr:`~simsample.designs.Sampler.mean_offers`);
asked of a design that does not offer them, they are refused. The
unequal-probability designs (``PPS(method=...)``, see :class:`simsample.PPS`) offer:

=============  ==================================================================
ht_t           Horvitz-Thompson mean, Horvitz-Thompson variance from exact pi_kl
syg_t          Horvitz-Thompson mean, Sen-Yates-Grundy variance from exact pi_kl
hr_t           Horvitz-Thompson mean, Hartley-Rao (1962) approximate variance
brewer_t       Horvitz-Thompson mean, Brewer's approximation (R survey's
               ``pps="brewer"``)
=============  ==================================================================

User methods of the mean (:class:`~simsample.Method` with ``estimand="mean"``)
take the shared form; their target is the population mean too.
"""

from __future__ import annotations

import numpy as np

from .._kernels.moments import BREWER_T, CLUSTER_T, HR_T, HT_T, N_MEAN_METHODS, NAIVE_T, SYG_T
from .._validation import InvalidParameterError
from .methods import Method, register

TARGET = "population mean"

register(Method("naive_t", estimand="mean", target=TARGET, builtin_row=NAIVE_T))
register(Method("cluster_t", estimand="mean", target=TARGET, builtin_row=CLUSTER_T),
         aliases=("design_t",))
for _name, _row in (("ht_t", HT_T), ("syg_t", SYG_T), ("hr_t", HR_T), ("brewer_t", BREWER_T)):
    register(Method(_name, estimand="mean", target=TARGET, builtin_row=_row))


class MeanEstimand:
    """What the engine needs to know of the mean: its built-in estimator and targets."""

    name = "mean"
    call = "mean"
    n_builtin_rows = N_MEAN_METHODS

    def default_methods(self, population) -> tuple[str, ...]:
        return ("naive_t", "cluster_t")

    def check(self, design, sampler, population) -> None:
        return None

    def builtin(self, sampler, population):
        """(builtin, estimand_prepare, arrange, eparams): module paths and the estimand's inputs."""
        return (sampler.module, sampler.mean), None, None, (0,)

    def values(self, population):
        """The population arrays gathered for every sample: y and (unused here) x."""
        return population.stored_y, np.empty(0)

    def truth(self, method: Method, population) -> float:
        return float(population.mean)

    def target(self, method: Method) -> str:
        return method.target or TARGET

    def estimator(self, method: Method, design, population) -> str:
        if method.builtin:
            return design.estimator_names(population)[method.builtin_row]
        return method.estimator or method.name

    def builtin_rows(self, sampler) -> int:
        """Rows of the design's mean kernel (more than ``n_builtin_rows`` for some designs)."""
        return sampler.mean_rows

    def check_methods(self, methods, design, sampler) -> None:
        """Refuse a built-in method beyond naive_t and cluster_t the design does not offer."""
        refused = [m.name for m in methods if m.builtin and m.builtin_row >= N_MEAN_METHODS
                   and m.name not in sampler.mean_offers]
        if refused:
            offers = list(sampler.mean_offers) or "none"
            raise InvalidParameterError(
                f"methods {refused} are not offered by design {design} (its extra built-in "
                f"methods: {offers}; PPS(method=...) offers ht_t, syg_t, hr_t, brewer_t).")

    def builtin_dfs(self, sampler) -> tuple[int, ...]:
        return sampler.mean_dfs
