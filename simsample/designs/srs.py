"""Simple random sampling of units: without replacement (default) or with replacement."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import InfeasibleDesignError, InvalidParameterError, check_int
from . import _srs_kernels as _srs
from .base import SAMPLE_MEAN, UNWEIGHTED, Design, check_estimator, srs_variance
from .contract import Moments, Sampler

_KERNELS = "simsample.designs._srs_kernels"


@dataclass(frozen=True)
class SRS(Design):
    """Simple random sample of ``n`` units without replacement.

    ``naive_t`` is the textbook interval ybar +- t(n-1) s/sqrt(n); ``cluster_t``
    (the design-based interval) multiplies the variance by the finite
    population correction 1 - n/N.

    With ``replace=True``: ``n`` independent draws with replacement (a unit
    may occur several times; n may exceed N). The sample mean has variance
    sigma^2/n = (N - 1)/N S^2/n; s^2/n estimates it without bias, so both
    ``naive_t`` and ``cluster_t`` are ybar +- t(n-1) s/sqrt(n). A unit's
    inclusion probability is 1 - (1 - 1/N)^n; its design weight for the
    sample mean is N/n per draw (Hansen-Hurwitz), which is not 1/pi.

    Theory: Var(ybar) = (1 - n/N) S^2 / n without replacement, (N - 1)/N S^2 / n
    with; both exact. Methods of the shared form see every unit as a PSU of
    size 1 (k = n, n_groups = N).

    Parameters
    ----------
    n : int
        Sample size (at least 2; at most N without replacement).
    replace : bool, default False
        Draw with replacement (keyword only).

    Raises
    ------
    InvalidParameterError
        If ``n`` is not an int of at least 2 or ``replace`` is not a bool.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.SRS(20)
    >>> str(design), design.expected_size(pop)
    ('SRS(n=20)', 20.0)
    >>> ss.SRS(20).draw(pop, seed=1).estimate().round(3)
          method  estimate     se  df  lower  upper
    0    naive_t     0.197  0.196  19 -0.212  0.607
    1  cluster_t     0.197  0.186  19 -0.191  0.586
    """

    n: int
    replace: bool = field(default=False, kw_only=True)

    def __post_init__(self):
        object.__setattr__(self, "n", check_int(self.n, "n", low=2, owner="SRS"))
        if not isinstance(self.replace, (bool, np.bool_)):
            raise InvalidParameterError(
                f"'replace' of SRS must be True or False; got {self.replace!r}.")
        object.__setattr__(self, "replace", bool(self.replace))

    def check(self, population):  # numpydoc ignore=GL08
        if self.replace:
            return
        if self.n > population.n_units:
            raise InfeasibleDesignError(
                f"'n' of SRS must be an int in [2, N={population.n_units}] for this "
                f"population; got {self.n}.")

    def expected_size(self, population):  # numpydoc ignore=GL08
        return float(self.n)

    def _stored_inclusion(self, population):
        N = population.n_units
        if self.replace:
            return np.full(N, -np.expm1(self.n * np.log1p(-1.0 / N)) if N > 1 else 1.0)
        return np.full(N, self.n / N)

    def sampler(self, population):  # numpydoc ignore=GL08
        N = population.n_units
        if self.replace:
            names = ("prepare_srs_replace", "draw_srs_replace_form", "mean_srs_replace")
        else:
            names = ("prepare_srs", "draw_srs", "mean_srs")
        return Sampler(_KERNELS, *names, params=(N, self.n), kind="element", n_units=N,
                       form_groups=N, max_n=self.n, mean_dfs=(self.n - 1,),
                       estimands=("mean",) if self.replace else ("mean", "difference", "ratio",
                                                            "domain_mean"))

    def sample_fields(self, population, scr, n, k):  # numpydoc ignore=GL08
        # one "group" holding the whole sample (the layout SurveyDesign and effects expect)
        return (scr[0][:n].copy(), np.array([0, n]), np.array([float(population.n_units)]),
                np.array([-1]))

    def estimate_layout(self, population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators on sampled values ``ys`` (rows of ``out``: naive, design).

        Parameters
        ----------
        population : Population
            The population the sample comes from.
        ys : numpy.ndarray
            y of the sampled units, in the design's layout.
        psu_start : numpy.ndarray
            Where each sampled sample (one, at 0)'s units start in ``ys``.
        psu_size : numpy.ndarray
            ``[N]`` (one entry).
        out : numpy.ndarray
            Array of shape (2, 3) to fill: rows ``naive_t``, ``cluster_t``;
            columns estimate, standard error, degrees of freedom.

        Returns
        -------
        None
            The estimates are written into ``out``.

        Examples
        --------
        >>> import numpy as np
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> design = ss.SRS(20)
        >>> s = design.draw(pop, seed=2)
        >>> out = np.empty((2, 3))
        >>> design.estimate_layout(pop, s.y, s.psu_start, s.psu_size, out)
        >>> bool(np.allclose(out[:, :2], s.estimate()[["estimate", "se"]]))
        True
        """
        if self.replace:
            _srs.srs_replace_mean(ys, self.n, out)
        else:
            _srs.srs_mean(ys, self.n, population.n_units, out)

    def estimator_names(self, population):  # numpydoc ignore=GL08
        return (SAMPLE_MEAN, SAMPLE_MEAN)

    def moments(self, population, estimator=None):  # numpydoc ignore=GL08
        check_estimator(estimator, (None, SAMPLE_MEAN, UNWEIGHTED), self)
        if self.replace:
            # n iid draws: sigma^2 / n with sigma^2 = (N - 1)/N S^2
            N = population.n_units
            return Moments(population.mean, (N - 1.0) / N * population.variance / self.n, True)
        return Moments(population.mean, srs_variance(population, self.n), True)

    def frame_columns(self, sample):  # numpydoc ignore=GL08
        n_units = sample.population.n_units
        n = sample.size
        columns = {"unit": sample.units, "y": sample.y, "weight": np.full(n, n_units / n),
                   "fpc": np.full(n, n_units)}
        if self.replace:  # with replacement: no finite-population correction
            return columns, {"ids": [None], "weights": "weight"}
        return columns, {"ids": [None], "fpc": ["fpc"]}

    def __str__(self):
        return f"SRS(n={self.n}, replace=True)" if self.replace else f"SRS(n={self.n})"
