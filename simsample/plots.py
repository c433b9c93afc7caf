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
