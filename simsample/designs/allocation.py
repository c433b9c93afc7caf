"""Allocation of a total sample size to strata: bounded, proportional to given shares.

:func:`allocate` solves the continuous problem n_h* = clip(lambda a_h, L_h, U_h)
with sum n_h* = n exactly (for a_h = N_h S_h this minimises the variance of
the stratified mean under the bounds: Neyman allocation with
over-allocation handled, Cochran 1977, 5.9) and rounds it to integers by
largest remainders, deterministically.
"""

from __future__ import annotations

import numpy as np


def allocate(total: int, shares, lower, upper) -> np.ndarray:
    """Integers n_h in [lower_h, upper_h] summing to ``total``, near proportional to ``shares``.

    The continuous allocation clip(lambda shares_h, lower_h, upper_h) is
    rounded down and the units left over go, one each, to the strata with the
    largest remainders (ties to the first stratum). Assumes integer bounds
    with sum(lower) <= total <= sum(upper) and shares >= 0.
    """
    shares = np.asarray(shares, dtype=np.float64)
    if shares.max() > 0:
        # rescale; shares below 1e-12 of the largest count as zero (they could only
        # grow past their lower bound once every other stratum is full)
        shares = shares / shares.max()
        shares[shares < 1e-12] = 0.0
    lower = np.asarray(lower, dtype=np.float64)
    upper = np.asarray(upper, dtype=np.float64)
    return _round_allocation(total, _bounded_allocation(total, shares, lower, upper),
                             lower, upper)


def _bounded_allocation(total, shares, lower, upper) -> np.ndarray:
    """x_h = clip(lambda shares_h, lower_h, upper_h) with sum x_h = total (continuous).

    Assumes sum(lower) <= total <= sum(upper). The sum is continuous and
    non-decreasing in lambda and linear between the knots lower/shares and
    upper/shares, so lambda is found exactly on its segment. Strata with a
    zero share stay at their lower bound unless the others are all full;
    then they share the rest in proportion to their upper bounds.
    """
    positive = shares > 0
    cap = upper[positive].sum() + lower[~positive].sum()
    if total >= cap:
        x = np.where(positive, upper, lower)
        if total > cap:
            x[~positive] = _bounded_allocation(total - upper[positive].sum(), upper[~positive],
                                               lower[~positive], upper[~positive])
        return x

    def filled(lam):
        return np.clip(lam * shares, lower, upper).sum()

    knots = np.unique(np.concatenate([lower[positive] / shares[positive],
                                      upper[positive] / shares[positive]]))
    lo, hi = -1, knots.size - 1  # filled(knots[hi]) = cap > total
    while hi - lo > 1:  # the last knot with filled(knot) <= total
        mid = (lo + hi) // 2
        if filled(knots[mid]) <= total:
            lo = mid
        else:
            hi = mid
    start = 0.0 if lo < 0 else knots[lo]
    middle = (start + knots[hi]) / 2.0
    free = positive & (middle * shares > lower) & (middle * shares < upper)
    fixed = np.clip(middle * shares, lower, upper)[~free].sum()
    lam = (total - fixed) / shares[free].sum()
    return np.clip(lam * shares, lower, upper)


def _round_allocation(total, x, lower, upper) -> np.ndarray:
    """Integers in [lower, upper] summing to ``total``: round down, then largest remainders."""
    n_h = np.clip(np.floor(x + 1e-9), lower, upper).astype(np.int64)
    left = int(total - n_h.sum())
    rest = x - n_h
    index = np.arange(x.size)
    if left > 0:
        order = np.lexsort((index, -rest))  # largest remainder first, ties to the first stratum
        order = order[n_h[order] < upper[order]]
        n_h[order[:left]] += 1
    elif left < 0:  # only from rounding noise
        order = np.lexsort((index, rest))
        order = order[n_h[order] > lower[order]]
        n_h[order[:-left]] -= 1
    return n_h
