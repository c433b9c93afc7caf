"""Draws per second of every PPS method against today's randomised systematic PPS.

Population: 200 groups of 20 to 80 units (two_level, seed 3). Each design draws
k = 10 or 40 groups with pi_j = k M_j / N and m = 5 units in each. Timed: the
design's compiled drawing kernel called in a compiled loop (``draws``), and the
whole replication loop of ``ss.simulate`` with ``cluster_t`` (``loop``), plus
``hr_t``, ``brewer_t`` (and ``ht_t``, ``syg_t`` where pi_kl are exact), best of
three. ``PPS(k, 5)`` is today's systematic PPS (integer sizes, its own kernel).

Usage: python benchmarks/pps_methods.py [--reps 20000]
Writes benchmarks/out/pps_methods.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

import simsample as ss

METHODS = [None, "systematic", "brewer", "sampford", "conditional_poisson", "tille"]


def _draws_per_second(design, pop, reps):
    sampler = design.sampler(pop)
    draw = sampler.kernel(sampler.draw)
    scr = sampler.kernel(sampler.prepare)(sampler.params)
    state = np.array([1, 2, 3, 4], dtype=np.uint64)
    draw(state, *sampler.params, *scr)  # compile
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(reps):
            draw(state, *sampler.params, *scr)
        best = min(best, time.perf_counter() - start)
    return reps / best


def _loop_per_second(design, pop, reps, methods):
    ss.simulate(pop, design, 100, seed=1, methods=methods, progress=False)  # compile
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        ss.simulate(pop, design, reps, seed=1, methods=methods, progress=False)
        best = min(best, time.perf_counter() - start)
    return reps / best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20_000)
    args = parser.parse_args(argv)
    pop = ss.two_level(n_groups=200, group_size=list(range(20, 80, 3)) * 10, seed=3)
    rows = []
    for k in (10, 40):
        for method in METHODS:
            design = ss.PPS(k, 5, method=method)
            offered = design.sampler(pop).mean_offers
            rows.append({
                "k": k, "design": str(design),
                "draws_per_s (Python call)": _draws_per_second(design, pop, args.reps // 4),
                "loop cluster_t per_s": _loop_per_second(design, pop, args.reps, ["cluster_t"]),
                "loop all per_s": _loop_per_second(design, pop, args.reps,
                                                   ["cluster_t", *offered]),
                "methods": ["cluster_t", *offered]})
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    (out / "pps_methods.json").write_text(json.dumps(rows, indent=1))
    print("| k | design | draws/s (called from Python) | loop, cluster_t (reps/s) | "
          "loop, every offered method (reps/s) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['k']} | {r['design']} | {r['draws_per_s (Python call)']:,.0f} | "
              f"{r['loop cluster_t per_s']:,.0f} | {r['loop all per_s']:,.0f} |")


if __name__ == "__main__":
    main()
