"""Optimisers of the profiled (RE)ML deviance for the compiled mixed-model fits.

Random intercept (q = 1): the profiled gradient in psi = tau^2/sigma^2 is scanned on
a grid of rho = psi / (1 + psi) in [0, 1) (``RHO_GRID``, 8 points; for a random
intercept rho is the intraclass correlation), every sign change from - to + is
refined by Brent's zeroin to machine precision, the boundary psi = 0 is a candidate
when the gradient there is not negative, and of several candidates the one with the
smallest deviance wins. Random slope (q = 2): Newton's method on theta with the
analytic Hessian (Levenberg shift until positive definite) and a backtracking line
search from lme4's start theta = (1, 0, 1); the deviance is even in each column of
Lambda, so theta moves unconstrained and the diagonal is made non-negative at the end.
"""

import math

import numpy as np

from ..._jit import kernel
from .deviance import profiled
from .linalg import chol_inverse

#: Grid of rho = psi / (1 + psi) scanned for sign changes of the profiled gradient.
RHO_GRID = np.array([0.0, 0.1, 0.25, 0.45, 0.65, 0.85, 0.95, 0.995])


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
def fit_intercept(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h,
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
def fit_slope(p, k, n, S, ZX, Zy, XX, Xy, yy, reml, ws, gpsi, hpsi, g, h,
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
