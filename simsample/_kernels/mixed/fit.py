"""Compiled REML/ML fits of the linear mixed model and the in-loop mixed-model methods.

The deviance and its analytic derivatives are in ``_mixed_deviance``, its
optimisers in ``_mixed_optimise``; this module runs a fit, computes lmerTest's
Satterthwaite degrees of freedom, and holds the methods the replication loop calls.

``singular`` is lme4's ``isSingular`` (a diagonal element of Lambda below 1e-4).

Satterthwaite degrees of freedom (lmerTest 3.1): with the unprofiled deviance
D(theta, sigma), A = 2 H^+ (H the Hessian of D at the optimum; Moore-Penrose
inverse dropping eigenvalues below 1e-8, as lmerTest) and g the gradient of
sigma^2 (P^-1)_ii in (theta, sigma), df_i = 2 (sigma^2 (P^-1)_ii)^2 / (g'A g).
lmerTest differentiates numerically (numDeriv); here H and g are exact.
"""

import math

import numpy as np

from ..._jit import kernel
from .deviance import chain_theta, components, n_theta, workspace
from .linalg import sym_pinv
from .optimise import fit_intercept, fit_slope

#: lme4's isSingular tolerance on the diagonal of Lambda.
SINGULAR_TOL = 1e-4
#: Eigenvalues of the deviance Hessian at or below this are dropped (lmerTest's tol).
HESSIAN_TOL = 1e-8
#: df written by Wald-z methods: the engine treats df this large as the normal.
NORMAL_DF = 1e9
#: Layout of ``info``: deviance, sigma^2, converged (1/0), singular (1/0), iterations.
N_INFO = 5


@kernel
def _satterthwaite(theta, q, p, n, r, reml, ws, gpsi, hpsi, g, h, df):  # pragma: no cover
    """lmerTest's Satterthwaite df of each fixed effect into ``df``. Assumes validated inputs.

    Needs ``components`` at order 2 at theta in ``ws``.
    """
    Pinv, c1, c2, PiPk = ws[7], ws[10], ws[11], ws[13]
    nt = n_theta(q)
    m = nt + 1
    nu = float(n - p) if reml else float(n)
    sig2 = r / nu
    sig = math.sqrt(sig2)
    H = np.empty((m, m))
    A = np.empty((m, m))
    work = np.empty((m, m))
    vec = np.empty((m, m))
    grad = np.empty(m)
    for kk in range(nt):
        gpsi[kk] = c1[0, kk] + c1[1, kk] / sig2 + (c1[2, kk] if reml else 0.0)
        for ll in range(nt):
            hpsi[kk, ll] = c2[0, kk, ll] + c2[1, kk, ll] / sig2 + (c2[2, kk, ll] if reml else 0.0)
    chain_theta(theta, q, gpsi, hpsi, g, h, 2)
    for i in range(nt):
        for j in range(nt):
            H[i, j] = h[i, j]
    for kk in range(nt):
        gpsi[kk] = -2.0 * c1[1, kk] / (sig2 * sig)
    chain_theta(theta, q, gpsi, hpsi, g, h, 1)
    for i in range(nt):
        H[i, nt] = g[i]
        H[nt, i] = g[i]
    H[nt, nt] = 6.0 * r / (sig2 * sig2) - 2.0 * nu / sig2
    sym_pinv(H, m, HESSIAN_TOL, work, vec, A)
    for i in range(p):
        f = sig2 * Pinv[i, i]
        for kk in range(nt):
            acc = 0.0
            for a in range(p):
                acc += PiPk[kk, i, a] * Pinv[a, i]
            gpsi[kk] = -sig2 * acc
        chain_theta(theta, q, gpsi, hpsi, g, h, 1)
        for j in range(nt):
            grad[j] = g[j]
        grad[nt] = 2.0 * sig * Pinv[i, i]
        quad = 0.0
        for a in range(m):
            for b in range(m):
                quad += grad[a] * 2.0 * A[a, b] * grad[b]
        df[i] = 2.0 * f * f / quad if quad > 0.0 else np.inf


@kernel
def fit_lmm(q, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, theta, beta, cov, df,
            info):  # pragma: no cover
    """REML (``reml=True``) or ML fit from group sufficient statistics (``group_stats``).

    Assumes validated inputs: k >= 2 groups, n > p, X of full column rank.
    Writes theta (n_theta(q)), the fixed effects ``beta`` (p), their covariance
    ``cov`` = sigma^2 P^-1 (p, p), Satterthwaite ``df`` (p) and ``info``
    (N_INFO: deviance = -2 log-likelihood, sigma^2, converged, singular, iterations).
    A failed fit writes NaN everywhere except ``info[2] = 0``.
    """
    ws = workspace(k, q, p)
    nt = n_theta(q)
    gpsi = np.empty(nt)
    hpsi = np.empty((nt, nt))
    g = np.empty(nt)
    h = np.empty((nt, nt))
    if q == 1:
        ok, iters = fit_intercept(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h, theta)
    else:
        ok, iters = fit_slope(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h, theta)
    ld, ldP, r = components(theta, q, p, k, S, ZX, Zy, XX, Xy, yy, 2, ws)
    nu = float(n - p) if reml else float(n)
    info[4] = iters
    if not (np.isfinite(ldP) and r > 0.0):
        ok = False
    if not ok:
        for i in range(p):
            beta[i] = np.nan
            df[i] = np.nan
            for j in range(p):
                cov[i, j] = np.nan
        info[0] = np.nan
        info[1] = np.nan
        info[2] = 0.0
        info[3] = np.nan
        return
    sig2 = r / nu
    Pinv, b = ws[7], ws[8]
    for i in range(p):
        beta[i] = b[i]
        for j in range(p):
            cov[i, j] = sig2 * Pinv[i, j]
    dev = ld + nu * (1.0 + math.log(2.0 * math.pi * r / nu))
    if reml:
        dev += ldP
    info[0] = dev
    info[1] = sig2
    info[2] = 1.0
    singular = theta[0] < SINGULAR_TOL or (q == 2 and theta[2] < SINGULAR_TOL)
    info[3] = 1.0 if singular else 0.0
    _satterthwaite(theta, q, p, n, r, reml, ws, gpsi, hpsi, g, h, df)


@kernel
def fit_intercept_only(y, start, k, reml, out):  # pragma: no cover
    """REML/ML fit of y_ij = b + u_j + e_ij on the grouped form; the loop's one fit.

    Assumes validated inputs: units of group a are ``y[start[a]:start[a+1]]``,
    k >= 2. y is centred at its mean before the fit (b is shifted back), as
    ``MixedLM`` does. Writes ``out[0:7]``: estimate of b, its SE, Satterthwaite
    df, tau^2, sigma^2, singular (1/0), converged (1/0).
    """
    lo = start[0]
    n = start[k] - lo
    ybar = 0.0
    for i in range(lo, start[k]):
        ybar += y[i]
    ybar /= n
    S = np.empty((k, 1, 1))
    ZX = np.empty((k, 1, 1))
    Zy = np.empty((k, 1))
    XX = np.empty((1, 1))
    Xy = np.empty(1)
    yy = 0.0
    xy = 0.0
    for a in range(k):
        na = float(start[a + 1] - start[a])
        S[a, 0, 0] = na
        ZX[a, 0, 0] = na
        sa = 0.0
        for i in range(start[a], start[a + 1]):
            d = y[i] - ybar
            sa += d
            xy += d
            yy += d * d
        Zy[a, 0] = sa
    XX[0, 0] = float(n)
    Xy[0] = xy
    theta = np.empty(1)
    beta = np.empty(1)
    cov = np.empty((1, 1))
    df = np.empty(1)
    info = np.empty(N_INFO)
    fit_lmm(1, 1, k, n, S, ZX, Zy, XX, Xy, yy, reml, theta, beta, cov, df, info)
    out[0] = beta[0] + ybar
    out[1] = math.sqrt(cov[0, 0])
    out[2] = df[0]
    out[3] = info[1] * theta[0] * theta[0]
    out[4] = info[1]
    out[5] = info[3]
    out[6] = info[2]
