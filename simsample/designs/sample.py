"""One sample drawn by a design: its units, how they were drawn, and the methods' form.

Made by :meth:`Design.draw` (or ``Design.replay``, :mod:`.base`) from the
design's :class:`Sampler` (:mod:`.contract`) and the drawing kernel's scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # designs never import populations at run time
    import pandas as pd

    from ..population import Population
    from .contract import Sampler
    # ``Design`` (designs/base.py) is not imported: base.py imports this module.


@dataclass(frozen=True, eq=False)
class Sample:
    """One sample drawn by a design: its units, how they were drawn, and the methods' form.

    ``units`` are positions in the population (its caller's order); ``groups``
    the codes of the sampled groups, ``psu`` the index of each unit's sampled
    group in ``groups`` (-1 for element sampling). :attr:`form` is the shared
    sample form the methods see in the replication loop. Made by
    :meth:`Design.draw`, not by hand.

    Parameters
    ----------
    population : Population
        The population sampled.
    design : Design
        The design that drew the sample.
    sampler : Sampler
        The design's kernels for ``population``.
    scratch : tuple of numpy.ndarray
        The drawing kernel's scratch after the draw.
    n : int
        Number of sampled units.
    k : int
        Number of sampled PSUs.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
    >>> sample.size, sample.k, sample.groups.tolist()
    (20, 4, [8, 17, 5, 19])
    """

    population: Population
    design: Design
    sampler: Sampler
    scratch: tuple
    n: int
    k: int

    @property
    def stored(self) -> np.ndarray:
        """Positions of the sampled units in the population's grouped storage.

        Returns
        -------
        numpy.ndarray
            Index into ``population.stored_y`` of every sampled unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> bool((pop.stored_y[sample.stored] == sample.y).all())
        True
        """
        return self._fields[0]

    @property
    def psu_start(self) -> np.ndarray:
        """Where each sampled group's units start in :attr:`y` (its design's layout).

        Returns
        -------
        numpy.ndarray
            k + 1 offsets; the last is the sample size.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.psu_start.tolist()
        [0, 5, 10, 15, 20]
        """
        return self._fields[1]

    @property
    def psu_size(self) -> np.ndarray:
        """Population sizes behind the sampled groups (its design's layout).

        Returns
        -------
        numpy.ndarray
            M_j of every sampled group (float; N for element sampling).

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.psu_size.tolist()
        [10.0, 10.0, 10.0, 10.0]
        """
        return self._fields[2]

    @property
    def _fields(self):
        fields = self.__dict__.get("_cached_fields")
        if fields is None:
            fields = self.design.sample_fields(self.population, self.scratch, self.n, self.k)
            object.__setattr__(self, "_cached_fields", fields)
        return fields

    @property
    def form(self) -> tuple:
        """``(y, start, size, k, n_units, n_groups)``: the sample as methods receive it.

        Returns
        -------
        tuple
            y of the sampled units in the kernel's order, PSU starts and sizes,
            the number of PSUs, N and the number of groups (G, N or H).

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.form[3:]
        (4, 200, 20)
        """
        s = self.sampler
        first, second = s.form_slots
        return (self.y_form, self.scratch[first][:self.k + 1].copy(),
                self.scratch[second][:self.k].copy(), self.k, s.n_units, s.form_groups)

    @property
    def y_form(self) -> np.ndarray:
        """y of the sampled units in the order of the drawing kernel.

        Returns
        -------
        numpy.ndarray
            One value per sampled unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.y_form.shape
        (20,)
        """
        return self.population.stored_y[self.scratch[0][:self.n]]

    @property
    def units(self) -> np.ndarray:
        """Positions of the sampled units in the population (its caller's order).

        Returns
        -------
        numpy.ndarray
            Row of every sampled unit in the population's own order.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> bool((pop.y[sample.units] == sample.y).all())
        True
        """
        return self.population.caller_positions(self.stored)

    @property
    def y(self) -> np.ndarray:
        """Outcomes y of the sampled units, group by group.

        Returns
        -------
        numpy.ndarray
            One value per sampled unit, in the order of :attr:`units`.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.y.shape
        (20,)
        """
        return self.population.stored_y[self.stored]

    @property
    def groups(self) -> np.ndarray:
        """Codes of the sampled groups (-1 for element sampling).

        Returns
        -------
        numpy.ndarray
            One code per sampled PSU: positions in ``population.labels``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.groups.tolist()
        [8, 17, 5, 19]
        """
        return self._fields[3].copy()

    @property
    def psu(self) -> np.ndarray:
        """Index of each unit's sampled group in :attr:`groups` (-1 for element sampling).

        Returns
        -------
        numpy.ndarray
            One integer per sampled unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.psu[:7].tolist()
        [0, 0, 0, 0, 0, 1, 1]
        """
        counts = np.diff(self.psu_start)
        if self._fields[3][0] < 0:
            return np.full(self.stored.size, -1)
        return np.repeat(np.arange(counts.size), counts)

    @property
    def size(self) -> int:
        """Number of sampled units n.

        Returns
        -------
        int
            The sample size.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.size
        20
        """
        return int(self.n)

    @property
    def weights(self) -> np.ndarray:
        """Design weight 1/pi of every sampled unit (as in :meth:`Design.weights`).

        Returns
        -------
        numpy.ndarray
            One weight per sampled unit, in the order of :attr:`units`.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.weights[:3]
        array([10., 10., 10.])
        """
        return 1.0 / self.design._stored_inclusion(self.population)[self.stored]

    def estimate(self, level: float = 0.95, *, estimand: str = "mean",
                 methods=None) -> pd.DataFrame:
        """The engine's estimates and intervals for this sample, one row per method.

        ``methods`` as in :func:`simsample.simulate` (None: the defaults).
        ``estimand="difference"``: the effects of x (see
        :mod:`simsample.estimands.difference`). The same compiled kernels as
        the replication loop.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level of the intervals.
        estimand : str, default "mean"
            What is estimated: ``"mean"``, ``"difference"``, ``"ratio"`` or
            ``"domain_mean"`` (as the design and population support).
        methods : list of str or Method, optional
            The methods to run; None: the estimand's defaults.

        Returns
        -------
        pandas.DataFrame
            One row per method: ``method``, ``estimate``, ``se``, ``df``,
            ``lower``, ``upper`` (and the estimand's own columns).

        Raises
        ------
        InvalidParameterError
            If ``level``, ``estimand`` or ``methods`` is not valid.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample.estimate().round(3)
              method  estimate     se  df  lower  upper
        0    naive_t     -0.27  0.169  19 -0.624  0.083
        1  cluster_t     -0.27  0.243   3 -1.043  0.503
        """
        from ..estimands import estimate_sample

        return estimate_sample(self, level, estimand=estimand, methods=methods)

    def to_frame(self) -> pd.DataFrame:
        """This sample with its design columns, for :class:`simsample.SurveyDesign`.

        Columns: ``unit`` (position in the population), ``y``, ``weight`` (the
        design weight 1/pi) and the design's ids and fpc columns (see each
        design's :meth:`~Design.frame_columns`). ``frame.attrs["survey_design"]``
        holds the matching SurveyDesign arguments.

        Returns
        -------
        pandas.DataFrame
            One row per sampled unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> frame = ss.TwoStage(4, 5).draw(pop, seed=2).to_frame()
        >>> list(frame.columns), frame.attrs["survey_design"]["ids"]
        (['group', 'unit', 'y', 'weight', 'fpc1', 'fpc2'], ['group', None])
        """
        import pandas as pd

        columns, spec = self.design.frame_columns(self)
        frame = pd.DataFrame(columns)
        frame.attrs["survey_design"] = spec
        return frame

    def __repr__(self):
        return f"Sample({self.design}, n={self.size})"
