"""Means, totals and ratios of one sample: factor levels, several variables, domains.

The engine behind :meth:`SurveyDesign.mean <simsample.survey.SurveyDesign.mean>`,
``total`` and ``ratio`` (R's ``svymean``, ``svytotal``, ``svyratio`` and
``svyby``) and ``ttest`` (R's ``svyttest``). Every estimate is computed on
the whole design with zero weight outside the rows it uses, so domains and
rows with missing values keep the full PSU structure, strata and fpc, as in R:

* a factor variable (categorical, string or object column) gives one row per
  level: the proportion (mean) or the estimated count (total) of that level;
* several variables are estimated on the rows observed in all of them (with
  ``na_rm=True``; R's ``na.rm=TRUE`` drops rows missing in any variable);
* ``by`` gives one row per domain: every combination of the ``by`` columns
  present in the data, ordered as R's ``svyby`` (the first column varying
  fastest); rows missing a ``by`` value belong to no domain.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._validation import InvalidParameterError
from ._linearize import design_effects, linearize
from .estimates import SurveyEstimate, SurveyTable
from .ttest import SurveyTTest


def is_factor(column: pd.Series) -> bool:
    """Whether a column is read as a factor (categorical, string or object; not bool)."""
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def factor_levels(column: pd.Series) -> list:
    """The levels of a factor column in R's order: the categories, else sorted values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories)
    return sorted(column.dropna().unique().tolist())


def _names(value, what: str) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names or not all(
            isinstance(v, str) for v in names):
        raise InvalidParameterError(
            f"'{what}' must be a column name or a non-empty list of column names; "
            f"got {value!r}.")
    return list(names)


def _column(design, variable: str, key: str = "variable") -> pd.Series:
    if not isinstance(variable, str) or variable not in design.data.columns:
        raise InvalidParameterError(
            f"'{key}' of SurveyDesign must name columns of 'data'; got {variable!r}, "
            f"columns are {list(design.data.columns)}.")
    return design.data[variable]


def numeric_values(design, variable: str, key: str = "variable"):
    """(values with missing set to 0, observed mask) of a numeric column."""
    column = _column(design, variable, key)
    if is_factor(column):
        raise InvalidParameterError(
            f"column {variable!r} must be numeric here; got dtype {column.dtype}.")
    y = column.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(y).any():
        raise InvalidParameterError(
            f"column {variable!r} has {int(np.isinf(y).sum())} infinite value(s).")
    observed = ~np.isnan(y)
    return np.where(observed, y, 0.0), observed


def _check_missing(design, variables: list[str], observed: np.ndarray, na_rm) -> None:
    if not isinstance(na_rm, (bool, np.bool_)):
        raise InvalidParameterError(f"'na_rm' must be a bool; got {na_rm!r}.")
    missing = design.included & ~observed
    if missing.any() and not na_rm:
        which = (f"column {variables[0]!r} has" if len(variables) == 1
                 else f"columns {variables} have")
        raise InvalidParameterError(
            f"{which} {int(missing.sum())} missing value(s) out of "
            f"{int(design.included.sum())} rows; pass na_rm=True to estimate over the rows "
            "observed in all of them (a domain: the full design is kept, as R's survey does).")


def domains(design, by) -> tuple[list[str], list[tuple], list[np.ndarray]]:
    """The ``by`` columns, the domains present (R's order) and each domain's row mask."""
    if by is None:
        return [], [()], [np.ones(len(design.data), dtype=bool)]
    columns = _names(by, "by")
    codes, levels = [], []
    for name in columns:
        column = _column(design, name, "by")
        lv = factor_levels(column) if is_factor(column) else sorted(column.dropna().unique())
        position = {value: i for i, value in enumerate(lv)}
        codes.append(np.array([position.get(v, -1) if pd.notna(v) else -1 for v in column]))
        levels.append(lv)
    codes = np.column_stack(codes)
    inside = (codes >= 0).all(axis=1) & design.included
    present = np.unique(codes[inside], axis=0)
    present = sorted(map(tuple, present), key=lambda key: key[::-1])  # first fastest, as R
    values = [tuple(levels[c][i] for c, i in enumerate(key)) for key in present]
    masks = [(codes == np.array(key)).all(axis=1) for key in present]
    return columns, values, masks


def _domain_label(by: list[str], values: tuple) -> str | None:
    if not by:
        return None
    return ",".join(f"{name}={value}" for name, value in zip(by, values))


def estimate(design, statistic: str, variables, *, na_rm=False, by=None, denominator=None):
    """Estimates of ``statistic`` for ``variables`` (see the module docstring).

    Returns a :class:`SurveyEstimate` for one numeric variable without ``by``,
    otherwise a :class:`SurveyTable`.
    """
    single = isinstance(variables, str)
    variables = _names(variables, "variable")
    observed = np.ones(len(design.data), dtype=bool)
    parts = []  # (variable, category, values) of every estimate
    for name in variables:
        column = _column(design, name)
        if statistic != "ratio" and is_factor(column):
            observed &= column.notna().to_numpy()
            for level in factor_levels(column):
                parts.append((name, level, (column == level).to_numpy(dtype=np.float64)))
        else:
            y, seen = numeric_values(design, name)
            observed &= seen
            parts.append((name, None, y))
    b = None
    if denominator is not None:
        b, seen = numeric_values(design, denominator, "denominator")
        observed &= seen
    _check_missing(design, variables + ([denominator] if denominator else []), observed,
                   na_rm)
    by_columns, by_values, masks = domains(design, by)
    rows, z = [], []
    for values, mask in zip(by_values, masks):
        used = design.included & observed & mask
        label = _domain_label(by_columns, values)
        if not used.any():
            raise InvalidParameterError(
                f"no row of {variables} is observed" + (f" in domain {label}" if label else "")
                + ".")
        w = np.where(used, design.weights, 0.0)
        df = design.degrees_of_freedom(used)
        for name, category, a in parts:
            a = np.where(used, a, 0.0)
            if statistic == "ratio":
                if float(np.sum(w * b)) == 0.0:
                    raise InvalidParameterError(
                        f"the estimated total of the denominator {denominator!r} is 0"
                        + (f" in domain {label}" if label else "") + ".")
                name = f"{name}/{denominator}"
            linear = linearize(statistic, w, a, None if b is None else np.where(used, b, 0.0))
            z.append(linear.z)
            rows.append((statistic, name, linear, w, used, df, category, label))
    cov = design.covariance_of_totals(np.column_stack(z))
    estimates = []
    for i, (stat, name, linear, w, used, df, category, label) in enumerate(rows):
        variance = float(cov[i, i])
        deff, deff_replace = design_effects(variance, linear.deff_y, w, used, linear.deff_scale)
        estimates.append(SurveyEstimate(stat, name, linear.estimate,
                                        math.sqrt(max(variance, 0.0)), df, deff, deff_replace,
                                        int(used.sum()), category, label))
    if single and by is None and len(estimates) == 1 and estimates[0].category is None:
        return estimates[0]
    return SurveyTable(estimates, cov, by_columns,
                       [values for values in by_values for _ in parts])


def ttest(design, variable: str, by: str) -> SurveyTTest:
    """Difference of the means of ``variable`` in the two domains of ``by`` (R's svyttest).

    Rows missing ``variable`` or ``by`` are left out (zero weight, design kept).
    The difference is mean(second level) - mean(first level), the levels in R's
    order (see :func:`factor_levels`; numeric columns sorted: 1 minus 0).
    """
    y, observed = numeric_values(design, variable)
    if not isinstance(by, str):
        raise InvalidParameterError(f"'by' of ttest must be a column name; got {by!r}.")
    by_columns, values, masks = domains(design, by)
    used = design.included & observed
    present = [(v, m) for v, m in zip(values, masks) if (used & m).any()]
    if len(present) != 2:
        raise InvalidParameterError(
            f"'by' of ttest must have exactly two levels in the rows used; column {by!r} has "
            f"{len(present)}: {[v[0] for v, _ in present]}.")
    used = used & (present[0][1] | present[1][1])
    z = []
    means = []
    for _, mask in present:
        w = np.where(used & mask, design.weights, 0.0)
        linear = linearize("mean", w, np.where(used & mask, y, 0.0))
        means.append(linear.estimate)
        z.append(linear.z)
    variance = float(design.covariance_of_totals(z[1] - z[0])[0, 0])
    df = design.degrees_of_freedom(used) - 1
    return SurveyTTest(variable, by, (present[0][0][0], present[1][0][0]),
                       means[1] - means[0], math.sqrt(max(variance, 0.0)), df)


def _type_name(value) -> str:
    return type(value).__name__


def subset_mask(design, mask_or_query) -> np.ndarray:
    """The rows selected by a boolean mask or a ``DataFrame.query`` string (NA: not selected)."""
    if isinstance(mask_or_query, str):
        try:
            selected = design.data.eval(mask_or_query)
        except Exception as exc:  # pandas raises many kinds for a bad expression
            raise InvalidParameterError(
                f"'mask_or_query' of SurveyDesign.subset could not be evaluated on the data: "
                f"{mask_or_query!r} ({type(exc).__name__}: {exc}).") from None
    else:
        selected = mask_or_query
    if isinstance(selected, pd.Series):
        selected = selected.to_numpy(dtype=object)
    selected = np.asarray(selected, dtype=object)
    missing = [v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
               for v in selected.ravel()]
    if selected.shape != (len(design.data),) or not all(
            m or isinstance(v, (bool, np.bool_)) for v, m in zip(selected, missing)):
        raise InvalidParameterError(
            "'mask_or_query' of SurveyDesign.subset must be a query string or a boolean mask "
            f"with one value per row ({len(design.data)}); got an array of shape "
            f"{selected.shape} with value types {sorted(set(map(_type_name, selected.ravel())))}.")
    mask = np.array([not m and bool(v) for v, m in zip(selected, missing)], dtype=bool)
    if not (mask & design.included).any():
        raise InvalidParameterError(
            f"'mask_or_query' of SurveyDesign.subset selects no row: {mask_or_query!r}.")
    return mask
