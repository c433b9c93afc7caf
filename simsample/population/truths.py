"""Census (finite-population) effects of a micro covariate x and a macro covariate X.

:class:`~simsample.population.Population` inherits these properties. Each is a
finite-population quantity computed from the stored units, so it is exactly
the target of the corresponding estimator of ``simulate(..., estimand=
"difference")`` (see :mod:`simsample.estimands.difference`). Notation: unit i of group j,
group means xbar_j, ybar_j over all N_j units, grand means xbar, ybar over
all N units; "slope of b on a" is the least-squares slope
sum (a - abar)(b - bbar) / sum (a - abar)^2.

For a binary x (0/1) the census slope of y on x is exactly mu1 - mu0, the
difference between the mean of y among units with x = 1 and with x = 0; the
same holds group by group. The total slope decomposes (equal weights per
unit) as

    delta = (SSW * within_effect + SSB * between_effect_N) / (SSW + SSB),

SSW = sum_ij (x_ij - xbar_j)^2, SSB = sum_j N_j (xbar_j - xbar)^2 and
between_effect_N the N_j-weighted slope of ybar_j on xbar_j (equal to
:attr:`CovariateTruths.between_effect` when groups have equal sizes): this is
why delta, the within and the between effects can have different signs
(Simpson's paradox).

References: Raudenbush and Bryk (2002), *Hierarchical Linear Models*, ch. 5
(within, between and contextual effects); Snijders and Bosker (2012),
*Multilevel Analysis*, sec. 4.6.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .._validation import InvalidParameterError


def _slope(a: np.ndarray, b: np.ndarray) -> float:
    """Least-squares slope of b on a; NaN if a is constant."""
    da = a - a.mean()
    sxx = float(da @ da)
    if sxx == 0.0:
        return math.nan
    return float(da @ (b - b.mean())) / sxx


class CovariateTruths:
    """Census effects of ``x`` (and ``X``) on ``y``; mixed into ``Population``.

    Every property raises :class:`~simsample.InvalidParameterError` when the
    population has no ``x`` (``macro_effect``: no ``X``).
    """

    #: x grouped like y, and X per group; None when absent (set by ``Population``).
    _x_sorted: np.ndarray | None = None
    _X: np.ndarray | None = None

    def _require_x(self, what: str) -> np.ndarray:
        if self._x_sorted is None:
            raise InvalidParameterError(
                f"'{what}' needs a population with a micro covariate x; build it with "
                f"Population(y, group, x=...) or simsample.covariate_population(...).")
        return self._x_sorted

    @property
    def has_x(self) -> bool:
        """Whether the population has a micro covariate ``x``.

        Returns
        -------
        bool

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.has_x
        True
        """
        return self._x_sorted is not None

    @functools.cached_property
    def x_is_binary(self) -> bool:
        """Whether every ``x`` is 0 or 1 (then slopes are differences of means).

        Returns
        -------
        bool

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.x_is_binary
        True
        """
        x = self._require_x("x_is_binary")
        return bool(np.isin(x, (0.0, 1.0)).all())

    @functools.cached_property
    def group_x_means(self) -> np.ndarray:
        """xbar_j, the census mean of x in each group (for binary x: the prevalence).

        Returns
        -------
        numpy.ndarray
            G means of x, in the order of ``labels``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.group_x_means
        array([0.66666667, 0.33333333])
        """
        x = self._require_x("group_x_means")
        means = np.add.reduceat(x, self._offsets[:-1]) / self._sizes
        means.flags.writeable = False
        return means

    @property
    def within_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Census sums of squares of x and of cross-products, about each group's means.

        Returns
        -------
        tuple of numpy.ndarray
            (sum of squares of x, sum of cross-products of x and y) of every group.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.within_sums
        (array([0.66666667, 0.66666667]), array([0.83333333, 0.66666667]))
        """
        return self._within_sums

    @functools.cached_property
    def _within_sums(self) -> tuple[np.ndarray, np.ndarray]:
        """Per group: sum (x - xbar_j)^2 and sum (x - xbar_j)(y - ybar_j)."""
        x = self._require_x("within sums")
        dx = x - np.repeat(self.group_x_means, self._sizes)
        dy = self._y_sorted - np.repeat(self.group_means, self._sizes)
        starts = self._offsets[:-1]
        return np.add.reduceat(dx * dx, starts), np.add.reduceat(dx * dy, starts)

    @functools.cached_property
    def delta(self) -> float:
        """The population delta: the census slope of y on x over all N units.

        sum_ij (x_ij - xbar)(y_ij - ybar) / sum_ij (x_ij - xbar)^2. For a
        binary x this is exactly mu1 - mu0, the mean of y among units with
        x = 1 minus the mean among units with x = 0. NaN if x is constant.
        Target of the ``naive`` and ``cluster_robust`` estimators.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> round(pop.delta, 4)
        -0.1667
        """
        return _slope(self._require_x("delta"), self._y_sorted)

    @functools.cached_property
    def group_deltas(self) -> np.ndarray:
        """delta_j: the census slope of y on x within each group (read-only).

        sum_i (x_ij - xbar_j)(y_ij - ybar_j) / sum_i (x_ij - xbar_j)^2; for a
        binary x, mu1_j - mu0_j. NaN for a group in which x is constant.

        Returns
        -------
        numpy.ndarray
            One census slope per group, in the order of ``labels``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.group_deltas
        array([1.25, 1.  ])
        """
        sxx, sxy = self._within_sums
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(sxx > 0.0, sxy / np.where(sxx > 0.0, sxx, 1.0), np.nan)
        out.flags.writeable = False
        return out

    @functools.cached_property
    def within_effect(self) -> float:
        """The micro (within-group) effect: the pooled within-group slope of y on x.

        sum_j sum_i (x_ij - xbar_j)(y_ij - ybar_j) / sum_j sum_i (x_ij - xbar_j)^2,
        over the whole population: the fixed-effects (group-demeaned) slope
        of a census, a weighted mean of the group_deltas with weights
        sum_i (x_ij - xbar_j)^2. NaN if x is constant within every group.
        Target of the ``within`` estimator.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> round(pop.within_effect, 4)
        1.125
        """
        sxx, sxy = self._within_sums
        total = float(sxx.sum())
        return float(sxy.sum()) / total if total > 0.0 else math.nan

    @functools.cached_property
    def between_effect(self) -> float:
        """The macro (between-group) effect: the slope of ybar_j on xbar_j across groups.

        Each group counts once (unweighted): sum_j (xbar_j - m_x)(ybar_j - m_y)
        / sum_j (xbar_j - m_x)^2 with m_x, m_y the means of the G group means.
        NaN if every group has the same mean of x. Target of the ``between``
        estimator.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> round(pop.between_effect, 4)
        -10.5
        """
        return _slope(self.group_x_means, self.group_means)

    @property
    def contextual_effect(self) -> float:
        """between_effect - within_effect: the effect of the group mean of x beyond x.

        In y_ij = a + b_W (x_ij - xbar_j) + b_B xbar_j, the coefficient of
        xbar_j in y_ij = a + b_W x_ij + b_C xbar_j is b_C = b_B - b_W
        (Raudenbush and Bryk 2002, eq. 5.11). Target of the ``contextual``
        estimator.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> round(pop.contextual_effect, 4)
        -11.625
        """
        return self.between_effect - self.within_effect

    @functools.cached_property
    def slope_variance(self) -> float:
        """The variance of the group-specific slopes: var(delta_j), divisor G' - 1.

        Over the G' groups in which x varies (the defined :attr:`group_deltas`),
        each group counting once; NaN if G' < 2. Target of the
        ``heterogeneity`` estimator.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.scenarios.income_voting(seed=8)
        >>> round(pop.slope_variance, 4)
        0.0225
        """
        slopes = self.group_deltas[np.isfinite(self.group_deltas)]
        return float(slopes.var(ddof=1)) if slopes.size >= 2 else math.nan

    @property
    def slope_sd(self) -> float:
        """sqrt(slope_variance): the SD of the group slopes (target of ``heterogeneity_sd``).

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.scenarios.income_voting(seed=8)
        >>> round(pop.slope_sd, 4)
        0.15
        """
        return math.sqrt(self.slope_variance)

    @functools.cached_property
    def macro_effect(self) -> float:
        """The slope of ybar_j on the macro covariate X_j across groups (unweighted).

        Target of the ``macro`` estimator; needs a population with ``X``.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.scenarios.income_voting(seed=8)
        >>> round(pop.macro_effect, 4)
        -0.6
        """
        if self._X is None:
            raise InvalidParameterError(
                "'macro_effect' needs a population with a macro covariate X; build it with "
                "Population(y, group, X=...) or simsample.covariate_population(..., X=...).")
        return _slope(self._X, self.group_means)
