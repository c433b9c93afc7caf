"""What ``PPS(method=...)`` needs of a population: size measure, pi, pi_kl, drawing tables.

The algorithms are in :mod:`.unequal_probability`; this module picks them per
method, checks feasibility, and caches the results per (method, k, sizes), so
that a design's kernels, theory and frame see the same tables. The exact
theory variance of the Horvitz-Thompson mean is

    Var(ybar_HT) = (1/N^2) [sum_kl (pi_kl - pi_k pi_l) t_k t_l / (pi_k pi_l)
                            + sum_k M_k^2 (1 - m/M_k) S_k^2 / (m pi_k)],

t_k the group totals, the second term the SRS of m units within the groups
(Sarndal, Swensson and Wretman 1992, result 4.3.1).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .._validation import InfeasibleDesignError, InvalidParameterError
from . import unequal_probability as up

METHODS = ("systematic", "brewer", "sampford", "conditional_poisson", "tille", "midzuno")
#: Methods whose pi_kl are exact on every frame (systematic: G <= 8 or equal pi;
#: Brewer: frames small enough for its subset sum).
ALWAYS_EXACT = ("sampford", "conditional_poisson", "tille", "midzuno")


def size_measure(size, population) -> np.ndarray:
    """The size measure x_j of every group: M_j (None), the group totals of ``"x"``, the
    macro covariate ``"X"``, or an array over groups (order of ``population.labels``)."""
    G = population.n_groups
    if size is None:
        x = population.group_sizes.astype(np.float64)
    elif isinstance(size, str):
        if size == "x" and population.stored_x is not None:
            x = np.add.reduceat(population.stored_x, population.offsets[:-1])
        elif size == "X" and population.X is not None:
            x = np.asarray(population.X, dtype=np.float64)
        else:
            raise InvalidParameterError(
                f"'size' of PPS names a column the population lacks: {size!r} (use 'x' for "
                "the group totals of the micro covariate, 'X' for the macro covariate).")
    else:
        x = np.asarray(size, dtype=np.float64)
        if x.shape != (G,):
            raise InvalidParameterError(
                f"'size' of PPS given as values must hold one per group ({G}); got shape "
                f"{x.shape}.")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise InvalidParameterError("'size' of PPS must be finite and positive for every group.")
    return x


def check_feasible(method: str, k: int, x: np.ndarray) -> np.ndarray:
    """pi = k x / sum x; refuse pi > 1 (and the method's own limits)."""
    pi = k * x / x.sum()
    if pi.max() > 1.0 + 1e-12:
        raise InfeasibleDesignError(
            f"'groups' of PPS must keep every inclusion probability k x_j / sum x at most 1; "
            f"k={k} gives {pi.max():.4g} for the largest group.")
    if method == "sampford" and pi.max() >= 1.0 - 1e-12:
        raise InfeasibleDesignError("PPS(method='sampford') needs every pi_j < 1.")
    if method == "midzuno" and k < pi.size and np.min(up.midzuno_first(pi)) < -1e-12:
        raise InfeasibleDesignError(
            f"PPS(method='midzuno') needs every pi_j >= (k - 1)/(G - 1) = "
            f"{(k - 1) / (pi.size - 1):.4g}; the smallest is {pi.min():.4g}.")
    return np.minimum(pi, 1.0)


@lru_cache(maxsize=32)
def _tables(method: str, k: int, key: bytes):
    x = np.frombuffer(key, dtype=np.float64)
    pi = np.minimum(k * x / x.sum(), 1.0)
    G = x.size
    joint, exact = _joint(method, k, x, pi)
    if method == "sampford":
        lam = pi / (1.0 - pi)
        table = np.vstack([np.cumsum(pi / k), np.cumsum(lam / lam.sum())])
    elif method == "conditional_poisson":
        table = up.conditional_poisson_table(up.conditional_poisson_working(pi), k)
    elif method == "tille":
        table = up.tille_steps(x, k) if k < G else np.zeros((0, G))
    elif method == "midzuno":
        table = np.cumsum(up.midzuno_first(pi) if k < G else pi / k)[None, :]
    else:
        table = np.zeros((1, 1))
    return pi, table, joint, exact


def _joint(method, k, x, pi):
    """(pi_kl, exact): exact where the algorithm allows, else Hartley-Rao's approximation."""
    G = pi.size
    if k == G:
        return np.ones((G, G)), True
    if method == "systematic":
        if np.allclose(pi, pi[0]):
            joint = np.full((G, G), k * (k - 1.0) / (G * (G - 1.0)))
            np.fill_diagonal(joint, pi)
            return joint, True
        if G <= up.MAX_EXACT_SYSTEMATIC:
            return up.randomised_systematic_joint(pi), True
        return up.hartley_rao_joint(pi), False
    if method == "brewer":
        try:
            return up.brewer_joint(pi), True
        except ValueError:
            return up.hartley_rao_joint(pi), False
    if method == "sampford":
        return up.sampford_joint(pi), True
    if method == "conditional_poisson":
        return up.conditional_poisson_joint(pi), True
    if method == "tille":
        return up.tille_joint(x, k), True
    return up.midzuno_joint(pi), True


def tables(method: str, k: int, x: np.ndarray):
    """(pi, drawing table, pi_kl, whether pi_kl are exact), cached: callers must not write."""
    return _tables(method, k, np.ascontiguousarray(x, dtype=np.float64).tobytes())


def theory_variance(population, pi, joint, m: int) -> float:
    """Var of the HT mean from pi_kl, with the within-group SRS term (``m`` 0: whole groups)."""
    sizes = population.group_sizes.astype(np.float64)
    first = up.ht_variance(joint, population.group_means * sizes)
    second = 0.0
    if m:
        second = float(np.sum(sizes * sizes * (1.0 - m / sizes) * population.group_variances
                              / (m * pi)))
    return (first + second) / population.n_units ** 2
