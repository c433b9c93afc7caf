"""The restricted wild cluster bootstrap (WCR) of one OLS coefficient, for one sample.

Null H0: beta_k = b, imposed (Cameron, Gelbach and Miller 2008; Roodman,
MacKinnon, Nielsen and Webb 2019, "boottest"): the restricted fit regresses
y - x_k b on the other columns, with residuals u(b) = u0 - b u1. Bootstrap draw
r gives every cluster j one weight v_rj (Rademacher +-1 or Webb's six
points) and the sample y*_r = X_(-k) beta_(-k)(b) + x_k b + v_r u(b); its
coefficient minus b and its cluster scores are, with w = X M e_k,

    num_r(b)      = sum_j v_rj w_j'u_j(b)
    score_rj(b)   = v_rj w_j'u_j(b) - (X_j'w_j)' M sum_l v_rl X_l'u_l(b),

both affine in b, so V*_r(b) = sum_j score_rj(b)^2 is a quadratic in b. The
statistic is studentised by the CR1 variance (its factor G/(G-1) cancels):
t(b) = (beta_k - b) / se, t*_r(b) = num_r(b) / sqrt(V*_r(b)). The p-value is the
share of the B draws with |t*_r| >= |t| (symmetric test); the interval is the
set of b with p(b) >= 1 - level, found by bisection on each side of beta_k
(test inversion, not percentile-t). Draws come from a xoshiro256** stream
seeded from ``seed``, in the order of the in-loop kernel, so the same seed
gives the same answer as ``wild_slope`` on the same sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._rng import as_seed_sequence, seed_entropy, xoshiro_state
from .._kernels.resample import draw_wild_weights, wild_count, wild_interval


@dataclass(frozen=True)
class WildBootstrapResult:
    """A wild cluster bootstrap test and interval for one coefficient.

    Attributes
    ----------
    term : str
    estimate : float
        The OLS coefficient.
    null : float
        The value b tested (H0: coefficient = b).
    statistic : float
        (estimate - null) / se_CR1.
    pvalue : float
        Share of the B draws with |t*| >= |t| (null imposed).
    ci : tuple of float
        The ``level`` interval by test inversion ((-inf, inf) where no value is rejected).
    level : float
    B : int
    weights : {"rademacher", "webb"}
    seed : dict
        Entropy and spawn key of the seed sequence (pass ``seed`` again to repeat).
    """

    term: str
    estimate: float
    null: float
    statistic: float
    pvalue: float
    ci: tuple
    level: float
    B: int
    weights: str
    seed: dict


def draw_summaries(X, y, codes, n_groups, index, B, webb, state):
    """Per-draw summaries (n0, n1, A, Bq, C, tie) of the restricted wild bootstrap.

    Returns (beta_k, se0, stats) with se0 the CR0 standard error of
    coefficient ``index``; advances ``state`` by the draws.
    """
    M = np.linalg.inv(X.T @ X)
    beta = M @ (X.T @ y)
    e = y - X @ beta
    w = X @ M[:, index]
    others = np.delete(X, index, axis=1)
    xk = X[:, index]
    if others.shape[1]:
        u0 = y - others @ np.linalg.lstsq(others, y, rcond=None)[0]
        u1 = xk - others @ np.linalg.lstsq(others, xk, rcond=None)[0]
    else:
        u0, u1 = y.copy(), xk.copy()

    def by_cluster(values):
        return np.stack([np.bincount(codes, weights=values[:, c], minlength=n_groups)
                         for c in range(values.shape[1])], axis=1)

    s0 = np.bincount(codes, weights=w * u0, minlength=n_groups)
    s1 = np.bincount(codes, weights=w * u1, minlength=n_groups)
    q = by_cluster(X * w[:, None])                     # X_j'w_j, (G, p)
    r0 = by_cluster(X * u0[:, None])                   # X_j'u0_j
    r1 = by_cluster(X * u1[:, None])
    score = np.bincount(codes, weights=w * e, minlength=n_groups)
    se0 = float(np.sqrt(np.sum(score * score)))
    V = np.empty((B, n_groups))
    draw_wild_weights(state, B, n_groups, webb, V)
    alpha = V * s0 - (V @ r0) @ M @ q.T
    gamma = V * s1 - (V @ r1) @ M @ q.T
    stats = np.column_stack([V @ s0, V @ s1, (alpha * alpha).sum(axis=1),
                             (alpha * gamma).sum(axis=1), (gamma * gamma).sum(axis=1),
                             (V == V[:, :1]).all(axis=1)])
    return float(beta[index]), se0, np.ascontiguousarray(stats)


def wild_cluster_bootstrap(X, y, codes, n_groups, index, term, *, B, weights, seed, null,
                           level) -> WildBootstrapResult:
    """Test H0: coefficient ``index`` = ``null`` and invert the test (inputs validated)."""
    root = as_seed_sequence(seed)
    state = xoshiro_state(root)
    beta, se0, stats = draw_summaries(X, y, codes, n_groups, index, B, weights == "webb",
                                      state)
    count = wild_count(float(null), beta, se0, stats, B) if se0 > 0 else B
    bounds = np.empty(2)
    wild_interval(beta, se0, stats, B, float(level), bounds)
    se1 = se0 * np.sqrt(n_groups / (n_groups - 1.0))
    return WildBootstrapResult(term=term, estimate=beta, null=float(null),
                               statistic=(beta - null) / se1 if se1 > 0 else np.nan,
                               pvalue=count / B, ci=(float(bounds[0]), float(bounds[1])),
                               level=float(level), B=int(B), weights=weights,
                               seed=seed_entropy(root))


__all__ = ["WildBootstrapResult", "wild_cluster_bootstrap"]
