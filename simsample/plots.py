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
