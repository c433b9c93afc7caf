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

User methods of the mean (:class:`~simsample.Method` with ``estimand="mean"``)
take the shared form; their target is the population mean too.
"""

from __future__ import annotations

import numpy as np

from .._kernels.moments import CLUSTER_T, N_MEAN_METHODS, NAIVE_T
from .methods import Method, register

TARGET = "population mean"

register(Method("naive_t", estimand="mean", target=TARGET, builtin_row=NAIVE_T))
register(Method("cluster_t", estimand="mean", target=TARGET, builtin_row=CLUSTER_T),
         aliases=("design_t",))


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

    def builtin_dfs(self, sampler) -> tuple[int, ...]:
        return sampler.mean_dfs
