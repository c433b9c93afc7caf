"""Results of a simulation: Monte Carlo summaries with their MCSE, theory beside them.

Every Monte Carlo figure carries its Monte Carlo standard error (MCSE) over
the R successful replications:

* bias: sqrt(Var / R);
* variance: sqrt((mu4 - Var^2) / R), mu4 the fourth central moment;
* coverage p: sqrt(p (1 - p) / R);
* a ratio of two independent variances: a delta-method interval on the log scale.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import theory
from ._kernels import accumulate as A
from ._rng import seed_entropy
from ._validation import InvalidParameterError
from .comparison import RatioEstimate
from .designs import Moments

#: Columns of ``SimulationResult.summary()``, in order.
SUMMARY_COLUMNS = (
    "design", "method", "estimator", "target", "truth", "reps", "n_failed", "mean_n",
    "mean_estimate", "bias", "bias_mcse", "theory_bias",
    "variance", "variance_mcse", "theory_variance", "theory_exact",
    "variance_ratio", "variance_ratio_mcse", "theory_variance_ratio",
    "rmse", "mean_se", "se_calibration", "mean_variance_estimate", "mean_variance_estimate_mcse",
    "coverage", "coverage_mcse", "miss_low", "miss_high", "mean_width", "level",
    "singular_rate", "singular_rate_mcse",
)


#: Columns of a summary row of a method without an interval (see ``KernelTask.has_interval``).
_NO_INTERVAL = {"miss_low": math.nan, "miss_high": math.nan, "mean_width": math.nan,
                "mean_variance_estimate_mcse": math.nan}


@dataclass(frozen=True)
class _Moments:
    """Monte Carlo moments of one (design, method) row."""

    reps: int
    failed: int
    bias: float
    variance: float
    variance_mcse: float


def _row_moments(a: np.ndarray) -> _Moments:
    """Monte Carlo moments of one accumulator row."""
    r = a[A.N_OK]
    if r < 1:
        return _Moments(int(r), int(a[A.N_FAIL]), math.nan, math.nan, math.nan)
    if r < 2:  # one estimate: its deviation is the bias; no spread yet
        return _Moments(int(r), int(a[A.N_FAIL]), np.float64(a[A.SUM_D]), math.nan, math.nan)
    m1 = a[A.SUM_D] / r
    variance = (a[A.SUM_D2] - a[A.SUM_D] * m1) / (r - 1)
    mu2 = a[A.SUM_D2] / r - m1 * m1
    mu4 = (a[A.SUM_D4] / r - 4 * m1 * a[A.SUM_D3] / r + 6 * m1 * m1 * a[A.SUM_D2] / r
           - 3 * m1 ** 4)
    return _Moments(int(r), int(a[A.N_FAIL]), np.float64(m1), np.float64(variance),
                    np.float64(math.sqrt(max(mu4 - mu2 * mu2, 0.0) / r)))


class UnknownNameError(KeyError, InvalidParameterError):
    """A design or method name that the result does not hold (a KeyError, for callers)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class SimulationResult:
    """The outcome of one :func:`simsample.simulate` call (formerly ``Study``).

    Attributes
    ----------
    population, designs, reps, level, estimand
        What was simulated.
    seed : dict
        Entropy and spawn key of the root SeedSequence; ``simulate(...,
        seed=np.random.SeedSequence(**result.seed))`` repeats the run exactly.
    failures : dict
        (design, method) -> up to five (chunk, replication) keys of failed
        replications (a non-finite estimate or SE), for replay.

    Parameters
    ----------
    plan : RunPlan
        What was run (made by :func:`simsample.simulate`, not by hand).
    totals : dict
        The accumulators of every design's replications.
    kept : dict
        The kept replications of every design (or None).
    failures : dict
        Keys of failed replications, by (design, method).

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
    >>> result = ss.simulate(pop, {"SRS": ss.SRS(20), "two-stage": ss.TwoStage(4, 5)}, reps=400,
    ...                      seed=2, keep_estimates=True, progress=False)
    >>> result.reps, sorted(result.designs)
    (400, ['SRS', 'two-stage'])
    """

    def __init__(self, plan, totals, kept, failures):
        self._plan = plan
        self.population = plan.population
        self.designs = dict(plan.designs)
        self.reps = plan.reps
        self.level = plan.level
        self.estimand = plan.estimand
        self.seed = seed_entropy(plan.seed)
        self.failures = failures
        self._totals = dict(zip(plan.names, totals))
        self._kept = dict(zip(plan.names, kept))
        self._tasks = dict(zip(plan.names, plan.tasks))
        self._theory_cache = {}

    # -- per row -----------------------------------------------------------------------------

    def methods(self, design: str) -> tuple[str, ...]:
        """Methods reported for ``design``, in the order of the summary.

        Parameters
        ----------
        design : str
            A design's name.

        Returns
        -------
        tuple of str

        Raises
        ------
        KeyError
            If ``design`` was not simulated.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> result = ss.simulate(pop, {"SRS": ss.SRS(20), "two-stage": ss.TwoStage(4, 5)}, reps=400,
        ...                      seed=2, keep_estimates=True, progress=False)
        >>> result.methods("two-stage")
        ('naive_t', 'cluster_t')
        """
        return self._task(design).methods

    def _task(self, design: str):
        if design not in self._tasks:
            raise UnknownNameError(f"no design named {design!r}; designs are {list(self._tasks)}")
        return self._tasks[design]

    def _row(self, design: str, method: str) -> np.ndarray:
        methods = self.methods(design)
        if method not in methods:
            raise UnknownNameError(
                f"design {design!r} has no method {method!r}; methods are {methods}")
        return self._totals[design][methods.index(method)]

    def _moments(self, design: str, method: str) -> _Moments:
        return _row_moments(self._row(design, method))

    def _theory(self, design: str, estimator: str) -> Moments:
        if self.estimand != "mean":  # the exact theory covers the mean only
            return Moments(math.nan, math.nan, False)
        key = (design, estimator)
        if key not in self._theory_cache:
            try:
                value = theory.moments(self.population, self.designs[design], estimator)
            except NotImplementedError:
                value = Moments(math.nan, math.nan, False)
            self._theory_cache[key] = value
        return self._theory_cache[key]

    def _srs_variance(self, design: str) -> float:
        # variance ratios against an SRS mean: undefined for other estimands and across
        # the populations of a superpopulation
        if self.estimand != "mean" or not hasattr(self.population, "n_units"):
            return math.nan
        return theory.srs_variance(self.population,
                                   self.designs[design].expected_size(self.population))

    # -- public views ------------------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """One row per (design, interval method); see ``SUMMARY_COLUMNS``.

        ``variance_ratio`` divides the Monte Carlo variance by the exact
        variance of an SRS of the same (expected) size; ``theory_variance_ratio``
        is the exact design effect. ``se_calibration`` is mean SE / empirical
        SD (1 when standard errors are right on average). ``miss_low`` and
        ``miss_high`` are the shares of intervals entirely below / above the
        truth.

        Returns
        -------
        pandas.DataFrame
            One row per (design, method), the columns of ``SUMMARY_COLUMNS``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> result = ss.simulate(pop, {"SRS": ss.SRS(20), "two-stage": ss.TwoStage(4, 5)}, reps=400,
        ...                      seed=2, keep_estimates=True, progress=False)
        >>> table = result.summary().set_index(["design", "method"])
        >>> table.loc[("two-stage", "cluster_t"), ["reps", "coverage"]].tolist()
        [400.0, 0.9725]
        """
        # degenerate cases (every sample alike: zero variance) give inf/NaN, not warnings
        with np.errstate(divide="ignore", invalid="ignore"):
            rows = self._summary_rows()
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def _summary_rows(self) -> list[dict]:
        rows = []
        for design, task in self._tasks.items():
            srs_var = np.float64(self._srs_variance(design))  # numpy division: x/0 -> inf
            for row_index, method in enumerate(task.methods):
                a = self._totals[design][row_index]
                mom = _row_moments(a)
                r = max(mom.reps, 1)
                th = (self._theory(design, task.estimators[row_index])
                      if task.builtin[row_index] else Moments(math.nan, math.nan, False))
                coverage = a[A.COVER] / r if mom.reps else math.nan
                mean_se = a[A.SUM_SE] / r if mom.reps else math.nan
                mean_v = a[A.SUM_VAR] / r if mom.reps else math.nan
                truth = float(task.truth[row_index])
                has_interval = task.has_interval[row_index]
                if not has_interval:  # a method without an interval: no SE, coverage, width
                    coverage = mean_se = mean_v = math.nan
                rows.append({
                    "design": design, "method": method,
                    "estimator": task.estimators[row_index], "target": task.targets[row_index],
                    "truth": truth, "reps": mom.reps, "n_failed": mom.failed,
                    "mean_n": a[A.SUM_SIZE] / r if mom.reps else math.nan,
                    "mean_estimate": truth + mom.bias, "bias": mom.bias,
                    "bias_mcse": math.sqrt(mom.variance / r),
                    "theory_bias": th.expectation - truth,
                    "variance": mom.variance, "variance_mcse": mom.variance_mcse,
                    "theory_variance": th.variance, "theory_exact": th.exact,
                    "variance_ratio": mom.variance / srs_var,
                    "variance_ratio_mcse": mom.variance_mcse / srs_var,
                    "theory_variance_ratio": th.variance / srs_var,
                    "rmse": math.sqrt(a[A.SUM_D2] / r) if mom.reps else math.nan,
                    "mean_se": mean_se,
                    "se_calibration": mean_se / math.sqrt(mom.variance),
                    "mean_variance_estimate": mean_v,
                    "mean_variance_estimate_mcse": math.sqrt(
                        max(a[A.SUM_VAR2] / r - mean_v * mean_v, 0.0) / r),
                    "coverage": coverage,
                    "coverage_mcse": math.sqrt(coverage * (1.0 - coverage) / r),
                    "miss_low": a[A.MISS_LOW] / r if mom.reps else math.nan,
                    "miss_high": a[A.MISS_HIGH] / r if mom.reps else math.nan,
                    "mean_width": a[A.SUM_WIDTH] / r if mom.reps else math.nan,
                    **({} if has_interval else _NO_INTERVAL),
                    "level": self.level,
                    **self._singular(task, row_index, a),
                })
        return rows

    @staticmethod
    def _singular(task, row_index: int, a: np.ndarray) -> dict:
        """Share of singular (boundary) fits of a model-based method, with its MCSE."""
        if not (task.reports_singular and task.reports_singular[row_index]):
            return {"singular_rate": math.nan, "singular_rate_mcse": math.nan}
        total = a[A.N_OK] + a[A.N_FAIL]
        rate = a[A.SUM_FLAG] / total if total else math.nan
        return {"singular_rate": rate,
                "singular_rate_mcse": math.sqrt(rate * (1.0 - rate) / total) if total else math.nan}

    def variance_ratio(self, design: str, reference: str, *, method: str = "cluster_t",
                       level: float = 0.95) -> RatioEstimate:
        """Monte Carlo Var(design) / Var(reference) with a ``level`` interval, and theory.

        The two designs are sampled independently in every replication, so the
        log of the ratio has variance (MCSE_a/V_a)^2 + (MCSE_b/V_b)^2.

        Parameters
        ----------
        design : str
            The design whose variance is the numerator.
        reference : str
            The design whose variance is the denominator.
        method : str, default "cluster_t"
            The method whose estimates are compared.
        level : float, default 0.95
            Confidence level of the interval.

        Returns
        -------
        RatioEstimate

        Raises
        ------
        KeyError
            If a design or method was not simulated.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> result = ss.simulate(pop, {"SRS": ss.SRS(20), "two-stage": ss.TwoStage(4, 5)}, reps=400,
        ...                      seed=2, keep_estimates=True, progress=False)
        >>> ratio = result.variance_ratio("two-stage", "SRS")
        >>> round(ratio.theory, 3), ratio.covers_theory()
        (1.415, True)
        """
        from scipy.special import ndtri

        a, b = self._moments(design, method), self._moments(reference, method)
        ratio = float(a.variance / b.variance)
        se_log = math.hypot(a.variance_mcse / a.variance, b.variance_mcse / b.variance)
        z = float(ndtri(0.5 + level / 2.0))
        est_a = self._task(design).estimators[self.methods(design).index(method)]
        est_b = self._task(reference).estimators[self.methods(reference).index(method)]
        th = self._theory(design, est_a).variance / self._theory(reference, est_b).variance
        return RatioEstimate(ratio, ratio * math.exp(-z * se_log), ratio * math.exp(z * se_log),
                             float(level), float(th))

    def compare(self, a: str, b: str, *, metric: str = "coverage", design: str | None = None,
                method: str | None = None):
        """The difference a - b of a summary metric, with its Monte Carlo standard error.

        ``a`` and ``b`` name two methods: compared on the same samples, with the
        paired MCSE from the covariance the loop accumulates (far smaller than
        the unpaired one when the methods share samples); one row per design
        (a DataFrame), or a :class:`~simsample.comparison.Comparison` for
        ``design=``. ``a`` and ``b`` may instead name two designs, compared for
        ``method`` (default ``cluster_t``) with the independent MCSE.
        ``metric`` in "coverage", "bias", "rmse", "mean_width"; the difference
        equals the difference of the two rows of :meth:`summary`.

        Parameters
        ----------
        a, b : str
            Two methods (or two designs).
        metric : {"coverage", "bias", "rmse", "mean_width"}, default "coverage"
            The summary metric compared.
        design : str, optional
            The design on which two methods are compared (None: every design).
        method : str, optional
            The method on which two designs are compared (default ``cluster_t``).

        Returns
        -------
        pandas.DataFrame or Comparison
            One row per design, or one :class:`~simsample.comparison.Comparison`
            for ``design=``.

        Raises
        ------
        InvalidParameterError
            If ``a``, ``b``, ``metric``, ``design`` or ``method`` is unknown.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=50, group_size=10, icc=0.3, seed=1)
        >>> r = ss.simulate(pop, {"t": ss.TwoStage(10, 5)}, 4000, seed=2, progress=False)
        >>> c = r.compare("cluster_t", "naive_t", design="t")
        >>> c.difference > 10 * c.mcse and c.mcse < c.unpaired_mcse
        True
        """
        from .comparison import compare

        return compare(self, a, b, metric=metric, design=design, method=method)

    @functools.cached_property
    def estimates(self) -> dict[str, pd.DataFrame]:
        """Kept replications per design (``keep_estimates``), long format.

        Columns: rep, method, estimate, se, lower, upper, covered.

        Returns
        -------
        dict of str to pandas.DataFrame
            One frame per design.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> result = ss.simulate(pop, {"SRS": ss.SRS(20), "two-stage": ss.TwoStage(4, 5)}, reps=400,
        ...                      seed=2, keep_estimates=True, progress=False)
        >>> result.estimates["SRS"].columns.tolist()
        ['rep', 'method', 'estimate', 'se', 'lower', 'upper', 'covered']
        """
        out = {}
        for design, kept in self._kept.items():
            task = self._tasks[design]
            if kept is None or kept.shape[1] == 0:
                raise KeyError("no replications were kept; run simulate(..., keep_estimates=True)")
            n = kept.shape[1]
            frames = []
            for row_index, method in enumerate(task.methods):
                k = kept[row_index]
                truth = task.truth[row_index]
                frames.append(pd.DataFrame({
                    "rep": np.arange(n), "method": method,
                    "estimate": k[:, A.KEEP_EST], "se": k[:, A.KEEP_SE],
                    "lower": k[:, A.KEEP_LOWER], "upper": k[:, A.KEEP_UPPER],
                    "covered": A.covers_array(k[:, A.KEEP_LOWER], k[:, A.KEEP_UPPER], truth),
                }))
            out[design] = pd.concat(frames, ignore_index=True)
        return out

    def to_dict(self) -> dict:
        """A JSON-ready record: what was run and the summary table.

        Returns
        -------
        dict
            ``estimand``, ``reps``, ``level``, ``seed``, ``population``, ``designs``, ``failures``, ``summary``.

        Examples
        --------
        >>> import simsample as ss
        >>> pop = ss.two_level(n_groups=20, group_size=10, icc=0.2, seed=1)
        >>> result = ss.simulate(pop, {"SRS": ss.SRS(20), "two-stage": ss.TwoStage(4, 5)}, reps=400,
        ...                      seed=2, keep_estimates=True, progress=False)
        >>> sorted(result.to_dict())
        ['designs', 'estimand', 'failures', 'level', 'population', 'reps', 'seed', 'summary']
        """
        summary = self.summary()
        return {
            "estimand": self.estimand, "reps": self.reps, "level": self.level,
            "seed": self.seed,
            "population": repr(self.population),
            "designs": {name: str(d) for name, d in self.designs.items()},
            "failures": {f"{d}/{m}": keys for (d, m), keys in self.failures.items() if keys},
            "summary": summary.to_dict(orient="records"),
        }

    def __repr__(self):
        return (f"SimulationResult({len(self.designs)} designs, reps={self.reps}, level={self.level}, "
                f"population={self.population!r})")


#: The name results had before studies (grids of conditions) got theirs; kept for callers.
Study = SimulationResult
