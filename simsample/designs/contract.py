"""The kernel contract: what a design hands the engine, and its theory moments.

:class:`Sampler` names a design's compiled ``prepare``/``draw``/``mean``
kernels for one population (named, so that worker processes load them from
numba's cache) and holds their parameters; :class:`Moments` is the exact (or
flagged approximate) expectation and variance of an estimator under a design.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import numpy as np

from .._kernels.moments import N_MEAN_METHODS


@dataclass(frozen=True)
class Moments:
    """Expectation and variance of an estimator under a design.

    ``exact`` is False when the variance is an approximation (the ratio
    estimator with unequal group sizes); ``expectation`` is NaN where no exact
    value is known.

    Parameters
    ----------
    expectation : float
        E(estimator) over all samples of the design (NaN where unknown).
    variance : float
        Var(estimator) over all samples of the design.
    exact : bool
        Whether ``variance`` is exact (False: an approximation).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> m = ss.SRS(20).moments(pop)
    >>> m.exact, round(m.variance, 4)
    (True, 0.0375)
    """

    expectation: float
    variance: float
    exact: bool


@dataclass(frozen=True, eq=False)
class Sampler:
    """A design's compiled kernels for one population, and their parameters.

    ``module`` holds ``prepare(params) -> scr``, ``draw(state, *params, *scr) ->
    (n, k)`` and ``mean(ys, n, k, *params, *scr, out)`` (conventions in
    :mod:`simsample.designs._srs_kernels`). ``kind`` is ``"element"`` (units
    are the PSUs) or ``"cluster"``. The sample form handed to methods is
    ``form``: ``"groups"`` (the sampled PSUs: ``start``, ``size`` of the
    sampled groups, or every unit for element designs) or ``"strata"`` (every
    stratum with the units drawn in it); ``form_slots`` are the scratch entries
    holding its ``start`` and ``size``, ``form_groups`` its ``n_groups`` (G,
    N for element designs, H for strata). ``max_n`` is the largest sample;
    ``mean_dfs`` every df the built-in intervals of the mean can have;
    ``estimands`` what the design supports. ``mean_rows`` is the number of
    rows the ``mean`` kernel writes (``N_MEAN_METHODS``, or more for a design
    with extra built-in methods of the mean) and ``mean_offers`` the names of
    the extra registered methods (rows from ``N_MEAN_METHODS`` on) it offers.
    """

    module: str
    prepare: str
    draw: str
    mean: str
    params: tuple
    kind: str
    n_units: int
    form_groups: int
    max_n: int
    mean_dfs: tuple[int, ...]
    form: str = "groups"
    form_slots: tuple[int, int] = (1, 2)
    estimands: tuple[str, ...] = ("mean",)
    mean_rows: int = N_MEAN_METHODS
    mean_offers: tuple[str, ...] = ()

    def kernel(self, name: str):
        return getattr(importlib.import_module(self.module), name)

    def draw_into(self, state: np.ndarray, draws: int = 1):
        """Run the drawing kernel ``draws`` times from ``state``; the last sample's scratch."""
        draw = self.kernel(self.draw)
        scr = self.kernel(self.prepare)(self.params)
        n = k = 0
        for _ in range(draws):
            n, k = draw(state, *self.params, *scr)
        return scr, int(n), int(k)
