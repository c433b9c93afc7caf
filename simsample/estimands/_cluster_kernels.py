"""In-loop methods for few clusters: CR2/CR3 with Bell-McCaffrey df, jackknife, bootstrap.

Each kernel takes the shared sample form (``y`` grouped by sampled group,
``start``, ``size``, ``k``, ``n_units``, ``n_groups``; the paired form adds
``x``) and writes ``out[0]`` estimate, ``out[1]`` SE, ``out[2]`` df (NaN or
df < 1 marks a failed replication). Clusters are the sampled groups.

Mean form
    ``jk1_ratio_mean``  ratio mean sum M_j ybar_j / sum M_j; delete-one-group
                        jackknife (R survey's JK1) v = (1 - k/G) (k-1)/k sum_j
                        (theta_(j) - mean theta)^2, k - 1 df.
    ``cr2_mean``        intercept-only OLS (the unweighted mean of the sampled
                        units) with the CR2 SE and the Bell-McCaffrey df of
                        clubSandwich (working independence).
    ``bootstrap_ratio_mean``  ratio mean; SE from ``BOOT_REPLICATES`` replicates of
                        R survey's ``type="bootstrap"`` with the first-stage fpc
                        (k groups drawn without replacement from G copies cycling
                        through the k sampled groups), scale k/((k-1)(B-1)), k - 1 df.
Paired form (OLS slope of y on x with intercept)
    ``cr2_slope``       CR2 SE, Bell-McCaffrey (Satterthwaite) df.
    ``cr3_slope``       CR3 (clubSandwich's jackknife form) SE, k - 1 df.
    ``wild_slope``      restricted wild cluster bootstrap (Rademacher, ``WILD_DRAWS``
                        draws): ``out[1]`` the CR1S SE, ``out[2]`` k - 1,
                        ``out[3]``, ``out[4]`` the ``WILD_LEVEL`` interval by test
                        inversion (the kernel needs ``out`` of length >= 5).

CR2 algebra: with M = (X'X)^-1 = L L' and S_j = X_j'X_j, the push-through
identity gives X_j'(I - X_j M X_j')^(-1/2) = T_j X_j' with
T_j = L'^-1 (I - L'S_j L)^(-1/2) L', a p x p matrix; the eigenvalues of
I - L'S_jL at or below 1e-12 get power 0 (clubSandwich's ``matrix_power``).
The Bell-McCaffrey df for coefficient i is (tr P)^2 / ||P||_F^2 with
P_jl = delta_jl d_j - a_j M a_l', d_j = [M T_j S_j T_j' M]_ii and
a_j = [M T_j S_j]_i. (clubSandwich's ``get_P_array``), so one pass over the
clusters suffices: ||P||^2 = sum d_j^2 - 2 sum d_j a_j M a_j' + ||L'(sum a_j'a_j)L||^2.
"""

import numpy as np

from .._jit import kernel
from .._kernels.resample import bootstrap_counts, draw_wild_weights, wild_interval

#: Bootstrap replicates per replication of ``bootstrap_ratio_mean``.
BOOT_REPLICATES = 200
#: Wild bootstrap draws per replication of ``wild_slope`` (B + 1 = 200: exact 5% tests).
WILD_DRAWS = 199
#: Level of ``wild_slope``'s interval.
WILD_LEVEL = 0.95
#: Eigenvalues at or below this get power 0 in the CR2 adjustment (as clubSandwich).
EIGEN_TOL = 1e-12


@kernel
def eigen_power(value, cr3):  # pragma: no cover
    """value^-1 (CR3) or value^-1/2 (CR2, 0 at or below ``EIGEN_TOL``)."""
    if cr3:
        return 1.0 / value
    if value > EIGEN_TOL:
        return 1.0 / np.sqrt(value)
    return 0.0


@kernel
def sym2_power(a, b, d, cr3):  # pragma: no cover
    """[[a, b], [b, d]]^-1/2 (or ^-1 with ``cr3``) of a symmetric 2 x 2: (f00, f01, f11).

    Sylvester's formula F = f2 I + [f1, f2] (Q - l2 I) with the divided difference
    [f1, f2] = (f1 - f2)/(l1 - l2) in a form without cancellation
    (-1/(s1 s2 (s1 + s2)) for l^-1/2, -1/(l1 l2) for l^-1), so close eigenvalues
    lose no accuracy. Assumes validated inputs.
    """
    half = 0.5 * (a - d)
    disc = np.sqrt(half * half + b * b)
    l1 = 0.5 * (a + d) + disc
    l2 = 0.5 * (a + d) - disc
    if l1 > 0.0 and l2 > 0.0:
        l2 = (a * d - b * b) / l1  # the smaller root without cancellation
    f1 = eigen_power(l1, cr3)
    f2 = eigen_power(l2, cr3)
    if cr3:
        slope = -1.0 / (l1 * l2)
    elif f2 != 0.0 and f1 != 0.0:
        s1 = np.sqrt(l1)
        s2 = np.sqrt(l2)
        slope = -1.0 / (s1 * s2 * (s1 + s2))
    elif l1 > l2:
        slope = (f1 - f2) / (l1 - l2)
    else:
        slope = 0.0
    return f2 + slope * (a - l2), slope * b, f2 + slope * (d - l2)


@kernel
def _group_mean(y, lo, hi):  # pragma: no cover
    total = 0.0
    for i in range(lo, hi):
        total += y[i]
    return total / (hi - lo)


@kernel
def jk1_ratio_mean(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Ratio mean with the delete-one-group jackknife variance (JK1, first-stage fpc).

    Assumes validated inputs (k >= 2).
    """
    top = 0.0
    bottom = 0.0
    for a in range(k):
        top += size[a] * _group_mean(y, start[a], start[a + 1])
        bottom += size[a]
    centre = 0.0
    for a in range(k):
        t = size[a] * _group_mean(y, start[a], start[a + 1])
        centre += (top - t) / (bottom - size[a])
    centre /= k
    ss = 0.0
    for a in range(k):
        t = size[a] * _group_mean(y, start[a], start[a + 1])
        d = (top - t) / (bottom - size[a]) - centre
        ss += d * d
    out[0] = top / bottom
    out[1] = np.sqrt((1.0 - k / n_groups) * (k - 1.0) / k * ss)
    out[2] = k - 1


@kernel
def cr2_mean(y, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Unweighted mean of the sampled units with the CR2 SE and Bell-McCaffrey df.

    X = 1: I - H_jj has the one non-unit eigenvalue 1 - p_j, p_j = n_j/n, so
    the CR2 variance is sum_j f_j^2 (sum_i e_ij)^2 / n^2 with f_j = (1 - p_j)^-1/2,
    and (times n) d_j = p_j f_j^2, a_j M a_j' = p_j^2 f_j^2. Assumes validated inputs.
    """
    n = start[k] - start[0]
    total = 0.0
    for i in range(start[0], start[k]):
        total += y[i]
    mean = total / n
    var = 0.0
    trace = 0.0
    d2 = 0.0
    dh = 0.0
    h = 0.0
    for a in range(k):
        e = 0.0
        for i in range(start[a], start[a + 1]):
            e += y[i] - mean
        p = (start[a + 1] - start[a]) / n
        f = eigen_power(1.0 - p, False)
        var += f * f * e * e
        d = p * f * f
        hh = p * p * f * f
        trace += d - hh
        d2 += d * d
        dh += d * hh
        h += hh
    out[0] = mean
    out[1] = np.sqrt(var) / n
    out[2] = trace * trace / (d2 - 2.0 * dh + h * h)


@kernel
def bootstrap_ratio_mean(y, start, size, k, n_units, n_groups, state, out):  # pragma: no cover
    """Ratio mean with R survey's bootstrap SE (``BOOT_REPLICATES`` replicates, fpc G).

    Assumes validated inputs (k >= 2).
    """
    means = np.empty(k)
    top = 0.0
    bottom = 0.0
    for a in range(k):
        means[a] = _group_mean(y, start[a], start[a + 1])
        top += size[a] * means[a]
        bottom += size[a]
    counts = np.empty((k, BOOT_REPLICATES))
    bootstrap_counts(state, k, np.int64(n_groups), BOOT_REPLICATES, np.empty(2 * k, np.int64),
                     counts)
    thetas = np.empty(BOOT_REPLICATES)
    centre = 0.0
    for r in range(BOOT_REPLICATES):
        num = 0.0
        den = 0.0
        for a in range(k):
            num += counts[a, r] * size[a] * means[a]
            den += counts[a, r] * size[a]
        thetas[r] = num / den
        centre += thetas[r]
    centre /= BOOT_REPLICATES
    ss = 0.0
    for r in range(BOOT_REPLICATES):
        ss += (thetas[r] - centre) ** 2
    out[0] = top / bottom
    out[1] = np.sqrt(k / ((k - 1.0) * (BOOT_REPLICATES - 1.0)) * ss)
    out[2] = k - 1


@kernel
def _centred_moments(y, x, start, k):  # pragma: no cover
    """n, mean of x, mean of y, Sxx and Sxy about the means (all units)."""
    n = start[k] - start[0]
    sx = 0.0
    sy = 0.0
    for i in range(start[0], start[k]):
        sx += x[i]
        sy += y[i]
    mx = sx / n
    my = sy / n
    sxx = 0.0
    sxy = 0.0
    for i in range(start[0], start[k]):
        dx = x[i] - mx
        sxx += dx * dx
        sxy += dx * (y[i] - my)
    return n, mx, my, sxx, sxy


@kernel
def _cluster_sums(y, x, lo, hi, mx, my):  # pragma: no cover
    """sum xc, sum xc^2, sum yc, sum xc yc over units lo..hi-1 (c: centred at the means)."""
    sx = 0.0
    sxx = 0.0
    sy = 0.0
    sxy = 0.0
    for i in range(lo, hi):
        dx = x[i] - mx
        dy = y[i] - my
        sx += dx
        sxx += dx * dx
        sy += dy
        sxy += dx * dy
    return sx, sxx, sy, sxy


@kernel
def slope_adjusted(y, x, start, k, cr3, out):  # pragma: no cover
    """OLS slope with the CR2 (or CR3) SE and its Bell-McCaffrey df in ``out[0:3]``.

    Centred coordinates X = [1, x - mean(x)], M = diag(1/n, 1/Sxx), L = sqrt(M).
    Assumes validated inputs.
    """
    n, mx, my, sxx_all, sxy_all = _centred_moments(y, x, start, k)
    beta = sxy_all / sxx_all
    l0 = 1.0 / np.sqrt(n)
    l1 = 1.0 / np.sqrt(sxx_all)
    var = 0.0
    trace = 0.0
    d2 = 0.0
    dh = 0.0
    w00 = 0.0
    w01 = 0.0
    w11 = 0.0
    for a in range(k):
        nj = start[a + 1] - start[a]
        sx, sxx, sy, sxy = _cluster_sums(y, x, start[a], start[a + 1], mx, my)
        f00, f01, f11 = sym2_power(1.0 - nj * l0 * l0, -sx * l0 * l1, 1.0 - sxx * l1 * l1, cr3)
        t10 = f01 * l0 / l1  # row 1 of T = L^-1 F L (L diagonal)
        t11 = f11
        c1 = t10 * (sy - beta * sx) + t11 * (sxy - beta * sxx)
        var += c1 * c1
        r0 = t10 * nj + t11 * sx  # row 1 of T S_j
        r1 = t10 * sx + t11 * sxx
        d = (r0 * t10 + r1 * t11) / (sxx_all * sxx_all)
        a0 = r0 / sxx_all
        a1 = r1 / sxx_all
        ama = a0 * a0 * l0 * l0 + a1 * a1 * l1 * l1
        trace += d - ama
        d2 += d * d
        dh += d * ama
        w00 += a0 * a0
        w01 += a0 * a1
        w11 += a1 * a1
    frob = (d2 - 2.0 * dh + (w00 * l0 * l0) ** 2 + 2.0 * (w01 * l0 * l1) ** 2
            + (w11 * l1 * l1) ** 2)
    out[0] = beta
    out[1] = np.sqrt(var) / sxx_all
    out[2] = trace * trace / frob


@kernel
def cr2_slope(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """OLS slope of y on x, CR2 SE, Bell-McCaffrey df. Assumes validated inputs."""
    slope_adjusted(y, x, start, k, False, out)


@kernel
def cr3_slope(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """OLS slope of y on x, CR3 SE (clubSandwich's), k - 1 df. Assumes validated inputs."""
    slope_adjusted(y, x, start, k, True, out)
    out[2] = k - 1


@kernel
def wild_slope(y, x, start, size, k, n_units, n_groups, state, out):  # pragma: no cover
    """OLS slope with the restricted wild cluster bootstrap interval (Rademacher).

    See :mod:`simsample.analysis._resample_kernels` for the per-draw summaries
    and the inversion. Assumes validated inputs; ``out`` of length >= 5.
    """
    n, mx, my, sxx_all, sxy_all = _centred_moments(y, x, start, k)
    beta = sxy_all / sxx_all
    sums = np.empty((4, k))
    v0 = 0.0
    for a in range(k):
        sx, sxx, sy, sxy = _cluster_sums(y, x, start[a], start[a + 1], mx, my)
        sums[0, a] = sx
        sums[1, a] = sxx
        sums[2, a] = sy
        sums[3, a] = sxy
        score = (sxy - beta * sxx) / sxx_all
        v0 += score * score
    weights = np.empty((WILD_DRAWS, k))
    draw_wild_weights(state, WILD_DRAWS, k, False, weights)
    stats = np.empty((WILD_DRAWS, 6))
    for r in range(WILD_DRAWS):
        tie = 1.0
        r1y = 0.0
        r1x = 0.0
        r2y = 0.0
        r2x = 0.0
        for a in range(k):
            v = weights[r, a]
            if v != weights[r, 0]:
                tie = 0.0
            r1x += v * sums[0, a]
            r2x += v * sums[1, a]
            r1y += v * sums[2, a]
            r2y += v * sums[3, a]
        big_a = 0.0
        big_b = 0.0
        big_c = 0.0
        for a in range(k):
            v = weights[r, a]
            alpha = (v * sums[3, a] - sums[0, a] * r1y / n - sums[1, a] * r2y / sxx_all) / sxx_all
            gamma = (v * sums[1, a] - sums[0, a] * r1x / n - sums[1, a] * r2x / sxx_all) / sxx_all
            big_a += alpha * alpha
            big_b += alpha * gamma
            big_c += gamma * gamma
        stats[r, 0] = r2y / sxx_all
        stats[r, 1] = r2x / sxx_all
        stats[r, 2] = big_a
        stats[r, 3] = big_b
        stats[r, 4] = big_c
        stats[r, 5] = tie
    out[0] = beta
    out[1] = np.sqrt(k / (k - 1.0) * (n - 1.0) / (n - 2.0) * v0)
    out[2] = k - 1
    wild_interval(beta, np.sqrt(v0), stats, WILD_DRAWS, WILD_LEVEL, out[3:5])



#: The in-loop methods of this module, for the lead's method registry.
