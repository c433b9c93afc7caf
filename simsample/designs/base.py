"""The design protocol, the sampler a design hands the engine, and one drawn sample.

A design is a frozen, validated dataclass. What the engine needs of it is a
:class:`Sampler`: its compiled ``prepare``/``draw``/``mean`` kernels (named,
so that worker processes load them from numba's cache) and their parameters.
``design.draw(population)`` runs the same kernels once, so a drawn sample is
exactly what a replication of the loop sees; ``design.replay(population,
state, rep)`` runs them ``rep + 1`` times from a chunk's generator state, which
reproduces the loop's replication ``rep`` even for designs whose scratch
carries over from one replication to the next (PPS).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._kernels.moments import N_MEAN_METHODS
from .._rng import as_seed_sequence, xoshiro_state
from .._validation import InvalidParameterError

if TYPE_CHECKING:  # designs never import populations at run time
    import pandas as pd

    from ..population import Population

#: Estimators of the mean, as named in the ``estimator`` column of the summary.
SAMPLE_MEAN = "sample mean"
UNWEIGHTED = "unweighted mean"
RATIO = "ratio"
EXPANSION = "expansion"
STRATIFIED = "stratified"
#: ``estimator=`` choices of the group designs.
ESTIMATORS = (RATIO, EXPANSION)


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


class Design:
    """Base class of sampling designs.

    Subclasses define :meth:`check`, :meth:`expected_size`, :meth:`sampler`,
    :meth:`moments`, :meth:`frame_columns`, :meth:`estimator_names` and
    ``_stored_inclusion``; see :class:`~simsample.designs.SRS` for the smallest one.
    The base class takes no parameters; every design is a frozen dataclass
    whose fields are its parameters.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> design = ss.TwoStage(4, 5)
    >>> isinstance(design, ss.Design), design.expected_size(pop)
    (True, 20.0)
    """

    def check(self, population: Population) -> None:
        """Raise :class:`InfeasibleDesignError` if the design cannot be drawn from ``population``.

        Parameters
        ----------
        population : Population
            The population to sample.

        Returns
        -------
        None
            When the design can be drawn.

        Raises
        ------
        InfeasibleDesignError
            When the design asks for more groups or units than the population has.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> ss.TwoStage(4, 5).check(pop) is None
        True
        >>> ss.TwoStage(40, 5).check(pop)
        Traceback (most recent call last):
        ...
        simsample._validation.InfeasibleDesignError: 'groups' of TwoStage must be an int in [2, G=20] for this population; got 40.
        """
        raise NotImplementedError

    def expected_size(self, population: Population) -> float:
        """Expected number of sampled units.

        Parameters
        ----------
        population : Population
            The population to sample.

        Returns
        -------
        float
            E(n), the expected sample size (the sample size for fixed-size designs).

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> ss.ClusterSample(4).expected_size(pop)
        40.0
        """
        raise NotImplementedError

    def sampler(self, population: Population) -> Sampler:
        """The compiled kernels that draw this design from ``population`` (after :meth:`check`).

        Parameters
        ----------
        population : Population
            The population to sample (already accepted by :meth:`check`).

        Returns
        -------
        Sampler
            The names of the design's ``prepare``/``draw``/``mean`` kernels and
            their parameters, as the engine's replication loop runs them.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sampler = ss.SRS(20).sampler(pop)
        >>> sampler.kind, sampler.max_n, sampler.mean_dfs
        ('element', 20, (19,))
        """
        raise NotImplementedError

    def moments(self, population: Population, estimator: str | None = None) -> Moments:
        """Exact (or flagged approximate) expectation and variance of an estimator of the mean.

        Parameters
        ----------
        population : Population
            The population sampled.
        estimator : str, optional
            The estimator of the mean (``"sample mean"``, ``"unweighted mean"``,
            ``"ratio"``, ``"expansion"``, ``"stratified"``, as the design
            supports); None: the design's own estimator (its ``cluster_t`` row).

        Returns
        -------
        Moments
            Expectation, variance and whether the variance is exact.

        Raises
        ------
        ValueError
            If ``estimator`` is not one the design's theory knows.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> m = ss.TwoStage(4, 5).moments(pop)
        >>> m.exact, round(m.variance, 4)
        (True, 0.0531)
        """
        raise NotImplementedError(f"no theory for {type(self).__name__} yet")

    def frame_columns(self, sample: Sample) -> tuple[dict, dict]:
        """A drawn sample's design columns and the matching SurveyDesign arguments.

        Parameters
        ----------
        sample : Sample
            A sample drawn by this design.

        Returns
        -------
        columns : dict
            Column name -> array: ``unit``, ``y``, ``weight`` and the design's
            ids and fpc columns.
        spec : dict
            The :class:`simsample.SurveyDesign` arguments (``ids``, ``fpc``,
            ``strata``, ``weights``) that describe the design.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> design = ss.TwoStage(4, 5)
        >>> columns, spec = design.frame_columns(design.draw(pop, seed=2))
        >>> sorted(columns), spec
        (['fpc1', 'fpc2', 'group', 'unit', 'weight', 'y'], {'ids': ['group', None], 'fpc': ['fpc1', 'fpc2']})
        """
        raise NotImplementedError(f"{type(self).__name__} has no sample frame yet")

    def estimate_layout(self, population: Population, ys, psu_start, psu_size, out) -> None:
        """The built-in mean estimators (rows ``naive_t``, ``cluster_t`` of ``out``) on a
        sample given in the design's layout (``Sample.psu_start``, ``Sample.psu_size``): the
        kernels the loop runs, for hand-made samples (exact enumeration).

        Parameters
        ----------
        population : Population
            The population the sample comes from.
        ys : numpy.ndarray
            y of the sampled units, in the design's layout.
        psu_start : numpy.ndarray
            Where each sampled group's units start in ``ys`` (k + 1 entries).
        psu_size : numpy.ndarray
            Population sizes behind the sampled groups (float).
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
        >>> design = ss.TwoStage(4, 5)
        >>> sample = design.draw(pop, seed=2)
        >>> out = np.empty((2, 3))
        >>> design.estimate_layout(pop, sample.y, sample.psu_start, sample.psu_size, out)
        >>> bool(np.allclose(out[:, :2], sample.estimate()[["estimate", "se"]]))
        True
        """
        raise NotImplementedError

    def estimator_names(self, population: Population) -> tuple[str, str]:
        """The estimators behind the built-in ``naive_t`` and ``cluster_t`` rows.

        Parameters
        ----------
        population : Population
            The population sampled (group sizes decide the estimators).

        Returns
        -------
        tuple of str
            (estimator of ``naive_t``, estimator of ``cluster_t``).

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> ss.TwoStage(4, 5).estimator_names(pop)
        ('sample mean', 'sample mean')
        """
        raise NotImplementedError

    def sample_fields(self, population: Population, scr, n: int, k: int) -> tuple:
        """(stored units, psu_start, psu_size, group codes) of a sample in scratch ``scr``.

        Parameters
        ----------
        population : Population
            The population sampled.
        scr : tuple of numpy.ndarray
            The drawing kernel's scratch after a draw.
        n : int
            Number of sampled units.
        k : int
            Number of sampled PSUs.

        Returns
        -------
        tuple of numpy.ndarray
            Stored positions of the units, ``psu_start``, ``psu_size`` and the
            codes of the sampled groups (-1 for element sampling), as
            :class:`Sample` exposes them.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> design = ss.TwoStage(4, 5)
        >>> s = design.draw(pop, seed=2)
        >>> stored, start, size, groups = design.sample_fields(pop, s.scratch, s.n, s.k)
        >>> start.tolist(), groups.tolist()
        ([0, 5, 10, 15, 20], [8, 17, 5, 19])
        """
        return (scr[0][:n].copy(), scr[1][:k + 1].copy(), scr[2][:k].copy(),
                scr[3][:k].copy())

    def inclusion_probabilities(self, population: Population) -> np.ndarray:
        """pi_i, the probability that unit i is in the sample, for every unit.

        One value per unit, in the population's (caller's) order; exact.

        Parameters
        ----------
        population : Population
            The population sampled.

        Returns
        -------
        numpy.ndarray
            pi_i of every unit, in the population's order.

        Raises
        ------
        InfeasibleDesignError
            If the design cannot be drawn from ``population``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> ss.TwoStage(4, 5).inclusion_probabilities(pop)[:3]
        array([0.1, 0.1, 0.1])
        """
        self.check(population)
        return population.to_caller_order(self._stored_inclusion(population))

    def weights(self, population: Population) -> np.ndarray:
        """Design weights 1 / pi_i of every unit, in the population's order.

        Parameters
        ----------
        population : Population
            The population sampled.

        Returns
        -------
        numpy.ndarray
            1 / pi_i of every unit, in the population's order.

        Raises
        ------
        InfeasibleDesignError
            If the design cannot be drawn from ``population``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> ss.TwoStage(4, 5).weights(pop)[:3]
        array([10., 10., 10.])
        """
        return 1.0 / self.inclusion_probabilities(population)

    def _stored_inclusion(self, population: Population) -> np.ndarray:
        """Inclusion probabilities in grouped storage order."""
        raise NotImplementedError

    def draw(self, population: Population, seed=None) -> Sample:
        """Draw one sample from ``population`` (``seed``: None, an int or a SeedSequence).

        Parameters
        ----------
        population : Population
            The population to sample.
        seed : None, int or numpy.random.SeedSequence, optional
            Seed of the draw; None draws fresh entropy.

        Returns
        -------
        Sample
            The drawn sample, exactly as a replication of the engine's loop sees it.

        Raises
        ------
        InfeasibleDesignError
            If the design cannot be drawn from ``population``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sample = ss.TwoStage(4, 5).draw(pop, seed=2)
        >>> sample, sample.groups.tolist()
        (Sample(TwoStage(4x5), n=20), [8, 17, 5, 19])
        """
        self.check(population)
        return self.replay(population, xoshiro_state(as_seed_sequence(seed)), 0)

    def replay(self, population: Population, state: np.ndarray, rep: int) -> Sample:
        """Replication ``rep`` of a chunk whose sampling stream starts at ``state``.

        Runs the design's drawing kernel ``rep + 1`` times, exactly as the
        engine's loop does, and returns the last sample. ``state`` is not
        changed.

        Parameters
        ----------
        population : Population
            The population sampled.
        state : numpy.ndarray
            The chunk's xoshiro generator state (uint64 words).
        rep : int
            The replication's index within the chunk (0 for its first).

        Returns
        -------
        Sample
            Replication ``rep``'s sample.

        Examples
        --------
        >>> from simsample._rng import as_seed_sequence, xoshiro_state
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> design = ss.TwoStage(4, 5)
        >>> state = xoshiro_state(as_seed_sequence(2))
        >>> design.replay(pop, state, 0).groups.tolist() == design.draw(pop, seed=2).groups.tolist()
        True
        """
        sampler = self.sampler(population)
        scr, n, k = sampler.draw_into(np.array(state, dtype=np.uint64), rep + 1)
        return Sample(population, self, sampler, scr, n, k)


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


def check_designs(designs) -> dict[str, Design]:
    """Normalise ``designs`` (a Design, a list, or a dict name -> Design) to a dict."""
    if isinstance(designs, Design):
        designs = {str(designs): designs}
    elif isinstance(designs, (list, tuple)):
        named = {str(d): d for d in designs}
        if len(named) < len(designs):
            raise InvalidParameterError(
                "'designs' given as a list must not repeat a design; pass a dict of "
                f"name -> Design to name them; got {[str(d) for d in designs]}.")
        designs = named
    if not isinstance(designs, dict) or not designs:
        raise InvalidParameterError(
            "'designs' must be a Design, a list of Designs or a non-empty dict of "
            f"name -> Design; got {designs!r}.")
    for name, design in designs.items():
        if not isinstance(name, str) or not name:
            raise InvalidParameterError(f"design names must be non-empty strings; got {name!r}.")
        if not isinstance(design, Design):
            raise InvalidParameterError(
                f"design {name!r} must be a simsample Design (SRS, TwoStage, ClusterSample, ...); "
                f"got {design!r}.")
    return dict(designs)


def check_estimator(estimator, valid, design) -> None:
    """Refuse an estimator name that ``design``'s theory does not know."""
    if estimator not in valid:
        names = ", ".join(repr(v) for v in valid if v is not None)
        raise ValueError(f"'estimator' for {design} must be one of {names}; got {estimator!r}.")


def srs_variance(population: Population, n: float) -> float:
    """Var(ybar) of an SRS of ``n`` units without replacement: (1 - n/N) S^2 / n."""
    return (1.0 - n / population.n_units) * population.variance / n
