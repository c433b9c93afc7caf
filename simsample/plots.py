"""Figures for studies and populations (matplotlib, imported only when drawing).

Every function takes an optional ``ax`` and returns the Axes it drew on, so
figures compose; styling follows :data:`PALETTE` (Okabe-Ito, colour-blind safe)
and :func:`lecture_style`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

#: Okabe and Ito's colour-blind-safe palette.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
    "grey": "#777777",
}
#: Colour for each design in order of appearance.
DESIGN_COLOURS = ("blue", "vermillion", "green", "orange", "purple", "sky")


@contextmanager
def lecture_style():
    """Matplotlib settings for slide-size figures: large fonts, no top/right spines."""
    import matplotlib as mpl

    with mpl.rc_context({
        "font.size": 13, "axes.titlesize": 15, "axes.labelsize": 13, "legend.fontsize": 11,
        "xtick.labelsize": 11, "ytick.labelsize": 11, "axes.spines.top": False,
        "axes.spines.right": False, "figure.dpi": 100, "savefig.dpi": 150,
        "savefig.bbox": "tight", "figure.constrained_layout.use": True,
    }):
        yield


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, 5))[1]


def _colour(i: int) -> str:
    return PALETTE[DESIGN_COLOURS[i % len(DESIGN_COLOURS)]]


def _strip_x(codes: np.ndarray, seed: int = 0, width: float = 0.28) -> np.ndarray:
    """Group position plus a little deterministic jitter, so points do not hide each other."""
    return codes + np.random.default_rng(seed).uniform(-width, width, size=codes.size)


def population_by_group(population, *, groups=None, max_groups: int = 20, ax=None):
    """Every unit's outcome against its group (jittered), group means and the population mean.

    ``groups`` picks group indices to show (default: the first ``max_groups``).
    """
    ax = _axes(ax)
    groups = np.arange(min(population.n_groups, max_groups)) if groups is None else np.asarray(groups)
    position = {g: i for i, g in enumerate(groups)}
    codes = np.asarray(population.codes)
    shown = np.isin(codes, groups)
    x = np.array([position[c] for c in codes[shown]])
    ax.scatter(_strip_x(x), np.asarray(population.y)[shown], s=9, alpha=0.55,
               color=PALETTE["blue"], linewidths=0, label="units")
    means = np.asarray(population.group_means)[groups]
    ax.hlines(means, np.arange(groups.size) - 0.38, np.arange(groups.size) + 0.38,
              color=PALETTE["orange"], lw=2.5, label="group means")
    ax.axhline(population.mean, color=PALETTE["black"], ls="--", lw=1.3, label="population mean")
    ax.set_xticks(np.arange(groups.size))
    ax.set_xticklabels([str(population.labels[g]) for g in groups],
                       fontsize=9 if groups.size > 12 else None)
    ax.set_xlabel("group")
    ax.set_ylabel("outcome y")
    return ax


def sample_drawn(sample, *, ax=None, label: str | None = None, colour: str = "vermillion"):
    """The population in grey by group, the sampled units highlighted, both means marked."""
    ax = _axes(ax)
    pop = sample.population
    codes = np.asarray(pop.codes)
    y = np.asarray(pop.y)
    ax.scatter(_strip_x(codes, width=0.3), y, s=4, color=PALETTE["grey"], alpha=0.25,
               linewidths=0, label="population")
    units = sample.units
    ax.scatter(_strip_x(codes[units], seed=1, width=0.3), y[units], s=22, color=PALETTE[colour],
               edgecolors="white", linewidths=0.4, label=label or "sampled units", zorder=3)
    estimate = sample.estimate().set_index("method").loc["cluster_t", "estimate"]
    ax.axhline(pop.mean, color=PALETTE["black"], ls="--", lw=1.3,
               label=f"population mean {pop.mean:.3f}")
    ax.axhline(estimate, color=PALETTE[colour], lw=2.2, label=f"sample mean {estimate:.3f}")
    ax.set_xlabel("group")
    ax.set_ylabel("outcome y")
    return ax


def sampling_distributions(study, designs=None, *, method: str = "cluster_t", bins: int = 60,
                           ax=None):
    """Histograms of the kept estimates under each design, with the normal curve of theory.

    Needs ``simulate(..., keep_estimates=True)``. Each design's curve is
    N(mu, theory.variance); the population mean is the dashed vertical line.
    """
    ax = _axes(ax)
    designs = list(study.designs) if designs is None else list(designs)
    frames = {d: study.estimates[d] for d in designs}
    values = {d: f.loc[f["method"] == method, "estimate"].to_numpy() for d, f in frames.items()}
    lo = min(v.min() for v in values.values())
    hi = max(v.max() for v in values.values())
    edges = np.linspace(lo, hi, bins + 1)
    grid = np.linspace(lo, hi, 400)
    summary = study.summary().set_index(["design", "method"])
    mu = study.population.mean
    for i, design in enumerate(designs):
        colour = _colour(i)
        row = summary.loc[(design, method)]
        ax.hist(values[design], bins=edges, density=True, histtype="stepfilled", alpha=0.25,
                color=colour)
        ax.hist(values[design], bins=edges, density=True, histtype="step", lw=1.2, color=colour,
                label=f"{design}: Monte Carlo, variance {row['variance']:.3g}")
        sd = math.sqrt(row["theory_variance"])
        ax.plot(grid, np.exp(-0.5 * ((grid - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)),
                color=colour, lw=2.4, ls=(0, (5, 2)),
                label=f"{design}: theory, variance {row['theory_variance']:.3g}")
    ax.axvline(mu, color=PALETTE["black"], ls="--", lw=1.2, label="population mean")
    ax.set_xlabel("estimate of the population mean")
    ax.set_ylabel("density")
    ax.legend(frameon=False, loc="upper left")
    return ax


def variance_ratio_curve(table, x: str, *, ax=None, kish: bool = True, label: str | None = None,
                         colour: str = "blue"):
    """Variance ratio against ``x``: Monte Carlo points with +-2 MCSE bars, exact theory line.

    ``table`` has one row per condition with columns ``x``, ``variance_ratio``,
    ``variance_ratio_mcse`` and ``theory_variance_ratio``; with ``kish`` and an
    ``kish_design_effect`` column, Kish's approximation is drawn dashed.
    """
    ax = _axes(ax)
    table = table.sort_values(x)
    ax.plot(table[x], table["theory_variance_ratio"], color=PALETTE[colour], lw=2,
            label=f"{label + ': ' if label else ''}exact theory")
    ax.errorbar(table[x], table["variance_ratio"], yerr=2 * table["variance_ratio_mcse"],
                fmt="o", ms=6, color=PALETTE[colour], capsize=3, mec="white",
                label=f"{label + ': ' if label else ''}Monte Carlo (±2 MCSE)")
    if kish and "kish_design_effect" in table:
        ax.plot(table[x], table["kish_design_effect"], color=PALETTE["grey"], lw=1.6, ls="--",
                label="Kish approximation 1 + (m - 1) icc")
    ax.axhline(1.0, color=PALETTE["black"], lw=0.8, alpha=0.6)
    ax.set_ylabel("Var(design) / Var(SRS of the same n)")
    ax.legend(frameon=False)
    return ax


def interval_stack(study, design: str, methods=("naive_t", "cluster_t"), *, n: int = 100,
                   ax=None):
    """The first ``n`` kept intervals of each method, misses highlighted, side by side.

    Needs ``simulate(..., keep_estimates=True)``. Intervals that miss their
    target (the population mean, or the method's target for other
    estimands) are drawn thick in vermillion; how many of the ``n`` shown
    cover is written beside each stack.
    """
    ax = _axes(ax)
    frame = study.estimates[design]
    row = study.summary().set_index(["design", "method"]).loc[(design, methods[0])]
    mu, target = row["truth"], row["target"]
    gap = 0.08
    for i, method in enumerate(methods):
        rows = frame[frame["method"] == method].head(n)
        y = np.arange(len(rows)) + i * (len(rows) + len(rows) * gap)
        hit = rows["covered"].to_numpy()
        ax.hlines(y[hit], rows["lower"][hit], rows["upper"][hit], color=PALETTE["blue"], lw=1.1)
        ax.hlines(y[~hit], rows["lower"][~hit], rows["upper"][~hit], color=PALETTE["vermillion"],
                  lw=2.2)
        ax.plot(rows["estimate"], y, "|", color=PALETTE["black"], ms=3)
        ax.text(1.01, y.mean(), f"{method}\n{hit.sum()} of {len(rows)}\ncover",
                transform=ax.get_yaxis_transform(), va="center", fontsize=11)
    ax.axvline(mu, color=PALETTE["black"], ls="--", lw=1.2)
    ax.set_yticks([])
    ax.set_xlabel(f"interval for the {target}")
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color=PALETTE["blue"], lw=1.2, label="covers"),
                       Line2D([], [], color=PALETTE["vermillion"], lw=2.2, label="misses"),
                       Line2D([], [], color=PALETTE["black"], ls="--", label=target)],
              frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3)
    return ax


def coverage_curve(table, x: str, *, ax=None, level: float = 0.95, label: str | None = None,
                   colour: str = "blue", theory: str | None = None):
    """Coverage against ``x`` with +-2 MCSE bars and the nominal level.

    ``table`` has columns ``x``, ``coverage``, ``coverage_mcse`` and optionally
    a theory column named by ``theory``, drawn as a line.
    """
    ax = _axes(ax)
    table = table.sort_values(x)
    ax.errorbar(table[x], table["coverage"], yerr=2 * table["coverage_mcse"], fmt="o-", ms=6,
                color=PALETTE[colour], capsize=3, mec="white", lw=1.2,
                label=f"{label or 'coverage'} (Monte Carlo ±2 MCSE)")
    if theory is not None:
        ax.plot(table[x], table[theory], color=PALETTE[colour], lw=1.6, ls=":",
                label=f"{label or 'coverage'}: theory (approx.)")
    ax.axhline(level, color=PALETTE["black"], ls="--", lw=1.2, label=f"nominal {level:.0%}")
    ax.set_ylabel("coverage of the population mean")
    ax.legend(frameon=False)
    return ax


def budget_curve(curve, plan, *, ax=None):
    """CV of the mean against units per cluster at a fixed budget: the U-shaped curve.

    ``curve`` comes from :func:`simsample.planning.budget_curve`. The line is
    the PracTools CV with a continuous number of clusters (no fpc); open
    circles the exact design CV of each integer design on the simulated
    population (with fpc); filled points the Monte Carlo CV with +-2 MCSE
    bars. The diamond (and dotted line) marks the continuous optimum m_opt, the
    star the plan's integer design.
    """
    ax = _axes(ax)
    m_opt = plan.continuous.per_cluster
    top = max(float(curve["per_cluster"].max()), m_opt) * 1.08
    grid = np.geomspace(1.0, top, 300)
    ax.plot(grid, plan.cv_at(grid), color=PALETTE["blue"], lw=2.2,
            label="plan: PracTools formula (no fpc)")
    if "exact_cv" in curve:
        ax.plot(curve["per_cluster"], curve["exact_cv"], color=PALETTE["vermillion"], ls="--",
                lw=1.3, marker="o", mfc="white", ms=7,
                label="exact on the simulated population (with fpc)")
        ax.errorbar(curve["per_cluster"], curve["cv"], yerr=2.0 * curve["cv_mcse"], fmt="o",
                    color=PALETTE["black"], ms=4.5, capsize=3, lw=1.2, zorder=3,
                    label=f"Monte Carlo ({curve.attrs.get('reps', '?'):,} samples each) "
                          "$\\pm$ 2 MCSE")
    cv_opt = float(plan.cv_at(m_opt))
    ax.plot([m_opt], [cv_opt], marker="D", ms=7, color=PALETTE["blue"], ls="none", zorder=4,
            label=f"continuous optimum $m_{{opt}}$ = {m_opt:.1f} (CV {cv_opt:.4f})")
    ax.plot([plan.per_cluster], [plan.cv], marker="*", ms=17, color=PALETTE["orange"],
            mec=PALETTE["black"], mew=0.8, ls="none", zorder=4,
            label=f"plan: {plan.clusters} clusters x {plan.per_cluster} units (CV {plan.cv:.4f})")
    bottom = ax.get_ylim()[0]
    ax.vlines(m_opt, bottom, cv_opt, color=PALETTE["grey"], ls=":", lw=1.5)
    ax.set_ylim(bottom=bottom)
    ax.set_xscale("log")
    ticks = [t for t in (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 500) if t <= top]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("units per cluster m (log scale); clusters = the most the budget buys")
    ax.set_ylabel("CV of the estimated mean")
    ax.legend(frameon=False, loc="upper right")
    return ax
# -- study grids (simsample.studies) ---------------------------------------------------------

#: Markers for the ``style`` levels of :func:`grid_lines`.
STYLE_MARKERS = ("o", "s", "^", "D", "v", "P")


def _is_numeric(values) -> bool:
    import numbers

    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)


def grid_lines(table, x: str, y: str, *, hue: str = "design", style: str | None = None,
               err: str | None = None, theory: str | None = None,
               reference: float | None = None, reference_label: str | None = None,
               z: float = 2.0, ax=None):
    """Monte Carlo ``y`` against the grid parameter ``x``: one line per ``hue`` (and ``style``).

    Parameters
    ----------
    table : pandas.DataFrame
        A tidy study summary (``StudyRun.summary()``) or a subset of it.
    x : str
        The column on the horizontal axis; numbers are placed at their values,
        anything else at equal spacing in order of appearance.
    hue, style : str
        Columns whose levels get a colour and a marker each.
    err : str, optional
        A Monte Carlo standard error column: bars of +- ``z`` MCSE.
    theory : str, optional
        A column of theoretical values, drawn dashed in the line's colour.
    reference : float, optional
        A horizontal line, e.g. the nominal coverage.
    """
    ax = _axes(ax)
    xs_all = list(dict.fromkeys(table[x].tolist()))
    numeric = _is_numeric(xs_all)
    position = (lambda v: float(v)) if numeric else (
        lambda v: float(xs_all.index(v)))
    span = (max(xs_all) - min(xs_all)) if numeric and len(xs_all) > 1 else max(len(xs_all) - 1, 1)
    hues = list(dict.fromkeys(table[hue].tolist()))
    styles = list(dict.fromkeys(table[style].tolist())) if style else [None]
    lines = [(h, s) for h in hues for s in styles]
    theory_labelled = False
    for j, (h, s) in enumerate(lines):
        mask = table[hue] == h
        if s is not None:
            mask &= table[style] == s
        rows = table[mask]
        if rows.empty:
            continue
        rows = rows.assign(_pos=[position(v) for v in rows[x]]).sort_values("_pos")
        # a small sideways offset keeps error bars of different lines apart
        pos = rows["_pos"].to_numpy() + (j - (len(lines) - 1) / 2) * 0.012 * span
        colour = PALETTE[DESIGN_COLOURS[hues.index(h) % len(DESIGN_COLOURS)]]
        marker = STYLE_MARKERS[styles.index(s) % len(STYLE_MARKERS)]
        label = str(h) if hue == "design" else f"{hue} = {h}"
        label = label if s is None else f"{label}, {s}"
        yerr = z * rows[err].to_numpy() if err else None
        ax.errorbar(pos, rows[y].to_numpy(), yerr=yerr, color=colour, marker=marker, ms=5,
                    lw=1.6, capsize=2.5, label=label)
        if theory and np.isfinite(rows[theory].to_numpy(dtype=float)).any():
            ax.plot(rows["_pos"].to_numpy(), rows[theory].to_numpy(), color=colour, ls="--",
                    lw=1.3, label=None if theory_labelled else "theory (dashed)")
            theory_labelled = True
    if reference is not None:
        ax.axhline(reference, color=PALETTE["black"], ls=":", lw=1.2, label=reference_label)
    if not numeric:
        ax.set_xticks(range(len(xs_all)), [str(v) for v in xs_all])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return ax


def grid_figure(table, x: str, y: str, *, facet=(), title: str | None = None,
                ylabel: str | None = None, ncols: int = 3, note: str | None = None, **line_kws):
    """A figure of :func:`grid_lines` panels, one per combination of the ``facet`` columns.

    ``line_kws`` go to :func:`grid_lines`; panels share the y axis. ``note``
    is a line of small text under the figure (e.g. what the error bars are).
    """
    import matplotlib.pyplot as plt

    facet = list(facet)
    groups = [((), table)] if not facet else list(table.groupby(facet, sort=False))
    n = len(groups)
    cols = min(ncols, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols + 2.0, 3.8 * rows + 0.6),
                             sharey=True, squeeze=False, layout="constrained")
    for ax, (key, part) in zip(axes.flat, groups):
        grid_lines(part, x, y, ax=ax, **line_kws)
        key = key if isinstance(key, tuple) else (key,)
        if facet:
            ax.set_title(", ".join(f"{f} = {v}" for f, v in zip(facet, key)), fontsize=11)
        ax.set_ylabel(ylabel or y)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", frameon=False)
    if title:
        fig.suptitle(title)
    if note:
        fig.supxlabel(note, fontsize=9, color=PALETTE["grey"])
    return fig


# -- differences and micro/macro effects -----------------------------------------------------

def _group_x_means(population):
    codes = np.asarray(population.codes)
    x = np.asarray(population.x, dtype=float)
    return np.bincount(codes, weights=x) / np.bincount(codes)


def group_differences(population, *, ax=None, cmap: str = "cividis"):
    """Mean of y at x = 0 and x = 1 in every group (thin lines), and pooled (thick).

    For a binary micro covariate: the group lines slope one way when the
    within-group differences delta_j share a sign; the pooled line is the
    population delta, which can slope the other way (Simpson's paradox).
    Lines are coloured by the group's share of x = 1.
    """
    import matplotlib as mpl

    ax = _axes(ax)
    codes = np.asarray(population.codes)
    x = np.asarray(population.x) > 0.5
    y = np.asarray(population.y)
    share = _group_x_means(population)
    colours = mpl.colormaps[cmap]
    for g in range(population.n_groups):
        in_g = codes == g
        if x[in_g].all() or not x[in_g].any():
            continue
        means = [y[in_g & ~x].mean(), y[in_g & x].mean()]
        ax.plot([0, 1], means, "-o", color=colours(share[g]), lw=1.6, ms=5, alpha=0.9)
    pooled = [y[~x].mean(), y[x].mean()]
    ax.plot([0, 1], pooled, "-s", color=PALETTE["vermillion"], lw=3.5, ms=9,
            label=f"all units pooled: delta = {population.delta:+.2f}")
    ax.plot([], [], "-o", color=colours(0.5), label="one line per group: delta_j")
    norm = mpl.colors.Normalize(0, 1)
    bar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colours), ax=ax, pad=0.02)
    bar.set_label("group's share of x = 1")
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["x = 0", "x = 1"])
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylabel("mean outcome y")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    return ax


def method_distributions(study, design: str, methods, *, bins: int = 50, ax=None):
    """Histograms of the kept estimates of several methods, each with its target.

    Needs ``simulate(..., keep_estimates=True)``; targets (dashed) come from
    the summary, so each method is judged against what it estimates.
    """
    ax = _axes(ax)
    frame = study.estimates[design]
    summary = study.summary().set_index(["design", "method"])
    for i, method in enumerate(methods):
        colour = _colour(i)
        values = frame.loc[frame["method"] == method, "estimate"].to_numpy()
        row = summary.loc[(design, method)]
        ax.hist(values, bins=bins, density=True, histtype="stepfilled", alpha=0.35, color=colour,
                label=f"{method}: mean {row['mean_estimate']:+.3f}")
        ax.axvline(row["truth"], color=colour, ls="--", lw=2,
                   label=f"its target, {row['target']} {row['truth']:+.3f}")
    ax.set_xlabel("estimate")
    ax.set_ylabel("density")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    return ax


def _group_slopes(population):
    """OLS slope of y on x within every group (the census micro effects)."""
    codes = np.asarray(population.codes)
    x = np.asarray(population.x, dtype=float)
    y = np.asarray(population.y)
    n = np.bincount(codes).astype(float)
    xm = np.bincount(codes, weights=x) / n
    ym = np.bincount(codes, weights=y) / n
    dx = x - xm[codes]
    sxy = np.bincount(codes, weights=dx * (y - ym[codes]))
    sxx = np.bincount(codes, weights=dx * dx)
    return sxy / sxx, xm, ym


def within_between(population, *, ax=None, cmap: str = "cividis",
                   macro_label: str = "group's macro covariate X"):
    """Within-group regression lines of y on x (thin) against the between-group line (thick).

    For a continuous micro covariate such as income: each group's census
    OLS line over the middle 90% of its x values, coloured by the group's
    macro covariate X (or its mean x), the group means as dots and the
    regression of group means of y on group means of x through them.
    """
    import matplotlib as mpl

    ax = _axes(ax)
    slopes, xm, ym = _group_slopes(population)
    macro = np.asarray(population.X, dtype=float) if population.X is not None else xm
    norm = mpl.colors.Normalize(macro.min(), macro.max())
    colours = mpl.colormaps[cmap]
    codes = np.asarray(population.codes)
    x = np.asarray(population.x, dtype=float)
    for g in range(population.n_groups):
        lo, hi = np.quantile(x[codes == g], [0.05, 0.95])
        grid = np.array([lo, hi])
        ax.plot(grid, ym[g] + slopes[g] * (grid - xm[g]), color=colours(norm(macro[g])), lw=1.1,
                alpha=0.85)
    ax.scatter(xm, ym, s=22, color=PALETTE["black"], zorder=3, label="group means")
    b = np.polyfit(xm, ym, 1)
    grid = np.linspace(xm.min() - 0.2, xm.max() + 0.2, 2)
    ax.plot(grid, np.polyval(b, grid), color=PALETTE["vermillion"], lw=3.5,
            label=f"between groups (macro): slope {population.between_effect:+.2f}")
    ax.plot([], [], color=colours(0.5), lw=1.2,
            label=f"within each group (micro): mean slope {population.within_effect:+.2f}")
    bar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colours), ax=ax, pad=0.02)
    bar.set_label(macro_label)
    ax.set_xlabel("micro covariate x")
    ax.set_ylabel("outcome y")
    ax.legend(frameon=False, loc="upper left")
    return ax


def group_slopes(population, *, ax=None):
    """Each group's census slope of y on x against X: the heterogeneity of micro effects."""
    ax = _axes(ax)
    slopes, xm, _ = _group_slopes(population)
    macro = np.asarray(population.X, dtype=float) if population.X is not None else xm
    mean, sd = population.within_effect, population.slope_sd
    ax.axhspan(mean - sd, mean + sd, color=PALETTE["sky"], alpha=0.25,
               label=f"within effect ± slope SD ({mean:+.2f} ± {sd:.2f})")
    ax.axhline(mean, color=PALETTE["blue"], lw=2)
    ax.axhline(0.0, color=PALETTE["black"], lw=0.8, alpha=0.6)
    ax.scatter(macro, slopes, s=30, color=PALETTE["blue"], edgecolors="white", zorder=3,
               label="one group's slope")
    ax.set_xlabel("group's macro covariate X")
    ax.set_ylabel("within-group slope of y on x")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    return ax
