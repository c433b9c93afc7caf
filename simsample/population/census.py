"""Census values of a population: its mean, group means and variances, variance
components, intraclass correlation and totals.

A mixin of :class:`~simsample.population.Population`; every value is computed
once from the stored units (grouped storage) and cached.
"""

from __future__ import annotations

import functools

import numpy as np

from ._arrays import read_only as _read_only


class CensusValues:
    """The finite-population mean, variance components, icc and totals; mixed into ``Population``."""

    @functools.cached_property
    def mean(self) -> float:
        """mu, the population mean.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.mean
        3.6
        """
        return float(self._y_sorted.mean())

    @functools.cached_property
    def group_totals(self) -> np.ndarray:
        """Y_j, the total of each group.

        Returns
        -------
        numpy.ndarray
            G totals, in the order of :attr:`labels`.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.group_totals
        array([15.,  3.])
        """
        return _read_only(np.add.reduceat(self._y_sorted, self._offsets[:-1]))

    @functools.cached_property
    def group_means(self) -> np.ndarray:
        """Ybar_j, the mean of each group.

        Returns
        -------
        numpy.ndarray
            G means, in the order of :attr:`labels`.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.group_means
        array([5. , 1.5])
        """
        return _read_only(self.group_totals / self._sizes)

    @functools.cached_property
    def group_variances(self) -> np.ndarray:
        """S_j^2 = sum_i (y_ij - Ybar_j)^2 / (N_j - 1); 0 for a group of one unit.

        Returns
        -------
        numpy.ndarray
            G variances, in the order of :attr:`labels`.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.group_variances
        array([1. , 0.5])
        """
        dev = self._y_sorted - np.repeat(self.group_means, self._sizes)
        ss = np.add.reduceat(dev * dev, self._offsets[:-1])
        return _read_only(np.where(self._sizes > 1, ss / np.maximum(self._sizes - 1, 1), 0.0))

    # -- variance components -----------------------------------------------------------------

    @functools.cached_property
    def variance(self) -> float:
        """S^2 = sum (y - mu)^2 / (N - 1), the unit variance (NaN if N = 1).

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> round(pop.variance, 4)
        4.3
        """
        if self.n_units < 2:
            return float("nan")
        return float(self._y_sorted.var(ddof=1))

    @functools.cached_property
    def between_variance(self) -> float:
        """S1^2, the variance of the group means across groups (divisor G - 1).

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> round(pop.between_variance, 4)
        6.125
        """
        if self.n_groups < 2:
            return float("nan")
        return float(self.group_means.var(ddof=1))

    @functools.cached_property
    def within_variance(self) -> float:
        """S2^2, the pooled within-group variance sum_j (N_j - 1) S_j^2 / (N - G).

        For equal group sizes this is the mean of the S_j^2.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> round(pop.within_variance, 4)
        0.8333
        """
        if self.n_units == self.n_groups:
            return float("nan")
        return float(((self._sizes - 1) * self.group_variances).sum() / (self.n_units - self.n_groups))

    @functools.cached_property
    def icc(self) -> float:
        """Intraclass correlation, the one-way ANOVA estimator on the finite population.

        rho = (MSB - MSW) / (MSB + (n0 - 1) MSW), with MSB = sum_j N_j (Ybar_j
        - mu)^2 / (G - 1), MSW = S2^2 and n0 = (N - sum_j N_j^2 / N) / (G - 1)
        (Donner 1986). It estimates the superpopulation share of variance
        between groups; it can be slightly negative when groups are more
        alike than chance. For equal sizes M, deff of one-stage cluster
        sampling ~ 1 + (M - 1) rho.

        Returns
        -------
        float
            NaN with fewer than two groups or only groups of one unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> round(pop.icc, 4)
        0.8739
        """
        G, N = self.n_groups, self.n_units
        if G < 2 or N == G:
            return float("nan")
        msb = float((self._sizes * (self.group_means - self.mean) ** 2).sum() / (G - 1))
        msw = self.within_variance
        n0 = (N - float((self._sizes.astype(np.float64) ** 2).sum()) / N) / (G - 1)
        return (msb - msw) / (msb + (n0 - 1.0) * msw)

    # -- population totals (the targets of survey totals) -------------------------------------

    @functools.cached_property
    def total(self) -> float:
        """Y, the population total of y (what ``SurveyDesign.total`` estimates).

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.total
        18.0
        """
        return float(self._y_sorted.sum())

    @functools.cached_property
    def x_total(self) -> float | None:
        """The population total of the micro covariate x; None without x.

        Returns
        -------
        float or None

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.x_total
        3.0
        """
        return None if self._x_sorted is None else float(self._x_sorted.sum())

    @functools.cached_property
    def X_total(self) -> float | None:
        """sum_j N_j X_j, the macro covariate summed over units; None without X.

        Returns
        -------
        float or None

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.X_total
        3.0
        """
        return None if self._X is None else float(np.sum(self._sizes * self._X))
