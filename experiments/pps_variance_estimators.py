"""Study: which variance estimator is right for which PPS design, across sampling fractions.

    python experiments/pps_variance_estimators.py --out DIR [--quick] [--seed S]

A population of 40 groups of 10 to 88 units; k of them drawn with pi_j = k M_j / N
by every ``PPS(method=...)`` scheme and analysed whole (one-stage cluster
samples), for k = 4, 10 and 16 (first-stage fractions 10 %, 25 %, 40 %). For
each design and variance estimator (``cluster_t`` = with replacement, ``hr_t``,
``brewer_t``, and ``ht_t``, ``syg_t`` where pi_kl are exact) it writes the
relative bias of the variance estimator (mean estimate / Monte Carlo variance
- 1), the coverage of the 95 % t interval and their MCSEs to
``pps_variance_estimators.csv``, and a figure of the coverage
(``pps_variance_estimators.png``). ``--quick``: 2,000 replications instead of 20,000.
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import simsample as ss

METHODS = ["systematic", "brewer", "sampford", "conditional_poisson", "tille", "midzuno"]
ESTIMATORS = ["cluster_t", "hr_t", "brewer_t", "ht_t", "syg_t"]
KS = [4, 10, 16]
LABELS = {"cluster_t": "cluster_t (with replacement)", "hr_t": "hr_t (Hartley-Rao)",
          "brewer_t": "brewer_t (Brewer)", "ht_t": "ht_t (Horvitz-Thompson, exact pi_kl)",
          "syg_t": "syg_t (Sen-Yates-Grundy, exact pi_kl)"}


def population(seed: int = 7):
    sizes = np.linspace(10, 88, 40).round().astype(int)
    return ss.two_level(n_groups=40, group_size=sizes, icc=0.3, seed=seed)


def run(reps: int, seed: int) -> pd.DataFrame:
    pop = population()
    rows = []
    for k in KS:
        for method in METHODS:
            design = ss.PPS(k, None, method=method)
            try:
                design.check(pop)
            except ValueError as error:  # e.g. Midzuno needs pi_j >= (k-1)/(G-1)
                print(f"skipped {design}: {error}")
                continue
            offered = design.sampler(pop).mean_offers
            methods = [m for m in ESTIMATORS if m == "cluster_t" or m in offered]
            summary = ss.simulate(pop, design, reps, seed=seed, methods=methods,
                                   progress=False).summary()
            for r in summary.itertuples():
                rows.append({
                    "k": k, "fraction": k / pop.n_groups, "method": method,
                    "estimator": r.method, "reps": r.reps, "failed": r.n_failed,
                    "theory_exact": r.theory_exact,
                    "variance": r.variance, "theory_variance": r.theory_variance,
                    "relative_bias": r.mean_variance_estimate / r.variance - 1.0,
                    "relative_bias_mcse": r.mean_variance_estimate_mcse / r.variance,
                    "coverage": r.coverage, "coverage_mcse": r.coverage_mcse})
    return pd.DataFrame(rows)


def figure(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [m for m in METHODS if m in set(table["method"])]
    fig, axes = plt.subplots(1, len(shown), figsize=(3.0 * len(shown), 3.2), sharey=True)
    for ax, method in zip(np.atleast_1d(axes), shown):
        part = table[table["method"] == method]
        for estimator in ESTIMATORS:
            rows = part[part["estimator"] == estimator]
            if len(rows):
                ax.errorbar(rows["fraction"], rows["coverage"], yerr=2 * rows["coverage_mcse"],
                            marker="o", capsize=2, color=f"C{ESTIMATORS.index(estimator)}",
                            label=LABELS[estimator])
        ax.axhline(0.95, color="grey", lw=0.8, ls="--")
        ax.set_title(method.replace("_", " "))
        ax.set_xlabel("k / G")
    axes = np.atleast_1d(axes)
    axes[0].set_ylabel("coverage of 95% t interval")
    handles = {}
    for ax in axes:  # every estimator once, also those only some designs offer
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="lower center", ncol=len(handles),
               frameon=False, fontsize=8)
    fig.suptitle("Coverage (±2 MCSE) of the variance estimators of the HT mean, by design and "
                 "first-stage fraction", fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    table = run(2_000 if args.quick else 20_000, args.seed)
    table.to_csv(args.out / "pps_variance_estimators.csv", index=False)
    figure(table, args.out / "pps_variance_estimators.png")
    print(table.pivot_table(index=["method", "estimator"], columns="k", values="coverage")
          .round(3).to_string())
    return table


if __name__ == "__main__":
    main()
