"""Group (cluster) sizes drawn from a distribution.

Pass one of these as ``group_size`` to :func:`simsample.two_level` (or as a
size of :func:`simsample.three_level`): the generator calls
``sizes.draw(n_groups, rng)`` with the population's own numpy Generator, so
the same population seed gives the same sizes.

Examples
--------
>>> import simsample as ss
>>> pop = ss.two_level(n_groups=200, group_size=ss.sizes.poisson(30), seed=1)
>>> ss.sizes.lognormal(30, cv=0.5)
sizes.lognormal(mean=30, cv=0.5, minimum=1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import check_int, check_real


class SizeDistribution:
    """Base class: a distribution of positive integer group sizes.

    The base class takes no parameters; subclasses are dataclasses.

    Examples
    --------
    >>> import simsample as ss
    >>> isinstance(ss.sizes.poisson(30), ss.sizes.SizeDistribution)
    True
    """

    def draw(self, n_groups: int, rng: np.random.Generator) -> np.ndarray:
        """``n_groups`` independent sizes (int64, each >= ``minimum``).

        Parameters
        ----------
        n_groups : int
            Number of sizes to draw.
        rng : numpy.random.Generator
            The generator to draw with.

        Returns
        -------
        numpy.ndarray
            ``n_groups`` sizes (int64).

        Examples
        --------
        >>> import numpy as np
        >>> import simsample as ss
        >>> ss.sizes.poisson(30).draw(5, np.random.default_rng(1))
        array([30, 27, 36, 31, 34])
        """
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class poisson(SizeDistribution):  # noqa: N801 - lower case, read as ss.sizes.poisson(30)
    """Shifted Poisson sizes: ``minimum + Poisson(mean - minimum)``.

    The shift keeps every size at least ``minimum`` without truncation, so the
    sizes have mean exactly ``mean``, variance ``mean - minimum`` and
    coefficient of variation ``sqrt(mean - minimum) / mean`` (see :attr:`cv`).

    Parameters
    ----------
    mean : float
        Expected size, > ``minimum``.
    minimum : int
        Smallest possible size (>= 1).

    Examples
    --------
    >>> import simsample as ss
    >>> d = ss.sizes.poisson(30)
    >>> d.variance, round(d.cv, 3)
    (29.0, 0.18)
    """

    mean: float
    minimum: int = 1

    def __post_init__(self):
        object.__setattr__(self, "minimum", check_int(self.minimum, "minimum", low=1,
                                                      owner="sizes.poisson"))
        object.__setattr__(self, "mean", check_real(self.mean, "mean", low=self.minimum,
                                                    low_open=True, owner="sizes.poisson"))

    @property
    def variance(self) -> float:
        """Variance of the sizes, ``mean - minimum``.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> ss.sizes.poisson(30, minimum=5).variance
        25.0
        """
        return self.mean - self.minimum

    @property
    def cv(self) -> float:
        """Coefficient of variation of the sizes, ``sqrt(mean - minimum) / mean``.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> round(ss.sizes.poisson(30).cv, 4)
        0.1795
        """
        return math.sqrt(self.variance) / self.mean

    def draw(self, n_groups, rng):  # numpydoc ignore=GL08
        return self.minimum + rng.poisson(self.mean - self.minimum, size=n_groups).astype(np.int64)

    def __repr__(self):
        return f"sizes.poisson(mean={self.mean:g}, minimum={self.minimum})"


@dataclass(frozen=True, repr=False)
class lognormal(SizeDistribution):  # noqa: N801
    """Lognormal sizes with a given mean and coefficient of variation, rounded.

    A size is ``max(minimum, rint(X))`` with X lognormal of mean ``mean`` and
    coefficient of variation ``cv``: log X ~ Normal(mu, sigma^2) with
    ``sigma^2 = log(1 + cv^2)`` and ``mu = log(mean) - sigma^2 / 2``. The
    mean and cv of the integer sizes are those of X up to the rounding to
    the nearest integer (which adds about 1/12 to the variance) and the floor
    at ``minimum`` (which matters only if P(X < minimum + 1/2) is not small):
    with ``mean = 30, cv = 0.5`` both are within 0.1% of the nominal values.

    Parameters
    ----------
    mean : float
        Mean of X (and, nearly, of the sizes); > ``minimum``.
    cv : float
        Coefficient of variation of X, > 0 (sizes with a long right tail as
        cv grows: schools, hospitals, municipalities).
    minimum : int
        Smallest possible size (>= 1).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=100, group_size=ss.sizes.lognormal(30, cv=0.5), seed=1)
    >>> int(pop.group_sizes.min()) >= 1, pop.equal_sizes
    (True, False)
    """

    mean: float
    cv: float
    minimum: int = 1

    def __post_init__(self):
        object.__setattr__(self, "minimum", check_int(self.minimum, "minimum", low=1,
                                                      owner="sizes.lognormal"))
        object.__setattr__(self, "mean", check_real(self.mean, "mean", low=self.minimum,
                                                    low_open=True, owner="sizes.lognormal"))
        object.__setattr__(self, "cv", check_real(self.cv, "cv", low=0.0, low_open=True,
                                                  owner="sizes.lognormal"))

    @property
    def log_sd(self) -> float:
        """sigma, the standard deviation of log X.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> round(ss.sizes.lognormal(30, cv=0.5).log_sd, 4)
        0.4724
        """
        return math.sqrt(math.log1p(self.cv * self.cv))

    @property
    def log_mean(self) -> float:
        """mu, the mean of log X.

        Returns
        -------
        float

        Examples
        --------
        >>> import simsample as ss
        >>> round(ss.sizes.lognormal(30, cv=0.5).log_mean, 4)
        3.2896
        """
        return math.log(self.mean) - self.log_sd ** 2 / 2.0

    def draw(self, n_groups, rng):  # numpydoc ignore=GL08
        x = rng.lognormal(self.log_mean, self.log_sd, size=n_groups)
        return np.maximum(np.rint(x), self.minimum).astype(np.int64)

    def __repr__(self):
        return f"sizes.lognormal(mean={self.mean:g}, cv={self.cv:g}, minimum={self.minimum})"


__all__ = ["SizeDistribution", "poisson", "lognormal"]
