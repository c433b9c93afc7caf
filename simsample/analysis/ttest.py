"""The result of a design-based t-test of two domain means (R's ``svyttest``).

Its interval is a t interval with the design degrees of freedom, as R's
``svyttest`` gives (see :mod:`simsample.analysis.estimates`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .estimates import quantile, two_sided_p


@dataclass(frozen=True)
class SurveyTTest:
    """A design-based t-test of a difference of two domain means (R's ``svyttest``).

    Parameters
    ----------
    variable, by : str
        The outcome and the two-level column defining the domains.
    levels : tuple
        (first, second) level of ``by`` in R's order (sorted, or the categories'
        order); the difference is ``mean(second) - mean(first)``.
    estimate, se : float
        The difference and its SE (with the covariance of the two domain means).
    df : int
        Design degrees of freedom minus 1 (R's ``degf(design) - 1``).

    Examples
    --------
    >>> t = SurveyTTest("y", "g", ("a", "b"), 2.0, 1.0, 10)
    >>> round(t.statistic, 3), round(t.pvalue, 4)
    (2.0, 0.0734)
    """

    variable: str
    by: str
    levels: tuple
    estimate: float
    se: float
    df: int

    @property
    def statistic(self) -> float:
        """The t statistic, estimate / se.

        Returns
        -------
        float
            NaN when se is 0.

        Examples
        --------
        >>> t = SurveyTTest("y", "g", ("a", "b"), 2.0, 1.0, 10)
        >>> t.statistic
        2.0
        """
        return self.estimate / self.se if self.se > 0 else math.nan

    @property
    def pvalue(self) -> float:
        """Two-sided p-value of t with ``df`` degrees of freedom.

        Returns
        -------
        float
            2 P(T_df > abs(t)).

        Examples
        --------
        >>> t = SurveyTTest("y", "g", ("a", "b"), 2.0, 1.0, 10)
        >>> round(t.pvalue, 4)
        0.0734
        """
        return two_sided_p(self.statistic, self.df)

    def ci(self, level: float = 0.95, dist: str = "t") -> tuple[float, float]:
        """Interval for the difference: estimate +- q se (t with df by default, as R).

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
        >>> t = SurveyTTest("y", "g", ("a", "b"), 2.0, 1.0, 10)
        >>> [round(b, 3) for b in t.ci()]
        [-0.228, 4.228]
        """
        half = quantile(level, self.df, dist, "SurveyTTest.ci") * self.se
        return (self.estimate - half, self.estimate + half)

    def __repr__(self) -> str:
        return (f"SurveyTTest({self.variable!r}: {self.by}={self.levels[1]!r} minus "
                f"{self.by}={self.levels[0]!r} = {self.estimate:.6g}, SE {self.se:.5g}, "
                f"t {self.statistic:.4g}, df {self.df}, p {self.pvalue:.4g})")


__all__ = ["SurveyTTest"]
