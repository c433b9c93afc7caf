"""Compiled linear mixed models: profiled REML/ML with group sufficient statistics.

* :mod:`.linalg` — small Cholesky inverse and pseudo-inverse;
* :mod:`.deviance` — group statistics, the profiled deviance and its exact derivatives;
* :mod:`.optimise` — the random-intercept and random-slope optimisers;
* :mod:`.fit` — one fit with lmerTest's Satterthwaite df (``fit_lmm``) and the
  intercept-only fit of the replication loop.

Shared by the one-sample :class:`simsample.analysis.mixed.MixedLM` and the loop's
methods (:mod:`simsample.estimands.mixed`).
"""
