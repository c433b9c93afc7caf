"""Model-based methods of the mean: the random-intercept model fitted in the loop.

Each replication fits y_ij = mu + u_j + e_ij by REML (or ML) to the sampled
groups, with the compiled profiled likelihood of
:mod:`simsample._kernels.mixed` (the same code as the one-sample
:class:`simsample.analysis.mixed.MixedLM`, which agrees with R's lme4 and
lmerTest), and reports the GLS intercept:

===================  ======================================  =================================
method               interval                                df
===================  ======================================  =================================
reml_wald            Wald z                                  normal
reml_satterthwaite   t                                       lmerTest's Satterthwaite df
reml_between_within  t                                       k - 1 (SAS's between-within rule)
ml_wald              Wald z (ML: variance components biased  normal
                     down, so narrower)
===================  ======================================  =================================

Target: the population mean. The GLS intercept weights each sampled group's
mean by 1 / (tau^2 + sigma^2 / n_j): with equal sample sizes per group it is
the sample mean, with unequal ones a weighted mean of group means, which is
not the population mean when the group sizes are informative (correlated
with the group means). Every method reports ``singular_rate``: the share of
fits with tau^2 on its boundary (lme4's ``isSingular``). Under a balanced
random-intercept model that share is P(F(k-1, k(m-1)) <= (1-rho)/(1-rho+m rho)).
A fit that does not converge is a failed replication.
"""

from __future__ import annotations

from . import _mixed_kernels as K
from .methods import Method, register

for _name, _kernel, _what in (
        ("reml_wald", K.reml_wald_mean, "REML random intercept, Wald z"),
        ("reml_satterthwaite", K.reml_satterthwaite_mean, "REML random intercept, Satterthwaite"),
        ("reml_between_within", K.reml_between_within_mean, "REML random intercept, k - 1 df"),
        ("ml_wald", K.ml_wald_mean, "ML random intercept, Wald z")):
    register(Method(_name, _kernel, estimand="mean", estimator=_what, reports_singular=True))
