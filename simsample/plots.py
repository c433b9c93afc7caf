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
        colour = PALETTE[DESIGN_COLOURS[i % len(DESIGN_COLOURS)]]
        row = summary.loc[(design, method)]
        ax.hist(values[design], bins=edges, density=True, alpha=0.45, color=colour,
                label=f"{design}: Monte Carlo (var {row['variance']:.3g})")
        sd = math.sqrt(row["theory_variance"])
        ax.plot(grid, np.exp(-0.5 * ((grid - mu) / sd) ** 2) / (sd * math.sqrt(2 * math.pi)),
                color=colour, lw=2.2, label=f"{design}: theory (var {row['theory_variance']:.3g})")
    ax.axvline(mu, color=PALETTE["black"], ls="--", lw=1.2, label="population mean")
    ax.set_xlabel("estimate of the population mean")
    ax.set_ylabel("density")
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
