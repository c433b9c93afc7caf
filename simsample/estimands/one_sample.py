"""Every method of an estimand on one drawn sample: what ``Sample.estimate`` returns.

The same compiled kernels as the replication loop, called once on the
sample's own scratch, so a drawn sample's estimates are exactly those a
replication of the loop records for it.
"""

from __future__ import annotations

import importlib

import numpy as np

from .._kernels.accumulate import N_OUT
from .._rng import as_seed_sequence, child, xoshiro_state
from .._validation import check_real
from .catalog import get_estimand
from .methods import design_rows, resolve


def _kernel(ref):
    module, name = ref
    return getattr(importlib.import_module(module), name)


def method_outputs(sample, estimand, methods, *, seed=None) -> np.ndarray:
    """One row (estimate, SE, df, lower, upper) per method, from the loop's kernels."""
    population = sample.population
    sampler = sample.sampler
    scr = tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in sample.scratch)
    n, k = sample.n, sample.k
    builtin, prepare, arrange, eparams = estimand.builtin(sampler, population)
    escr = _kernel(prepare)(*scr[:4], *eparams) if prepare is not None else ()
    if arrange is not None:
        _kernel(arrange)(n, k, *scr[:4], *eparams, *escr)
    y, x = estimand.values(population)
    ys = np.ascontiguousarray(y[scr[0][:n]])
    xs = np.ascontiguousarray(x[scr[0][:n]]) if estimand.call == "paired" else None
    users = [m for m in methods if not m.builtin]
    n_rows = design_rows(estimand, methods, sample.design, sampler)
    out = np.full((n_rows + len(users), N_OUT), np.nan)
    if any(m.builtin for m in methods):
        if estimand.call == "paired":
            _kernel(builtin)(ys, xs, n, k, *scr[:4], *eparams, *escr, out)
        else:
            _kernel(builtin)(ys, n, k, *sampler.params, *scr, out)
    root = as_seed_sequence(seed)
    rows = []
    for method in methods:
        if method.builtin:
            rows.append(method.builtin_row)
            continue
        row = n_rows + users.index(method)
        values = (ys, xs) if estimand.call == "paired" else (ys,)
        state = (xoshiro_state(child(root, method.stream_key)),) if method.needs_rng else ()
        first, second = sampler.form_slots
        method.kernel_for(sampler.form)(*values, scr[first], scr[second], k, sampler.n_units,
                                        sampler.form_groups, *state, out[row])
        rows.append(row)
    return out[rows]


def estimate_sample(sample, level: float = 0.95, *, estimand: str = "mean", methods=None,
                    seed=None):
    """Estimates and intervals of ``methods`` (None: the estimand's defaults) on ``sample``.

    A DataFrame with one row per method: method, estimate, se, df, lower,
    upper (and target, truth for the difference estimand). ``seed`` seeds
    the methods that need random numbers (bootstrap-type).
    """
    import pandas as pd
    from scipy.special import stdtrit

    level = check_real(level, "level", low=0.0, high=1.0, low_open=True, high_open=True)
    est = get_estimand(estimand)
    population = sample.population
    est.check(sample.design, sample.sampler, population)
    methods = resolve(methods, estimand, est.default_methods(population))
    out = method_outputs(sample, est, methods, seed=seed)
    rows = []
    for method, (estimate, se, df, lower, upper, flag) in zip(methods, out):
        if method.interval == "t":
            if df >= 1 and np.isfinite(se):
                half = float(stdtrit(df, 0.5 + level / 2.0)) * se
            else:
                half = float("nan")
            lower, upper = estimate - half, estimate + half
        elif method.interval == "none":
            lower = upper = float("nan")
        row = {"method": method.name}
        if estimand != "mean":
            row.update(target=est.target(method), truth=est.truth(method, population))
        row.update(estimate=estimate, se=se, df=df, lower=lower, upper=upper)
        if method.reports_singular:
            row["singular"] = bool(flag == 1.0)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if estimand == "mean" and np.all(np.isfinite(frame["df"])) and np.all(
            frame["df"] == np.floor(frame["df"])):
        frame["df"] = frame["df"].astype(np.int64)
    return frame


def sample_estimates(sample) -> np.ndarray:
    """Every built-in method of the difference estimand on ``sample``: (estimate, SE, df) rows.

    Exactly what the Monte Carlo loop computes for this sample; rows follow
    :data:`~simsample.estimands.difference.DIFFERENCE_METHODS` (the ``macro``
    row is NaN without X).
    """
    from .difference import DIFFERENCE_METHODS
    from .methods import registered

    est = get_estimand("difference")
    est.check(sample.design, sample.sampler, sample.population)
    methods = tuple(registered("difference")[name] for name in DIFFERENCE_METHODS)
    out = method_outputs(sample, est, methods)[:, :3].copy()
    if sample.population.X is None:
        out[DIFFERENCE_METHODS.index("macro")] = np.nan
    return out
