"""Figures 6-8: differences of means, Simpson's paradox, macro versus micro effects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..designs import SRS, TwoStage
from ..engine import simulate
from .common import (
    Figure, _pyplot, _reps, _save, _write_numbers,
)


# -- 6. differences: over- and under-conservative ------------------------------------------

def _effects_row(summary, design, method):
    row = summary.set_index(["design", "method"]).loc[(design, method)]
    return {k: row[k] for k in ("target", "truth", "mean_estimate", "bias_mcse", "se_calibration",
                                "coverage", "coverage_mcse", "mean_width", "reps")}


def figure_differences(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Naive and cluster-robust intervals for delta where ignoring groups errs both ways."""
    from ..population import scenarios
    from ..plots import interval_stack, lecture_style

    plt = _pyplot()
    key = "06_differences"
    reps = _reps(quick, 50_000, 4_000)
    cases = {"over": (scenarios.over_conservative(seed=6), "TwoStage(40x10)", TwoStage(40, 10)),
             "under": (scenarios.under_conservative(seed=6), "TwoStage(20x10)", TwoStage(20, 10))}
    studies, rows = {}, []
    for i, (case, (pop, name, design)) in enumerate(cases.items()):
        study = simulate(pop, {name: design}, reps=reps, seed=600 + i, n_jobs=n_jobs,
                         estimand="difference", keep_estimates=50, progress=False)
        studies[case] = study
        summary = study.summary()
        for method in ("naive", "cluster_robust"):
            rows.append({"scenario": case + "_conservative", "design": name, "method": method,
                         **_effects_row(summary, name, method)})
    table = pd.DataFrame(rows)
    titles = {"over": "Over-conservative: x balanced within groups",
              "under": "Under-conservative: x concentrated in some groups, delta = 0"}
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(16, 6.5))
        for ax, (case, study) in zip(axes, studies.items()):
            name = cases[case][1]
            interval_stack(study, name, ("naive", "cluster_robust"), n=50, ax=ax)
            cov = table[(table["scenario"] == case + "_conservative")].set_index("method")
            ax.set_title(f"{titles[case]}\n{name}: coverage naive "
                         f"{cov.loc['naive', 'coverage']:.3f}, cluster-robust "
                         f"{cov.loc['cluster_robust', 'coverage']:.3f} ({reps:,} samples)",
                         fontsize=13)
        fig.suptitle("Differences delta = mu1 - mu0 of a binary x from two-stage samples")
        files = _save(fig, out, key)
    files += _write_numbers(out, key, {"reps": reps}, table)
    cov = table.set_index(["scenario", "method"])
    fmt = lambda s, m: (f"{cov.loc[(s, m), 'coverage']:.4f} ± "  # noqa: E731
                        f"{cov.loc[(s, m), 'coverage_mcse']:.4f}")
    return Figure(key, "Ignoring groups: over- and under-conservative intervals for a difference",
                  "When x varies within groups, group effects cancel from the difference but "
                  "inflate the naive SE (too wide); when x is concentrated in some groups they do "
                  "not cancel and the naive SE is far too small. Cluster-robust intervals are at "
                  "nominal in both.",
                  {"over-conservative: naive / cluster-robust coverage ± MCSE":
                   f"{fmt('over_conservative', 'naive')} / "
                   f"{fmt('over_conservative', 'cluster_robust')}",
                   "under-conservative (delta = 0): naive / cluster-robust coverage ± MCSE":
                   f"{fmt('under_conservative', 'naive')} / "
                   f"{fmt('under_conservative', 'cluster_robust')}"}, files)


# -- 7. Simpson's paradox --------------------------------------------------------------------

def figure_simpson(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """delta > 0 in the population while delta_j < 0 in every group; naive vs within."""
    from ..population import scenarios
    from ..plots import group_differences, lecture_style, method_distributions

    plt = _pyplot()
    key = "07_simpson"
    reps = _reps(quick, 50_000, 4_000)
    pop = scenarios.simpson(seed=7)
    study = simulate(pop, {"SRS(200)": SRS(200)}, reps=reps, seed=700, n_jobs=n_jobs,
                     estimand="difference", keep_estimates=True, progress=False)
    summary = study.summary()
    table = pd.DataFrame([{"method": m, **_effects_row(summary, "SRS(200)", m)}
                          for m in ("naive", "within")])
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(15, 5.8), gridspec_kw={"width_ratios": [1, 1.1]})
        group_differences(pop, ax=axes[0])
        axes[0].set_title(f"Population: delta = {pop.delta:+.2f}, every group's delta_j = "
                          f"{pop.group_deltas.max():+.0f}")
        method_distributions(study, "SRS(200)", ("naive", "within"), ax=axes[1])
        axes[1].set_title(f"{reps:,} SRS of 200: each estimator finds its own target")
        files = _save(fig, out, key)
    numbers = {"population_delta": pop.delta, "group_deltas": list(pop.group_deltas),
               "within_effect": pop.within_effect, "reps": reps}
    files += _write_numbers(out, key, numbers, table)
    t = table.set_index("method")
    return Figure(key, "Simpson's paradox",
                  "Within every group x = 1 lowers y, yet pooled over groups units with x = 1 "
                  "score higher, because x = 1 is common in high-scoring groups. The naive "
                  "difference estimates the pooled delta; the within (fixed-effects) estimator "
                  "the within-group effect.",
                  {"population delta": f"{pop.delta:+.3f}",
                   "group deltas": f"all {pop.group_deltas.max():+.3f}",
                   "naive: mean estimate ± MCSE": f"{t.loc['naive', 'mean_estimate']:+.4f} ± "
                                                   f"{t.loc['naive', 'bias_mcse']:.4f}",
                   "within: mean estimate ± MCSE": f"{t.loc['within', 'mean_estimate']:+.4f} ± "
                                                    f"{t.loc['within', 'bias_mcse']:.4f}"},
                  files)


# -- 8. macro versus micro: income and voting ------------------------------------------------

def figure_macro_micro(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Within-state (micro) against between-state (macro) income effects, and their spread."""
    from ..population import scenarios
    from ..plots import group_slopes, lecture_style, within_between

    plt = _pyplot()
    key = "08_macro_micro"
    reps = _reps(quick, 20_000, 1_000)
    pop = scenarios.income_voting(seed=8)
    study = simulate(pop, {"exit poll TwoStage(50x200)": TwoStage(50, 200)}, reps=reps, seed=800,
                     n_jobs=n_jobs, estimand="difference", progress=False)
    summary = study.summary()
    name = "exit poll TwoStage(50x200)"
    table = pd.DataFrame([{"method": m, **_effects_row(summary, name, m)}
                          for m in ("within", "macro", "between", "heterogeneity_sd",
                                    "heterogeneity")])
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(15, 6))
        within_between(pop, ax=axes[0], macro_label="state income X")
        axes[0].set_xlabel("individual income (standardised log income)")
        axes[0].set_ylabel("propensity to vote Republican (logit scale)")
        axes[0].set_title("50 states: richer voters lean right, richer states lean left")
        group_slopes(pop, ax=axes[1])
        axes[1].set_xlabel("state income X")
        axes[1].set_ylabel("within-state income slope")
        t = table.set_index("method")
        axes[1].set_title(f"Income slopes vary by state: SD {pop.slope_sd:.2f}\n"
                          f"an exit poll of 50 x 200 estimates "
                          f"{t.loc['heterogeneity_sd', 'mean_estimate']:.3f} on average",
                          fontsize=13)
        files = _save(fig, out, key)
    numbers = {"within_effect": pop.within_effect, "between_effect": pop.between_effect,
               "macro_effect": pop.macro_effect, "slope_sd": pop.slope_sd, "reps": reps}
    files += _write_numbers(out, key, numbers, table)
    fmt = lambda m: (f"{t.loc[m, 'mean_estimate']:+.4f} ± {t.loc[m, 'bias_mcse']:.4f} "  # noqa: E731
                     f"(truth {t.loc[m, 'truth']:+.4f})")
    return Figure(key, "Macro versus micro: income and voting in 50 states",
                  "Within states, income raises the propensity to vote Republican; between "
                  "states, richer states vote more Democratic (the 2004 exit polls). Micro slopes "
                  "vary by state; a two-stage exit poll recovers both effects and their spread.",
                  {"within (micro) effect: mean estimate ± MCSE": fmt("within"),
                   "macro effect of state income: mean estimate ± MCSE": fmt("macro"),
                   "SD of state slopes: mean estimate ± MCSE": fmt("heterogeneity_sd")}, files)
