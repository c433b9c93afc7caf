"""Compiled REML/ML fits of the linear mixed model and the in-loop mixed-model methods.

The deviance and its analytic derivatives are in ``_mixed_deviance``; this module
optimises it, computes lmerTest's Satterthwaite degrees of freedom, and holds the
methods the replication loop calls.

Optimisation. Random intercept (q = 1): the profiled gradient in psi = tau^2/sigma^2
is scanned on a grid of rho = psi / (1 + psi) in [0, 1) (8 points; for a random
intercept rho is the intraclass correlation), every sign change from - to + is
refined by Brent's zeroin to machine precision, the boundary psi = 0 is a
candidate when the gradient there is not negative, and the candidate with the
smallest deviance wins. Random slope (q = 2): Newton's method on theta with the
analytic Hessian, shifted (Levenberg) until positive definite, and a
backtracking line search, from lme4's start theta = (1, 0, 1). The deviance is
even in each column of Lambda, so theta moves unconstrained and the diagonal of
Lambda is made non-negative at the end. ``singular`` is lme4's ``isSingular``
(a diagonal element of Lambda below 1e-4).

Satterthwaite degrees of freedom (lmerTest 3.1): with the unprofiled deviance
D(theta, sigma), A = 2 H^+ (H the Hessian of D at the optimum; Moore-Penrose
inverse dropping eigenvalues below 1e-8, as lmerTest) and g the gradient of
sigma^2 (P^-1)_ii in (theta, sigma), df_i = 2 (sigma^2 (P^-1)_ii)^2 / (g'A g).
lmerTest differentiates numerically (numDeriv); here H and g are exact.
"""

import math

import numpy as np

from .._jit import kernel
from ._mixed_deviance import chain_theta, components, n_theta, profiled, workspace
from ._mixed_linalg import chol_inverse, sym_pinv

#: Grid of rho = psi / (1 + psi) scanned for sign changes of the profiled gradient.
RHO_GRID = np.array([0.0, 0.1, 0.25, 0.45, 0.65, 0.85, 0.95, 0.995])
#: lme4's isSingular tolerance on the diagonal of Lambda.
SINGULAR_TOL = 1e-4
#: Eigenvalues of the deviance Hessian at or below this are dropped (lmerTest's tol).
HESSIAN_TOL = 1e-8
#: df written by Wald-z methods: the engine treats df this large as the normal.
NORMAL_DF = 1e9
#: Layout of ``info``: deviance, sigma^2, converged (1/0), singular (1/0), iterations.
N_INFO = 5


@kernel
def ri_gradient(psi, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv, bvec):  # pragma: no cover
    """Profiled gradient in psi = tau^2 / sigma^2 of a random-intercept model.

    Assumes validated inputs. The q = 1 form of ``components`` + ``profiled`` at
    order 1, with per-group scalars and three p-sized scratch arrays (``Pm``,
    ``Pinv`` (p, p), ``bvec`` (p)): the loop's hot path. NaN where undefined.
    """
    for i in range(p):
        bvec[i] = Xy[i]
        for j in range(p):
            Pm[i, j] = XX[i, j]
    R = yy
    for a in range(k):
        w = psi / (1.0 + psi * S[a, 0, 0])
        R -= w * Zy[a, 0] * Zy[a, 0]
        for i in range(p):
            bvec[i] -= w * ZX[a, 0, i] * Zy[a, 0]
            for j in range(p):
                Pm[i, j] -= w * ZX[a, 0, i] * ZX[a, 0, j]
    if p == 1:
        if not Pm[0, 0] > 0.0:
            return np.nan
        Pinv[0, 0] = 1.0 / Pm[0, 0]
    elif not np.isfinite(chol_inverse(Pm, p, Pinv)):
        return np.nan
    r = R
    for i in range(p):
        bi = 0.0
        for j in range(p):
            bi += Pinv[i, j] * bvec[j]
        r -= bvec[i] * bi
        Pm[i, 0] = bi  # Pm is no longer needed: it holds b from here on
    if not r > 0.0:
        return np.nan
    L1 = 0.0
    r1 = 0.0
    lp1 = 0.0
    for a in range(k):
        w = 1.0 / (1.0 + psi * S[a, 0, 0])
        e = Zy[a, 0]
        quad = 0.0
        for i in range(p):
            e -= ZX[a, 0, i] * Pm[i, 0]
            zi = 0.0
            for j in range(p):
                zi += Pinv[i, j] * ZX[a, 0, j]
            quad += ZX[a, 0, i] * zi
        e *= w
        L1 += w * S[a, 0, 0]
        r1 -= e * e
        lp1 -= w * w * quad
    if reml:
        return L1 + (n - p) * r1 / r + lp1
    return L1 + n * r1 / r


@kernel
def _ri_slope(rho, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv, bvec):  # pragma: no cover
    """Profiled gradient in psi at rho = psi / (1 + psi). Assumes validated inputs."""
    return ri_gradient(rho / (1.0 - rho), p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv, bvec)


@kernel
def _ri_root(a, b, fa, fb, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv,
             bvec):  # pragma: no cover
    """Brent's zeroin for the profiled gradient on [a, b], fa < 0 <= fb. Assumes validated inputs."""
    c, fc = a, fa
    d = b - a
    e = d
    for _ in range(100):
        if (fb > 0.0) == (fc > 0.0):
            c, fc = a, fa
            d = b - a
            e = d
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 4.0 * 2.2e-16 * abs(b) + 1e-16
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0.0:
            return b
        if abs(e) < tol or abs(fa) <= abs(fb):
            d = m
            e = m
        else:
            s = fb / fa
            if a == c:
                pp = 2.0 * m * s
                qq = 1.0 - s
            else:
                qq = fa / fc
                r = fb / fc
                pp = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0))
                qq = (qq - 1.0) * (r - 1.0) * (s - 1.0)
            if pp > 0.0:
                qq = -qq
            else:
                pp = -pp
            if 2.0 * pp < min(3.0 * m * qq - abs(tol * qq), abs(e * qq)):
                e = d
                d = pp / qq
            else:
                d = m
                e = m
        a, fa = b, fb
        b += d if abs(d) > tol else (tol if m > 0.0 else -tol)
        fb = _ri_slope(b, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv, bvec)
        if not np.isfinite(fb):
            return np.nan
    return b


@kernel
def _ri_deviance(rho, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h,
                 theta):  # pragma: no cover
    """Profiled deviance at rho (random intercept). Assumes validated inputs."""
    theta[0] = math.sqrt(rho / (1.0 - rho))
    return profiled(theta, 1, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, 0, ws, gpsi, hpsi, g, h)


@kernel
def _fit_intercept(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h,
                   theta):  # pragma: no cover
    """Optimal theta of a random-intercept model into theta[0]; returns (converged, evaluations).

    Assumes validated inputs. Deviances are compared only when the scan finds
    more than one candidate minimum.
    """
    best_rho = np.nan
    best_dev = np.nan
    Pm, Pinv, bvec = ws[6], ws[7], ws[8]
    g_prev = _ri_slope(0.0, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv, bvec)
    evals = 1
    if not np.isfinite(g_prev):
        return False, evals
    # a flat profile (every group of size 1: psi not identified) counts as the boundary
    if g_prev >= -1e-12 * n:
        best_rho = 0.0
        g_prev = 0.0
    rho_prev = 0.0
    for i in range(1, RHO_GRID.size):
        rho = RHO_GRID[i]
        gi = _ri_slope(rho, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, Pm, Pinv, bvec)
        evals += 1
        if not np.isfinite(gi):
            return False, evals
        if g_prev < 0.0 <= gi:
            root = _ri_root(rho_prev, rho, g_prev, gi, p, k, n, S, ZX, Zy, XX, Xy, yy, reml,
                            Pm, Pinv, bvec)
            if np.isfinite(root):
                if np.isnan(best_rho):
                    best_rho = root
                else:
                    if np.isnan(best_dev):
                        best_dev = _ri_deviance(best_rho, p, k, n, S, ZX, Zy, XX, Xy, yy, reml,
                                                ws, gpsi, hpsi, g, h, theta)
                    dev = _ri_deviance(root, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi,
                                       hpsi, g, h, theta)
                    # a later candidate must beat rounding (a flat profile keeps the first)
                    if dev < best_dev - 1e-11 * (1.0 + abs(best_dev)):
                        best_dev = dev
                        best_rho = root
        rho_prev, g_prev = rho, gi
    if not np.isfinite(best_rho):
        return False, evals
    theta[0] = math.sqrt(best_rho / (1.0 - best_rho))
    return True, evals


@kernel
def _fit_slope(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h,
               theta):  # pragma: no cover
    """Optimal theta of a random-slope model by damped Newton; returns (converged, iterations).

    Assumes validated inputs.
    """
    trial = np.empty(3)
    step_dir = np.empty(3)
    shifted = np.empty((3, 3))
    inv = np.empty((3, 3))
    theta[0], theta[1], theta[2] = 1.0, 0.0, 1.0
    dev = profiled(theta, 2, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, 2, ws, gpsi, hpsi, g, h)
    if not np.isfinite(dev):
        return False, 0
    it = 0
    for it in range(1, 201):
        gmax = max(abs(g[0]), abs(g[1]), abs(g[2]))
        if gmax < 1e-10 * (1.0 + abs(dev)):
            break
        lam = 0.0
        scale = 1.0 + max(abs(h[0, 0]), abs(h[1, 1]), abs(h[2, 2]))
        for _ in range(60):
            for i in range(3):
                for j in range(3):
                    shifted[i, j] = h[i, j] + (lam if i == j else 0.0)
            if np.isfinite(chol_inverse(shifted, 3, inv)):
                break
            lam = 1e-10 * scale if lam == 0.0 else 10.0 * lam
        slope = 0.0
        for i in range(3):
            acc = 0.0
            for j in range(3):
                acc -= inv[i, j] * g[j]
            step_dir[i] = acc
            slope += g[i] * acc
        step = 1.0
        accepted = False
        for _ in range(60):
            for i in range(3):
                trial[i] = theta[i] + step * step_dir[i]
            dt = profiled(trial, 2, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, 0, ws, gpsi, hpsi, g, h)
            if np.isfinite(dt) and dt <= dev + 1e-4 * step * slope:
                accepted = True
                break
            step *= 0.5
        if not accepted:
            break
        moved = 0.0
        for i in range(3):
            moved = max(moved, abs(trial[i] - theta[i]))
            theta[i] = trial[i]
        dev = profiled(theta, 2, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, 2, ws, gpsi, hpsi, g, h)
        if moved < 1e-14:
            break
    if theta[0] < 0.0:
        theta[0], theta[1] = -theta[0], -theta[1]
    if theta[2] < 0.0:
        theta[2] = -theta[2]
    dev = profiled(theta, 2, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, 1, ws, gpsi, hpsi, g, h)
    gmax = max(abs(g[0]), abs(g[1]), abs(g[2]))
    return np.isfinite(dev) and gmax < 1e-6 * (1.0 + abs(dev)), it


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
        ok, iters = _fit_intercept(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h, theta)
    else:
        ok, iters = _fit_slope(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h, theta)
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


@kernel
def _mean_method(y, start, k, reml, rule, out):  # pragma: no cover
    """Estimate, SE and df (rule 0 Wald z, 1 Satterthwaite, 2 k - 1). Assumes validated inputs."""
    res = np.empty(7)
    fit_intercept_only(y, start, k, reml, res)
    out[0] = res[0]
    out[1] = res[1]
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


LOOP_METHODS = (
    dict(name="reml_wald", kernel=reml_wald_mean, form="mean", estimand="mean",
         target="population mean (GLS-weighted mean of group means when sizes vary)",
         interval=True, needs_rng=False, df_rule="normal (df = 1e9)",
         doc="REML random-intercept intercept with a Wald z interval"),
    dict(name="reml_satterthwaite", kernel=reml_satterthwaite_mean, form="mean", estimand="mean",
         target="population mean (GLS-weighted mean of group means when sizes vary)",
         interval=True, needs_rng=False, df_rule="Satterthwaite (lmerTest)",
         doc="REML random-intercept intercept with lmerTest's Satterthwaite t interval"),
    dict(name="reml_between_within", kernel=reml_between_within_mean, form="mean",
         estimand="mean",
         target="population mean (GLS-weighted mean of group means when sizes vary)",
         interval=True, needs_rng=False, df_rule="k - 1",
         doc="REML random-intercept intercept with a between-within t interval (k - 1 df)"),
    dict(name="ml_wald", kernel=ml_wald_mean, form="mean", estimand="mean",
         target="population mean (GLS-weighted mean of group means when sizes vary)",
         interval=True, needs_rng=False, df_rule="normal (df = 1e9)",
         doc="ML random-intercept intercept with a Wald z interval"),
)
