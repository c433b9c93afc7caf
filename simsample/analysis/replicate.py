"""Replicate-weight variance for one sample: R survey's ``as.svrepdesign``.

A replicate design turns a :class:`~simsample.survey.SurveyDesign` into R
sets of weights w_i m_{r, psu(i)}; a statistic computed with each set gives
replicates theta_r, and

    v = scale * sum_r rscale_r (theta_r - centre)^2,

centre the mean of the replicates (with rscale_r > 0) or, with ``mse=True``,
the full-sample estimate (R's ``options(survey.replicates.mse = TRUE)``).

=========== ============================================================= ======================
kind        replicate r (PSU multipliers m)                                scale, rscale_r
=========== ============================================================= ======================
"JK1"       PSU r deleted: 0 for r, k/(k-1) for the others (no strata)     (1 - f)(k-1)/k, 1
"JKn"       PSU r of stratum h deleted: 0, n_h/(n_h-1) in h, 1 elsewhere   1, (1 - f_h)(n_h-1)/n_h
"bootstrap" counts of n_h PSUs drawn in each stratum (R's ``bootweights``):   n/((n-1)(R-1)), 1
            with replacement, or, with an fpc, without replacement from a
            pseudo-population of N_h units cycling through the n_h PSUs
"BRR"/"Fay" half-samples of a two-PSU-per-stratum design from the rows of a    1/(R (1-rho)^2), 1
            Sylvester-Hadamard matrix of order R (power of 2 >= H+1): 2 - rho
            for the chosen PSU, rho for the other
=========== ============================================================= ======================

f = k/N is the first-stage sampling fraction (from the design's first ``fpc``;
later-stage fpc are dropped, as R does, and BRR/Fay drop the fpc altogether);
n in the bootstrap scale is the harmonic mean of the n_h. Strata sampled
completely (f_h = 1) get no JKn replicates (R's ``survey.drop.replicates``).
BRR orders strata by their labels as strings and takes the PSU seen first as
the first of its pair, as R's ``brrweights``; R uses the same Sylvester
matrices for H <= 11 (for larger H its Hadamard matrices differ: the variance
of a total is the same for any balanced set, that of a ratio changes
slightly). Bootstrap counts come from a xoshiro256** stream seeded by
``seed`` (agreement with R is in distribution; pass R's replicate weights as
``replicates`` to reproduce its numbers). df: the rank of the replicate
multipliers minus 1 (R's ``degf``).

Only the public attributes of the design are read (``data``, ``ids``,
``strata``, ``fpc``, ``weights``, ``nest``): the first-stage PSUs, strata and
population counts are recomputed here from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._rng import as_seed_sequence, xoshiro_state
from .._validation import InvalidParameterError, check_choice, check_int, check_real
from .._kernels.resample import bootstrap_counts

KINDS = ("JK1", "JKn", "bootstrap", "BRR", "Fay")
#: Below this 1 - f a stratum counts as sampled completely (as SurveyDesign).
CERTAINTY = 1e-7


@dataclass(frozen=True)
class ReplicateEstimate:
    """A mean or total with its replicate-weight standard error.

    Parameters
    ----------
    statistic : {"mean", "total"}
        What is estimated.
    variable : str
        The column estimated.
    estimate, se : float
        The full-sample estimate and its replicate standard error.
    df : int
        Rank of the replicate multipliers minus 1 (R's ``degf``).
    kind : str
        The replicate method (``KINDS``).
    replicates : numpy.ndarray
        theta_r, one per replicate.

    Examples
    --------
    >>> from simsample.survey import SurveyDesign
    >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
    ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
    >>> rep = d.replicate("JK1")
    >>> m = rep.mean("y")
    >>> m.kind, m.replicates.shape
    ('JK1', (3,))
    """

    statistic: str
    variable: str
    estimate: float
    se: float
    df: int
    kind: str
    replicates: np.ndarray

    def ci(self, level: float = 0.95, dist: str = "t") -> tuple[float, float]:
        """estimate +- q se with q the t(df) (or normal) quantile of (1 + level)/2.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with ``df`` degrees of freedom (NaN bounds for df < 1), or normal.

        Returns
        -------
        tuple of float
            (lower, upper).

        Examples
        --------
        >>> from simsample.survey import SurveyDesign
        >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
        >>> rep = d.replicate("JK1")
        >>> [round(b, 3) for b in rep.mean("y").ci()]
        [-2.57, 11.57]
        """
        from scipy.special import ndtri, stdtrit

        level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                           owner="ReplicateEstimate.ci")
        check_choice(dist, "dist", ("t", "normal"), owner="ReplicateEstimate.ci")
        if dist == "normal":
            q = float(ndtri(0.5 + level / 2.0))
        elif self.df < 1:
            return (math.nan, math.nan)
        else:
            q = float(stdtrit(float(self.df), 0.5 + level / 2.0))
        return (self.estimate - q * self.se, self.estimate + q * self.se)


class ReplicateDesign:
    """Replicate weights of one sample (from :func:`replicate_design`).

    Parameters
    ----------
    design : SurveyDesign
        The full-sample design.
    kind : str
        The replicate method (``KINDS``).
    multipliers : numpy.ndarray, shape (n_psu, R)
        m_{r, p} for the PSUs in order of first appearance (R's compressed ``repweights``).
    psu : numpy.ndarray
        PSU code 0..n_psu-1 of every row.
    scale : float
        The overall scale of the variance.
    rscales : numpy.ndarray, shape (R,)
        The scale of each replicate.
    mse : bool
        Centre at the full-sample estimate.

    Attributes
    ----------
    kind : str
    weights : numpy.ndarray
        Full-sample weights, one per row.
    multipliers : numpy.ndarray, shape (n_psu, R)
        m_{r, p} for the PSUs in order of first appearance (R's compressed ``repweights``).
    psu : numpy.ndarray
        PSU code 0..n_psu-1 of every row.
    scale : float
    rscales : numpy.ndarray, shape (R,)
    mse : bool
    df : int

    Examples
    --------
    >>> from simsample.survey import SurveyDesign
    >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
    ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
    >>> m = replicate_design(d, "JK1").mean("y")
    >>> round(m.estimate, 4), round(m.se, 4), m.df
    (4.5, 1.6432, 2)
    """

    def __init__(self, design, kind, multipliers, psu, scale, rscales, mse):
        self.design = design
        self.kind = kind
        self.weights = np.asarray(design.weights, dtype=np.float64)
        self.multipliers = np.ascontiguousarray(multipliers, dtype=np.float64)
        self.psu = psu
        self.scale = float(scale)
        self.rscales = np.asarray(rscales, dtype=np.float64)
        self.mse = bool(mse)
        self.df = int(np.linalg.matrix_rank(self.multipliers, tol=1e-5 * max(
            1.0, float(np.abs(self.multipliers).max(initial=0.0))))) - 1

    @property
    def n_replicates(self) -> int:
        """R, the number of replicates.

        Returns
        -------
        int
            Columns of :attr:`multipliers`.

        Examples
        --------
        >>> from simsample.survey import SurveyDesign
        >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
        >>> rep = d.replicate("JK1")
        >>> rep.n_replicates
        3
        """
        return int(self.multipliers.shape[1])

    @property
    def replicate_weights(self) -> np.ndarray:
        """The (rows, R) matrix of replicate weights w_i m_{r, psu(i)}.

        Returns
        -------
        numpy.ndarray
            One row per sample row, one column per replicate.

        Examples
        --------
        >>> from simsample.survey import SurveyDesign
        >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
        >>> rep = d.replicate("JK1")
        >>> rep.replicate_weights.shape
        (6, 3)
        """
        return self.weights[:, None] * self.multipliers[self.psu]

    def mean(self, variable: str) -> ReplicateEstimate:
        """The ratio (Hajek) mean sum w y / sum w and its replicate SE (R's ``svymean``).

        Parameters
        ----------
        variable : str
            A numeric column of the design's data, observed on every row.

        Returns
        -------
        ReplicateEstimate
            The mean and its replicate SE.

        Examples
        --------
        >>> from simsample.survey import SurveyDesign
        >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
        >>> rep = d.replicate("JK1")
        >>> m = rep.mean("y")
        >>> round(m.estimate, 4), round(m.se, 4), m.df
        (4.5, 1.6432, 2)
        """
        y = self._values(variable)
        wy = np.bincount(self.psu, weights=self.weights * y)
        w = np.bincount(self.psu, weights=self.weights)
        estimate = float(wy.sum() / w.sum())
        thetas = (self.multipliers.T @ wy) / (self.multipliers.T @ w)
        return self._result("mean", variable, estimate, thetas)

    def total(self, variable: str) -> ReplicateEstimate:
        """The total sum w y and its replicate SE (R's ``svytotal``).

        Parameters
        ----------
        variable : str
            A numeric column of the design's data, observed on every row.

        Returns
        -------
        ReplicateEstimate
            The total and its replicate SE.

        Examples
        --------
        >>> from simsample.survey import SurveyDesign
        >>> d = SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                   "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
        >>> rep = d.replicate("JK1")
        >>> round(rep.total("y").estimate, 1)
        270.0
        """
        y = self._values(variable)
        wy = np.bincount(self.psu, weights=self.weights * y)
        return self._result("total", variable, float(wy.sum()), self.multipliers.T @ wy)

    def _values(self, variable):
        data = self.design.data
        if not isinstance(variable, str) or variable not in data.columns:
            raise InvalidParameterError(
                f"'variable' must name a column of the design's data; got {variable!r}.")
        y = pd.to_numeric(data[variable], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(y).all():
            raise InvalidParameterError(
                f"column {variable!r} has {int((~np.isfinite(y)).sum())} missing, non-numeric "
                "or infinite value(s); replicate estimates need every row observed.")
        return y

    def _result(self, statistic, variable, estimate, thetas):
        if self.mse:
            centre = estimate
        else:
            centre = float(thetas[self.rscales > 0].mean())
        v = self.scale * float(np.sum(self.rscales * (thetas - centre) ** 2))
        return ReplicateEstimate(statistic, variable, estimate, math.sqrt(v), self.df,
                                 self.kind, thetas)

    def __repr__(self) -> str:
        return (f"ReplicateDesign({self.kind}, {self.n_replicates} replicates, "
                f"{self.multipliers.shape[0]} PSUs, mse={self.mse}, df={self.df})")


def replicate_design(design, kind: str, *, mse: bool = False, replicates=None, seed=None,
                     fay_rho: float = 0.0) -> ReplicateDesign:
    """Replicate weights for ``design`` (a SurveyDesign), as R's ``as.svrepdesign``.

    Parameters
    ----------
    design : simsample.SurveyDesign
    kind : {"JK1", "JKn", "bootstrap", "BRR", "Fay"}
        See the module docstring.
    mse : bool
        Centre the replicates at the full-sample estimate (R's ``mse=TRUE``).
    replicates : int or array_like, optional
        For ``"bootstrap"`` the number of replicates (default 50, as R). An
        array of shape (n_psu, R) gives the PSU multipliers directly (R's
        ``rep$repweights$weights``, PSUs in order of first appearance); the
        kind then sets only the scale.
    seed : None, int or numpy.random.SeedSequence
        Stream of the bootstrap counts.
    fay_rho : float
        Fay's rho in [0, 1) for ``"Fay"`` (``"BRR"`` is rho = 0).

    Returns
    -------
    ReplicateDesign
    """
    check_choice(kind, "kind", KINDS, owner="replicate_design")
    if not isinstance(mse, (bool, np.bool_)):
        raise InvalidParameterError(f"'mse' of replicate_design must be a bool; got {mse!r}.")
    rho = check_real(fay_rho, "fay_rho", low=0.0, high=1.0, high_open=True,
                     owner="replicate_design")
    if kind == "BRR" and rho != 0.0:
        raise InvalidParameterError(
            f"'fay_rho' of replicate_design must be 0 for kind='BRR' (use kind='Fay'); got {rho}.")
    psu, stratum, n_h, pop_h = first_stage(design)
    given = None
    if replicates is not None and not isinstance(replicates, (int, np.integer)):
        given = np.asarray(replicates, dtype=np.float64)
        if given.ndim != 2 or given.shape[0] != n_h.sum() or not np.isfinite(given).all():
            raise InvalidParameterError(
                f"'replicates' of replicate_design must be an int or a finite (n_psu = "
                f"{int(n_h.sum())}, R) array of PSU multipliers; got shape {given.shape}.")
    stratified = design.strata is not None
    if kind == "JK1" and stratified:
        raise InvalidParameterError(
            "replicate_design: kind='JK1' is for designs without strata; use 'JKn'.")
    if kind in ("JKn", "BRR", "Fay") and not stratified:
        raise InvalidParameterError(
            f"replicate_design: kind={kind!r} needs strata; use 'JK1' or 'bootstrap'.")
    keep = 1.0 - n_h / pop_h if pop_h is not None else np.ones(n_h.size)
    if kind == "JK1":
        k = int(n_h[0])
        mult = given if given is not None else np.full((k, k), k / (k - 1.0)) * (1 - np.eye(k))
        return ReplicateDesign(design, kind, mult, psu, keep[0] * (k - 1.0) / k,
                               np.ones(mult.shape[1]), mse)
    if kind == "JKn":
        mult, rscales = _jkn(stratum, n_h, keep)
        if given is not None:
            mult = given
        return ReplicateDesign(design, kind, mult, psu, 1.0, rscales, mse)
    if kind == "bootstrap":
        mult = given
        if mult is None:
            n_reps = check_int(50 if replicates is None else replicates, "replicates", low=2,
                               owner="replicate_design")
            mult = _bootstrap(stratum, n_h, pop_h, n_reps, xoshiro_state(as_seed_sequence(seed)))
        harmonic = 1.0 / np.mean(1.0 / n_h)
        return ReplicateDesign(design, kind, mult, psu,
                               harmonic / ((harmonic - 1.0) * (mult.shape[1] - 1.0)),
                               np.ones(mult.shape[1]), mse)
    mult = given if given is not None else _brr(design, psu, stratum, n_h, rho)
    return ReplicateDesign(design, kind, mult, psu, 1.0 / (mult.shape[1] * (1.0 - rho) ** 2),
                           np.ones(mult.shape[1]), mse)


def first_stage(design):
    """PSU code of every row, stratum of every PSU, PSUs and population PSUs per stratum.

    PSUs are numbered in order of first appearance (within strata with
    ``nest=True``); strata in the sorted order of their labels. The population
    counts are None without a first-stage fpc.
    """
    data = design.data
    column = design.ids[0]
    n_rows = len(data)
    if column in ("1", None):
        labels = np.arange(n_rows)
    else:
        labels = pd.factorize(data[column].to_numpy())[0]
    if design.strata is None:
        row_stratum = np.zeros(n_rows, np.int64)
    else:
        row_stratum = pd.factorize(data[design.strata].to_numpy(), sort=True)[0].astype(np.int64)
    key = labels.astype(np.int64) + (row_stratum * n_rows if design.nest else 0)
    psu = pd.factorize(key)[0].astype(np.int64)
    n_psu = int(psu.max()) + 1
    stratum = np.empty(n_psu, np.int64)
    stratum[psu] = row_stratum
    n_h = np.bincount(stratum).astype(np.float64)
    pop_h = None
    if design.fpc[0] is not None:
        values = pd.to_numeric(data[design.fpc[0]]).to_numpy(dtype=np.float64)
        first = values[np.unique(row_stratum, return_index=True)[1]]  # each stratum's first row
        pop_h = n_h / first if (values <= 1.0).all() else first
    return psu, stratum, n_h, pop_h


def _jkn(stratum, n_h, keep):
    n_psu = stratum.size
    columns, rscales = [], []
    for p in range(n_psu):
        h = stratum[p]
        if keep[h] < CERTAINTY:
            continue  # a stratum sampled completely adds no replicate
        m = np.ones(n_psu)
        m[stratum == h] = n_h[h] / (n_h[h] - 1.0)
        m[p] = 0.0
        columns.append(m)
        rscales.append(keep[h] * (n_h[h] - 1.0) / n_h[h])
    if not columns:
        raise InvalidParameterError(
            "replicate_design: every stratum was sampled completely; there is no variance.")
    return np.column_stack(columns), np.array(rscales)


def _bootstrap(stratum, n_h, pop_h, n_reps, state):
    mult = np.empty((stratum.size, n_reps))
    for h in range(n_h.size):
        members = np.flatnonzero(stratum == h)
        size = 0 if pop_h is None else int(round(pop_h[h]))
        counts = np.empty((members.size, n_reps))
        bootstrap_counts(state, members.size, size, n_reps, np.empty(2 * members.size, np.int64),
                         counts)
        mult[members] = counts
    return mult


def sylvester(order: int) -> np.ndarray:
    """The Sylvester-Hadamard matrix of ``order`` (a power of 2), entries +-1."""
    H = np.ones((1, 1))
    while H.shape[0] < order:
        H = np.block([[H, H], [H, -H]])
    return H


def _brr(design, psu, stratum, n_h, rho):
    if (n_h != 2).any():
        bad = np.flatnonzero(n_h != 2)
        raise InvalidParameterError(
            f"replicate_design: BRR/Fay needs exactly 2 PSUs in every stratum; "
            f"{bad.size} strata have other numbers, e.g. {int(n_h[bad[0]])}.")
    labels = pd.factorize(design.data[design.strata].to_numpy(), sort=True)[1]
    order = np.argsort(np.array([str(v) for v in labels]), kind="stable")
    n_strata = n_h.size
    H = sylvester(1 << int(math.ceil(math.log2(n_strata + 1))))
    mult = np.empty((stratum.size, H.shape[1]))
    for rank, h in enumerate(order):
        first, second = np.flatnonzero(stratum == h)  # PSU codes follow first appearance
        chosen = H[rank + 1] > 0
        mult[first] = np.where(chosen, 2.0 - rho, rho)
        mult[second] = np.where(chosen, rho, 2.0 - rho)
    return mult


__all__ = ["ReplicateDesign", "ReplicateEstimate", "replicate_design", "first_stage",
           "sylvester"]
