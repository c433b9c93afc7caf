"""The profiled (RE)ML deviance of the linear mixed model and its analytic derivatives.

Model: y_j = X_j b + Z_j u_j + e_j for groups j = 1..k, u_j ~ N(0, sigma^2 Psi),
e_j ~ N(0, sigma^2 I); Z_j is a column of ones (random intercept, q = 1) or ones and
one covariate (random slope, q = 2, Psi unstructured). Psi = Lambda Lambda' with
Lambda lower triangular; theta holds Lambda's lower triangle column by column
(lme4's ``theta``: theta = tau / sigma for a random intercept).

Everything is computed from group sufficient statistics, so the cost of a fit
is linear in n: per group only S_j = Z_j'Z_j, Z_j'X_j and Z_j'y_j, and over all
groups X'X, X'y and y'y. With M_j = I + S_j Psi and K_j = M_j^-1 (q x q),
W_j = I + Z_j Psi Z_j' has W_j^-1 = I - Z_j Psi K_j Z_j' and log|W_j| = log|M_j|;
so P = X'W^-1X, Q = X'W^-1y and R = y'W^-1y cost O(k q^2 p^2). With
b = P^-1 Q and r = R - Q'b (the penalised residual sum of squares), the
profiled deviances (-2 log-likelihood, lme4's scale) are

    ML:   sum_j log|M_j| + n (1 + log(2 pi r / n))
    REML: sum_j log|M_j| + log|P| + (n - p) (1 + log(2 pi r / (n - p)))

and sigma^2 = r / n (ML) or r / (n - p) (REML). The first and second
derivatives in the elements of Psi are analytic (``components``): with
A_j = Z_j'W_j^-1 Z_j, B_j = Z_j'W_j^-1 X_j and e_j = Z_j'W_j^-1 (y_j - X_j b),
d r = -sum e_j'E e_j, d log|M| = sum tr(A_j E), d P = -sum B_j'E B_j, and the
second derivatives follow (envelope theorem for r). Derivatives in theta follow
by the chain rule through Psi = Lambda Lambda'.

The optimisers are in ``_mixed_optimise``, the fit and lmerTest's Satterthwaite df
in ``_mixed_kernels``.
"""

import math

import numpy as np

from ..._jit import kernel
from .linalg import chol_inverse

#: Elements of Psi, in theta's order: (row, column) of E_k's non-zero entries.
#: E_k is the symmetric unit matrix of element k; off-diagonal E has two entries.
_ES = np.array([[0, 0], [1, 0], [1, 1]], dtype=np.int64)
_ET = np.array([[0, 0], [0, 1], [1, 1]], dtype=np.int64)
_NE = np.array([1, 2, 1], dtype=np.int64)
_TWO_PI = 2.0 * math.pi


@kernel
def n_theta(q):  # pragma: no cover
    """Number of covariance parameters for q random effects per group (1 or 3)."""
    return 1 if q == 1 else 3


@kernel
def workspace(k, q, p):  # pragma: no cover
    """Scratch arrays for one fit of k groups. Assumes validated inputs."""
    nt = n_theta(q)
    return (np.empty((k, q, q)), np.empty((k, q, p)), np.empty((k, q)), np.empty((k, q)),
            np.empty((k, q, q)), np.empty((2, 2)), np.empty((p, p)), np.empty((p, p)),
            np.empty(p), np.empty((nt, p)), np.empty((3, nt)), np.empty((3, nt, nt)),
            np.empty((nt, p, p)), np.empty((nt, p, p)))


@kernel
def group_stats(y, x, z, start, k, q, p, S, ZX, Zy, XX, Xy):  # pragma: no cover
    """Group sufficient statistics of (y, X, Z); returns y'y. Assumes validated inputs.

    Rows of group a are ``start[a]:start[a+1]``; ``x`` is (n, p), ``z`` (n, q).
    """
    yy = 0.0
    for i in range(p):
        Xy[i] = 0.0
        for j in range(p):
            XX[i, j] = 0.0
    for a in range(k):
        for s in range(q):
            Zy[a, s] = 0.0
            for t in range(q):
                S[a, s, t] = 0.0
            for j in range(p):
                ZX[a, s, j] = 0.0
        for r in range(start[a], start[a + 1]):
            yr = y[r]
            yy += yr * yr
            for i in range(p):
                Xy[i] += x[r, i] * yr
                for j in range(p):
                    XX[i, j] += x[r, i] * x[r, j]
            for s in range(q):
                Zy[a, s] += z[r, s] * yr
                for t in range(q):
                    S[a, s, t] += z[r, s] * z[r, t]
                for j in range(p):
                    ZX[a, s, j] += z[r, s] * x[r, j]
    return yy


@kernel
def components(theta, q, p, k, S, ZX, Zy, XX, Xy, yy, order, ws):  # pragma: no cover
    """The pieces of the deviance at theta and their derivatives in Psi's elements.

    Assumes validated inputs. Returns (sum log|M_j|, log|P|, r); NaN for log|P| when
    P is not positive definite. Fills ``ws``: P^-1 (ws[7]), b (ws[8]) and, for
    ``order >= 1``, c1[0..2] = d(log|M|), d r, d log|P| (ws[10][:, k]); for
    ``order >= 2`` the second derivatives c2 (ws[11]) and P^-1 dP_k (ws[13]).
    """
    WA, WB, Wc, We, WH, psi, Pm, Pinv, beta, u, c1, c2, Pk, PiPk = ws
    nt = n_theta(q)
    psi[0, 0] = theta[0] * theta[0]
    if q == 2:
        psi[0, 1] = theta[0] * theta[1]
        psi[1, 0] = psi[0, 1]
        psi[1, 1] = theta[1] * theta[1] + theta[2] * theta[2]
    for i in range(p):
        beta[i] = Xy[i]
        for j in range(p):
            Pm[i, j] = XX[i, j]
    R = yy
    ld = 0.0
    for a in range(k):
        if q == 1:
            m00 = 1.0 + S[a, 0, 0] * psi[0, 0]
            ld += math.log(m00)
            k00 = 1.0 / m00
            WA[a, 0, 0] = k00 * S[a, 0, 0]
            for j in range(p):
                WB[a, 0, j] = k00 * ZX[a, 0, j]
            Wc[a, 0] = k00 * Zy[a, 0]
        else:
            m00 = 1.0 + S[a, 0, 0] * psi[0, 0] + S[a, 0, 1] * psi[1, 0]
            m01 = S[a, 0, 0] * psi[0, 1] + S[a, 0, 1] * psi[1, 1]
            m10 = S[a, 1, 0] * psi[0, 0] + S[a, 1, 1] * psi[1, 0]
            m11 = 1.0 + S[a, 1, 0] * psi[0, 1] + S[a, 1, 1] * psi[1, 1]
            det = m00 * m11 - m01 * m10
            ld += math.log(det)
            k00, k01, k10, k11 = m11 / det, -m01 / det, -m10 / det, m00 / det
            for t in range(2):
                WA[a, 0, t] = k00 * S[a, 0, t] + k01 * S[a, 1, t]
                WA[a, 1, t] = k10 * S[a, 0, t] + k11 * S[a, 1, t]
            for j in range(p):
                WB[a, 0, j] = k00 * ZX[a, 0, j] + k01 * ZX[a, 1, j]
                WB[a, 1, j] = k10 * ZX[a, 0, j] + k11 * ZX[a, 1, j]
            Wc[a, 0] = k00 * Zy[a, 0] + k01 * Zy[a, 1]
            Wc[a, 1] = k10 * Zy[a, 0] + k11 * Zy[a, 1]
        # P -= ZX' Psi B, Q -= ZX' Psi c, R -= Zy' Psi c
        for s in range(q):
            pc = 0.0
            for t in range(q):
                pc += psi[s, t] * Wc[a, t]
            R -= Zy[a, s] * pc
            for i in range(p):
                beta[i] -= ZX[a, s, i] * pc
        for j in range(p):
            for s in range(q):
                pb = 0.0
                for t in range(q):
                    pb += psi[s, t] * WB[a, t, j]
                for i in range(p):
                    Pm[i, j] -= ZX[a, s, i] * pb
    ldP = chol_inverse(Pm, p, Pinv)
    if not np.isfinite(ldP):
        return ld, np.nan, np.nan
    # beta holds Q; b = P^-1 Q, r = R - Q'b
    r = R
    for i in range(p):
        bi = 0.0
        for j in range(p):
            bi += Pinv[i, j] * beta[j]
        r -= beta[i] * bi
        u[0, i] = bi  # stash b while beta still holds Q
    for i in range(p):
        beta[i] = u[0, i]
    if order == 0:
        return ld, ldP, r
    for kk in range(nt):
        c1[0, kk] = 0.0
        c1[1, kk] = 0.0
        for i in range(p):
            u[kk, i] = 0.0
            for j in range(p):
                Pk[kk, i, j] = 0.0
        for ll in range(nt):
            c2[0, kk, ll] = 0.0
            c2[1, kk, ll] = 0.0
            c2[2, kk, ll] = 0.0
    for a in range(k):
        for s in range(q):
            e = Wc[a, s]
            for j in range(p):
                e -= WB[a, s, j] * beta[j]
            We[a, s] = e
        if order >= 2:
            for s in range(q):
                for t in range(q):
                    h = 0.0
                    for i in range(p):
                        bi = 0.0
                        for j in range(p):
                            bi += Pinv[i, j] * WB[a, t, j]
                        h += WB[a, s, i] * bi
                    WH[a, s, t] = h
        for kk in range(nt):
            for m in range(_NE[kk]):
                s, t = _ES[kk, m], _ET[kk, m]
                c1[0, kk] += WA[a, t, s]
                c1[1, kk] -= We[a, s] * We[a, t]
                for i in range(p):
                    u[kk, i] += WB[a, s, i] * We[a, t]
                    for j in range(p):
                        Pk[kk, i, j] -= WB[a, s, i] * WB[a, t, j]
            if order >= 2:
                for ll in range(nt):
                    acc_l = 0.0
                    acc_r = 0.0
                    acc_p = 0.0
                    for m in range(_NE[kk]):
                        s, t = _ES[kk, m], _ET[kk, m]
                        for mm in range(_NE[ll]):
                            uu, v = _ES[ll, mm], _ET[ll, mm]
                            # tr(A E_k A E_l), e'E_k A E_l e, tr(P^-1 B'E_k A E_l B)
                            acc_l += WA[a, v, s] * WA[a, t, uu]
                            acc_r += We[a, s] * WA[a, t, uu] * We[a, v]
                            acc_p += WA[a, t, uu] * WH[a, v, s]
                    c2[0, kk, ll] -= acc_l
                    c2[1, kk, ll] += 2.0 * acc_r
                    c2[2, kk, ll] += 2.0 * acc_p
    for kk in range(nt):
        tr = 0.0
        for i in range(p):
            for j in range(p):
                acc = 0.0
                for t in range(p):
                    acc += Pinv[i, t] * Pk[kk, t, j]
                PiPk[kk, i, j] = acc
            tr += PiPk[kk, i, i]
        c1[2, kk] = tr
    if order >= 2:
        for kk in range(nt):
            for ll in range(nt):
                quad = 0.0
                tr2 = 0.0
                for i in range(p):
                    ui = 0.0
                    for j in range(p):
                        ui += Pinv[i, j] * u[ll, j]
                        tr2 += PiPk[kk, i, j] * PiPk[ll, j, i]
                    quad += u[kk, i] * ui
                c2[1, kk, ll] -= 2.0 * quad
                c2[2, kk, ll] -= tr2
    return ld, ldP, r


@kernel
def chain_theta(theta, q, gpsi, hpsi, g, h, order):  # pragma: no cover
    """Gradient (and Hessian) in theta from those in Psi's elements. Assumes validated inputs."""
    if q == 1:
        g[0] = 2.0 * theta[0] * gpsi[0]
        if order >= 2:
            h[0, 0] = 4.0 * theta[0] * theta[0] * hpsi[0, 0] + 2.0 * gpsi[0]
        return
    t0, t1, t2 = theta[0], theta[1], theta[2]
    # jac[k, i] = d psi_k / d theta_i for psi = (psi00, psi10, psi11)
    j00, j10, j11, j21, j22 = 2.0 * t0, t1, t0, 2.0 * t1, 2.0 * t2
    g[0] = j00 * gpsi[0] + j10 * gpsi[1]
    g[1] = j11 * gpsi[1] + j21 * gpsi[2]
    g[2] = j22 * gpsi[2]
    if order < 2:
        return
    jac = ((j00, 0.0, 0.0), (j10, j11, 0.0), (0.0, j21, j22))
    for i in range(3):
        for ll in range(3):
            acc = 0.0
            for a in range(3):
                for b in range(3):
                    acc += jac[a][i] * hpsi[a, b] * jac[b][ll]
            h[i, ll] = acc
    h[0, 0] += 2.0 * gpsi[0]
    h[0, 1] += gpsi[1]
    h[1, 0] += gpsi[1]
    h[1, 1] += 2.0 * gpsi[2]
    h[2, 2] += 2.0 * gpsi[2]


@kernel
def profiled(theta, q, p, k, n, S, ZX, Zy, XX, Xy, yy, reml, order, ws, gpsi, hpsi,
             g, h):  # pragma: no cover
    """Profiled deviance at theta; gradient ``g`` and Hessian ``h`` in theta for order 1, 2.

    Assumes validated inputs. ``gpsi`` (nt) and ``hpsi`` (nt, nt) receive the
    derivatives in Psi's elements. Returns NaN where the deviance is undefined.
    """
    ld, ldP, r = components(theta, q, p, k, S, ZX, Zy, XX, Xy, yy, order, ws)
    if not (np.isfinite(ldP) and r > 0.0):
        return np.nan
    nu = float(n - p) if reml else float(n)
    dev = ld + nu * (1.0 + math.log(_TWO_PI * r / nu))
    if reml:
        dev += ldP
    if order == 0:
        return dev
    c1, c2 = ws[10], ws[11]
    nt = n_theta(q)
    for kk in range(nt):
        gpsi[kk] = c1[0, kk] + nu * c1[1, kk] / r + (c1[2, kk] if reml else 0.0)
        if order >= 2:
            for ll in range(nt):
                hpsi[kk, ll] = (c2[0, kk, ll] + nu * (c2[1, kk, ll] / r - c1[1, kk] * c1[1, ll] / (r * r))
                                + (c2[2, kk, ll] if reml else 0.0))
    chain_theta(theta, q, gpsi, hpsi, g, h, order)
    return dev
