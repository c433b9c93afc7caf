"""Finite nested populations: units in groups, with their variance components.

Notation (Cochran 1977, ch. 10-11): units i in groups j = 1..G of sizes N_j,
N = sum N_j, population mean mu. Groups are stored contiguously internally,
so that a group's units can be sampled without scanning the population.
Mixins: the census values (mean, variance components, icc, totals) in
:mod:`.census`, the constructors from files and frames in :mod:`.io`.
"""

from __future__ import annotations

import functools

import numpy as np

from .._validation import (
    InvalidParameterError,
    check_finite_array,
    check_magnitude,
)
from .._limits import checked_sum
from ._arrays import read_only as _read_only
from .census import CensusValues
from .io import PopulationIO
from .subgroups import Subgroups, nested_subgroups as _nested_subgroups
from .truths import CovariateTruths


class Population(CensusValues, PopulationIO, CovariateTruths, Subgroups):
    """A finite population of units nested in groups.

    Parameters
    ----------
    y : array_like of float
        The outcome of every unit; NaN or infinite values are refused.
    group : array_like
        The group label of every unit: any labels (ints, strings, ...). They
        are kept as given in :attr:`group`; :attr:`labels` lists them sorted,
        and group ``j`` of every per-group array is ``labels[j]``.
    subgroup : array_like, optional
        A second level nested within groups (classes within schools), one
        label per unit, for three-stage designs (:class:`~simsample.ThreeStage`).
        Every subgroup label must occur in one group only (make labels unique,
        e.g. by joining group and subgroup labels, if they repeat across
        groups). Subgroup ``s`` of the per-subgroup arrays is
        ``subgroup_labels[s]``; subgroups are numbered group by group.
    name : str, optional
        A name shown in summaries and figures.
    x : array_like of float, optional
        A micro covariate, one value per unit (binary 0/1 or continuous).
    X : array_like of float, optional
        A macro covariate, one value per group, in the order of :attr:`labels`.
        Effects of ``x`` and ``X`` (``delta``, ``within_effect``, ...) are
        described in :class:`simsample._covariate_truths.CovariateTruths`.

    Examples
    --------
    >>> pop = Population(y=[1.0, 2.0, 4.0, 5.0], group=["a", "a", "b", "b"])
    >>> pop.n_groups, pop.mean, pop.group_means.tolist()
    (2, 3.0, [1.5, 4.5])
    """

    def __init__(self, y, group, *, subgroup=None, name: str | None = None, x=None, X=None):
        import pandas as pd

        y = check_finite_array(y, "y")
        group = np.asarray(group)
        if group.ndim != 1 or group.shape[0] != y.shape[0]:
            raise InvalidParameterError(
                f"'group' must be 1-D with one label per unit (len(y) = {y.shape[0]}); "
                f"got shape {group.shape}.")
        if y.shape[0] == 0:
            raise InvalidParameterError("'y' must hold at least one unit; got an empty array.")
        codes, labels = pd.factorize(group, sort=True, use_na_sentinel=True)
        if (codes < 0).any():
            first = int(np.flatnonzero(codes < 0)[0])
            raise InvalidParameterError(
                f"'group' must label every unit; got {int((codes < 0).sum())} missing "
                f"label(s), the first at position {first}.")
        nested = None if subgroup is None else _nested_subgroups(subgroup, codes, labels)
        # subgroups are numbered group by group, so sorting by them keeps groups contiguous
        order = np.argsort(codes if nested is None else nested[0], kind="stable")
        sizes = np.bincount(codes, minlength=len(labels)).astype(np.int64)
        self._init(y_sorted=y[order], sizes=sizes, labels=np.asarray(labels),
                   order=order, name=name)
        if nested is not None:
            self._set_subgroups(*nested[1:])
        self._set_covariates(x, X, order)

    @classmethod
    def _from_grouped(cls, y_sorted: np.ndarray, sizes: np.ndarray, *, name: str | None = None,
                      labels: np.ndarray | None = None, meta: dict | None = None,
                      x_sorted: np.ndarray | None = None,
                      X: np.ndarray | None = None) -> Population:
        """A population whose units are already stored group by group."""
        pop = cls.__new__(cls)
        labels = np.arange(sizes.size) if labels is None else labels
        pop._init(y_sorted=y_sorted, sizes=sizes.astype(np.int64), labels=labels,
                  order=None, name=name, meta=meta)
        pop._set_covariates(x_sorted, X, None)
        return pop

    def _set_covariates(self, x, X, order) -> None:
        """Validate and store the micro covariate ``x`` (grouped like y) and macro ``X``."""
        self._x_sorted = None
        self._X = None
        if x is not None:
            x = check_finite_array(x, "x")
            check_magnitude(x, "x")
            if x.shape[0] != self.n_units:
                raise InvalidParameterError(
                    f"'x' must hold one value per unit (len(y) = {self.n_units}); "
                    f"got {x.shape[0]} values.")
            self._x_sorted = np.ascontiguousarray(x if order is None else x[order])
        if X is not None:
            X = check_finite_array(X, "X")
            check_magnitude(X, "X")
            if X.shape[0] != self.n_groups:
                raise InvalidParameterError(
                    f"'X' must hold one value per group (G = {self.n_groups}), in the order "
                    f"of Population.labels; got {X.shape[0]} values.")
            self._X = np.ascontiguousarray(X)

    def _init(self, *, y_sorted, sizes, labels, order, name, meta=None):
        checked_sum(sizes, "group sizes", "Population")
        check_magnitude(y_sorted, "y")
        self._y_sorted = np.ascontiguousarray(y_sorted, dtype=np.float64)
        self._sizes = sizes
        self._offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._labels = labels
        self._order = order  # position in the caller's order of each stored unit; None = same
        self.name = name
        self.meta = dict(meta or {})

    # -- the units ---------------------------------------------------------------------------

    @functools.cached_property
    def y(self) -> np.ndarray:
        """Outcomes in the caller's order (read-only).

        Returns
        -------
        numpy.ndarray
            One value per unit, in the order given.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.y
        array([1., 2., 4., 6., 5.])
        """
        return _read_only(self._to_caller_order(self._y_sorted))

    @functools.cached_property
    def codes(self) -> np.ndarray:
        """Group index 0..G-1 of every unit, in the caller's order (read-only).

        Returns
        -------
        numpy.ndarray
            Index into :attr:`labels` of every unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.codes
        array([1, 1, 0, 0, 0])
        """
        return _read_only(self._to_caller_order(np.repeat(np.arange(self.n_groups), self._sizes)))

    @functools.cached_property
    def group(self) -> np.ndarray:
        """Group label of every unit, as given (read-only).

        Returns
        -------
        numpy.ndarray
            The labels as given, one per unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.group
        array(['b', 'b', 'a', 'a', 'a'], dtype='<U1')
        """
        return _read_only(np.asarray(self._labels)[self.codes])

    @property
    def labels(self) -> np.ndarray:
        """The distinct group labels, sorted; group j is ``labels[j]``.

        Returns
        -------
        numpy.ndarray
            G labels, sorted.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.labels
        array(['a', 'b'], dtype='<U1')
        """
        return _read_only(np.asarray(self._labels))

    @functools.cached_property
    def x(self) -> np.ndarray | None:
        """The micro covariate in the caller's order (read-only); None if there is none.

        Returns
        -------
        numpy.ndarray or None
            One value per unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.x
        array([0., 1., 1., 0., 0., 1.])
        """
        return None if self._x_sorted is None else _read_only(self._to_caller_order(self._x_sorted))

    @property
    def X(self) -> np.ndarray | None:
        """The macro covariate, one value per group (read-only); None if there is none.

        Returns
        -------
        numpy.ndarray or None
            One value per group.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.X
        array([0., 1.])
        """
        return None if self._X is None else _read_only(self._X)

    # -- grouped storage, for the kernels of designs and estimands --------------------------

    @property
    def stored_y(self) -> np.ndarray:
        """y in grouped storage order: group g's units at ``offsets[g]:offsets[g + 1]``.

        Returns
        -------
        numpy.ndarray
            N values, group by group.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.stored_y
        array([4., 6., 5., 1., 2.])
        """
        return self._y_sorted

    @property
    def stored_x(self) -> np.ndarray | None:
        """The micro covariate in grouped storage order (None if there is none).

        Returns
        -------
        numpy.ndarray or None
            N values, group by group.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 2.5, 4.0, 6.0, 6.0], group=[0, 0, 0, 1, 1, 1],
        ...                  x=[0, 1, 1, 0, 0, 1], X=[0.0, 1.0])
        >>> pop.stored_x
        array([0., 1., 1., 0., 0., 1.])
        """
        return self._x_sorted

    @property
    def offsets(self) -> np.ndarray:
        """Where each group's units start in the grouped storage (G + 1 entries).

        Returns
        -------
        numpy.ndarray
            G + 1 int offsets; the last is N.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.offsets
        array([0, 3, 5])
        """
        return self._offsets

    @property
    def sub_offsets(self) -> np.ndarray:
        """Where each subgroup's units start in the grouped storage (subgroups + 1 entries).

        Returns
        -------
        numpy.ndarray
            One offset per subgroup, then N.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.sub_offsets
        array([0, 2, 3, 5])
        """
        return self._sub_offsets

    @property
    def group_sub_offsets(self) -> np.ndarray:
        """Group g owns subgroups ``group_sub_offsets[g]:group_sub_offsets[g + 1]``.

        Returns
        -------
        numpy.ndarray
            G + 1 offsets into the subgroups.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.group_sub_offsets
        array([0, 2, 3])
        """
        return self._group_sub_offsets

    def to_caller_order(self, stored: np.ndarray) -> np.ndarray:
        """Values given per stored unit, rearranged into the caller's order of units.

        Parameters
        ----------
        stored : numpy.ndarray
            One value per unit, in grouped storage order.

        Returns
        -------
        numpy.ndarray
            The same values, one per unit in the caller's order.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.to_caller_order(pop.stored_y)
        array([1., 2., 4., 6., 5.])
        """
        return self._to_caller_order(stored)

    def caller_positions(self, stored_positions: np.ndarray) -> np.ndarray:
        """Positions in the caller's order of units at ``stored_positions`` of the storage.

        Parameters
        ----------
        stored_positions : numpy.ndarray
            Positions in the grouped storage.

        Returns
        -------
        numpy.ndarray
            The units' positions in the caller's order (int).

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.caller_positions([0, 1, 2])
        array([2, 3, 4])
        """
        return self._caller_positions(stored_positions)

    def _to_caller_order(self, stored: np.ndarray) -> np.ndarray:
        if self._order is None:
            return stored
        out = np.empty_like(stored)
        out[self._order] = stored
        return out

    def _caller_positions(self, stored_positions: np.ndarray) -> np.ndarray:
        """Map positions in the grouped storage to positions in the caller's order."""
        if self._order is None:
            return np.asarray(stored_positions, dtype=np.int64)
        return self._order[stored_positions]

    # -- sizes and means ---------------------------------------------------------------------

    @property
    def n_units(self) -> int:
        """N, the number of units.

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.n_units
        5
        """
        return int(self._y_sorted.size)

    @property
    def n_groups(self) -> int:
        """G, the number of groups.

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.n_groups
        2
        """
        return int(self._sizes.size)

    @property
    def group_sizes(self) -> np.ndarray:
        """N_j, the size of each group (read-only).

        Returns
        -------
        numpy.ndarray
            G sizes (int), in the order of :attr:`labels`.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.group_sizes
        array([3, 2])
        """
        return _read_only(self._sizes)

    @property
    def equal_sizes(self) -> bool:
        """Whether every group has the same size.

        Returns
        -------
        bool

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 4.0, 6.0, 5.0], group=["b", "b", "a", "a", "a"])
        >>> pop.equal_sizes
        False
        """
        return bool((self._sizes == self._sizes[0]).all())

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        sizes = (f"group_size={int(self._sizes[0])}" if self.equal_sizes
                 else f"group sizes {int(self._sizes.min())}..{int(self._sizes.max())}")
        return (f"Population({name}N={self.n_units}, G={self.n_groups}, {sizes}, "
                f"mean={self.mean:.4g}, icc={self.icc:.3f})")
