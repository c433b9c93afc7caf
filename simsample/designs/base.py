"""The design protocol: the base class of designs and the checks they share.

A design is a frozen, validated dataclass. What the engine needs of it is a
:class:`Sampler` (:mod:`.contract`): its compiled ``prepare``/``draw``/``mean``
kernels (named, so that worker processes load them from numba's cache) and
their parameters.
``design.draw(population)`` runs the same kernels once, so a drawn sample is
exactly what a replication of the loop sees; ``design.replay(population,
state, rep)`` runs them ``rep + 1`` times from a chunk's generator state, which
reproduces the loop's replication ``rep`` even for designs whose scratch
carries over from one replication to the next (PPS). The drawn
:class:`Sample` lives in :mod:`.sample`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._rng import as_seed_sequence, xoshiro_state
from .._validation import InvalidParameterError
from .contract import Moments, Sampler
from .sample import Sample

if TYPE_CHECKING:  # designs never import populations at run time
    from ..population import Population

#: Estimators of the mean, as named in the ``estimator`` column of the summary.
SAMPLE_MEAN = "sample mean"
UNWEIGHTED = "unweighted mean"
RATIO = "ratio"
EXPANSION = "expansion"
STRATIFIED = "stratified"
#: ``estimator=`` choices of the group designs.
ESTIMATORS = (RATIO, EXPANSION)


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

    def select_rows(self, sampler: Sampler, methods) -> Sampler:
        """The sampler of a run, spared the work of built-in rows no selected method records.

        Parameters
        ----------
        sampler : Sampler
            What :meth:`sampler` returned for the run's population.
        methods : sequence of Method
            The run's methods.

        Returns
        -------
        Sampler
            ``sampler`` itself (the default), or one whose mean kernel skips rows nobody
            asked for (``PPS(method=...)`` drops its O(k^2) pi_kl sums); the selected rows
            are the same, bit for bit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> sampler = ss.SRS(20).sampler(pop)
        >>> ss.SRS(20).select_rows(sampler, ()) is sampler
        True
        """
        return sampler

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
    """Var(ybar) of an SRS of ``n`` units without replacement: (1 - n/N) S^2 / n.

    Parameters
    ----------
    population : Population
        The population (its N and S^2).
    n : float
        The sample size (a design's expected size for unequal-size designs).

    Returns
    -------
    float
        The variance of the sample mean.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> ss.theory.srs_variance(pop, 20) == ss.theory.variance(pop, ss.SRS(20))
    True
    """
    return (1.0 - n / population.n_units) * population.variance / n
