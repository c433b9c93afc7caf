"""Design-based analysis of one sample, in the vocabulary of R's survey package.

The engine answers "what happens over many samples"; an analyst holds one
sample and needs its estimate and interval. :class:`SurveyDesign` describes
how a data set was sampled, as R's ``svydesign`` does; its estimators are R's
``svymean``, ``svytotal``, ``svyratio``, ``svyby``, ``subset``, ``svyttest``
and ``svyglm`` (gaussian), with the linearisation (Taylor) variance of
``svyrecvar`` (Lumley 2010); the estimators are those of the mixin
:class:`~simsample.analysis.survey_estimators.SurveyEstimators`:

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
the ratio (Hajek) estimator sum w_i y_i / sum w_i; the ratio sum w y / sum w x.
Each is linearised into values z_i (:mod:`simsample.analysis._linearize`)
and the variance of sum z_i is estimated stage by stage (Sarndal, Swensson
and Wretman 1992, result 4.3.1; R's ``svyrecvar``):

    v = sum_h (1 - f_h) n_h/(n_h - 1) sum_{j in h} (t_j - tbar_h)^2
        + sum_h f_h sum_{j in h} [the same estimator, one stage down, within j] + ...

t_j the total of z over first-stage unit (PSU) j, h the strata (each PSU is
a stratum of the second stage), n_h the units sampled and f_h = n_h/N_h the
sampling fraction. Stage s contributes only when ``fpc`` is given for
stages 1..s; without later-stage ``fpc`` this is the ultimate-cluster
estimator (the first-stage term alone), and without any ``fpc`` the
with-replacement estimator (1 - f_h replaced by 1). A stratum sampled
completely (f_h = 1) contributes nothing at its stage.

Domains (``by=``, :meth:`SurveyDesign.subset`, rows with a missing value)
keep the whole design: z_i = 0 outside the rows used, every PSU still counts
(:mod:`simsample.analysis.domains`).

Degrees of freedom: PSUs minus strata (R's ``degf``), counting PSUs with a
row used. Design effects (R's ``deff=TRUE``) divide v by the variance of the
same estimator under SRS without replacement of the same number of rows n
from a population of sum w units, estimated as (1 - n / sum w) s_w^2 / n
with s_w^2 the weighted variance of y (times (sum w)^2 for a total);
``deff_replace`` drops the finite-population factor (R's ``deff="replace"``).

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
Lumley, T. survey: analysis of complex survey samples. R package.
Sarndal, C.-E., Swensson, B. and Wretman, J. (1992). Model Assisted Survey
Sampling. Springer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import InvalidParameterError, check_magnitude
from . import _stages
from ._linearize import covariance_of_totals, degrees_of_freedom
from .estimates import SurveyEstimate, SurveyTable
from .ttest import SurveyTTest
from .survey_estimators import SurveyEstimators
from ..designs import Sample

ELEMENT = _stages.ELEMENT


class SurveyDesign(SurveyEstimators):
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
    probs : str, optional
        Column of the PSUs' inclusion probabilities, for ``pps`` (weights
        default to 1/probs).
    pps : str, HR or array, optional
        PPS sampling without replacement of a single-stage, unstratified
        design (R's ``pps=``): ``"brewer"``, ``"overton"``, ``HR(psum)`` or the
        PSUs' joint inclusion probabilities (R's ``ppsmat``); see
        :mod:`simsample.analysis.pps_variance`.
    variance : {"HT", "YG"}
        With ``pps``: Horvitz-Thompson or Sen-Yates-Grundy form (R's ``variance=``).

    Attributes
    ----------
    data : pandas.DataFrame
    weights : numpy.ndarray
        The weight of every row; 0 outside a :meth:`subset`.
    included : numpy.ndarray of bool
        Rows inside the (sub)design.

    Raises
    ------
    InvalidParameterError (a ValueError)
        Unknown or missing columns, missing ids, strata or weights, weights
        <= 0, an fpc below the number of units sampled, an fpc varying within
        a stratum, PSUs not nested in strata (with ``nest=False``), or a
        stratum with a single PSU that is not sampled with certainty (its
        variance cannot be estimated from one PSU; R's default
        ``survey.lonely.psu="fail"`` stops there too).

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

    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
    >>> frame = ss.TwoStage(8, 5).draw(pop, seed=2).to_frame()
    >>> design = ss.SurveyDesign(frame, ids=["group", None], fpc=["fpc1", "fpc2"])
    >>> design.n_psu, design.df
    (8, 7)
    """

    def __init__(self, data, ids, fpc=None, strata: str | None = None,
                 weights: str | None = None, nest: bool = False, probs: str | None = None,
                 pps=None, variance: str = "HT"):
        self.data = _stages.as_frame(data)
        if len(self.data) == 0:
            raise InvalidParameterError("'data' of SurveyDesign must have at least one row.")
        repeated = list(dict.fromkeys(self.data.columns[self.data.columns.duplicated()]))
        if repeated:
            raise InvalidParameterError(
                f"'data' of SurveyDesign must name each column once; {repeated} occur more "
                "than once: rename the duplicates.")
        self.ids = _stages.as_stage_list(ids, "ids")
        if not self.ids:
            raise InvalidParameterError(
                "'ids' of SurveyDesign must name at least one stage (use [None] for element "
                "sampling); got an empty list.")
        for s, column in enumerate(self.ids[:-1]):
            if column in ELEMENT:
                raise InvalidParameterError(
                    f"'ids' of SurveyDesign: element sampling ({column!r}) can only be the "
                    f"last stage; got it at stage {s + 1} of {len(self.ids)}.")
        self.fpc = _stages.as_stage_list(fpc, "fpc") if fpc is not None else []
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
                    _stages.check_column(self.data, column, key)
        codes, self._strata_labels = _stages.strata_codes(self.data, strata)
        self._stages = _stages.build_stages(self.data, self.ids, self.fpc, strata, self.nest,
                                            codes, self._strata_labels)
        self._pps = None
        if pps is not None or probs is not None:
            self._pps = self._pps_variance(probs, pps, variance)
            if weights is None:
                weights = "__pps_weight"
                self.data = self.data.assign(__pps_weight=1.0 / self.data[probs].to_numpy())
        self.weights = _stages.build_weights(self.data, weights, self._stages)
        check_magnitude(self.weights, "weights", owner="SurveyDesign")
        self.included = np.ones(len(self.data), dtype=bool)

    def _pps_variance(self, probs, pps, variance):
        from .pps_variance import PPSVariance

        if pps is None or probs is None or len(self.ids) > 1 or self.strata is not None:
            raise InvalidParameterError(
                "'pps' of SurveyDesign needs 'probs' (and the reverse), one stage of 'ids' and "
                "no strata (as R's pps designs).")
        _stages.check_column(self.data, probs, "probs")
        return PPSVariance(self._stages[0].unit, self.data[probs].to_numpy(np.float64), pps,
                           variance)

    # -- the variance estimator -------------------------------------------------------------

    def variance_of_total(self, z) -> float:
        """Estimated variance of sum_i z_i over the design (R's ``svyrecvar``).

        ``z`` holds one linearised value per row (weights included); see the
        module docstring for the recursive estimator.

        Parameters
        ----------
        z : array_like of float
            One linearised value per row of the data (weights included).

        Returns
        -------
        float

        Raises
        ------
        InvalidParameterError
            If ``z`` does not have one value per row.

        Examples
        --------
        >>> import numpy as np
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> z = design.data["weight"] * design.data["y"]
        >>> round(design.variance_of_total(z), 3)
        16788.047
        """
        return float(self.covariance_of_totals(np.asarray(z, dtype=np.float64))[0, 0])

    def covariance_of_totals(self, z) -> np.ndarray:
        """Estimated covariance matrix of the column totals of ``z`` (rows x columns).

        Parameters
        ----------
        z : array_like of float
            One row per row of the data, one column per variable (weights included).

        Returns
        -------
        numpy.ndarray
            The columns x columns covariance matrix.

        Raises
        ------
        InvalidParameterError
            If ``z`` does not have one row per row of the data.

        Examples
        --------
        >>> import numpy as np
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> w = design.data["weight"].to_numpy()
        >>> z = np.column_stack([w * design.data["y"], w])
        >>> design.covariance_of_totals(z).shape
        (2, 2)
        """
        z = np.asarray(z, dtype=np.float64)
        if z.shape[0] != len(self.data):
            raise InvalidParameterError(
                f"'z' must have one row per row of the data ({len(self.data)}); got shape "
                f"{z.shape}.")
        if self._pps is not None:
            return self._pps.covariance(z)
        return covariance_of_totals(self._stages, z)

    def degrees_of_freedom(self, used) -> int:
        """PSUs with at least one row in the boolean mask ``used``, minus their strata.

        Parameters
        ----------
        used : array_like of bool
            One flag per row of the data.

        Returns
        -------
        int

        Examples
        --------
        >>> import numpy as np
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.degrees_of_freedom(np.ones(len(design.data), dtype=bool))
        7
        """
        return degrees_of_freedom(self._stages, np.asarray(used, dtype=bool))

    # -- description ------------------------------------------------------------------------

    @property
    def n_psu(self) -> int:
        """Number of first-stage units (PSUs) in the sample.

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.n_psu
        8
        """
        return self._stages[0].n_units

    @property
    def n_strata(self) -> int:
        """Number of first-stage strata (1 without strata).

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.n_strata
        1
        """
        return self._stages[0].n_strata

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs minus strata (of the subset, for a subset).

        Returns
        -------
        int

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design.df
        7
        """
        return self.degrees_of_freedom(self.included)

    @classmethod
    def from_sample(cls, sample: Sample) -> SurveyDesign:
        """The design of a sample drawn by the engine (see :func:`sample_frame`).

        Parameters
        ----------
        sample : Sample
            A sample drawn by a design (``design.draw(population)``).

        Returns
        -------
        SurveyDesign
            With the ids, fpc and strata of the design that drew ``sample``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=40, group_size=20, icc=0.2, seed=1)
        >>> design = ss.SurveyDesign.from_sample(ss.TwoStage(8, 5).draw(pop, seed=2))
        >>> design
        SurveyDesign(ids=~group+1, fpc=~fpc1+fpc2; 40 rows, 8 PSUs, 1 stratum, df=7)
        """
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
        subset = "" if self.included.all() else f", subset of {int(self.included.sum())} rows"
        return (f"SurveyDesign({', '.join(parts)}; {len(self.data)} rows, {self.n_psu} PSUs, "
                f"{strata}, df={self.df}{subset})")


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
    and ``total("y") / N`` that of the expansion estimator. Each design
    defines its columns (:meth:`simsample.Design.frame_columns`).

    Parameters
    ----------
    sample : Sample
        A sample drawn by ``design.draw(population, seed)``.

    Returns
    -------
    pandas.DataFrame
        The sampled units with their design columns (as ``sample.to_frame()``).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> frame = ss.survey.sample_frame(ss.TwoStage(4, 3).draw(pop, seed=2))
    >>> list(frame.columns)[:4], len(frame)
    (['group', 'unit', 'y', 'weight'], 12)
    """
    if not isinstance(sample, Sample):
        raise InvalidParameterError(
            f"'sample' must be a simsample Sample (from design.draw(population, seed)); got "
            f"{type(sample).__name__}.")
    return sample.to_frame()


__all__ = ["SurveyDesign", "SurveyEstimate", "SurveyTTest", "SurveyTable", "sample_frame"]
