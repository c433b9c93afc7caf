"""The sampling stages of a :class:`~simsample.survey.SurveyDesign`, built and checked.

From the ``ids``, ``fpc``, ``strata`` and ``weights`` columns of a data set this
module builds, for every stage, the unit of every row, the stratum of every unit,
the number of units sampled in each stratum and (with ``fpc``) its population
count; and the weights derived from them. Every refusal names the column and
the offending stratum or unit, with the messages of ``SurveyDesign``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import InvalidParameterError, SimsampleWarning

#: How an ``ids`` entry says "every row is its own unit at this stage" (R's ``~1``).
ELEMENT = ("1", None)
#: Below this (1 - n/N) a stratum counts as sampled completely (as in R's ``onestrat``).
CERTAINTY = 1e-7


@dataclass(frozen=True)
class Stage:
    """One sampling stage: its units, their strata and the sampling fraction of each stratum.

    At stage 1 the strata are those given by ``strata`` (one if none); at
    stage s > 1 each unit of stage s - 1 is a stratum.
    """

    column: str | None
    unit: np.ndarray            # unit code 0..n_units-1 of every row
    unit_stratum: np.ndarray    # stratum code of every unit
    n_sampled: np.ndarray       # units sampled in each stratum (float)
    pop_size: np.ndarray | None  # units in the population of each stratum; None: no fpc

    @property
    def n_units(self) -> int:
        return int(self.unit_stratum.size)

    @property
    def n_strata(self) -> int:
        return int(self.n_sampled.size)

    def finite_correction(self) -> np.ndarray:
        """1 - n_h/N_h of every stratum (1 without fpc)."""
        if self.pop_size is None:
            return np.ones(self.n_strata)
        return (self.pop_size - self.n_sampled) / self.pop_size


def check_column(data: pd.DataFrame, column, key: str) -> None:
    """Refuse ``column`` unless it names a column of ``data``."""
    if not isinstance(column, str) or column not in data.columns:
        raise InvalidParameterError(
            f"'{key}' of SurveyDesign must name columns of 'data'; got {column!r}, "
            f"columns are {list(data.columns)}.")


def _labels(data: pd.DataFrame, column: str, key: str) -> np.ndarray:
    values = data[column]
    missing = values.isna().to_numpy()
    if missing.any():
        raise InvalidParameterError(
            f"'{key}' column {column!r} of SurveyDesign has {int(missing.sum())} missing "
            f"value(s), the first in row {int(np.flatnonzero(missing)[0])}.")
    return values.to_numpy()


def strata_codes(data: pd.DataFrame, strata: str | None):
    """Stratum code 0.. of every row and the stratum labels (sorted)."""
    if strata is None:
        return np.zeros(len(data), np.int64), np.array(["(all)"], dtype=object)
    codes, labels = pd.factorize(_labels(data, strata, "strata"), sort=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def build_stages(data, ids, fpc, strata, nest, row_strata, strata_labels) -> list[Stage]:
    """The stages of a design (see :class:`~simsample.survey.SurveyDesign` for the arguments)."""
    n_rows = len(data)
    stages = []
    row_stratum = row_strata
    n_row_strata = int(row_strata.max()) + 1
    for s, column in enumerate(ids):
        if column in ELEMENT:
            unit = np.arange(n_rows, dtype=np.int64)
        else:
            labels = pd.factorize(_labels(data, column, "ids"))[0].astype(np.int64)
            if s == 0 and not nest:
                _check_psus_in_strata(labels, row_stratum, column, strata,
                                      data[column].to_numpy(), strata_labels)
            if s > 0 or nest:
                # units are identified within their stratum / previous-stage unit
                labels = _pair_codes(row_stratum, labels)
            unit = labels
        n_units = int(unit.max()) + 1
        unit_stratum = np.empty(n_units, np.int64)
        unit_stratum[unit] = row_stratum
        n_sampled = np.bincount(unit_stratum, minlength=n_row_strata).astype(np.float64)
        pop_size = None
        if fpc[s] is not None:
            where = _Where(data, ids, strata, strata_labels, s, row_stratum)
            pop_size = _population_sizes(data, fpc[s], s, row_stratum, n_row_strata,
                                         n_sampled, where)
        stages.append(Stage(column, unit, unit_stratum, n_sampled, pop_size))
        row_stratum, n_row_strata = unit, n_units
    _check_lonely_psus(stages[0], strata, strata_labels)
    return stages


def positive_column(data: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """The values of ``column`` as floats, refusing missing, non-numeric or values <= 0."""
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"{what} of SurveyDesign must hold positive finite numbers; got "
            f"{int(bad.sum())} missing, non-numeric or non-positive value(s), the first in "
            f"row {first} ({data[column].iloc[first]!r}).")
    return values


@dataclass(frozen=True)
class _Where:
    """Names a stratum (stage 1) or a unit of the previous stage in messages."""

    data: pd.DataFrame
    ids: list
    strata: str | None
    strata_labels: np.ndarray
    s: int
    row_stratum: np.ndarray

    def __call__(self, h: int) -> str:
        if self.s == 0:
            return (f"stratum {self.strata_labels[h]!r}" if self.strata
                    else "the population")
        row = int(np.flatnonzero(self.row_stratum == h)[0])
        column = self.ids[self.s - 1]
        return f"{column}={self.data[column].iloc[row]!r} (row {row})"


def _population_sizes(data, column, s, row_stratum, n_strata, n_sampled, name) -> np.ndarray:
    values = positive_column(data, column, f"'fpc' column {column!r} (stage {s + 1})")
    lo = np.full(n_strata, np.inf)
    hi = np.full(n_strata, -np.inf)
    np.minimum.at(lo, row_stratum, values)
    np.maximum.at(hi, row_stratum, values)
    varying = np.flatnonzero(lo != hi)
    where = "stratum" if s == 0 else f"unit of stage {s}"
    if varying.size:
        h = int(varying[0])
        raise InvalidParameterError(
            f"'fpc' column {column!r} (stage {s + 1}) of SurveyDesign must be constant "
            f"within each {where}; it varies within {varying.size} of them, e.g. "
            f"{name(h)} (from {lo[h]:g} to {hi[h]:g}).")
    if (values <= 1.0).all():
        pop = n_sampled / lo  # sampling fractions n/N
    elif (values < 1.0).any():
        raise InvalidParameterError(
            f"'fpc' column {column!r} (stage {s + 1}) of SurveyDesign must hold either "
            "population counts (all >= 1) or sampling fractions (all <= 1); got values "
            f"from {values.min():g} to {values.max():g}.")
    else:
        pop = lo
    short = np.flatnonzero(pop < n_sampled * (1.0 - 1e-12))
    if short.size:
        h = int(short[0])
        raise InvalidParameterError(
            f"'fpc' column {column!r} (stage {s + 1}) of SurveyDesign is smaller than the "
            f"number of units sampled in {short.size} {where}(s), e.g. "
            f"{name(h)}: fpc implies {pop[h]:g} units but "
            f"{int(n_sampled[h])} were sampled.")
    return pop


def _check_lonely_psus(stage: Stage, strata, strata_labels) -> None:
    f = stage.finite_correction()
    lonely = np.flatnonzero((stage.n_sampled == 1) & (f >= CERTAINTY))
    if lonely.size:
        h = int(lonely[0])
        where = f"stratum {strata_labels[h]!r}" if strata else "the design (no strata)"
        raise InvalidParameterError(
            f"SurveyDesign: {lonely.size} stratum/strata with a single PSU, e.g. {where}; "
            "its variance cannot be estimated from one PSU. Merge it with a similar "
            "stratum, or give an fpc showing it was sampled completely.")


def build_weights(data, weights_column, stages: list[Stage]) -> np.ndarray:
    """The given weights, or the product over stages of N/n from ``fpc`` (else all 1)."""
    if weights_column is not None:
        return positive_column(data, weights_column, f"'weights' column {weights_column!r}")
    w = np.ones(len(data))
    if stages[0].pop_size is None:
        warnings.warn("SurveyDesign: no weights or fpc given; assuming equal probability "
                      "(all weights 1).", SimsampleWarning, stacklevel=3)
        return w
    row_stratum = [stages[0].unit_stratum[stages[0].unit]] + [st.unit for st in stages[:-1]]
    for stage, strata_of_rows in zip(stages, row_stratum):
        if stage.pop_size is None:
            break
        w *= (stage.pop_size / stage.n_sampled)[strata_of_rows]
    return w


def as_frame(data) -> pd.DataFrame:
    """``data`` as a DataFrame with a fresh 0..n-1 index."""
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True)
    if isinstance(data, Mapping):
        try:
            return pd.DataFrame({key: np.asarray(value) for key, value in data.items()})
        except ValueError as exc:
            raise InvalidParameterError(
                f"'data' of SurveyDesign: the columns must have equal lengths ({exc}).") from None
    raise InvalidParameterError(
        "'data' of SurveyDesign must be a pandas DataFrame or a mapping of column name -> "
        f"array; got {type(data).__name__}.")


def as_stage_list(value, key: str) -> list:
    """One entry per stage: a column name or None."""
    if value is None or isinstance(value, str):
        return [value]
    try:
        entries = list(value)
    except TypeError:
        raise InvalidParameterError(
            f"'{key}' of SurveyDesign must be a column name, None or a list of them (one per "
            f"stage); got {value!r}.") from None
    for entry in entries:
        if entry is not None and not isinstance(entry, str):
            raise InvalidParameterError(
                f"'{key}' of SurveyDesign must list column names (or None); got {entry!r} in "
                f"{entries!r}.")
    return entries


def _pair_codes(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Codes 0.. of the distinct (outer, inner) pairs, in order of first appearance."""
    key = outer.astype(np.int64) * (int(inner.max()) + 1) + inner.astype(np.int64)
    return pd.factorize(key)[0].astype(np.int64)


def _check_psus_in_strata(psu, stratum, column, strata_column, psu_labels, strata_labels):
    if strata_column is None:
        return
    pairs = np.unique(np.stack([psu, stratum]), axis=1)
    per_psu = np.bincount(pairs[0])
    crossing = np.flatnonzero(per_psu > 1)
    if crossing.size:
        p = int(crossing[0])
        label = psu_labels[np.flatnonzero(psu == p)[0]]
        where = [strata_labels[h] for h in pairs[1][pairs[0] == p]]
        raise InvalidParameterError(
            f"SurveyDesign: PSUs ({column!r}) are not nested in strata ({strata_column!r}): "
            f"{crossing.size} PSU label(s) occur in more than one stratum, e.g. {label!r} in "
            f"strata {where}. Pass nest=True if the labels are only unique within strata.")
