"""Compiled ratio and domain-mean estimators for the replication loop (paired form).

The kernels take the engine's paired sample form ``(y, x, start, size, k,
n_units, n_groups, out)``: units of the a-th sampled group are
``y[start[a]:start[a + 1]]`` (``x`` the same units' covariate), ``size[a]``
its population size M_a, k groups sampled of G = ``n_groups``. Element
designs pass every unit as its own group (start = 0..n, size = 1, G = N); a
stratified sample passes its strata as the groups (k = G, size = N_h).

They compute exactly what ``SurveyDesign.from_sample(sample)`` computes:
weights w_i = (G / k)(M_a / m_a), m_a the units taken in group a, and

* ratio: R = sum w y / sum w x, influence z_i = w_i (y_i - R x_i) / sum w x
  (``SurveyDesign.ratio("y", "x")``);
* domain mean (x = 1 in the domain, 0 outside): the ratio of y x to x, the
  mean of the domain with the full design kept (``SurveyDesign.mean("y", by="x")``,
  the row of x = 1).

Variance: the two-stage estimator of ``svyrecvar`` with fpc at both stages,
(1 - k/G) k/(k - 1) sum_a (t_a - tbar)^2 + (k/G) sum_a (1 - m_a/M_a)
m_a/(m_a - 1) sum_{i in a} (z_i - zbar_a)^2, t_a the group totals of z; a stage
term is 0 where its sampling fraction is 1 (to 1e-7) or one unit was taken.
Degrees of freedom: "k - 1" kernels count sampled groups with a domain unit
minus 1 (every group for the ratio); "n - H" kernels (stratified samples:
element sampling within strata) count domain units minus the strata that hold
one. An empty domain or a zero denominator total gives NaN (a failed
replication).
"""

from __future__ import annotations

import numpy as np

from .._jit import kernel

#: Below this (1 - n/N) a stage counts as sampled completely (as SurveyDesign).
_CERTAINTY = 1e-7


@kernel
def _ratio_core(y, x, start, size, k, n_groups, domain, out):  # pragma: no cover
    """The ratio sum w a / sum w b (a = y x, b = x if ``domain``, else a = y, b = x).

    Writes out[0] the estimate and out[1] its SE (NaN for a zero denominator);
    returns (groups holding a unit with x != 0, units with x != 0). Assumes
    validated inputs.
    """
    g_over_k = n_groups / k
    num = 0.0
    den = 0.0
    n_psu = 0
    n_in = 0
    for a in range(k):
        first, last = start[a], start[a + 1]
        wa = g_over_k * size[a] / (last - first)
        hit = False
        for i in range(first, last):
            xi = x[i]
            ai = y[i] * xi if domain else y[i]
            num += wa * ai
            den += wa * xi
            if xi != 0.0:
                hit = True
                n_in += 1
        if hit:
            n_psu += 1
    if den == 0.0:
        out[0] = np.nan
        out[1] = np.nan
        return n_psu, n_in
    ratio = num / den
    # pass 2: group totals of z (their mean) and the second-stage terms
    sum_t = 0.0
    within = 0.0
    for a in range(k):
        first, last = start[a], start[a + 1]
        m = last - first
        c = g_over_k * size[a] / m / den
        t = 0.0
        for i in range(first, last):
            xi = x[i]
            ai = y[i] * xi if domain else y[i]
            t += c * (ai - ratio * xi)
        sum_t += t
        f2 = (size[a] - m) / size[a]
        if m > 1 and f2 >= _CERTAINTY:
            zbar = t / m
            ss = 0.0
            for i in range(first, last):
                xi = x[i]
                ai = y[i] * xi if domain else y[i]
                d = c * (ai - ratio * xi) - zbar
                ss += d * d
            within += f2 * m / (m - 1.0) * ss
    # pass 3: the first-stage sum of squares about the mean group total
    tbar = sum_t / k
    between = 0.0
    f1 = (n_groups - k) / n_groups
    if k > 1 and f1 >= _CERTAINTY:
        ss = 0.0
        for a in range(k):
            first, last = start[a], start[a + 1]
            c = g_over_k * size[a] / (last - first) / den
            t = 0.0
            for i in range(first, last):
                xi = x[i]
                ai = y[i] * xi if domain else y[i]
                t += c * (ai - ratio * xi)
            d = t - tbar
            ss += d * d
        between = f1 * k / (k - 1.0) * ss
    variance = between + (k / n_groups) * within
    out[0] = ratio
    out[1] = np.sqrt(max(variance, 0.0))
    return n_psu, n_in


@kernel
def ratio_groups(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Ratio sum w y / sum w x, linearised SE, k - 1 df. Assumes validated inputs."""
    _ratio_core(y, x, start, size, k, n_groups, False, out)
    out[2] = k - 1.0 if np.isfinite(out[0]) else np.nan


@kernel
def domain_mean_groups(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Mean of y over x = 1, the full design kept; (groups in the domain) - 1 df.

    Assumes validated inputs.
    """
    n_psu, n_in = _ratio_core(y, x, start, size, k, n_groups, True, out)
    out[2] = n_psu - 1.0 if np.isfinite(out[0]) else np.nan


@kernel
def ratio_strata(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Ratio of a stratified sample (groups = strata); n - H df. Assumes validated inputs."""
    _ratio_core(y, x, start, size, k, n_groups, False, out)
    out[2] = start[k] - float(k) if np.isfinite(out[0]) else np.nan


@kernel
def domain_mean_strata(y, x, start, size, k, n_units, n_groups, out):  # pragma: no cover
    """Domain mean of a stratified sample; (domain units) - (strata holding one) df.

    Assumes validated inputs.
    """
    n_psu, n_in = _ratio_core(y, x, start, size, k, n_groups, True, out)
    out[2] = n_in - float(n_psu) if np.isfinite(out[0]) else np.nan
