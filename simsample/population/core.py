"""Finite nested populations: units in groups, with their variance components.

Notation (Cochran 1977, ch. 10-11): units i in groups j = 1..G of sizes N_j,
N = sum N_j, population mean mu. Groups are stored contiguously internally,
so that a group's units can be sampled without scanning the population.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import functools
import os

import numpy as np

from .._validation import (
    InvalidParameterError,
    check_finite_array,
    check_magnitude,
)
from .._limits import checked_sum
from ._arrays import read_only as _read_only
from .subgroups import Subgroups, nested_subgroups as _nested_subgroups
from .truths import CovariateTruths

if TYPE_CHECKING:
    import pandas as pd



class Population(CovariateTruths, Subgroups):
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

    @classmethod
    def from_csv(cls, path, y: str, group: str, *, name: str | None = None,
                 dropna: bool = False, x: str | None = None, X: str | None = None,
                 **read_csv_kwargs) -> Population:
        """Read a population from a CSV file with one row per unit.

        ``y`` and ``group`` name the outcome and group columns; ``x`` and ``X``
        optionally name a micro covariate and a macro covariate (constant
        within each group). Rows with a missing outcome are refused unless
        ``dropna=True``, which drops them (and says how many in
        ``meta["dropped"]``); missing covariates are always refused.

        Parameters
        ----------
        path : str or path-like
            The CSV file.
        y : str
            Name of the outcome column.
        group : str
            Name of the group column.
        name : str, optional
            A name for summaries and figures (default: the path).
        dropna : bool, default False
            Drop rows with a missing outcome instead of refusing them.
        x : str, optional
            Name of a micro covariate column.
        X : str, optional
            Name of a macro covariate column (constant within each group).
        **read_csv_kwargs
            Passed to :func:`pandas.read_csv`.

        Returns
        -------
        Population

        Raises
        ------
        InvalidParameterError
            If a column is missing, y has missing values (without ``dropna``), a
            covariate has missing values or X varies within a group.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import simsample as ss
        >>> folder = tempfile.mkdtemp()
        >>> path = pathlib.Path(folder) / "pop.csv"
        >>> _ = path.write_text("school,score\\nA,1.0\\nA,2.0\\nB,4.0\\nB,6.0\\n")
        >>> pop = ss.Population.from_csv(path, y="score", group="school")
        >>> pop.n_groups, pop.mean
        (2, 3.25)
        """
        import pandas as pd

        if not isinstance(path, (str, os.PathLike)):
            frame = pd.read_csv(path, **read_csv_kwargs)  # an open file or buffer
        elif not os.path.isfile(path):
            what = "a directory" if os.path.isdir(path) else "missing"
            raise InvalidParameterError(
                f"'path' of Population.from_csv must be a CSV file; {str(path)!r} is {what}.")
        else:
            try:
                frame = pd.read_csv(path, **read_csv_kwargs)
            except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError,
                    OSError) as exc:
                reason = " ".join(str(exc).split())
                raise InvalidParameterError(
                    f"'path' of Population.from_csv: cannot read {str(path)!r} as CSV: "
                    f"{reason}.") from None
        return cls.from_frame(frame, y=y, group=group, name=name or str(path), dropna=dropna,
                              x=x, X=X)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, y: str, group: str, *, name: str | None = None,
                   dropna: bool = False, x: str | None = None,
                   X: str | None = None) -> Population:
        """A population from columns of a pandas DataFrame (see :meth:`from_csv`).

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per unit.
        y : str
            Name of the outcome column.
        group : str
            Name of the group column.
        name : str, optional
            A name for summaries and figures.
        dropna : bool, default False
            Drop rows with a missing outcome instead of refusing them.
        x : str, optional
            Name of a micro covariate column.
        X : str, optional
            Name of a macro covariate column (constant within each group).

        Returns
        -------
        Population

        Raises
        ------
        InvalidParameterError
            If a column is missing, y has missing values (without ``dropna``), a
            covariate has missing values or X varies within a group.

        Examples
        --------
        >>> import pandas as pd
        >>> import simsample as ss
        >>> frame = pd.DataFrame({"school": ["A", "A", "B", "B"], "score": [1.0, 2.0, None, 6.0]})
        >>> pop = ss.Population.from_frame(frame, y="score", group="school", dropna=True)
        >>> pop.n_units, pop.meta["dropped"]
        (3, 1)
        """
        import pandas as pd

        covariates = [(key, column) for key, column in (("x", x), ("X", X)) if column is not None]
        for key, column in (("y", y), ("group", group), *covariates):
            if column not in frame.columns:
                raise InvalidParameterError(
                    f"'{key}' must name a column of the data; got {column!r}, "
                    f"columns are {list(frame.columns)}.")
            if int((frame.columns == column).sum()) > 1:
                raise InvalidParameterError(
                    f"'{key}' names column {column!r}, which the data holds more than once; "
                    "rename the duplicates.")
        values = pd.to_numeric(frame[y], errors="coerce")
        missing = values.isna().to_numpy()
        dropped = 0
        if missing.any():
            if not dropna:
                raise InvalidParameterError(
                    f"column {y!r} (y) has {int(missing.sum())} missing or non-numeric "
                    f"value(s); pass dropna=True to drop those rows.")
            dropped = int(missing.sum())
            frame = frame.loc[~missing]
            values = values.loc[~missing]
        pop = cls(values.to_numpy(dtype=np.float64), frame[group].to_numpy(), name=name)
        pop.meta.update({"y": y, "group": group, "dropped": dropped})
        if covariates:
            pop._covariates_from_frame(frame, x, X)
        return pop

    def _covariates_from_frame(self, frame: pd.DataFrame, x: str | None, X: str | None) -> None:
        import pandas as pd

        values = {}
        for key, column in (("x", x), ("X", X)):
            if column is None:
                continue
            numbers = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
            if not np.isfinite(numbers).all():
                raise InvalidParameterError(
                    f"column {column!r} ({key}) has {int((~np.isfinite(numbers)).sum())} "
                    f"missing or non-numeric value(s).")
            values[key] = numbers
        X_groups = None
        if X is not None:
            codes = self.codes
            X_groups = np.full(self.n_groups, np.nan)
            X_groups[codes] = values["X"]
            if not np.array_equal(X_groups[codes], values["X"]):
                raise InvalidParameterError(
                    f"column {X!r} (X) must be constant within each group of column "
                    f"{self.meta['group']!r}.")
        self._set_covariates(values.get("x"), X_groups, self._order)
        self.meta.update({"x": x, "X": X})

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

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        sizes = (f"group_size={int(self._sizes[0])}" if self.equal_sizes
                 else f"group sizes {int(self._sizes.min())}..{int(self._sizes.max())}")
        return (f"Population({name}N={self.n_units}, G={self.n_groups}, {sizes}, "
                f"mean={self.mean:.4g}, icc={self.icc:.3f})")

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
