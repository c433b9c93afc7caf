"""Figures 1-5: a nested population, samples from it, and what clustering does to precision
and to naive intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import theory
from ..designs import SRS, TwoStage
from ..engine import simulate
from .common import (
    Figure, _pyplot, _reps, _save, _write_numbers,
    lecture_population,
)


# -- 1. a nested population ------------------------------------------------------------------

def figure_population(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Outcomes by group for a weakly and a strongly clustered population."""
    from ..plots import lecture_style, population_by_group

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
    from ..plots import lecture_style, sample_drawn

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
    from ..plots import lecture_style, sampling_distributions

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
    from ..plots import lecture_style, variance_ratio_curve

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
    from ..plots import coverage_curve, interval_stack, lecture_style

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
