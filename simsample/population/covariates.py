"""Synthetic two-level populations with a micro covariate x and a macro covariate X.

:func:`covariate_population` generates units i in groups j with

    y_ij = mean + (within_effect + contextual_effect) xbar_j + X_effect X_j + u_j
           + b_j (x_ij - xbar_j) + e_ij,

xbar_j the census mean of x in group j, b_j = within_effect + slope_sd w_j
the group's own (random) slope, u_j = group_sd (rho z_j + sqrt(1 - rho^2) v_j)
the group effect (rho = ``x_group_corr``, z_j the group's standardised level
of x), and e_ij ~ N(0, residual_sd^2). With X absent or equal to xbar_j and
rho = 0, this is the contextual model of Raudenbush and Bryk (2002, eq.
5.11-5.13) with random slopes: within (micro) effect ``within_effect``,
between (macro) effect ``within_effect + contextual_effect (+ X_effect)``.

The population's census effects (``pop.delta``, ``pop.within_effect``, ...;
see :mod:`simsample.population.truths`) are what the estimators of
``simulate(..., estimand="difference")`` target. With ``exact=True`` (the
default) the population is built so that they equal the generating
parameters exactly (up to rounding); the generating parameters are also kept
in ``pop.meta``.
"""

from __future__ import annotations

import numpy as np

from .._rng import as_seed_sequence, seed_entropy
from .._validation import (
    InvalidParameterError,
    check_choice,
    check_finite_array,
    check_int,
    check_real,
)
from .core import Population

X_KINDS = ("binary", "normal")
MACRO_KINDS = (None, "group_mean", "independent")
_OWNER = "covariate_population"


def covariate_population(n_groups: int = 100, group_size=50, *, x: str = "binary",
                         x_mean: float = 0.5, x_group_sd: float = 0.0,
                         x_group_corr: float = 0.0, x_sd: float = 1.0,
                         within_effect: float = 0.0, contextual_effect: float = 0.0,
                         slope_sd: float = 0.0, X: str | None = None, X_effect: float = 0.0,
                         mean: float = 0.0, group_sd: float = 0.5, residual_sd: float = 1.0,
                         exact: bool = True, seed=None, name: str | None = None) -> Population:
    """A two-level population with a micro covariate x (and optionally a macro X).

    Parameters
    ----------
    n_groups : int
        G >= 2, the number of groups.
    group_size : int or sequence of int
        Units per group (>= 2 each): one size for all, or one per group.
    x : {"binary", "normal"}
        The micro covariate. "binary": in group j exactly round(p_j N_j)
        units, chosen at random, have x = 1, with logit p_j = logit(x_mean) +
        x_group_sd z_j. "normal": x_ij = x_mean + x_group_sd z_j + x_sd eps_ij.
        z_j, eps_ij are independent standard normals.
    x_mean : float or sequence of float
        Binary: the typical prevalence of x = 1, in (0, 1). Normal: the mean.
        A sequence gives one value per group (prevalences set by design).
    x_group_sd : float >= 0
        How much the level of x varies across groups (binary: SD of logit p_j;
        normal: SD of the group means). 0 gives the same prevalence in every
        group (constant), > 0 varying prevalences.
    x_group_corr : float in [-1, 1]
        Correlation rho between a group's level of x (z_j) and its group effect
        u_j: the prevalence is "correlated with the group effect" (a
        confounder at the group level, which moves the between effect).
    x_sd : float > 0
        Normal x only: the SD of x within groups.
    within_effect : float
        The micro effect: mean of the group slopes b_j of y on x (for binary
        x, the within-group difference mu1_j - mu0_j).
    contextual_effect : float
        Effect of the group mean xbar_j beyond the individual x.
    slope_sd : float >= 0
        SD of the group slopes b_j (random slopes; 0 for a common slope).
    X : {None, "group_mean", "independent"}
        The macro covariate: none; the census group mean of x (for example
        state income = mean individual income); or an independent standard
        normal per group.
    X_effect : float
        Coefficient of X_j in y (0 when X is None).
    mean, group_sd, residual_sd : float
        Intercept, SD of the group effects u_j (>= 0) and of the unit
        residuals e_ij (> 0).
    exact : bool
        Make the census effects equal the generating parameters: within each
        group the residuals e are centred and made orthogonal to x; the part
        v_j of the group effects is made orthogonal (across groups) to z_j,
        xbar_j and X_j and rescaled to SD 1; the slope draws w_j are centred
        (weighted by sum_i (x_ij - xbar_j)^2) and scaled to SD 1 over the
        groups in which x varies. Then ``pop.within_effect == within_effect``,
        ``pop.slope_sd == slope_sd`` and ``pop.group_deltas == b_j``, and with
        ``x_group_corr = 0`` and X absent (or X = "group_mean")
        ``pop.between_effect == within_effect + contextual_effect (+ X_effect)``.
        With ``exact=False`` the census effects scatter around the parameters.
    seed : None, int or SeedSequence
    name : str, optional

    Returns
    -------
    Population
        With ``x`` (and ``X``) set, and the generating parameters in ``meta``.

    Examples
    --------
    >>> pop = covariate_population(50, 40, x_group_sd=1.0, within_effect=-0.5,
    ...                            contextual_effect=3.0, seed=1)
    >>> round(pop.within_effect, 12), round(pop.between_effect, 12)
    (-0.5, 2.5)
    """
    n_groups = check_int(n_groups, "n_groups", low=2, owner=_OWNER)
    sizes = _sizes(n_groups, group_size)
    x_kind = check_choice(x, "x", X_KINDS, owner=_OWNER)
    x_mean = _x_means(x_mean, x_kind, n_groups)
    x_group_sd = check_real(x_group_sd, "x_group_sd", low=0.0, owner=_OWNER)
    rho = check_real(x_group_corr, "x_group_corr", low=-1.0, high=1.0, owner=_OWNER)
    x_sd = check_real(x_sd, "x_sd", low=0.0, low_open=True, owner=_OWNER)
    within_effect = check_real(within_effect, "within_effect", owner=_OWNER)
    contextual_effect = check_real(contextual_effect, "contextual_effect", owner=_OWNER)
    slope_sd = check_real(slope_sd, "slope_sd", low=0.0, owner=_OWNER)
    macro = check_choice(X, "X", MACRO_KINDS, owner=_OWNER)
    X_effect = check_real(X_effect, "X_effect", owner=_OWNER)
    if macro is None and X_effect != 0.0:
        raise InvalidParameterError(
            f"'X_effect' of {_OWNER} must be 0 when X is None (no macro covariate); "
            f"got {X_effect!r}.")
    mean = check_real(mean, "mean", owner=_OWNER)
    group_sd = check_real(group_sd, "group_sd", low=0.0, owner=_OWNER)
    residual_sd = check_real(residual_sd, "residual_sd", low=0.0, low_open=True, owner=_OWNER)
    if not isinstance(exact, (bool, np.bool_)):
        raise InvalidParameterError(f"'exact' of {_OWNER} must be a bool; got {exact!r}.")

    seq = as_seed_sequence(seed)
    rng = np.random.default_rng(seq)
    G = n_groups
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    codes = np.repeat(np.arange(G), sizes)
    z = rng.standard_normal(G)
    v = rng.standard_normal(G)
    w = rng.standard_normal(G)
    independent_X = rng.standard_normal(G)
    if x_kind == "binary":
        logit = np.log(x_mean / (1.0 - x_mean)) + x_group_sd * z
        counts = np.rint(sizes / (1.0 + np.exp(-logit))).astype(np.int64)
        # a random set of exactly counts[j] units of group j gets x = 1
        order = np.lexsort((rng.random(codes.size), codes))
        rank = np.empty(codes.size, np.int64)
        rank[order] = np.arange(codes.size) - starts[codes[order]]
        xs = (rank < counts[codes]).astype(np.float64)
    else:
        xs = x_mean[codes] + x_group_sd * z[codes] + x_sd * rng.standard_normal(codes.size)
    e = residual_sd * rng.standard_normal(codes.size)

    xbar = np.add.reduceat(xs, starts) / sizes
    xd = xs - xbar[codes]
    ssx = np.add.reduceat(xd * xd, starts)
    varies = ssx > 0.0  # as in Population.group_deltas: slopes where x varies
    Xj = {None: None, "group_mean": xbar, "independent": independent_X}[macro]
    if exact:
        e = _orthogonal_within(e, xd, ssx, varies, codes, starts, sizes)
        columns = [np.ones(G), z, xbar] + ([independent_X] if macro == "independent" else [])
        v = _standardised(_residual(v, np.column_stack(columns)))
        w = _standardised_slopes(w, ssx, varies)
    u = group_sd * (rho * z + np.sqrt(1.0 - rho * rho) * v)
    b = within_effect + slope_sd * w
    level = mean + (within_effect + contextual_effect) * xbar + u
    if Xj is not None:
        level = level + X_effect * Xj
    y = level[codes] + b[codes] * xd + e

    x_mean = float(x_mean[0]) if (x_mean == x_mean[0]).all() else x_mean.tolist()
    meta = {"generator": _OWNER, "n_groups": G, "x": x_kind, "x_mean": x_mean,
            "x_group_sd": x_group_sd, "x_group_corr": rho, "x_sd": x_sd,
            "within_effect": within_effect, "contextual_effect": contextual_effect,
            "between_effect": within_effect + contextual_effect, "slope_sd": slope_sd,
            "X": macro, "X_effect": X_effect, "mean": mean, "group_sd": group_sd,
            "residual_sd": residual_sd, "exact": bool(exact), "seed": seed_entropy(seq)}
    return Population._from_grouped(y, sizes, name=name, meta=meta, x_sorted=xs,
                                    X=None if Xj is None else np.array(Xj))


def _x_means(x_mean, x_kind: str, n_groups: int) -> np.ndarray:
    """``x_mean`` as one value per group, checked (prevalences in (0, 1) for binary x)."""
    binary = x_kind == "binary"
    if isinstance(x_mean, (list, tuple, np.ndarray)):
        values = check_finite_array(x_mean, "x_mean")
        if values.size != n_groups:
            raise InvalidParameterError(
                f"'x_mean' of {_OWNER} must be a number or hold one value per group "
                f"(n_groups = {n_groups}); got {values.size} values.")
        if binary and ((values <= 0.0) | (values >= 1.0)).any():
            raise InvalidParameterError(
                f"'x_mean' of {_OWNER} must hold prevalences in (0, 1) for binary x; got "
                f"values from {values.min()!r} to {values.max()!r}.")
        return values
    low, high = (0.0, 1.0) if binary else (None, None)
    value = check_real(x_mean, "x_mean", low=low, high=high, low_open=binary, high_open=binary,
                       owner=_OWNER)
    return np.full(n_groups, value)


def _sizes(n_groups: int, group_size) -> np.ndarray:
    if isinstance(group_size, (list, tuple, np.ndarray)):
        sizes = np.asarray(group_size)
        if (sizes.ndim != 1 or sizes.size != n_groups
                or not np.issubdtype(sizes.dtype, np.integer)):
            raise InvalidParameterError(
                f"'group_size' of {_OWNER} must be an int or a sequence of n_groups = {n_groups} "
                f"ints; got {group_size!r}.")
    else:
        sizes = np.full(n_groups, check_int(group_size, "group_size", low=2, owner=_OWNER))
    if (sizes < 2).any():
        raise InvalidParameterError(
            f"'group_size' of {_OWNER} must be >= 2 for every group; got a minimum of "
            f"{int(sizes.min())}.")
    return sizes.astype(np.int64)


def _orthogonal_within(e, xd, ssx, varies, codes, starts, sizes):
    """Residuals centred in each group and orthogonal to x within it."""
    e = e - (np.add.reduceat(e, starts) / sizes)[codes]
    coef = np.where(varies, np.add.reduceat(xd * e, starts) / np.where(varies, ssx, 1.0), 0.0)
    return e - coef[codes] * xd


def _residual(values, design):
    """Residuals of the least-squares regression of ``values`` on the columns of ``design``."""
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    return values - design @ coef


def _standardised(values):
    """``values`` rescaled to SD 1 (divisor n - 1), or zeros if they have no spread left."""
    sd = values.std(ddof=1)
    if not sd > 1e-12:
        return np.zeros_like(values)
    return values / sd


def _standardised_slopes(w, ssx, varies):
    """Slope draws with weighted mean 0 (weights ssx) and SD 1 over the groups where x varies."""
    if varies.sum() < 2:
        return np.zeros_like(w)
    w = np.where(varies, w - np.average(w[varies], weights=ssx[varies]), 0.0)
    return np.where(varies, w / w[varies].std(ddof=1), 0.0)
