"""Design-based analysis of one sample, in the vocabulary of R's survey package.

The engine answers "what happens over many samples"; an analyst holds one
sample and needs its estimate and interval. :class:`SurveyDesign` describes
how a data set was sampled, as R's ``svydesign`` does, and :meth:`~SurveyDesign.mean`
and :meth:`~SurveyDesign.total` estimate with the linearisation (Taylor) variance of
``svymean``/``svytotal`` (Lumley 2010; the ``svyrecvar`` algorithm):

>>> import simsample as ss
>>> d = ss.SurveyDesign({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2.0, 4.0, 5.0, 7.0, 8.0],
...                      "N1": [30] * 6}, ids=["psu"], fpc=["N1"])
>>> m = d.mean("y")
>>> round(m.estimate, 4), round(m.se, 4), m.df
(4.5, 1.6432, 2)

Statistics
----------
Rows i carry weights w_i (given, or the product over stages of N/n, the
inverse sampling fractions from ``fpc``). The total is sum w_i y_i; the mean
the ratio (Hajek) estimator sum w_i y_i / sum w_i. Both are linear in the
values z_i = w_i y_i (total) or z_i = w_i (y_i - ybar) / sum w_i (mean, the
linearisation of the ratio), and the variance of sum z_i is estimated
stage by stage (Sarndal, Swensson and Wretman 1992, result 4.3.1; R's
``svyrecvar``):

    v = sum_h (1 - f_h) n_h/(n_h - 1) sum_{j in h} (t_j - tbar_h)^2
        + sum_h f_h sum_{j in h} [the same estimator, one stage down, within j] + ...

t_j the total of z over first-stage unit (PSU) j, h the strata (each PSU is
a stratum of the second stage), n_h the units sampled and f_h = n_h/N_h the
sampling fraction. Stage s contributes only when ``fpc`` is given for
stages 1..s; without later-stage ``fpc`` this is the ultimate-cluster
estimator (the first-stage term alone), and without any ``fpc`` the
with-replacement estimator (1 - f_h replaced by 1). A stratum sampled
completely (f_h = 1) contributes nothing at its stage.

Degrees of freedom: PSUs minus strata (R's ``degf``). Design effects (R's
``deff=TRUE``) divide v by the variance of the same estimator under SRS
without replacement of the same number of rows n from a population of sum w
units, estimated as (1 - n / sum w) s_w^2 / n with s_w^2 the weighted
variance of y (times (sum w)^2 for a total); ``deff_replace`` drops the
finite-population factor (R's ``deff="replace"``).

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
Lumley, T. survey: analysis of complex survey samples. R package (``svydesign``,
``svymean``, ``svytotal``, ``svyrecvar``).
Sarndal, C.-E., Swensson, B. and Wretman, J. (1992). Model Assisted Survey
Sampling. Springer.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import InvalidParameterError, SimsampleWarning, check_real
from .designs import PPS, SRS, ClusterSample, Sample, Stratified, ThreeStage, TwoStage

#: How an ``ids`` entry says "every row is its own unit at this stage" (R's ``~1``).
ELEMENT = ("1", None)
#: Below this (1 - n/N) a stratum counts as sampled completely (as in R's ``onestrat``).
CERTAINTY = 1e-7


@dataclass(frozen=True)
class SurveyEstimate:
    """A design-based estimate of a mean or total from one sample.

    Attributes
    ----------
    statistic : {"mean", "total"}
    variable : str
        The column estimated.
    estimate, se : float
        The estimate and its linearisation standard error.
    df : int
        Degrees of freedom of the t interval: PSUs minus strata (counting those
        with at least one observed value of ``variable``).
    deff : float
        Design effect against SRS without replacement of the same number of
        rows (finite-population correction included), as R's ``deff=TRUE``.
        NaN when the weights sum to no more than the number of rows.
    deff_replace : float
        Design effect against SRS with replacement (R's ``deff="replace"``).
    n : int
        Rows used (with an observed value of ``variable``).
    """

    statistic: str
    variable: str
    estimate: float
    se: float
    df: int
    deff: float
    deff_replace: float
    n: int

    @property
    def variance(self) -> float:
        """The estimated variance, se**2."""
        return self.se * self.se

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """The t interval estimate +- t(df, (1 + level)/2) se.

        NaN bounds when df < 1 (a census of PSUs leaves nothing to estimate from).
        """
        from scipy.special import stdtrit

        level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True,
                           owner="SurveyEstimate.ci")
        if self.df < 1:
            return (math.nan, math.nan)
        half = float(stdtrit(float(self.df), 0.5 + level / 2.0)) * self.se
        return (self.estimate - half, self.estimate + half)

    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """One row: statistic, variable, estimate, se, df, lower, upper, level, deff, ..."""
        lower, upper = self.ci(level)
        return pd.DataFrame([{
            "statistic": self.statistic, "variable": self.variable, "estimate": self.estimate,
            "se": self.se, "df": self.df, "lower": lower, "upper": upper, "level": level,
            "deff": self.deff, "deff_replace": self.deff_replace, "n": self.n}])

    def __repr__(self) -> str:
        return (f"SurveyEstimate({self.statistic} of {self.variable!r} = {self.estimate:.6g}, "
                f"SE {self.se:.5g}, df {self.df}, deff {self.deff:.4g}, n {self.n})")


@dataclass(frozen=True)
class _Stage:
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


class SurveyDesign:
    """How a sample was drawn: R's ``svydesign`` for one data set.

    Parameters
    ----------
    data : pandas.DataFrame or mapping of column name -> array
        One row per sampled element.
    ids : str, None or list of (str or None)
        The sampling units of each stage, outermost first: a column name per
        stage, ``"1"`` or None for element sampling (every row its own unit;
        only at the last stage). ``["dnum"]`` is R's ``id=~dnum``,
        ``["id1", "id2"]`` its ``id=~id1+id2`` and ``[None]`` its ``id=~1``.
        As in R, the units of stage s are identified within their unit of
        stage s - 1: labels may repeat across PSUs (R relabels them the same way).
    fpc : str, None or list of (str or None), optional
        Finite-population corrections, one column per stage (a shorter list
        leaves later stages without). Each column holds, per row, either the
        population number of units of that stage in the row's stratum (for
        stage 1) or in its unit of the previous stage (for stage s > 1), or the
        sampling fraction n/N. A column whose values are all <= 1 is read as
        fractions, otherwise as counts (values below 1 mixed with values
        above 1 are refused; a count of 1 and a fraction of 1 mean the same:
        everything sampled). Must be constant within each stratum. Stage s's
        variance term needs ``fpc`` at stages 1..s; without later-stage fpc
        the ultimate-cluster estimator is used, and without any the
        with-replacement estimator.
    strata : str, optional
        Column of first-stage strata.
    weights : str, optional
        Column of sampling weights (> 0). If absent they are derived from
        ``fpc`` as the product over stages of N/n; if ``fpc`` is absent too,
        all weights are 1 (with a warning, as R does).
    nest : bool
        If True, PSU labels are relabelled within strata (the same label in
        two strata names two PSUs). If False, a PSU label found in two strata
        is an error.

    Raises
    ------
    InvalidParameterError (a ValueError)
        Unknown or missing columns, missing ids, strata or weights, weights
        <= 0, an fpc below the number of units sampled, an fpc varying within
        a stratum, PSUs not nested in strata (with ``nest=False``), or a
        stratum with a single PSU that is not sampled with certainty (its
        variance cannot be estimated; R's default ``survey.lonely.psu="fail"``
        stops there too).

    Notes
    -----
    A unit of a later stage (s > 1) with a single sampled sub-unit adds
    nothing to that stage's term (its within variance is not estimable), as
    the engine's estimators do; R's default options would stop instead.

    Examples
    --------
    R: ``svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)`` is
    ``SurveyDesign(apiclus1, ids=["dnum"], weights="pw", fpc=["fpc"])``;
    ``svydesign(id=~id1+id2, fpc=~n1+n2, data=mu284)`` is
    ``SurveyDesign(mu284, ids=["id1", "id2"], fpc=["n1", "n2"])``.
    """

    def __init__(self, data, ids, fpc=None, strata: str | None = None,
                 weights: str | None = None, nest: bool = False):
        self.data = _as_frame(data)
        n_rows = len(self.data)
        if n_rows == 0:
            raise InvalidParameterError("'data' of SurveyDesign must have at least one row.")
        self.ids = _as_stage_list(ids, "ids")
        if not self.ids:
            raise InvalidParameterError(
                "'ids' of SurveyDesign must name at least one stage (use [None] for element "
                "sampling); got an empty list.")
        for s, column in enumerate(self.ids[:-1]):
            if column in ELEMENT:
                raise InvalidParameterError(
                    f"'ids' of SurveyDesign: element sampling ({column!r}) can only be the "
                    f"last stage; got it at stage {s + 1} of {len(self.ids)}.")
        self.fpc = _as_stage_list(fpc, "fpc") if fpc is not None else []
        if len(self.fpc) > len(self.ids):
            raise InvalidParameterError(
                f"'fpc' of SurveyDesign must have at most one entry per stage of 'ids' "
                f"({len(self.ids)}); got {len(self.fpc)}: {self.fpc}.")
        self.fpc = self.fpc + [None] * (len(self.ids) - len(self.fpc))
        for s in range(1, len(self.fpc)):
            if self.fpc[s] is not None and self.fpc[s - 1] is None:
                raise InvalidParameterError(
                    f"'fpc' of SurveyDesign: stage {s + 1} has an fpc ({self.fpc[s]!r}) but "
                    f"stage {s} has none; later-stage fpc only count when every earlier stage "
                    "has one.")
        if not isinstance(nest, (bool, np.bool_)):
            raise InvalidParameterError(f"'nest' of SurveyDesign must be a bool; got {nest!r}.")
        self.nest = bool(nest)
        self.strata = strata
        self.weights_column = weights
        for key, columns in (("ids", self.ids), ("fpc", self.fpc),
                             ("strata", [strata]), ("weights", [weights])):
            for column in columns:
                if column is not None and not (key == "ids" and column in ELEMENT):
                    self._check_column(column, key)

        strata_codes, self._strata_labels = self._strata_codes()
        self._stages = self._build_stages(strata_codes)
        self.weights = self._build_weights()

    # -- construction -----------------------------------------------------------------------

    def _check_column(self, column, key: str) -> None:
        if not isinstance(column, str) or column not in self.data.columns:
            raise InvalidParameterError(
                f"'{key}' of SurveyDesign must name columns of 'data'; got {column!r}, "
                f"columns are {list(self.data.columns)}.")

    def _labels(self, column: str, key: str) -> np.ndarray:
        values = self.data[column]
        missing = values.isna().to_numpy()
        if missing.any():
            raise InvalidParameterError(
                f"'{key}' column {column!r} of SurveyDesign has {int(missing.sum())} missing "
                f"value(s), the first in row {int(np.flatnonzero(missing)[0])}.")
        return values.to_numpy()

    def _strata_codes(self):
        if self.strata is None:
            return np.zeros(len(self.data), np.int64), np.array(["(all)"], dtype=object)
        codes, labels = pd.factorize(self._labels(self.strata, "strata"), sort=True)
        return codes.astype(np.int64), np.asarray(labels, dtype=object)

    def _build_stages(self, strata_codes: np.ndarray) -> list[_Stage]:
        n_rows = len(self.data)
        stages = []
        row_stratum = strata_codes
        n_row_strata = int(strata_codes.max()) + 1
        for s, column in enumerate(self.ids):
            if column in ELEMENT:
                unit = np.arange(n_rows, dtype=np.int64)
            else:
                labels = pd.factorize(self._labels(column, "ids"))[0].astype(np.int64)
                if s == 0 and not self.nest:
                    _check_psus_in_strata(labels, row_stratum, column, self.strata,
                                          self.data[column].to_numpy(), self._strata_labels)
                if s > 0 or self.nest:
                    # units are identified within their stratum / previous-stage unit
                    labels = _pair_codes(row_stratum, labels)
                unit = labels
            n_units = int(unit.max()) + 1
            unit_stratum = np.empty(n_units, np.int64)
            unit_stratum[unit] = row_stratum
            n_sampled = np.bincount(unit_stratum, minlength=n_row_strata).astype(np.float64)
            pop_size = None
            if self.fpc[s] is not None:
                pop_size = self._population_sizes(s, row_stratum, n_row_strata, n_sampled)
            stages.append(_Stage(column, unit, unit_stratum, n_sampled, pop_size))
            row_stratum, n_row_strata = unit, n_units
        self._check_lonely_psus(stages[0])
        return stages

    def _positive_column(self, column: str, what: str) -> np.ndarray:
        """The values of ``column`` as floats, refusing missing, non-numeric or values <= 0."""
        values = pd.to_numeric(self.data[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise InvalidParameterError(
                f"{what} of SurveyDesign must hold positive finite numbers; got "
                f"{int(bad.sum())} missing, non-numeric or non-positive value(s), the first in "
                f"row {first} ({self.data[column].iloc[first]!r}).")
        return values

    def _population_sizes(self, s: int, row_stratum, n_strata: int, n_sampled) -> np.ndarray:
        column = self.fpc[s]
        values = self._positive_column(column, f"'fpc' column {column!r} (stage {s + 1})")
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
                f"{self._stratum_name(s, h, row_stratum)} (from {lo[h]:g} to {hi[h]:g}).")
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
                f"{self._stratum_name(s, h, row_stratum)}: fpc implies {pop[h]:g} units but "
                f"{int(n_sampled[h])} were sampled.")
        return pop

    def _stratum_name(self, s: int, h: int, row_stratum: np.ndarray) -> str:
        if s == 0:
            return f"stratum {self._strata_labels[h]!r}" if self.strata else "the population"
        row = int(np.flatnonzero(row_stratum == h)[0])
        return f"{self.ids[s - 1]}={self.data[self.ids[s - 1]].iloc[row]!r} (row {row})"

    def _check_lonely_psus(self, stage: _Stage) -> None:
        f = self._finite_correction(stage)
        lonely = np.flatnonzero((stage.n_sampled == 1) & (f >= CERTAINTY))
        if lonely.size:
            h = int(lonely[0])
            where = (f"stratum {self._strata_labels[h]!r}" if self.strata
                     else "the design (no strata)")
            raise InvalidParameterError(
                f"SurveyDesign: {lonely.size} stratum/strata with a single PSU, e.g. {where}; "
                "its variance cannot be estimated from one PSU. Merge it with a similar "
                "stratum, or give an fpc showing it was sampled completely.")

    def _build_weights(self) -> np.ndarray:
        if self.weights_column is not None:
            column = self.weights_column
            return self._positive_column(column, f"'weights' column {column!r}")
        w = np.ones(len(self.data))
        if self._stages[0].pop_size is None:
            warnings.warn("SurveyDesign: no weights or fpc given; assuming equal probability "
                          "(all weights 1).", SimsampleWarning, stacklevel=3)
            return w
        row_stratum = self._row_strata()
        for stage, strata_of_rows in zip(self._stages, row_stratum):
            if stage.pop_size is None:
                break
            w *= (stage.pop_size / stage.n_sampled)[strata_of_rows]
        return w

    def _row_strata(self) -> list[np.ndarray]:
        """Stratum code of every row at every stage."""
        first = self._stages[0].unit_stratum[self._stages[0].unit]
        return [first] + [stage.unit for stage in self._stages[:-1]]

    @staticmethod
    def _finite_correction(stage: _Stage) -> np.ndarray:
        if stage.pop_size is None:
            return np.ones(stage.n_strata)
        return (stage.pop_size - stage.n_sampled) / stage.pop_size

    # -- the estimators ---------------------------------------------------------------------

    def variance_of_total(self, z) -> float:
        """Estimated variance of sum_i z_i over the design (R's ``svyrecvar``).

        ``z`` holds one linearised value per row (weights included); see the
        module docstring for the recursive estimator.
        """
        z = np.asarray(z, dtype=np.float64)
        variance = 0.0
        multiplier = np.ones(self._stages[0].n_strata)  # product of earlier sampling fractions
        for s, stage in enumerate(self._stages):
            if s > 0 and stage.pop_size is None:
                break  # no fpc at this stage: ultimate-cluster estimator
            totals = np.bincount(stage.unit, weights=z, minlength=stage.n_units)
            h = stage.unit_stratum
            n_h = stage.n_sampled
            dev = totals - (np.bincount(h, weights=totals, minlength=stage.n_strata) / n_h)[h]
            ss = np.bincount(h, weights=dev * dev, minlength=stage.n_strata)
            f = self._finite_correction(stage)
            scale = np.where((n_h > 1) & (f >= CERTAINTY),
                             f * n_h / np.maximum(n_h - 1.0, 1.0), 0.0)
            variance += float(np.sum(multiplier * scale * ss))
            if stage.pop_size is None:
                break  # with replacement at the first stage: nothing below counts
            multiplier = (multiplier * n_h / stage.pop_size)[h]
        return variance

    def mean(self, variable: str, na_rm: bool = False) -> SurveyEstimate:
        """The ratio (Hajek) estimate of the mean of ``variable``, as R's ``svymean``.

        ybar = sum w y / sum w, with the linearisation variance of
        z_i = w_i (y_i - ybar) / sum w. With ``na_rm=True`` rows where
        ``variable`` is missing are a domain outside the estimate: their z_i
        is 0 but the design (PSU counts, strata, fpc) is kept whole, so the
        variance is that of a domain mean, as in R.
        """
        y, observed = self._values(variable, na_rm)
        w = np.where(observed, self.weights, 0.0)
        w_sum = float(w.sum())
        estimate = float(np.sum(w * y)) / w_sum
        z = w * (y - estimate) / w_sum
        variance = self.variance_of_total(z)
        return self._result("mean", variable, estimate, variance, y, w, observed, scale=1.0)

    def total(self, variable: str, na_rm: bool = False) -> SurveyEstimate:
        """The Horvitz-Thompson estimate sum w y of the total of ``variable`` (R's ``svytotal``).

        Missing values as in :meth:`mean`.
        """
        y, observed = self._values(variable, na_rm)
        w = np.where(observed, self.weights, 0.0)
        z = w * y
        estimate = float(z.sum())
        variance = self.variance_of_total(z)
        return self._result("total", variable, estimate, variance, y, w, observed,
                            scale=float(w.sum()) ** 2)

    def _values(self, variable: str, na_rm: bool) -> tuple[np.ndarray, np.ndarray]:
        self._check_column(variable, "variable")
        if not isinstance(na_rm, (bool, np.bool_)):
            raise InvalidParameterError(f"'na_rm' must be a bool; got {na_rm!r}.")
        column = self.data[variable]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            raise InvalidParameterError(
                f"column {variable!r} must be numeric to estimate its mean or total; got "
                f"dtype {column.dtype}.")
        y = column.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isinf(y).any():
            raise InvalidParameterError(
                f"column {variable!r} has {int(np.isinf(y).sum())} infinite value(s).")
        observed = ~np.isnan(y)
        if not observed.all() and not na_rm:
            raise InvalidParameterError(
                f"column {variable!r} has {int((~observed).sum())} missing value(s) out of "
                f"{y.size}; pass na_rm=True to estimate over the rows where it is observed "
                "(a domain: the full design is kept, as R's survey does).")
        if not observed.any():
            raise InvalidParameterError(f"column {variable!r} has no observed value.")
        return np.where(observed, y, 0.0), observed

    def _result(self, statistic, variable, estimate, variance, y, w, observed, scale):
        stage = self._stages[0]
        psus = np.unique(stage.unit[observed])
        df = int(psus.size - np.unique(stage.unit_stratum[psus]).size)
        n = int(observed.sum())
        w_sum = float(w.sum())
        deff = deff_replace = math.nan
        if n > 1:
            ybar = float(np.sum(w * y)) / w_sum
            s2 = float(np.sum(w * (y - ybar) ** 2)) / w_sum * n / (n - 1.0)
            srs_replace = scale * s2 / n
            if srs_replace > 0:
                deff_replace = variance / srs_replace
                if w_sum > n:
                    deff = variance / (srs_replace * (w_sum - n) / w_sum)
        return SurveyEstimate(statistic, variable, estimate, math.sqrt(max(variance, 0.0)),
                              df, deff, deff_replace, n)

    # -- description ------------------------------------------------------------------------

    @property
    def n_psu(self) -> int:
        """Number of first-stage units (PSUs) in the sample."""
        return self._stages[0].n_units

    @property
    def n_strata(self) -> int:
        """Number of first-stage strata (1 without strata)."""
        return self._stages[0].n_strata

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata."""
        return self.n_psu - self.n_strata

    @classmethod
    def from_sample(cls, sample: Sample) -> SurveyDesign:
        """The design of a sample drawn by the engine (see :func:`sample_frame`)."""
        frame = sample_frame(sample)
        spec = frame.attrs["survey_design"]
        return cls(frame, **spec)

    def __repr__(self) -> str:
        stages = "+".join("1" if c in ELEMENT else str(c) for c in self.ids)
        parts = [f"ids=~{stages}"]
        if self.strata:
            parts.append(f"strata=~{self.strata}")
        if any(c is not None for c in self.fpc):
            parts.append("fpc=~" + "+".join(str(c) for c in self.fpc if c is not None))
        if self.weights_column:
            parts.append(f"weights=~{self.weights_column}")
        strata = "1 stratum" if self.n_strata == 1 else f"{self.n_strata} strata"
        return (f"SurveyDesign({', '.join(parts)}; {len(self.data)} rows, {self.n_psu} PSUs, "
                f"{strata}, df={self.df})")

    def replicate(self, kind: str, **kwargs):
        """Replicate weights of this design, as R's ``as.svrepdesign``.

        ``kind`` in "JK1", "JKn", "bootstrap", "BRR", "Fay"; keywords ``mse``,
        ``replicates``, ``seed``, ``fay_rho`` (see
        :func:`simsample.analysis.replicate.replicate_design`). Returns a
        ``ReplicateDesign`` with ``.mean(var)`` and ``.total(var)``.
        """
        from .analysis.replicate import replicate_design

        return replicate_design(self, kind, **kwargs)


# -- helpers ---------------------------------------------------------------------------------

def _as_frame(data) -> pd.DataFrame:
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


def _as_stage_list(value, key: str) -> list:
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


# -- samples drawn by the engine -------------------------------------------------------------

def sample_frame(sample: Sample) -> pd.DataFrame:
    """One row per sampled unit of an engine sample, with its design columns.

    Columns: ``unit`` (position in the population), ``y``, ``weight`` (the
    design weight 1/pi) and the design's ids and fpc columns: for SRS
    ``fpc`` = N; for TwoStage and ClusterSample ``group`` (the group label),
    ``fpc1`` = G and ``fpc2`` = the group's size; for Stratified ``stratum``
    and ``fpc`` = N_h; for PPS ``group`` only (analysed with replacement, as
    the engine's interval is); for ThreeStage ``group``, ``subgroup`` and
    ``fpc1``..``fpc3`` = G, the group's subgroups, the subgroup's size. ``frame.attrs["survey_design"]``
    holds the matching SurveyDesign arguments, so that
    ``SurveyDesign(frame, **frame.attrs["survey_design"])`` (or
    :meth:`SurveyDesign.from_sample`) analyses the sample; its ``mean("y")``
    is the engine's ``cluster_t`` estimate of the design's ratio estimator,
    and ``total("y") / N`` that of the expansion estimator.
    """
    if not isinstance(sample, Sample):
        raise InvalidParameterError(
            f"'sample' must be a simsample Sample (from design.draw(population, seed)); got "
            f"{type(sample).__name__}.")
    columns, spec = _sample_columns(sample.design, sample)
    frame = pd.DataFrame(columns)
    frame.attrs["survey_design"] = spec
    return frame


@functools.singledispatch
def _sample_columns(design, sample):
    raise InvalidParameterError(
        f"sample_frame does not know the design {type(design).__name__} yet; register it "
        "with simsample.survey._sample_columns.register.")


@_sample_columns.register
def _(design: SRS, sample):
    n_units = sample.population.n_units
    n = sample.size
    columns = {"unit": sample.units, "y": sample.y, "weight": np.full(n, n_units / n),
               "fpc": np.full(n, n_units)}
    if getattr(design, "replace", False):  # with replacement: no finite-population correction
        return columns, {"ids": [None], "weights": "weight"}
    return columns, {"ids": [None], "fpc": ["fpc"]}


@_sample_columns.register(TwoStage)
@_sample_columns.register(ClusterSample)
def _(design, sample):
    pop = sample.population
    psu = sample.psu
    sizes = sample._psu_size[psu]
    taken = np.diff(sample._psu_start)[psu].astype(np.float64)
    n_groups = pop.n_groups
    k = sample.groups.size
    columns = {"group": pop.labels[sample.groups][psu], "unit": sample.units, "y": sample.y,
               "weight": n_groups / k * sizes / taken, "fpc1": np.full(sample.size, n_groups),
               "fpc2": sizes.astype(np.int64)}
    return columns, {"ids": ["group", None], "fpc": ["fpc1", "fpc2"]}


@_sample_columns.register
def _(design: Stratified, sample):
    pop = sample.population
    codes = pop.codes[sample.units]
    sizes = pop.group_sizes[codes]
    taken = np.bincount(codes, minlength=pop.n_groups)[codes].astype(np.float64)
    columns = {"stratum": pop.labels[codes], "unit": sample.units, "y": sample.y,
               "weight": sizes / taken, "fpc": sizes.astype(np.int64)}
    return columns, {"ids": [None], "strata": "stratum", "fpc": ["fpc"]}


@_sample_columns.register
def _(design: PPS, sample):
    # PPS without replacement analysed as with replacement: the ultimate-cluster estimator
    pop = sample.population
    n = sample.size
    columns = {"group": pop.labels[sample.groups][sample.psu], "unit": sample.units,
               "y": sample.y, "weight": np.full(n, pop.n_units / n)}
    return columns, {"ids": ["group"], "weights": "weight"}


@_sample_columns.register
def _(design: ThreeStage, sample):
    pop = sample.population
    groups = pop.codes[sample.units]
    subgroups = pop.subgroup_codes[sample.units]
    per_group = pop.subgroups_per_group[groups]
    sizes = pop.subgroup_sizes[subgroups]
    weight = (pop.n_groups / design.groups * per_group / design.subgroups
              * sizes / design.per_subgroup)
    columns = {"group": pop.labels[groups], "subgroup": pop.subgroup_labels[subgroups],
               "unit": sample.units, "y": sample.y, "weight": weight.astype(np.float64),
               "fpc1": np.full(sample.size, pop.n_groups), "fpc2": per_group.astype(np.int64),
               "fpc3": sizes.astype(np.int64)}
    return columns, {"ids": ["group", "subgroup", None], "fpc": ["fpc1", "fpc2", "fpc3"]}


__all__ = ["SurveyDesign", "SurveyEstimate", "sample_frame"]
