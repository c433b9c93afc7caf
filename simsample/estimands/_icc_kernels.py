"""Kernels of the intraclass correlation: the one-way ANOVA and REML estimators (mean form).

ANOVA (Searle 1971, sec. 9.7; Donner 1986, Int. Stat. Rev. 54:67): with k sampled
groups of n_a units (n in all), MSB = sum_a n_a (ybar_a - ybar)^2 / (k - 1),
MSW = sum_a sum_i (y_ai - ybar_a)^2 / (n - k) and n0 = (n - sum_a n_a^2 / n) / (k - 1),

    rho_hat = (MSB - MSW) / (MSB + (n0 - 1) MSW)

(the formula of ``Population.icc``, applied to the sample). Interval: with
F = MSB / MSW and F_lo, F_hi the 2.5% and 97.5% quantiles of F(k - 1, n - k),

    [(F / F_hi - 1) / (F / F_hi + n0 - 1), (F / F_lo - 1) / (F / F_lo + n0 - 1)],

exact under the normal random-intercept model when the sample is balanced
(n0 = m, Searle's interval); with unequal n_a it is the usual approximation with
n0 in place of m (Donner 1986, sec. 4; adequate for mild imbalance). The
interval is not truncated at 0. SE: Fisher's large-sample variance
2 (1 - rho)^2 (1 + (n0 - 1) rho)^2 / (n0 (n0 - 1) (k - 1)) at rho_hat.

The F quantiles are computed here (regularised incomplete beta by Lentz's
continued fraction, inverted by bisection), at the fixed level ``ICC_LEVEL``.
"""

import math

import numpy as np

from .._jit import kernel
from .._kernels.mixed.fit import fit_intercept_only

#: The one confidence level of the ANOVA interval (the F quantiles are computed for it).
ICC_LEVEL = 0.95


@kernel
def _beta_cf(a, b, x):  # pragma: no cover
    """Continued fraction of the incomplete beta function (modified Lentz). Assumes validated inputs."""
    tiny = 1e-300
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < tiny:
        d = tiny
    d = 1.0 / d
    h = d
    for m in range(1, 1000):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1.0 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < tiny:
            d = tiny
        c = 1.0 + aa / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        de = d * c
        h *= de
        if abs(de - 1.0) < 1e-16:
            break
    return h


@kernel
def beta_cdf(x, a, b):  # pragma: no cover
    """Regularised incomplete beta I_x(a, b). Assumes validated inputs (a, b > 0)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x)
           + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _beta_cf(b, a, 1.0 - x) / b


@kernel
def f_quantile(prob, d1, d2):  # pragma: no cover
    """The ``prob`` quantile of the F(d1, d2) distribution. Assumes validated inputs (0 < prob < 1).

    Bisection on x = d1 f / (d1 f + d2) in (0, 1), where P(F <= f) = I_x(d1/2, d2/2).
    """
    a = 0.5 * d1
    b = 0.5 * d2
    lo = 0.0
    hi = 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            break
        if beta_cdf(mid, a, b) < prob:
            lo = mid
        else:
            hi = mid
    x = 0.5 * (lo + hi)
    return d2 * x / (d1 * (1.0 - x))


@kernel
def anova_icc_groups(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """One-way ANOVA estimate of the icc with the F-based interval (mean form).

    Assumes validated inputs. Writes estimate, Fisher's SE, df k - 1 and the
    interval at ``ICC_LEVEL`` in out[3], out[4]; NaN everywhere (a failed
    replication) with fewer than 2 groups, no within-group degrees of freedom
    or MSW = 0.
    """
    for j in range(5):
        out[j] = np.nan
    out[5] = 0.0
    msb, msw, n0 = _anova_components(y, start, k)
    d1 = float(k - 1)
    d2 = float(start[k] - start[0] - k)
    if not msw > 0.0:   # also NaN: fewer than 2 groups or no within-group df
        return
    rho = (msb - msw) / (msb + (n0 - 1.0) * msw)
    out[0] = rho
    out[2] = d1
    if n0 > 1.0:
        v = (2.0 * (1.0 - rho) ** 2 * (1.0 + (n0 - 1.0) * rho) ** 2
             / (n0 * (n0 - 1.0) * d1))
        out[1] = math.sqrt(v)
    f = msb / msw
    alpha = 1.0 - ICC_LEVEL
    f_lo = f / f_quantile(1.0 - 0.5 * alpha, d1, d2)
    f_hi = f / f_quantile(0.5 * alpha, d1, d2)
    out[3] = (f_lo - 1.0) / (f_lo + n0 - 1.0)
    out[4] = (f_hi - 1.0) / (f_hi + n0 - 1.0)


@kernel
def reml_icc_groups(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML estimate tau^2 / (tau^2 + sigma^2) of the random-intercept model (mean form).

    Assumes validated inputs. A point estimate: out[0] (NaN when the fit did not
    converge or k < 2), out[5] = 1 for a singular fit (tau^2 = 0, estimate 0).
    """
    out[1] = np.nan
    out[2] = np.nan
    out[5] = 0.0
    if k < 2:
        out[0] = np.nan
        return
    res = np.empty(7)
    fit_intercept_only(y, start, k, True, res)
    out[5] = res[5]
    if res[6] == 1.0 and res[3] + res[4] > 0.0:
        out[0] = res[3] / (res[3] + res[4])
    else:
        out[0] = np.nan


@kernel
def _anova_components(y, start, k):  # pragma: no cover
    """(MSB, MSW, n0) of the sampled groups; NaN without within-group degrees of freedom."""
    n = start[k] - start[0]
    if k < 2 or n <= k:
        return np.nan, np.nan, np.nan
    ybar = 0.0
    for i in range(start[0], start[k]):
        ybar += y[i]
    ybar /= n
    ssb = 0.0
    ssw = 0.0
    sum_n2 = 0.0
    for a in range(k):
        na = float(start[a + 1] - start[a])
        s = 0.0
        for i in range(start[a], start[a + 1]):
            s += y[i]
        mean_a = s / na
        for i in range(start[a], start[a + 1]):
            d = y[i] - mean_a
            ssw += d * d
        ssb += na * (mean_a - ybar) * (mean_a - ybar)
        sum_n2 += na * na
    return ssb / (k - 1.0), ssw / (n - k), (n - sum_n2 / n) / (k - 1.0)


@kernel
def _point(out, value, flag):  # pragma: no cover
    out[0] = value
    for j in range(1, 5):
        out[j] = np.nan
    out[5] = flag


@kernel
def anova_between_groups(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """ANOVA between-group variance (MSB - MSW) / n0 (may be negative); point estimate.

    Assumes validated inputs.
    """
    msb, msw, n0 = _anova_components(y, start, k)
    _point(out, (msb - msw) / n0, 0.0)


@kernel
def anova_within_groups(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """ANOVA within-group variance MSW, with its chi-square SE sqrt(2/(n - k)) MSW, n - k df.

    Assumes validated inputs. Under the normal model (n - k) MSW / sigma^2 is
    chi-square; the t interval on its SE is the usual large-sample one.
    """
    msb, msw, n0 = _anova_components(y, start, k)
    n = start[k] - start[0]
    _point(out, msw, 0.0)
    out[1] = msw * math.sqrt(2.0 / (n - k)) if n > k else np.nan
    out[2] = float(n - k)


@kernel
def reml_between_groups(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML tau^2 of the random-intercept fit; point estimate, singular flag. Validated inputs."""
    res = np.empty(7)
    fit_intercept_only(y, start, k, True, res)
    _point(out, res[3] if res[6] == 1.0 else np.nan, res[5])


@kernel
def reml_within_groups(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """REML sigma^2 of the random-intercept fit; point estimate, singular flag. Validated inputs."""
    res = np.empty(7)
    fit_intercept_only(y, start, k, True, res)
    _point(out, res[4] if res[6] == 1.0 else np.nan, res[5])
