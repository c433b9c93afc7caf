"""Results of a design-based analysis of one sample: estimates and tables of them.

Every result has ``ci(level, dist)``. The default ``dist="t"`` uses the
design degrees of freedom (PSUs minus strata), as simsample's engine does for
its ``cluster_t`` interval, whose coverage the simulations measure: with few
PSUs the normal interval is too short (see the lecture's coverage figures).
``dist="normal"`` gives R's ``confint()`` of ``svymean``, ``svytotal``,
``svyratio`` and ``svyby`` objects (R's default ``df=Inf``); R's
``confint(..., df=degf(design))`` is ``dist="t"``. R's ``svyglm`` and
``svyttest`` intervals are t intervals, as here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import check_choice, check_real

DISTRIBUTIONS = ("t", "normal")


def quantile(level: float, df: float, dist: str, owner: str) -> float:
    """The (1 + level)/2 quantile of t(df) or of the standard normal (NaN for t with df < 1)."""
    from scipy.special import ndtri, stdtrit

    level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                       owner=owner)
    dist = check_choice(dist, "dist", DISTRIBUTIONS, owner=owner)
    p = 0.5 + level / 2.0
    if dist == "normal":
        return float(ndtri(p))
    if not df >= 1:
        return math.nan
    return float(stdtrit(float(df), p))


def two_sided_p(statistic: float, df: float) -> float:
    """2 P(T_df > |statistic|) (NaN for df < 1)."""
    from scipy.special import stdtr

    if not df >= 1:
        return math.nan
    return float(2.0 * stdtr(float(df), -abs(statistic)))


@dataclass(frozen=True)
class SurveyEstimate:
    """A design-based estimate of a mean, total, proportion or ratio from one sample.

    Parameters
    ----------
    statistic : {"mean", "total", "ratio"}
        What is estimated.
    variable : str
        The column estimated (``"num/den"`` for a ratio).
    estimate, se : float
        The estimate and its linearisation standard error.
    df : int
        Degrees of freedom of the t interval: PSUs minus strata, counting those
        with at least one row used (observed, and inside the domain or subset).
    deff : float
        Design effect against SRS without replacement of the same number of
        rows (finite-population correction included), as R's ``deff=TRUE``.
        NaN when the weights sum to no more than the number of rows.
    deff_replace : float
        Design effect against SRS with replacement (R's ``deff="replace"``).
    n : int
        Rows used.
    category : str or None
        The level of a factor variable whose proportion or count this is.
    domain : str or None
        The domain, e.g. ``"stype=E"`` (``by=``), or None for the whole (sub)design.

    Examples
    --------
    >>> est = SurveyEstimate("mean", "y", 10.0, 2.0, 9, 1.5, 1.4, 30)
    >>> [round(b, 3) for b in est.ci(0.95, dist="normal")]
    [6.08, 13.92]
    """

    statistic: str
    variable: str
    estimate: float
    se: float
    df: int
    deff: float
    deff_replace: float
    n: int
    category: str | None = None
    domain: str | None = None

    @property
    def variance(self) -> float:
        """The estimated variance, se**2.

        Returns
        -------
        float
            se squared.

        Examples
        --------
        >>> est = SurveyEstimate("mean", "y", 10.0, 2.0, 9, 1.5, 1.4, 30)
        >>> est.variance
        4.0
        """
        return self.se * self.se

    @property
    def name(self) -> str:
        """A label: ``variable`` or ``variable[category]``, prefixed by the domain if any.

        Returns
        -------
        str
            For example ``"stype=E: y"``.

        Examples
        --------
        >>> SurveyEstimate("mean", "y", 10.0, 2.0, 9, 1.5, 1.4, 30, domain="g=a").name
        'g=a: y'
        """
        label = self.variable if self.category is None else f"{self.variable}[{self.category}]"
        return label if self.domain is None else f"{self.domain}: {label}"

    def ci(self, level: float = 0.95, dist: str = "t") -> tuple[float, float]:
        """The interval estimate +- q se, q the (1 + level)/2 quantile of t(df) or N(0, 1).

        ``dist="t"`` (the default) gives NaN bounds when df < 1 (a census of
        PSUs leaves nothing to estimate from); ``dist="normal"`` is R's ``confint``.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with the design degrees of freedom, or the standard normal (R's ``confint``).

        Returns
        -------
        tuple of float
            (lower, upper).

        Examples
        --------
        >>> est = SurveyEstimate("mean", "y", 10.0, 2.0, 9, 1.5, 1.4, 30)
        >>> [round(b, 3) for b in est.ci()]
        [5.476, 14.524]
        """
        half = quantile(level, self.df, dist, "SurveyEstimate.ci") * self.se
        return (self.estimate - half, self.estimate + half)

    def to_frame(self, level: float = 0.95, dist: str = "t") -> pd.DataFrame:
        """One row: statistic, variable, estimate, se, df, lower, upper, level, deff, ...

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with the design degrees of freedom, or the standard normal (R's ``confint``).

        Returns
        -------
        pandas.DataFrame
            One row; ``category`` and ``domain`` columns where set.

        Examples
        --------
        >>> est = SurveyEstimate("mean", "y", 10.0, 2.0, 9, 1.5, 1.4, 30)
        >>> est.to_frame()[["estimate", "se", "df", "n"]].to_numpy().tolist()
        [[10.0, 2.0, 9.0, 30.0]]
        """
        lower, upper = self.ci(level, dist)
        row = {"statistic": self.statistic, "variable": self.variable,
               "estimate": self.estimate, "se": self.se, "df": self.df, "lower": lower,
               "upper": upper, "level": level, "deff": self.deff,
               "deff_replace": self.deff_replace, "n": self.n}
        if self.category is not None:
            row["category"] = self.category
        if self.domain is not None:
            row["domain"] = self.domain
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        return (f"SurveyEstimate({self.statistic} of {self.name!r} = {self.estimate:.6g}, "
                f"SE {self.se:.5g}, df {self.df}, deff {self.deff:.4g}, n {self.n})")


class SurveyTable:
    """Several estimates from one sample, with their joint covariance matrix.

    What ``SurveyDesign.mean``/``total``/``ratio`` return for a factor
    variable (one row per level), several variables, or ``by=`` domains (one
    row per domain, as R's ``svyby``). Rows are :class:`SurveyEstimate`.

    Parameters
    ----------
    estimates : sequence of SurveyEstimate
        The rows.
    vcov : array_like
        Their estimated covariance matrix.
    by : tuple of str
        The ``by`` columns (empty without domains).
    by_values : tuple of tuple
        The domain of every row, one value per ``by`` column.

    Examples
    --------
    >>> import simsample as ss
    >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
    ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
    ...                     ids=["psu"], fpc=["N1"])
    >>> table = d.mean("y", by="g")
    >>> table.frame[["g", "estimate"]].to_numpy().tolist()
    [['a', 5.0], ['b', 3.5]]
    """

    def __init__(self, estimates, vcov, by=(), by_values=()):
        self.estimates = tuple(estimates)
        self.by = tuple(by)
        self.by_values = tuple(by_values) if by_values else ((),) * len(self.estimates)
        self._vcov = np.asarray(vcov, dtype=np.float64)

    @property
    def names(self) -> list[str]:
        """One label per row (see :attr:`SurveyEstimate.name`).

        Returns
        -------
        list of str
            The labels.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> table.names
        ['g=a: y', 'g=b: y']
        """
        return [e.name for e in self.estimates]

    @property
    def estimate(self) -> np.ndarray:
        """The estimates, one per row.

        Returns
        -------
        numpy.ndarray
            The estimates.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> table.estimate.tolist()
        [5.0, 3.5]
        """
        return np.array([e.estimate for e in self.estimates])

    @property
    def se(self) -> np.ndarray:
        """The standard errors, one per row.

        Returns
        -------
        numpy.ndarray
            The standard errors.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> table.se.shape
        (2,)
        """
        return np.array([e.se for e in self.estimates])

    @property
    def vcov(self) -> pd.DataFrame:
        """Estimated covariance matrix of the estimates (rows and columns: :attr:`names`).

        Returns
        -------
        pandas.DataFrame
            Square, one row and column per estimate.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> table.vcov.shape
        (2, 2)
        """
        return pd.DataFrame(self._vcov.copy(), index=self.names, columns=self.names)

    @property
    def frame(self) -> pd.DataFrame:
        """One row per estimate: the ``by`` columns, statistic, variable, estimate, se, ...

        The columns: the ``by`` columns, statistic, variable, category (for a
        factor), estimate, se, df, deff, deff_replace, n.

        Returns
        -------
        pandas.DataFrame
            One row per estimate.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> table.frame[["g", "estimate"]].to_numpy().tolist()
        [['a', 5.0], ['b', 3.5]]
        """
        rows = []
        for e, values in zip(self.estimates, self.by_values):
            row = dict(zip(self.by, values))
            row.update({"statistic": e.statistic, "variable": e.variable,
                        "category": e.category, "estimate": e.estimate, "se": e.se,
                        "df": e.df, "deff": e.deff, "deff_replace": e.deff_replace, "n": e.n})
            rows.append(row)
        frame = pd.DataFrame(rows)
        if all(e.category is None for e in self.estimates):
            frame = frame.drop(columns="category")
        return frame

    def ci(self, level: float = 0.95, dist: str = "t") -> pd.DataFrame:
        """Interval of every row (see :meth:`SurveyEstimate.ci`): columns lower, upper.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with the design degrees of freedom, or the standard normal (R's ``confint``).

        Returns
        -------
        pandas.DataFrame
            Indexed by :attr:`names`.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> list(table.ci().columns), list(table.ci().index)
        (['lower', 'upper'], ['g=a: y', 'g=b: y'])
        """
        bounds = [e.ci(level, dist) for e in self.estimates]
        return pd.DataFrame(bounds, index=self.names, columns=["lower", "upper"])

    def to_frame(self, level: float = 0.95, dist: str = "t") -> pd.DataFrame:
        """:attr:`frame` with the interval bounds and ``level`` added.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level, in (0, 1).
        dist : {"t", "normal"}, default "t"
            t with the design degrees of freedom, or the standard normal (R's ``confint``).

        Returns
        -------
        pandas.DataFrame
            One row per estimate.

        Examples
        --------
        >>> import simsample as ss
        >>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
        ...                      "g": ["a", "b", "a", "b", "a", "a"], "N1": [30] * 6},
        ...                     ids=["psu"], fpc=["N1"])
        >>> table = d.mean("y", by="g")
        >>> list(table.to_frame(0.9).columns[-3:])
        ['lower', 'upper', 'level']
        """
        frame = self.frame
        bounds = self.ci(level, dist).to_numpy()
        frame["lower"], frame["upper"], frame["level"] = bounds[:, 0], bounds[:, 1], level
        return frame

    def __len__(self) -> int:
        return len(self.estimates)

    def __iter__(self):
        return iter(self.estimates)

    def __getitem__(self, key) -> SurveyEstimate:
        """The row at an integer position, or with a given :attr:`name`."""
        if isinstance(key, str):
            names = self.names
            if key not in names:
                raise KeyError(f"no row named {key!r}; rows are {names}")
            return self.estimates[names.index(key)]
        return self.estimates[key]

    def __repr__(self) -> str:
        return f"SurveyTable({len(self)} estimates)\n{self.frame.to_string(index=False)}"


__all__ = ["SurveyEstimate", "SurveyTable", "quantile", "two_sided_p"]
