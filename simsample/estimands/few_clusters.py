"""Methods for few clusters: small-sample corrected, jackknife and bootstrap intervals.

With 10-20 clusters the textbook cluster-robust interval (CR1 with G - 1 df,
the built-in ``cluster_robust`` of the difference estimand) is liberal
(Cameron and Miller 2015, J. Human Resources 50:317). These methods run in
the loop beside the built-in ones, on the same samples (formulas in
:mod:`._cluster_kernels`; the one-sample fits are
:class:`simsample.analysis.cluster_ols.ClusterOLS` and
:meth:`simsample.SurveyDesign.replicate`, which agree with R's clubSandwich
and survey):

================  ==========  ==================================================  =============================
method            estimand    estimator, SE                                       interval, df
================  ==========  ==================================================  =============================
jackknife         mean        ratio mean; delete-one-group jackknife (R's JK1)    t, k - 1
                              with the first-stage fpc factor 1 - k/G
cr2_bm            mean        unweighted mean of the sampled units (the ratio     t, Bell-McCaffrey
                              mean only for self-weighting samples); CR2 SE       (clubSandwich Satterthwaite)
bootstrap         mean        ratio mean; SE from 200 replicates of R survey's    t, k - 1
                              ``type="bootstrap"`` with the first-stage fpc
cr2_bm            difference  OLS slope of y on x; CR2 SE                         t, Bell-McCaffrey
cr3               difference  OLS slope; CR3 (jackknife) SE                       t, k - 1
wild_bootstrap    difference  OLS slope; restricted wild cluster bootstrap        bounds by test inversion, at
                              (Rademacher, 199 draws); CR1S SE reported           95% only (other levels refused)
================  ==========  ==================================================  =============================

The bootstrap-type methods draw from their own random streams, so they never
change the samples or another method's results. Clusters are the sampled
groups (for SRS: the units).
"""

from __future__ import annotations

from . import _cluster_kernels as K
from .methods import Method, register

register(Method("jackknife", K.jk1_ratio_mean, estimand="mean",
                estimator="ratio mean, JK1 jackknife"))
register(Method("cr2_bm", K.cr2_mean, estimand="mean", estimator="unweighted mean, CR2"))
register(Method("bootstrap", K.bootstrap_ratio_mean, estimand="mean", needs_rng=True,
                estimator="ratio mean, bootstrap SE"))
register(Method("cr2_bm", K.cr2_slope, estimand="difference", estimator="OLS slope, CR2"))
register(Method("cr3", K.cr3_slope, estimand="difference", estimator="OLS slope, CR3"))
register(Method("wild_bootstrap", K.wild_slope, estimand="difference", interval="bounds",
                needs_rng=True, level=K.WILD_LEVEL, estimator="OLS slope, wild bootstrap"))
