"""The figures of an introductory lecture on hierarchical modelling, reproduced.

Each ``figure_*`` function runs one experiment with fixed seeds through
simsample's public API, writes its figure (PNG and PDF) and the numbers behind
it (JSON) to ``out``, and returns a :class:`Figure` record with a two-line
caption and the key numbers. ``experiments/NN_*.py`` run them one at a time;
``simsample lecture --out DIR`` runs them all and writes ``index.html``.
"""

from __future__ import annotations

import base64
import html
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import theory
from .designs import SRS, TwoStage
from .engine import simulate
from .population import two_level

#: Reference population of the lecture: 100 groups of 50, icc 0.2.
N_GROUPS, GROUP_SIZE, ICC = 100, 50, 0.2
POPULATION_SEED = 1


@dataclass
class Figure:
    """What one experiment produced."""

    key: str
    title: str
    caption: str
    numbers: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _reps(quick: bool, full: int, fast: int) -> int:
    return fast if quick else full


def _save(fig, out: Path, key: str) -> list[str]:
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    names = [f"{key}.png", f"{key}.pdf"]
    for name in names:
        fig.savefig(out / name)
    plt.close(fig)
    return names


def _write_numbers(out: Path, key: str, numbers: dict, table: pd.DataFrame | None = None) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{key}.json").write_text(json.dumps(numbers, indent=2, default=_plain))
    names = [f"{key}.json"]
    if table is not None:
        table.to_csv(out / f"{key}.csv", index=False)
        names.append(f"{key}.csv")
    return names


def _plain(value):
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise TypeError(type(value).__name__)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def lecture_population(icc: float = ICC):
    """The lecture's reference population (100 groups x 50 units, seed 1)."""
    return two_level(N_GROUPS, GROUP_SIZE, icc=icc, seed=POPULATION_SEED,
                     name=f"{N_GROUPS} groups x {GROUP_SIZE}, icc {icc:g}")


# -- 1. a nested population ------------------------------------------------------------------

def figure_population(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Outcomes by group for a weakly and a strongly clustered population."""
    from .plots import lecture_style, population_by_group

    plt = _pyplot()
    key = "01_population"
    numbers = {}
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
        for ax, icc in zip(axes, (0.05, 0.5)):
            pop = lecture_population(icc)
            population_by_group(pop, max_groups=20, ax=ax)
            ax.set_title(f"icc {icc:g}: population icc {pop.icc:.2f}, "
                         f"S1² {pop.between_variance:.2f}, S2² {pop.within_variance:.2f}")
            numbers[f"icc_{icc:g}"] = {"population_icc": pop.icc, "mean": pop.mean,
                                       "between_variance": pop.between_variance,
                                       "within_variance": pop.within_variance}
        axes[0].legend(frameon=False, loc="upper left", ncol=3)
        axes[1].set_ylabel("")
        fig.suptitle("A nested population: 20 of 100 groups of 50 units, same total variance")
        files = _save(fig, out, key)
    files += _write_numbers(out, key, numbers)
    return Figure(key, "A nested population",
                  "Units (dots) in groups, group means (bars) and the population mean (dashed). "
                  "With a high intraclass correlation, units of a group resemble each other: "
                  "a group tells less about the population than the same number of random units.",
                  {"population icc (icc 0.05 / 0.5)":
                   f"{numbers['icc_0.05']['population_icc']:.3f} / "
                   f"{numbers['icc_0.5']['population_icc']:.3f}"}, files)


# -- 2. one SRS and one two-stage sample -----------------------------------------------------

def figure_one_sample(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """One SRS(100) and one TwoStage(10, 10) drawn from the reference population."""
    from .plots import lecture_style, sample_drawn

    plt = _pyplot()
    key = "02_one_sample"
    pop = lecture_population()
    samples = {"SRS of 100 units": SRS(100).draw(pop, seed=21),
               "two-stage: 10 groups x 10 units": TwoStage(10, 10).draw(pop, seed=22)}
    numbers = {}
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(14, 5.2), sharey=True)
        for ax, (title, sample), colour in zip(axes, samples.items(), ("blue", "vermillion")):
            sample_drawn(sample, ax=ax, colour=colour)
            ax.set_title(title)
            ax.legend(frameon=False, loc="upper left", ncol=2, fontsize=10)
            est = sample.estimate().set_index("method")
            numbers[title] = {"estimate": est.loc["cluster_t", "estimate"],
                              "groups_hit": int(np.unique(pop.codes[sample.units]).size),
                              "se_naive": est.loc["naive_t", "se"],
                              "se_cluster": est.loc["cluster_t", "se"]}
        axes[1].set_ylabel("")
        fig.suptitle(f"One sample of n = 100 from {pop.name} (population mean {pop.mean:.3f})")
        files = _save(fig, out, key)
    files += _write_numbers(out, key, {"population_mean": pop.mean, **numbers})
    srs, two = numbers.values()
    return Figure(key, "One SRS and one two-stage sample",
                  f"The SRS touches {srs['groups_hit']} of 100 groups, the two-stage sample 10. "
                  "Both sample means estimate the population mean; which one varies more from "
                  "sample to sample is the next figure's question.",
                  {"SRS mean": f"{srs['estimate']:.3f}", "two-stage mean": f"{two['estimate']:.3f}",
                   "population mean": f"{pop.mean:.3f}"}, files)


# -- 3. sampling distributions ---------------------------------------------------------------

def figure_sampling_distributions(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Histograms of 100,000 sample means under SRS and two-stage sampling, with theory."""
    from .plots import lecture_style, sampling_distributions

    plt = _pyplot()
    key = "03_sampling_distributions"
    pop = lecture_population()
    reps = _reps(quick, 100_000, 10_000)
    study = simulate(pop, {"SRS(100)": SRS(100), "two-stage 10x10": TwoStage(10, 10)},
                     reps=reps, seed=3, n_jobs=n_jobs, keep_estimates=min(reps, 50_000),
                     progress=False)
    summary = study.summary()
    with lecture_style():
        fig, ax = plt.subplots(figsize=(10, 5.5))
        sampling_distributions(study, ax=ax)
        ax.set_title(f"Sampling distributions of the mean, n = 100 ({reps:,} samples each)")
        files = _save(fig, out, key)
    ratio = study.variance_ratio("two-stage 10x10", "SRS(100)")
    numbers = {"reps": reps, "variance_ratio": ratio.estimate, "variance_ratio_lower": ratio.lower,
               "variance_ratio_upper": ratio.upper, "theory_variance_ratio": ratio.theory}
    files += _write_numbers(out, key, numbers, summary)
    return Figure(key, "Sampling distributions under SRS and two-stage sampling",
                  "Same sample size, same population: the two-stage means spread wider. "
                  "Histograms are Monte Carlo, dashed curves the normal laws of exact theory.",
                  {"variance ratio, Monte Carlo (95% CI)":
                   f"{ratio.estimate:.3f} ({ratio.lower:.3f} to {ratio.upper:.3f})",
                   "variance ratio, theory": f"{ratio.theory:.3f}"}, files)


# -- 4. variance ratio across iccs and per-group sizes ---------------------------------------

ICCS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
PER_GROUP = (1, 2, 4, 5, 10, 20, 25, 50)


def _ratio_row(study, design, pop, m):
    row = study.summary().set_index(["design", "method"]).loc[(design, "cluster_t")]
    return {"variance_ratio": row["variance_ratio"],
            "variance_ratio_mcse": row["variance_ratio_mcse"],
            "theory_variance_ratio": row["theory_variance_ratio"],
            "kish_design_effect": theory.kish_design_effect(max(pop.icc, 0.0), m),
            "population_icc": pop.icc, "reps": row["reps"]}


def variance_ratio_table(quick: bool = False, n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monte Carlo and exact variance ratios: by icc (TwoStage 10x10) and by m (n = 100)."""
    reps = _reps(quick, 100_000, 5_000)
    by_icc = []
    for i, icc in enumerate(ICCS):
        pop = lecture_population(icc)
        study = simulate(pop, {"two-stage": TwoStage(10, 10)}, reps=reps, seed=400 + i,
                         n_jobs=n_jobs, progress=False)
        by_icc.append({"icc": icc, **_ratio_row(study, "two-stage", pop, 10)})
    pop = lecture_population()
    by_m = []
    for i, m in enumerate(PER_GROUP):
        study = simulate(pop, {"two-stage": TwoStage(100 // m, m)}, reps=reps, seed=450 + i,
                         n_jobs=n_jobs, progress=False)
        by_m.append({"per_group": m, "groups": 100 // m, **_ratio_row(study, "two-stage", pop, m)})
    return pd.DataFrame(by_icc), pd.DataFrame(by_m)


def figure_variance_ratio(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Variance ratio against icc and against units per group, Monte Carlo and theory."""
    from .plots import lecture_style, variance_ratio_curve

    plt = _pyplot()
    key = "04_variance_ratio"
    by_icc, by_m = variance_ratio_table(quick, n_jobs)
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(14, 5.2))
        variance_ratio_curve(by_icc, "icc", ax=axes[0])
        axes[0].set_xlabel("intraclass correlation (superpopulation)")
        axes[0].set_title("Two-stage 10 x 10 against SRS(100)")
        variance_ratio_curve(by_m, "per_group", ax=axes[1])
        axes[1].set_xscale("log")
        axes[1].set_xticks(PER_GROUP)
        axes[1].set_xticklabels([str(m) for m in PER_GROUP])
        axes[1].set_xlabel("units per group m (groups = 100 / m), icc 0.2")
        axes[1].set_title("Fewer, fuller groups cost precision")
        files = _save(fig, out, key)
    table = pd.concat([by_icc.assign(panel="by icc"), by_m.assign(panel="by m")],
                      ignore_index=True)
    z = ((table["variance_ratio"] - table["theory_variance_ratio"])
         / table["variance_ratio_mcse"]).abs()
    numbers = {"max_abs_z_vs_theory": float(z.max()), "conditions": int(len(table))}
    files += _write_numbers(out, key, numbers, table)
    at = by_icc.set_index("icc").loc[0.2]
    return Figure(key, "Variance ratio across intraclass correlations and group sizes",
                  "Monte Carlo points (±2 MCSE) sit on the exact theory line; Kish's "
                  "1 + (m - 1) icc (dashed) is a good guide. At icc 0, clustering costs nothing.",
                  {"icc 0.2: Monte Carlo ± MCSE":
                   f"{at['variance_ratio']:.3f} ± {at['variance_ratio_mcse']:.3f}",
                   "icc 0.2: theory": f"{at['theory_variance_ratio']:.3f}",
                   "largest |z| of Monte Carlo against theory": f"{z.max():.2f}"}, files)


# -- 5. coverage of naive and cluster intervals ----------------------------------------------

def figure_coverage(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """100 intervals from two-stage samples, and coverage against icc."""
    from .plots import coverage_curve, interval_stack, lecture_style

    plt = _pyplot()
    key = "05_coverage"
    reps = _reps(quick, 100_000, 5_000)
    pop = lecture_population()
    stack = simulate(pop, {"two-stage": TwoStage(10, 10)}, reps=100, seed=5, keep_estimates=True,
                     progress=False)
    rows = []
    for i, icc in enumerate(ICCS):
        p = lecture_population(icc)
        s = simulate(p, {"two-stage": TwoStage(10, 10)}, reps=reps, seed=500 + i, n_jobs=n_jobs,
                     progress=False).summary().set_index("method")
        for method in ("naive_t", "cluster_t"):
            rows.append({"icc": icc, "method": method, "coverage": s.loc[method, "coverage"],
                         "coverage_mcse": s.loc[method, "coverage_mcse"],
                         "theory_naive_coverage": theory.naive_coverage(p, TwoStage(10, 10)),
                         "reps": s.loc[method, "reps"]})
    table = pd.DataFrame(rows)
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(14, 6.2), gridspec_kw={"width_ratios": [1.1, 1]})
        interval_stack(stack, "two-stage", ax=axes[0])
        axes[0].set_title("100 two-stage samples (10 x 10), icc 0.2")
        naive = table[table["method"] == "naive_t"]
        cluster = table[table["method"] == "cluster_t"]
        coverage_curve(cluster, "icc", ax=axes[1], label="cluster_t", colour="blue")
        coverage_curve(naive, "icc", ax=axes[1], label="naive_t", colour="vermillion",
                       theory="theory_naive_coverage")
        handles, labels = axes[1].get_legend_handles_labels()
        keep = [i for i, text in enumerate(labels) if not (text.startswith("nominal")
                                                           and i != labels.index(text))]
        axes[1].legend([handles[i] for i in keep], [labels[i] for i in keep], frameon=False,
                       loc="lower left")
        axes[1].set_xlabel("intraclass correlation (superpopulation)")
        axes[1].set_ylim(0.5, 1.0)
        axes[1].set_title(f"Coverage of 95% intervals ({reps:,} samples each)")
        files = _save(fig, out, key)
    files += _write_numbers(out, key, {"reps": reps}, table)
    at = table[table["icc"] == 0.2].set_index("method")
    return Figure(key, "Naive t intervals on cluster samples",
                  "Treating 10 groups of 10 as 100 independent units gives intervals that are "
                  "too narrow: coverage falls as the icc grows. Cluster intervals stay at 95%.",
                  {"icc 0.2, naive_t coverage ± MCSE":
                   f"{at.loc['naive_t', 'coverage']:.4f} ± {at.loc['naive_t', 'coverage_mcse']:.4f}"
                   f" (theory ≈ {at.loc['naive_t', 'theory_naive_coverage']:.3f})",
                   "icc 0.2, cluster_t coverage ± MCSE":
                   f"{at.loc['cluster_t', 'coverage']:.4f} ± "
                   f"{at.loc['cluster_t', 'coverage_mcse']:.4f}"}, files)


# -- 6. differences: over- and under-conservative ------------------------------------------

def _effects_row(summary, design, method):
    row = summary.set_index(["design", "method"]).loc[(design, method)]
    return {k: row[k] for k in ("target", "truth", "mean_estimate", "bias_mcse", "se_calibration",
                                "coverage", "coverage_mcse", "mean_width", "reps")}


def figure_differences(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Naive and cluster-robust intervals for delta where ignoring groups errs both ways."""
    from .population import scenarios
    from .plots import interval_stack, lecture_style

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
    from .population import scenarios
    from .plots import group_differences, lecture_style, method_distributions

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
    from .population import scenarios
    from .plots import group_slopes, lecture_style, within_between

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


#: The lecture, in order.
FIGURES = (figure_population, figure_one_sample, figure_sampling_distributions,
           figure_variance_ratio, figure_coverage, figure_differences, figure_simpson,
           figure_macro_micro)


def run_lecture(out, *, quick: bool = False, n_jobs: int = 1, echo=print) -> list[Figure]:
    """Run every figure, then write ``out/index.html``; returns the figure records."""
    out = Path(out)
    figures = []
    for make in FIGURES:
        start = time.perf_counter()
        figure = make(out, quick=quick, n_jobs=n_jobs)
        figure.seconds = time.perf_counter() - start
        figures.append(figure)
        if echo:
            echo(f"{figure.key}: {figure.title} ({figure.seconds:.1f} s)")
    write_index(out, figures, quick=quick)
    return figures


def run_one(make, argv=None) -> Figure:
    """Command-line entry of one experiment script: ``--out DIR [--quick] [--jobs J]``."""
    import argparse

    parser = argparse.ArgumentParser(description=(make.__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--quick", action="store_true", help="fewer replications")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    figure = make(args.out, quick=args.quick, n_jobs=args.jobs)
    figure.seconds = time.perf_counter() - start
    print(f"{figure.title} ({figure.seconds:.1f} s)\n{figure.caption}")
    for name, value in figure.numbers.items():
        print(f"  {name}: {value}")
    print("wrote " + ", ".join(str(args.out / f) for f in figure.files))
    return figure


def write_index(out: Path, figures: list[Figure], *, quick: bool = False) -> Path:
    """A self-contained HTML page: every figure (embedded PNG), its caption and key numbers."""
    from . import __version__

    parts = []
    for number, figure in enumerate(figures, 1):
        png = (out / f"{figure.key}.png").read_bytes()
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in figure.numbers.items())
        parts.append(
            f'<section id="{figure.key}"><h2>{number}. {html.escape(figure.title)}</h2>'
            f'<img alt="{html.escape(figure.title)}" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            f"<p>{html.escape(figure.caption)}</p><table>{rows}</table></section>")
    mode = " (quick run: fewer replications)" if quick else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>simsample: lecture figures</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }}
img {{ max-width: 100%; border: 1px solid #ddd; }}
section {{ margin-bottom: 3em; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: 0.2em 1em 0.2em 0; border-bottom: 1px solid #eee; }}
th {{ font-weight: 600; }}
</style></head><body>
<h1>Hierarchical data and sampling: the lecture's figures</h1>
<p>Made by simsample {__version__}{mode}. Every Monte Carlo number comes with its Monte Carlo
standard error (MCSE); theory is exact design-based theory unless marked approximate.</p>
{''.join(parts)}
</body></html>
"""
    path = out / "index.html"
    path.write_text(page)
    return path
