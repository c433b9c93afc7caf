"""Differences between two methods (or two designs) of one simulation, with their MCSE.

Two methods of a design are computed on the same samples, so their Monte
Carlo errors are correlated and the MCSE of their difference is far smaller
than the two MCSEs combined. The engine accumulates, for every pair of
methods, sums over the replications in which both succeeded
(``simsample._kernels.accumulate``, ``PAIR_*``); with R_a, R_b the
successful replications of each and n_ab those of both,

    Var(mean_a - mean_b) = V_a / R_a + V_b / R_b - 2 n_ab C_ab / (R_a R_b),

V the per-replication variance of the metric's quantity and C_ab the
covariance of the two over the common replications (computed about each
method's own mean: exact when the two fail in the same replications, as they
usually do). Quantities per replication: the deviation d = estimate - truth
(``bias``), the coverage indicator (``coverage``), the interval's width
(``mean_width``) and d^2 (``rmse`` by the delta method: Var(sqrt(M)) =
Var(d^2) / (4 M)). Moments use divisor R (not R - 1), as the coverage MCSE
sqrt(p (1 - p) / R) does.

Two designs are sampled independently (their own streams), so their
difference has the unpaired MCSE sqrt(MCSE_a^2 + MCSE_b^2), and the ratio of
their variances (:class:`RatioEstimate`, from
:meth:`~simsample.SimulationResult.variance_ratio`) a delta-method interval on
the log scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._kernels import accumulate as A
from ._validation import InvalidParameterError, check_choice

#: Metrics of :func:`compare`.
METRICS = ("coverage", "bias", "rmse", "mean_width")


@dataclass(frozen=True)
class Comparison:
    """The difference a - b of one metric, with its paired (or unpaired) MCSE.

    What ``SimulationResult.compare`` returns.

    Parameters
    ----------
    metric : {"coverage", "bias", "rmse", "mean_width"}
        The metric compared.
    a, b : str
        The two methods (or designs) compared.
    design : str
        The design (or "a vs b" for two designs).
    value_a, value_b : float
        The metric of each.
    difference : float
        value_a - value_b.
    mcse : float
        Its Monte Carlo standard error (paired where the replications are shared).
    unpaired_mcse : float
        The MCSE as if the two were independent.
    paired : bool
        Whether ``mcse`` uses the pairing.

    Examples
    --------
    >>> from simsample.comparison import Comparison
    >>> c = Comparison("coverage", "naive_t", "cluster_t", "two-stage", 0.85, 0.94, -0.09,
    ...                0.008, 0.012, True)
    >>> print(c)
    coverage: naive_t - cluster_t = -0.09 (MCSE 0.008, paired; unpaired 0.012)
    """

    metric: str
    a: str
    b: str
    design: str
    value_a: float
    value_b: float
    difference: float
    mcse: float
    unpaired_mcse: float
    paired: bool

    def to_dict(self) -> dict:
        """The fields as a dict.

        Returns
        -------
        dict
            Field name -> value.

        Examples
        --------
        >>> from simsample.comparison import Comparison
        >>> c = Comparison("bias", "a", "b", "d", 0.1, 0.0, 0.1, 0.02, 0.03, True)
        >>> c.to_dict()["difference"], len(c.to_dict())
        (0.1, 10)
        """
        return dict(self.__dict__)

    def __str__(self):
        kind = "paired" if self.paired else "independent"
        return (f"{self.metric}: {self.a} - {self.b} = {self.difference:.4g} "
                f"(MCSE {self.mcse:.2g}, {kind}; unpaired {self.unpaired_mcse:.2g})")


def _row_stats(acc_row: np.ndarray, metric: str):
    """(mean, per-replication variance, R) of the metric's quantity for one method."""
    r = acc_row[A.N_OK]
    if r < 1:
        return math.nan, math.nan, 0.0
    if metric == "bias":
        mean = acc_row[A.SUM_D] / r
        return mean, acc_row[A.SUM_D2] / r - mean * mean, r
    if metric == "coverage":
        p = acc_row[A.COVER] / r
        return p, p * (1.0 - p), r
    if metric == "mean_width":
        w = acc_row[A.SUM_WIDTH] / r
        return w, acc_row[A.SUM_WIDTH2] / r - w * w, r
    m = acc_row[A.SUM_D2] / r   # rmse: the mean of d^2, transformed below
    return m, acc_row[A.SUM_D4] / r - m * m, r


def _pair(totals: np.ndarray, a: int, b: int, metric: str):
    """(n_ab, mean over common replications of the product of the two quantities)."""
    low, high = min(a, b), max(a, b)
    base = A.N_STATS + A.N_PAIR * high
    n = totals[low, base + A.PAIR_N]
    column = {"bias": A.PAIR_D, "coverage": A.PAIR_COVER, "mean_width": A.PAIR_WIDTH,
              "rmse": A.PAIR_D2}[metric]
    return n, (totals[low, base + column] / n if n else math.nan)


def paired(totals: np.ndarray, a: int, b: int, metric: str, names, design: str) -> Comparison:
    """Method a against method b of one design (rows ``a`` and ``b`` of ``totals``)."""
    mean_a, var_a, r_a = _row_stats(totals[a], metric)
    mean_b, var_b, r_b = _row_stats(totals[b], metric)
    n_ab, product = _pair(totals, a, b, metric)
    cov = product - mean_a * mean_b
    if metric == "rmse":  # delta method: d sqrt(M) = dM / (2 sqrt(M))
        ga, gb = 0.5 / math.sqrt(mean_a), 0.5 / math.sqrt(mean_b)
        var_a, var_b, cov = var_a * ga * ga, var_b * gb * gb, cov * ga * gb
        mean_a, mean_b = math.sqrt(mean_a), math.sqrt(mean_b)
    unpaired = var_a / r_a + var_b / r_b
    variance = unpaired - 2.0 * n_ab * cov / (r_a * r_b)
    return Comparison(metric, names[0], names[1], design, mean_a, mean_b, mean_a - mean_b,
                      math.sqrt(max(variance, 0.0)), math.sqrt(unpaired), True)


def independent(row_a: np.ndarray, row_b: np.ndarray, metric: str, names,
                design: str) -> Comparison:
    """One method under two independently sampled designs."""
    mean_a, var_a, r_a = _row_stats(row_a, metric)
    mean_b, var_b, r_b = _row_stats(row_b, metric)
    if metric == "rmse":
        var_a, var_b = var_a / (4.0 * mean_a), var_b / (4.0 * mean_b)
        mean_a, mean_b = math.sqrt(mean_a), math.sqrt(mean_b)
    mcse = math.sqrt(var_a / r_a + var_b / r_b)
    return Comparison(metric, names[0], names[1], design, mean_a, mean_b, mean_a - mean_b,
                      mcse, mcse, False)


def compare(result, a: str, b: str, *, metric: str = "coverage", design: str | None = None,
            method: str | None = None):
    """See :meth:`simsample.results.SimulationResult.compare`."""
    import pandas as pd

    check_choice(metric, "metric", METRICS, owner="compare")
    designs = list(result.designs)
    if a in designs and b in designs:
        method = method or "cluster_t"
        rows = [result._row(a, method), result._row(b, method)]
        return independent(rows[0], rows[1], metric, (a, b), f"{a} vs {b} ({method})")
    if design is not None and design not in designs:
        raise InvalidParameterError(
            f"'design' of compare must be one of {designs}; got {design!r}.")
    chosen = [design] if design is not None else designs
    out = []
    for name in chosen:
        methods = result.methods(name)
        for m in (a, b):
            if m not in methods:
                raise InvalidParameterError(
                    f"compare: design {name!r} has no method {m!r}; its methods are "
                    f"{list(methods)} (or compare two designs: {designs}).")
        out.append(paired(result._totals[name], methods.index(a), methods.index(b), metric,
                          (a, b), name))
    if design is not None:
        return out[0]
    return pd.DataFrame([c.to_dict() for c in out])


@dataclass(frozen=True)
class RatioEstimate:
    """A Monte Carlo ratio of variances with its interval, and the theoretical ratio.

    Returned by :meth:`SimulationResult.variance_ratio`.

    Parameters
    ----------
    estimate : float
        Monte Carlo Var(design) / Var(reference).
    lower, upper : float
        The ``level`` interval of the ratio (from the MCSEs of both variances).
    level : float
        Confidence level of the interval.
    theory : float
        The exact ratio of the two designs' variances.

    Examples
    --------
    >>> from simsample import RatioEstimate
    >>> ratio = RatioEstimate(1.9, 1.7, 2.1, 0.95, 2.0)
    >>> print(ratio)
    1.9 (Monte Carlo 95% CI 1.7 to 2.1; theory 2)
    """

    estimate: float
    lower: float
    upper: float
    level: float
    theory: float

    def covers_theory(self) -> bool:
        """Whether the interval holds the theoretical ratio.

        Returns
        -------
        bool
            Whether ``lower <= theory <= upper``.

        Examples
        --------
        >>> from simsample import RatioEstimate
        >>> RatioEstimate(1.9, 1.7, 2.1, 0.95, 2.0).covers_theory()
        True
        """
        return bool(self.lower <= self.theory <= self.upper)

    def __str__(self):
        pct = f"{100 * self.level:g}%"
        return (f"{self.estimate:.4g} (Monte Carlo {pct} CI {self.lower:.4g} to {self.upper:.4g}; "
                f"theory {self.theory:.4g})")
