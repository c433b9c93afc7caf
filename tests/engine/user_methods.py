"""User methods written outside the package, as a user would: plain numba functions of the form.

``kernel(y, start, size, k, n_units, n_groups, out)`` (mean) and
``kernel(y, x, start, size, k, n_units, n_groups, out)`` (difference); a random
stream before ``out`` for bootstrap-type methods.
"""

import numba
import numpy as np

from simsample._kernels.rng import uniform_int


@numba.njit(cache=True)
def group_means_srs_of_groups(y, start, size, k, n_units, n_groups, out):
    """Mean of the k sampled group means; variance (1 - k/G) s_b^2 / k, k - 1 df.

    Unbiased for the population mean and its variance when the groups are an
    SRS of k of G groups of equal size taken whole (or units drawn by SRS:
    groups of one unit), so its t interval should cover at about the nominal rate.
    """
    total = 0.0
    for a in range(k):
        s = 0.0
        for i in range(start[a], start[a + 1]):
            s += y[i]
        total += s / (start[a + 1] - start[a])
    mean = total / k
    ss = 0.0
    for a in range(k):
        s = 0.0
        for i in range(start[a], start[a + 1]):
            s += y[i]
        d = s / (start[a + 1] - start[a]) - mean
        ss += d * d
    out[0] = mean
    out[1] = np.sqrt((1.0 - k / n_groups) * ss / (k - 1) / k)
    out[2] = k - 1.0


@numba.njit(cache=True)
def half_variance(y, start, size, k, n_units, n_groups, out):
    """The sample mean with half the textbook variance: an interval that must under-cover."""
    n = start[k]
    mean = y[:n].mean()
    ss = ((y[:n] - mean) ** 2).sum()
    out[0] = mean
    out[1] = np.sqrt(0.5 * ss / (n - 1) / n)
    out[2] = n - 1.0


@numba.njit(cache=True)
def bootstrap_groups(y, start, size, k, n_units, n_groups, state, out):
    """Resampled group means (100 bootstrap draws of the k groups): the percentile interval."""
    means = np.empty(k)
    for a in range(k):
        means[a] = y[start[a]:start[a + 1]].mean()
    draws = np.empty(100)
    for b in range(100):
        s = 0.0
        for _ in range(k):
            s += means[uniform_int(state, k)]
        draws[b] = s / k
    draws.sort()
    out[0] = means.mean()
    out[1] = draws.std()
    out[3] = draws[2]
    out[4] = draws[97]


@numba.njit(cache=True)
def ols_slope(y, x, start, size, k, n_units, n_groups, out):
    """Slope of y on x ignoring groups, classical SE, n - 2 df (the built-in ``naive``)."""
    n = y.size
    mx = x.mean()
    my = y.mean()
    sxx = ((x - mx) ** 2).sum()
    slope = ((x - mx) * (y - my)).sum() / sxx
    resid = y - my - slope * (x - mx)
    out[0] = slope
    out[1] = np.sqrt((resid ** 2).sum() / (n - 2) / sxx)
    out[2] = n - 2.0
