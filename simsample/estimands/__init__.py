"""Estimands and their methods: what a sample estimates, and the named ways to estimate it.

* :mod:`.methods` — :class:`Method` and the registry (``methods=[...]`` of ``simulate``);
* :mod:`.mean` — the population mean: ``naive_t``, ``cluster_t``;
* :mod:`.difference` — differences and micro/macro effects of a covariate x;
* :mod:`.one_sample` — every method on one drawn sample (``Sample.estimate``).

Adding a method: a compiled function of the shared form (see :mod:`.methods`),
``register(Method(name, kernel, estimand=...))`` in the estimand's module (or
pass ``ss.Method(...)`` from outside the package). Adding an estimand: a module
here with an estimand class (``default_methods``, ``check``, ``builtin``,
``values``, ``truth``, ``target``, ``estimator``, ``builtin_dfs``; see
:class:`.mean.MeanEstimand`) and one entry in :data:`.catalog.ESTIMANDS`.
"""

from .catalog import ESTIMANDS, get_estimand
from .difference import DifferenceEstimand
from .mean import MeanEstimand
from .methods import Method, design_rows, register, registered, resolve
from .one_sample import estimate_sample

__all__ = ["ESTIMANDS", "DifferenceEstimand", "MeanEstimand", "Method", "design_rows", "estimate_sample",
           "get_estimand", "register", "registered", "resolve"]
