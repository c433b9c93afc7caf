"""Mixed-model methods of the mean in the loop: REML and ML random-intercept intervals.

The compiled fit (profiled REML/ML with group sufficient statistics and
lmerTest's Satterthwaite df) is :func:`simsample._kernels.mixed.fit.fit_intercept_only`,
the same code :class:`simsample.analysis.mixed.MixedLM` runs on one sample.
Each kernel takes the mean form and writes estimate, SE, df; a fit that did
not converge writes df NaN (a failed replication). ``out[5]`` is 1 when the
fit is singular (the between-group variance on its boundary, lme4's
``isSingular``), which the engine counts as ``singular_rate``.
"""

import numpy as np

from .._jit import kernel
from .._kernels.mixed.fit import NORMAL_DF, fit_intercept_only


@kernel
def _mean_method(y, start, k, reml, rule, out):  # pragma: no cover
    """Estimate, SE and df (rule 0 Wald z, 1 Satterthwaite, 2 k - 1). Assumes validated inputs."""
    res = np.empty(7)
    fit_intercept_only(y, start, k, reml, res)
    out[0] = res[0]
    out[1] = res[1]
    out[5] = res[5]  # 1.0 when singular: tau^2 on its boundary
    if res[6] != 1.0:
        out[2] = np.nan
    elif rule == 0:
        out[2] = NORMAL_DF
    elif rule == 1:
        out[2] = res[2]
    else:
        out[2] = float(k - 1)


@kernel
def reml_wald_mean(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML random-intercept estimate of the mean with a Wald z interval (mean form).

    Assumes validated inputs. The estimate is the GLS intercept: it weights group
    means by 1 / (tau^2 + sigma^2 / n_j), so with unequal group sizes it targets a
    weighted mean of group means (between the unit mean and the mean of group
    means), not the population mean when sizes are informative. Writes df = 1e9,
    which the engine treats as the normal distribution; a failed fit writes df NaN.
    Every unit its own group (element designs): psi is not identified, the fit is
    the boundary fit (ybar, s / sqrt(n)).
    """
    _mean_method(y, start, k, True, 0, out)


@kernel
def reml_satterthwaite_mean(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML random-intercept estimate of the mean with lmerTest's Satterthwaite t (mean form).

    Assumes validated inputs. GLS weighting as in ``reml_wald_mean`` (groups weighted
    by 1 / (tau^2 + sigma^2 / n_j)). df is k - 1 in balanced samples when the fit is
    not singular and n - 1 when it is; a failed fit writes df NaN.
    """
    _mean_method(y, start, k, True, 1, out)


@kernel
def reml_between_within_mean(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML random-intercept estimate of the mean with a t interval on k - 1 df (mean form).

    Assumes validated inputs. The between-within rule (SAS DDFM=BETWITHIN): the
    intercept is a between-group effect. GLS weighting as in ``reml_wald_mean``.
    """
    _mean_method(y, start, k, True, 2, out)


@kernel
def ml_wald_mean(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """ML random-intercept estimate of the mean with a Wald z interval (mean form).

    Assumes validated inputs. ML's sigma^2 and tau^2 are biased down (tau^2 more so
    with few groups), so this interval is narrower than REML's. GLS weighting and
    df = 1e9 (normal) as in ``reml_wald_mean``.
    """
    _mean_method(y, start, k, False, 0, out)
