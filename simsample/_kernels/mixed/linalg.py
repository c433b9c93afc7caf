"""Small dense linear algebra for the compiled mixed-model fits.

The matrices of a mixed-model fit are tiny (p fixed effects, at most four
variance parameters), so these kernels work in place on preallocated arrays and
call no LAPACK: a Cholesky inverse with its log-determinant, and the
Moore-Penrose inverse of a small symmetric matrix by cyclic Jacobi rotations
(the eigen-decomposition lmerTest uses to invert the Hessian of the deviance).
"""

import math

import numpy as np

from ..._jit import kernel


@kernel
def chol_inverse(a, m, out):  # pragma: no cover
    """Inverse of the symmetric positive definite ``a[:m, :m]`` into ``out``.

    Assumes validated inputs. Returns the log-determinant of ``a``, or NaN when
    ``a`` is not numerically positive definite (``out`` is then undefined).
    ``out`` must not alias ``a``; ``a`` is left unchanged.
    """
    # Cholesky factor L (lower) into out, then invert it in place and form L^-T L^-1.
    logdet = 0.0
    for i in range(m):
        for j in range(i + 1):
            s = a[i, j]
            for t in range(j):
                s -= out[i, t] * out[j, t]
            if i == j:
                if not s > 0.0:
                    return np.nan
                out[i, i] = math.sqrt(s)
                logdet += 2.0 * math.log(out[i, i])
            else:
                out[i, j] = s / out[j, j]
    # invert the lower factor in place (column by column, forward substitution)
    for j in range(m):
        out[j, j] = 1.0 / out[j, j]
        for i in range(j + 1, m):
            s = 0.0
            for t in range(j, i):
                s -= out[i, t] * out[t, j]
            out[i, j] = s / out[i, i]
    # out (lower) = L^-1. The inverse L^-T L^-1 goes into the upper triangle row by row:
    # entry (i, j >= i) reads L^-1 only in rows >= j, and the diagonal entry of row i is
    # the last use of L^-1[i, i].
    for i in range(m):
        for j in range(i, m):
            s = 0.0
            for t in range(j, m):
                s += out[t, i] * out[t, j]
            out[i, j] = s
    for i in range(m):
        for j in range(i + 1, m):
            out[j, i] = out[i, j]
    return logdet


@kernel
def sym_pinv(a, m, tol, work, vec, out):  # pragma: no cover
    """Moore-Penrose inverse of the symmetric ``a[:m, :m]`` into ``out``.

    Assumes validated inputs. Eigenvalues at or below ``tol`` are dropped, as
    lmerTest does for the Hessian of the deviance (``tol = 1e-8``). ``work`` and
    ``vec`` are (m, m) scratch arrays. Returns the number of eigenvalues kept.
    """
    for i in range(m):
        for j in range(m):
            work[i, j] = a[i, j]
            vec[i, j] = 1.0 if i == j else 0.0
    for _sweep in range(50):
        off = 0.0
        for i in range(m):
            for j in range(i + 1, m):
                off += work[i, j] * work[i, j]
        if off == 0.0:
            break
        for i in range(m):
            for j in range(i + 1, m):
                if work[i, j] == 0.0:
                    continue
                theta = (work[j, j] - work[i, i]) / (2.0 * work[i, j])
                t = (1.0 if theta >= 0.0 else -1.0) / (abs(theta) + math.sqrt(theta * theta + 1.0))
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                for r in range(m):
                    wri = work[r, i]
                    wrj = work[r, j]
                    work[r, i] = c * wri - s * wrj
                    work[r, j] = s * wri + c * wrj
                for r in range(m):
                    wir = work[i, r]
                    wjr = work[j, r]
                    work[i, r] = c * wir - s * wjr
                    work[j, r] = s * wir + c * wjr
                for r in range(m):
                    vri = vec[r, i]
                    vrj = vec[r, j]
                    vec[r, i] = c * vri - s * vrj
                    vec[r, j] = s * vri + c * vrj
    kept = 0
    for i in range(m):
        for j in range(m):
            out[i, j] = 0.0
    for e in range(m):
        lam = work[e, e]
        if lam > tol:
            kept += 1
            for i in range(m):
                for j in range(m):
                    out[i, j] += vec[i, e] * vec[j, e] / lam
    return kept
