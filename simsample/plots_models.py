"""Plots of model-based inference: effects from repeated mixed-model fits, singular fits.

Companions of :mod:`simsample.plots` (same style and palette) for the lecture's
figures 9 and 10.
"""

from __future__ import annotations

import numpy as np

from .plots import PALETTE

#: Colours of further approaches in the effects panels, in order of appearance.
METHOD_COLOURS = ("black", "vermillion", "green", "purple")


def _colour_of(method: str, i: int) -> str:
    """One colour per approach across panels: model-based blue, cluster-robust orange."""
    if "REML" in method:
        return "blue"
    if "robust" in method:
        return "orange"
    return METHOD_COLOURS[i % len(METHOD_COLOURS)] if i else "black"


def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, 5))[1]


def effect_estimates(table, quantity: str, *, ax=None, title: str | None = None):
    """Mean estimate (±2 MCSE) and the middle 95% of estimates of each method, beside the truth.

    ``table`` has one row per (quantity, method) with columns ``quantity``,
    ``method``, ``truth``, ``mean_estimate``, ``bias_mcse``, ``q025``, ``q975``
    and ``coverage``, ``coverage_mcse`` (NaN for point estimators).
    """
    ax = _new_axes(ax)
    rows = table[table["quantity"] == quantity].reset_index(drop=True)
    positions = np.arange(len(rows))[::-1]
    for pos, (i, row) in zip(positions, rows.iterrows()):
        colour = PALETTE[_colour_of(row["method"], i)]
        ax.plot([row["q025"], row["q975"]], [pos, pos], color=colour, lw=2.2, alpha=0.45,
                solid_capstyle="butt")
        ax.errorbar(row["mean_estimate"], pos, xerr=2 * row["bias_mcse"], fmt="o", ms=8,
                    color=colour, mec="white", capsize=4)
        if np.isfinite(row["coverage"]):
            note = f"coverage {row['coverage']:.3f} ± {row['coverage_mcse']:.3f}"
        else:
            note = "point estimate"
        ax.annotate(note, (row["q975"], pos), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=10, color=colour)
    truth = float(rows["truth"].iloc[0])
    ax.axvline(truth, color=PALETTE["black"], ls="--", lw=1.3, label=f"truth {truth:+.3f}")
    ax.set_yticks(positions, rows["method"])
    ax.set_ylim(-0.6, len(rows) - 0.2)
    ax.margins(x=0.45)
    ax.set_xlabel("estimate (dot: mean ± 2 MCSE; bar: middle 95% of samples)")
    ax.legend(frameon=False, loc="upper left")
    if title:
        ax.set_title(title)
    return ax


def singular_share_curve(table, x: str, *, ax=None, theory: str | None = None,
                         label: str = "REML fits with tau^2 = 0", colour: str = "vermillion"):
    """Share of singular (boundary) fits against ``x`` with ±2 MCSE bars (and a theory line).

    ``table`` has columns ``x``, ``singular_rate`` and ``singular_rate_mcse``.
    """
    ax = _new_axes(ax)
    table = table.sort_values(x)
    ax.errorbar(table[x], table["singular_rate"], yerr=2 * table["singular_rate_mcse"],
                fmt="o-", ms=6, color=PALETTE[colour], capsize=3, mec="white", lw=1.2,
                label=f"{label} (Monte Carlo ±2 MCSE)")
    if theory is not None:
        ax.plot(table[x], table[theory], color=PALETTE["black"], lw=1.4, ls=":",
                label="P(F(k-1, k(m-1)) <= (1-rho)/(1-rho+m rho))")
    ax.set_ylabel("share of singular fits")
    ax.set_ylim(bottom=0.0)
    ax.legend(frameon=False)
    return ax
