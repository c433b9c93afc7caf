"""A strong vectorised NumPy baseline for the replication loop.

It computes, for batches of replications at once, exactly what the engine
computes per replication for one SRS and one two-stage sample (equal group
sizes): the mean, the naive and the design-based (fpc) standard errors, both
t intervals, their coverage and width, and accumulates the same sums.

Sampling without replacement is vectorised by drawing with replacement and
redrawing duplicates until none is left. The procedure commutes with any
relabelling of the frame, so every subset of the requested size is equally
likely (an exact SRS), and for the sample sizes here few rows need a redraw.
This is far faster than ``Generator.choice(..., replace=False)`` per sample
or random-key sorting of the whole frame per sample.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def srs_batch(rng: np.random.Generator, n_frame: int, n: int, batch: int) -> np.ndarray:
    """``batch`` rows of ``n`` distinct integers of [0, n_frame), each row an SRS."""
    draws = rng.integers(0, n_frame, size=(batch, n))
    rows = np.arange(batch)
    while rows.size:
        sub = draws[rows]
        order = np.argsort(sub, axis=1, kind="stable")
        sorted_sub = np.take_along_axis(sub, order, axis=1)
        dup_sorted = np.zeros_like(sorted_sub, dtype=bool)
        dup_sorted[:, 1:] = sorted_sub[:, 1:] == sorted_sub[:, :-1]
        if not dup_sorted.any():
            break
        dup = np.zeros_like(dup_sorted)
        np.put_along_axis(dup, order, dup_sorted, axis=1)
        r, c = np.nonzero(dup)
        sub[r, c] = rng.integers(0, n_frame, size=r.size)
        draws[rows] = sub
        rows = rows[dup.any(axis=1)]
    return draws


def _accumulate(acc, est, se, df_quantile, truth):
    half = df_quantile * se
    d = est - truth
    acc["n"] += est.size
    acc["sum_d"] += d.sum()
    acc["sum_d2"] += (d * d).sum()
    acc["cover"] += np.count_nonzero(np.abs(d) <= half)
    acc["sum_width"] += 2.0 * half.sum()


def simulate_numpy(y: np.ndarray, group_size: int, n_srs: int, k: int, m: int, reps: int,
                   seed: int = 0, batch: int = 4096, level: float = 0.95) -> dict:
    """Run ``reps`` replications (one SRS of ``n_srs`` and one two-stage ``k`` x ``m``).

    ``y`` holds equal groups of ``group_size`` units stored contiguously.
    Returns the accumulated sums per (design, method).
    """
    rng = np.random.default_rng(seed)
    N = y.size
    G = N // group_size
    M = group_size
    truth = y.mean()
    q = 0.5 + level / 2.0
    t_srs = stats.t.ppf(q, n_srs - 1)
    t_cluster = stats.t.ppf(q, k - 1)
    t_pooled = stats.t.ppf(q, k * m - 1)
    keys = [("SRS", "naive_t"), ("SRS", "cluster_t"), ("two-stage", "naive_t"),
            ("two-stage", "cluster_t")]
    acc = {key: dict(n=0, sum_d=0.0, sum_d2=0.0, cover=0, sum_width=0.0) for key in keys}
    f1, f2 = k / G, m / M
    done = 0
    while done < reps:
        b = min(batch, reps - done)
        # SRS
        ys = y[srs_batch(rng, N, n_srs, b)]
        mean = ys.mean(axis=1)
        s2 = ys.var(axis=1, ddof=1)
        _accumulate(acc[keys[0]], mean, np.sqrt(s2 / n_srs), t_srs, truth)
        _accumulate(acc[keys[1]], mean, np.sqrt((1.0 - n_srs / N) * s2 / n_srs), t_srs, truth)
        # two-stage: k groups, then m units in each
        groups = srs_batch(rng, G, k, b)
        units = srs_batch(rng, M, m, b * k).reshape(b, k, m)
        yt = y[groups[:, :, None] * M + units]
        group_means = yt.mean(axis=2)
        s2_within = yt.var(axis=2, ddof=1).mean(axis=1)
        s2_between = group_means.var(axis=1, ddof=1)
        mean = group_means.mean(axis=1)
        v = (1.0 - f1) * s2_between / k + f1 * (1.0 - f2) * s2_within / (k * m)
        pooled = yt.reshape(b, k * m).var(axis=1, ddof=1)
        _accumulate(acc[keys[2]], mean, np.sqrt(pooled / (k * m)), t_pooled, truth)
        _accumulate(acc[keys[3]], mean, np.sqrt(v), t_cluster, truth)
        done += b
    return acc
