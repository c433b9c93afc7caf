"""The third level of a population: subgroups (classes) nested within groups (schools).

A mixin of :class:`~simsample.population.Population`; units are stored
subgroup by subgroup within each group.
"""

from __future__ import annotations

import functools

import numpy as np

from .._validation import InvalidParameterError
from ._arrays import read_only as _read_only


class Subgroups:
    """Subgroup sizes, labels, means and variances of a population that has them."""

    _sub_sizes = None  # per-subgroup sizes when the population has subgroups

    def _set_subgroups(self, sub_sizes, subgroups_per_group, sub_labels=None) -> None:
        """Attach subgroups: units already stored subgroup by subgroup within groups."""
        self._sub_sizes = np.asarray(sub_sizes, dtype=np.int64)
        self._sub_offsets = np.concatenate(([0], np.cumsum(self._sub_sizes))).astype(np.int64)
        per_group = np.asarray(subgroups_per_group, dtype=np.int64)
        self._group_sub_offsets = np.concatenate(([0], np.cumsum(per_group))).astype(np.int64)
        self._sub_labels = np.arange(self._sub_sizes.size) if sub_labels is None else sub_labels

    def _require_subgroups(self, what: str) -> None:
        if self._sub_sizes is None:
            raise InvalidParameterError(
                f"{what} needs a population with subgroups nested in groups; build it with "
                "Population(y, group, subgroup=...) or simsample.three_level(...).")

    @property
    def has_subgroups(self) -> bool:
        """Whether the population has a subgroup level nested within its groups.

        Returns
        -------
        bool

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.has_subgroups
        True
        """
        return self._sub_sizes is not None

    @property
    def n_subgroups(self) -> int:
        """The number of subgroups (over all groups).

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.n_subgroups
        3
        """
        self._require_subgroups("n_subgroups")
        return int(self._sub_sizes.size)

    @property
    def subgroup_sizes(self) -> np.ndarray:
        """M_jk, the size of every subgroup, group by group (read-only).

        Returns
        -------
        numpy.ndarray
            M_jk (int), subgroups numbered group by group.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroup_sizes
        array([2, 1, 2])
        """
        self._require_subgroups("subgroup_sizes")
        return _read_only(self._sub_sizes)

    @property
    def subgroups_per_group(self) -> np.ndarray:
        """L_j, the number of subgroups of each group (read-only).

        Returns
        -------
        numpy.ndarray
            L_j (int), in the order of ``labels``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroups_per_group
        array([2, 1])
        """
        self._require_subgroups("subgroups_per_group")
        return _read_only(np.diff(self._group_sub_offsets))

    @property
    def subgroup_labels(self) -> np.ndarray:
        """The subgroup labels, group by group; subgroup s is ``subgroup_labels[s]``.

        Returns
        -------
        numpy.ndarray
            One label per subgroup.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroup_labels
        array(['0a', '0b', '1a'], dtype='<U2')
        """
        self._require_subgroups("subgroup_labels")
        return _read_only(np.asarray(self._sub_labels))

    @functools.cached_property
    def subgroup_codes(self) -> np.ndarray:
        """Subgroup index 0..S-1 of every unit, in the caller's order (read-only).

        Returns
        -------
        numpy.ndarray
            One subgroup index per unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroup_codes
        array([0, 0, 1, 2, 2])
        """
        self._require_subgroups("subgroup_codes")
        stored = np.repeat(np.arange(self._sub_sizes.size), self._sub_sizes)
        return _read_only(self._to_caller_order(stored))

    @functools.cached_property
    def subgroup(self) -> np.ndarray:
        """Subgroup label of every unit, as given (read-only).

        Returns
        -------
        numpy.ndarray
            One label per unit.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroup
        array(['0a', '0a', '0b', '1a', '1a'], dtype='<U2')
        """
        return _read_only(np.asarray(self._sub_labels)[self.subgroup_codes])

    @functools.cached_property
    def subgroup_means(self) -> np.ndarray:
        """Ybar_jk, the mean of every subgroup (read-only).

        Returns
        -------
        numpy.ndarray
            One mean per subgroup.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroup_means
        array([1.5, 3. , 5. ])
        """
        self._require_subgroups("subgroup_means")
        totals = np.add.reduceat(self._y_sorted, self._sub_offsets[:-1])
        return _read_only(totals / self._sub_sizes)

    @functools.cached_property
    def subgroup_variances(self) -> np.ndarray:
        """S_jk^2, the variance within every subgroup (divisor M_jk - 1; 0 for one unit).

        Returns
        -------
        numpy.ndarray
            One variance per subgroup.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.Population(y=[1.0, 2.0, 3.0, 4.0, 6.0], group=[0, 0, 0, 1, 1],
        ...                  subgroup=["0a", "0a", "0b", "1a", "1a"])
        >>> pop.subgroup_variances
        array([0.5, 0. , 2. ])
        """
        dev = self._y_sorted - np.repeat(self.subgroup_means, self._sub_sizes)
        ss = np.add.reduceat(dev * dev, self._sub_offsets[:-1])
        return _read_only(np.where(self._sub_sizes > 1,
                                   ss / np.maximum(self._sub_sizes - 1, 1), 0.0))


def nested_subgroups(subgroup, codes, labels):
    """Check that ``subgroup`` nests within groups and number subgroups group by group.

    Returns the new subgroup code of every unit (caller order), the sizes of
    the subgroups, the number of subgroups per group and the subgroup labels.
    """
    import pandas as pd

    subgroup = np.asarray(subgroup)
    if subgroup.ndim != 1 or subgroup.shape[0] != codes.shape[0]:
        raise InvalidParameterError(
            f"'subgroup' must be 1-D with one label per unit (len(y) = {codes.shape[0]}); "
            f"got shape {subgroup.shape}.")
    raw, sub_labels = pd.factorize(subgroup, sort=True, use_na_sentinel=True)
    if (raw < 0).any():
        first = int(np.flatnonzero(raw < 0)[0])
        raise InvalidParameterError(
            f"'subgroup' must label every unit; got {int((raw < 0).sum())} missing "
            f"label(s), the first at position {first}.")
    n_sub = len(sub_labels)
    lowest = np.full(n_sub, np.iinfo(np.int64).max)
    highest = np.full(n_sub, -1)
    np.minimum.at(lowest, raw, codes)
    np.maximum.at(highest, raw, codes)
    split = np.flatnonzero(lowest != highest)
    if split.size:
        s = split[0]
        group_labels = np.asarray(labels).tolist()
        raise InvalidParameterError(
            f"'subgroup' must nest within 'group' (each subgroup label in one group only); "
            f"subgroup {np.asarray(sub_labels).tolist()[s]!r} occurs in groups "
            f"{group_labels[lowest[s]]!r} and {group_labels[highest[s]]!r} ({split.size} "
            "subgroup(s) span groups). Make the labels unique, e.g. by joining the group and "
            "subgroup labels.")
    rank = np.lexsort((np.arange(n_sub), lowest))  # by group, then by label
    new_code = np.empty(n_sub, np.int64)
    new_code[rank] = np.arange(n_sub)
    unit_code = new_code[raw]
    sub_sizes = np.bincount(unit_code, minlength=n_sub).astype(np.int64)
    per_group = np.bincount(lowest, minlength=len(labels)).astype(np.int64)
    return unit_code, sub_sizes, per_group, np.asarray(sub_labels)[rank]
