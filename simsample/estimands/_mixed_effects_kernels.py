"""Mixed-model methods of effects in the loop: REML fits of y on a micro covariate x.

Paired-form kernels (y and x of the same units, grouped by sampled PSU) that fit,
with the compiled profiled REML of :mod:`simsample._kernels.mixed` (the code
:class:`simsample.analysis.mixed.MixedLM` runs on one sample):

* ``reml_slope_effect``: y ~ 1 + x + (1 | g), the slope of x (Satterthwaite t);
* ``mundlak_within_effect`` / ``mundlak_contextual_effect``: y ~ 1 + x + xbar_a + (1 | g)
  with xbar_a the sample mean of x in the unit's group: the coefficient of x is the
  within effect and that of xbar_a the contextual effect. This is the Mundlak model
  y ~ (x - xbar_a) + xbar_a reparametrised (same column space, so the same fit):
  there the coefficient of xbar_a is the between effect and the contextual effect
  is between minus within, which is the coefficient of xbar_a here; its
  Satterthwaite df is that of the contrast (df are invariant to the parametrisation);
* ``rs_slope_sd_effect``: y ~ 1 + x + (1 + x | g) (unstructured), the SD of the
  random slopes, sqrt(Psi[1, 1]) (a point estimate).

As MixedLM does, y is centred at its sample mean before the fit (only the
intercept moves). The group sufficient statistics are formed from per-group sums
of x, y and their products, without an n-row design matrix. ``out[5]`` is 1 for
a singular fit (lme4's ``isSingular``); a fit that did not converge (or whose
fixed-effects matrix is not of full rank, e.g. x - xbar_a = 0 everywhere when
every group holds one unit, as under SRS) writes df NaN, and NaN estimates for
the point method: a failed replication.
"""

import math

import numpy as np

from .._jit import kernel
from .._kernels.mixed.deviance import n_theta
from .._kernels.mixed.fit import N_INFO, fit_lmm


@kernel
def _effect_stats(y, x, start, k, q, p, S, ZX, Zy, XX, Xy):  # pragma: no cover
    """Group sufficient statistics of y (centred) on X = [1, x] (p = 2) or [1, x, xbar_a]
    (p = 3) with Z = [1] (q = 1) or [1, x] (q = 2); returns y'y. Assumes validated inputs.
    """
    n = start[k] - start[0]
    ybar = 0.0
    for i in range(start[0], start[k]):
        ybar += y[i]
    ybar /= n
    yy = 0.0
    for i in range(p):
        Xy[i] = 0.0
        for j in range(p):
            XX[i, j] = 0.0
    for a in range(k):
        na = float(start[a + 1] - start[a])
        sx = 0.0
        sy = 0.0
        sxx = 0.0
        sxy = 0.0
        syy = 0.0
        for i in range(start[a], start[a + 1]):
            d = y[i] - ybar
            sx += x[i]
            sy += d
            sxx += x[i] * x[i]
            sxy += x[i] * d
            syy += d * d
        xb = sx / na
        yy += syy
        # per-group X'X, X'y over the columns (1, x[, xbar_a]); xbar_a is constant in the group
        g11 = na
        g12 = sx
        g22 = sxx
        gy1 = sy
        gy2 = sxy
        XX[0, 0] += g11
        XX[0, 1] += g12
        XX[1, 1] += g22
        Xy[0] += gy1
        Xy[1] += gy2
        if p == 3:
            XX[0, 2] += na * xb
            XX[1, 2] += sx * xb
            XX[2, 2] += na * xb * xb
            Xy[2] += sy * xb
        # Z_a'Z_a, Z_a'X_a, Z_a'y_a: the rows of X_a'X_a for the columns of Z (1, x)
        S[a, 0, 0] = g11
        ZX[a, 0, 0] = g11
        ZX[a, 0, 1] = g12
        Zy[a, 0] = gy1
        if p == 3:
            ZX[a, 0, 2] = na * xb
        if q == 2:
            S[a, 0, 1] = g12
            S[a, 1, 0] = g12
            S[a, 1, 1] = g22
            ZX[a, 1, 0] = g12
            ZX[a, 1, 1] = g22
            Zy[a, 1] = gy2
            if p == 3:
                ZX[a, 1, 2] = sx * xb
    for i in range(p):
        for j in range(i):
            XX[i, j] = XX[j, i]
    return yy


@kernel
def _fit_effects(y, x, start, k, q, p, theta, beta, cov, df, info):  # pragma: no cover
    """REML fit of the effects model (q, p) into theta, beta, cov, df, info.

    Assumes validated inputs (k >= 1). Too few units or groups for the model is a
    failed fit (``info[2] = 0``, NaN elsewhere), as ``fit_lmm`` writes one.
    """
    n = start[k] - start[0]
    if k < 2 or n <= p:
        for i in range(p):
            beta[i] = np.nan
            df[i] = np.nan
            for j in range(p):
                cov[i, j] = np.nan
        for i in range(theta.size):
            theta[i] = np.nan
        info[0] = np.nan
        info[1] = np.nan
        info[2] = 0.0
        info[3] = np.nan
        return
    S = np.empty((k, q, q))
    ZX = np.empty((k, q, p))
    Zy = np.empty((k, q))
    XX = np.empty((p, p))
    Xy = np.empty(p)
    yy = _effect_stats(y, x, start, k, q, p, S, ZX, Zy, XX, Xy)
    fit_lmm(q, p, k, n, S, ZX, Zy, XX, Xy, yy, True, theta, beta, cov, df, info)


@kernel
def _coefficient(y, x, start, k, p, index, out):  # pragma: no cover
    """Coefficient ``index`` of a random-intercept fit with Satterthwaite df. Assumes validated inputs."""
    theta = np.empty(1)
    beta = np.empty(p)
    cov = np.empty((p, p))
    df = np.empty(p)
    info = np.empty(N_INFO)
    _fit_effects(y, x, start, k, 1, p, theta, beta, cov, df, info)
    out[0] = beta[index]
    out[1] = math.sqrt(cov[index, index]) if cov[index, index] >= 0.0 else np.nan
    out[2] = df[index] if info[2] == 1.0 else np.nan
    out[5] = info[3]


@kernel
def reml_slope_effect(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML slope of x in the random-intercept model y ~ x + (1 | g), Satterthwaite t (paired form).

    Assumes validated inputs. The GLS slope mixes the within- and between-group
    slopes (weights set by tau^2 / sigma^2: the "conflated" micro effect); it is
    the population delta only when those agree.
    """
    _coefficient(y, x, start, k, 2, 1, out)


@kernel
def mundlak_within_effect(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Within effect from the Mundlak model y ~ (x - xbar_a) + xbar_a + (1 | g) (paired form).

    Assumes validated inputs. The coefficient of x - xbar_a (equal to that of x in
    y ~ x + xbar_a), REML, Satterthwaite t.
    """
    _coefficient(y, x, start, k, 3, 1, out)


@kernel
def mundlak_contextual_effect(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Contextual effect from the Mundlak model: between minus within effect (paired form).

    Assumes validated inputs. The coefficient of xbar_a in y ~ x + xbar_a + (1 | g),
    REML, Satterthwaite t.
    """
    _coefficient(y, x, start, k, 3, 2, out)


@kernel
def rs_slope_sd_effect(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """SD of the random slopes in y ~ x + (1 + x | g), REML (paired form; point estimate).

    Assumes validated inputs. Writes sqrt(sigma^2 (theta_1^2 + theta_2^2)) in out[0]
    (NaN when the fit did not converge, or when there are no more units than
    random effects, 2 k, which lme4 refuses: e.g. SRS, every unit its own group),
    NaN SE and df, and out[5] = 1 for a singular fit (a diagonal element of
    lme4's theta below 1e-4).
    """
    theta = np.empty(n_theta(2))
    beta = np.empty(2)
    cov = np.empty((2, 2))
    df = np.empty(2)
    info = np.empty(N_INFO)
    info[2] = 0.0
    info[3] = np.nan
    if start[k] - start[0] > 2 * k:  # lme4's rule: more units than random effects
        _fit_effects(y, x, start, k, 2, 2, theta, beta, cov, df, info)
    if info[2] == 1.0:
        out[0] = math.sqrt(info[1] * (theta[1] * theta[1] + theta[2] * theta[2]))
    else:
        out[0] = np.nan
    out[1] = np.nan
    out[2] = np.nan
    out[5] = info[3]
