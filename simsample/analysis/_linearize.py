"""Linearisation: influence values of means, totals and ratios, and their design variance.

Every estimator of the analysis room is a smooth function of weighted totals.
Its linearisation (Taylor) variance is the design variance of the total of
its influence values z_i (one per row, zero outside the rows used), estimated
stage by stage as R's ``svyrecvar`` does (see :mod:`simsample.survey`):

* total   sum w a                   z_i = w_i a_i
* mean    sum w a / sum w           z_i = w_i (a_i - mean) / sum w
* ratio   sum w a / sum w b         z_i = w_i (a_i - ratio b_i) / sum w b

``w`` is zero outside the rows used (a domain, a subset, rows with a missing
value), which keeps the whole design: PSUs without a used row still count,
with a total of zero (R's ``subset.survey.design`` and ``svyby``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._stages import CERTAINTY, Stage


def covariance_of_totals(stages: list[Stage], z: np.ndarray) -> np.ndarray:
    """Estimated covariance matrix of the column totals of ``z`` (rows x p) over the design.

    The recursive estimator of R's ``svyrecvar``: stage s contributes only when
    ``fpc`` is given for stages 1..s, a stratum with one sampled unit or sampled
    completely contributes nothing at its stage.
    """
    z = np.asarray(z, dtype=np.float64)
    z = z.reshape(z.shape[0], -1)
    p = z.shape[1]
    cov = np.zeros((p, p))
    multiplier = np.ones(stages[0].n_strata)  # product of earlier sampling fractions
    for s, stage in enumerate(stages):
        if s > 0 and stage.pop_size is None:
            break  # no fpc at this stage: ultimate-cluster estimator
        h = stage.unit_stratum
        n_h = stage.n_sampled
        dev = np.empty((stage.n_units, p))
        for c in range(p):
            totals = np.bincount(stage.unit, weights=z[:, c], minlength=stage.n_units)
            dev[:, c] = totals - (np.bincount(h, weights=totals,
                                              minlength=stage.n_strata) / n_h)[h]
        f = stage.finite_correction()
        scale = np.where((n_h > 1) & (f >= CERTAINTY), f * n_h / np.maximum(n_h - 1.0, 1.0),
                         0.0)
        cov += (dev * (multiplier * scale)[h][:, None]).T @ dev
        if stage.pop_size is None:
            break  # with replacement at the first stage: nothing below counts
        multiplier = (multiplier * n_h / stage.pop_size)[h]
    return cov


def degrees_of_freedom(stages: list[Stage], used: np.ndarray) -> int:
    """PSUs with at least one used row minus their strata (R's ``degf`` of a subset)."""
    first = stages[0]
    psus = np.unique(first.unit[used])
    return int(psus.size - np.unique(first.unit_stratum[psus]).size)


@dataclass(frozen=True)
class Linear:
    """One estimator in linearised form: its estimate, influence values and design effects."""

    estimate: float
    z: np.ndarray
    deff_y: np.ndarray   # the values whose weighted variance is the SRS reference
    deff_scale: float    # 1 for a mean, (sum w)^2 for a total or ratio


def linearize(statistic: str, w: np.ndarray, a: np.ndarray, b: np.ndarray | None = None
              ) -> Linear:
    """The estimate and influence values of a total, mean or ratio (``w`` zero outside).

    ``a`` (and the denominator ``b`` of a ratio) are zero-filled where unused.
    """
    w_sum = float(w.sum())
    if statistic == "total":
        z = w * a
        return Linear(float(z.sum()), z, a, w_sum * w_sum)
    if statistic == "mean":
        estimate = float(np.sum(w * a)) / w_sum
        return Linear(estimate, w * (a - estimate) / w_sum, a, 1.0)
    # ratio; R's svyratio takes the design effect of the total of r = (a - R b) / sum w b
    b_total = float(np.sum(w * b))
    estimate = float(np.sum(w * a)) / b_total
    r = (a - estimate * b) / b_total
    return Linear(estimate, w * r, r, w_sum * w_sum)


def design_effects(variance: float, y: np.ndarray, w: np.ndarray, used: np.ndarray,
                   scale: float) -> tuple[float, float]:
    """(deff, deff_replace): ``variance`` over that of SRS without / with replacement.

    The SRS variance is estimated as R's survey does: (1 - n / sum w) s_w^2 / n
    times ``scale``, s_w^2 the weighted variance of ``y`` over the n used rows
    (divisor n - 1). NaN when n < 2, s_w^2 = 0, or (for deff) sum w <= n.
    """
    n = int(used.sum())
    w_sum = float(w.sum())
    deff = deff_replace = math.nan
    if n > 1:
        ybar = float(np.sum(w * y)) / w_sum
        s2 = float(np.sum(w * (y - ybar) ** 2)) / w_sum * n / (n - 1.0)
        srs_replace = scale * s2 / n
        if srs_replace > 0:
            deff_replace = variance / srs_replace
            if w_sum > n:
                deff = variance / (srs_replace * (w_sum - n) / w_sum)
    return deff, deff_replace
