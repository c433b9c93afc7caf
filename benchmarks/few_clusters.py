"""Few clusters: CR2 with Bell-McCaffrey df per replication, and the wild bootstrap's cost.

Samples: TwoStage(10, 10) from a 100 x 50 population with a normal micro
covariate x (slope of y on x, clusters = the 10 sampled groups). Compared on the
same samples:

* the compiled kernel ``cr2_slope`` called inside a compiled loop (as the
  engine calls methods), and called once per sample from Python;
* a vectorised NumPy implementation of the same closed form over a batch of
  replications (equal cluster sizes), and the general per-sample NumPy
  ``sandwich`` of ClusterOLS (the one-sample reference);
* R's clubSandwich ``coef_test(lm(y ~ x), vcov = "CR2", cluster = g,
  test = "Satterthwaite")``, timed by a loop inside R (where ``Rscript`` and
  clubSandwich are present), whose SEs and df are checked against the kernel.

The wild cluster bootstrap (``wild_slope``, Rademacher, B = 199, interval by test
inversion) is reported per replication and per bootstrap draw.

In the loop: every few-cluster method run through ``ss.simulate`` on the same
population and TwoStage(10, 10), replications per second with and without it
(beside ``cluster_t`` for the mean, ``cluster_robust`` for the difference), and
the difference of the times per replication, the method's in-loop cost.

Usage: python benchmarks/few_clusters.py [--reps 20000] [--r-reps 300] [--seconds 1]
Writes benchmarks/out/few_clusters.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

import simsample as ss
from simsample._jit import kernel
from simsample._rng import as_seed_sequence, xoshiro_state
from simsample.estimands import _cluster_kernels as K
from simsample.analysis.cluster_ols import sandwich

K_GROUPS, M = 10, 10


@kernel
def _loop_cr2(ys, xs, start, size, reps, n_units, n_groups, out):  # pragma: no cover
    """cr2_slope on every replication (rows of ys, xs). Assumes validated inputs."""
    for r in range(reps):
        K.cr2_slope(ys[r], xs[r], start, size, K_GROUPS, n_units, n_groups, out[r])


@kernel
def _loop_wild(ys, xs, start, size, reps, n_units, n_groups, state, out):  # pragma: no cover
    """wild_slope on every replication. Assumes validated inputs."""
    for r in range(reps):
        K.wild_slope(ys[r], xs[r], start, size, K_GROUPS, n_units, n_groups, state, out[r])


def numpy_cr2_batch(y, x):
    """CR2 slope SE and BM df for a batch (R, k, m) of equal-size cluster samples."""
    n = y.shape[1] * y.shape[2]
    xc = x - x.mean(axis=(1, 2), keepdims=True)
    yc = y - y.mean(axis=(1, 2), keepdims=True)
    sxx_all = (xc * xc).sum(axis=(1, 2))
    beta = (xc * yc).sum(axis=(1, 2)) / sxx_all
    sx, sxx, sy, sxy = xc.sum(2), (xc * xc).sum(2), yc.sum(2), (xc * yc).sum(2)
    l0, l1 = 1.0 / np.sqrt(n), (1.0 / np.sqrt(sxx_all))[:, None]
    a, b, d = 1.0 - y.shape[2] / n, -sx * l0 * l1, 1.0 - sxx * l1 * l1
    theta = 0.5 * np.arctan2(2.0 * b, a - d)
    c, s = np.cos(theta), np.sin(theta)
    f1 = 1.0 / np.sqrt(a * c * c + 2 * b * c * s + d * s * s)
    f2 = 1.0 / np.sqrt(a * s * s - 2 * b * c * s + d * c * c)
    t10, t11 = c * s * (f1 - f2) * l0 / l1, s * s * f1 + c * c * f2
    c1 = t10 * (sy - beta[:, None] * sx) + t11 * (sxy - beta[:, None] * sxx)
    se = np.sqrt((c1 * c1).sum(1)) / sxx_all
    r0, r1 = t10 * y.shape[2] + t11 * sx, t10 * sx + t11 * sxx
    dd = (r0 * t10 + r1 * t11) / sxx_all[:, None] ** 2
    a0, a1 = r0 / sxx_all[:, None], r1 / sxx_all[:, None]
    ama = a0 * a0 * l0 * l0 + a1 * a1 * l1 * l1
    l1 = l1[:, 0]
    frob = ((dd * dd).sum(1) - 2 * (dd * ama).sum(1) + ((a0 * a0).sum(1) * l0 * l0) ** 2
            + 2 * ((a0 * a1).sum(1) * l0 * l1) ** 2 + ((a1 * a1).sum(1) * l1 * l1) ** 2)
    return beta, se, (dd - ama).sum(1) ** 2 / frob


#: (estimand, method) pairs timed in the loop, beside the estimand's base method.
IN_LOOP = (("mean", "jackknife"), ("mean", "cr2_bm"), ("mean", "bootstrap"),
           ("difference", "cr2_bm"), ("difference", "cr3"), ("difference", "wild_bootstrap"))
BASE = {"mean": "cluster_t", "difference": "cluster_robust"}


def simulate_runner(pop, design, estimand, methods, seconds):
    """A function timing one ``ss.simulate`` run of about ``seconds`` (compiled first)."""
    def run(reps):
        t0 = time.perf_counter()
        ss.simulate(pop, {"d": design}, reps, seed=3, estimand=estimand, methods=methods,
                    progress=False)
        return time.perf_counter() - t0

    run(200)  # compile
    reps = max(20_000, int(seconds * 20_000 / run(20_000)))
    return lambda: reps / run(reps)


def in_loop_costs(pop, design, seconds, rounds=5):
    """Rows (estimand, method, reps/s without, reps/s with, us per replication).

    The runs with and without the method alternate, ``rounds`` times, and the
    fastest of each counts: on a shared machine both then see the same load.
    """
    rows = []
    for estimand, method in IN_LOOP:
        without = simulate_runner(pop, design, estimand, [BASE[estimand]], seconds)
        with_it = simulate_runner(pop, design, estimand, [BASE[estimand], method], seconds)
        rates = [(without(), with_it()) for _ in range(rounds)]
        base, rate = max(r[0] for r in rates), max(r[1] for r in rates)
        rows.append({"estimand": estimand, "method": method, "base": BASE[estimand],
                     "reps_per_s_without": base, "reps_per_s_with": rate,
                     "us_per_rep": (1 / rate - 1 / base) * 1e6})
    return rows


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


R_SCRIPT = r"""
suppressPackageStartupMessages(library(clubSandwich))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
reps <- max(d$rep)
se <- df <- numeric(reps)
fit_one <- function(r) {
  s <- d[d$rep == r, ]
  coef_test(lm(y ~ x, data = s), vcov = "CR2", cluster = s$g, test = "Satterthwaite")
}
for (r in 1:min(5, reps)) fit_one(r)  # warm-up
samples <- split(d, d$rep)
t0 <- proc.time()[["elapsed"]]
for (r in 1:reps) {
  s <- samples[[r]]
  ct <- coef_test(lm(y ~ x, data = s), vcov = "CR2", cluster = s$g, test = "Satterthwaite")
  se[r] <- ct$SE[2]; df[r] <- ct$df_Satt[2]
}
elapsed <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(se = se, df = df), args[2], row.names = FALSE)
cat(sprintf("%.17g\n", elapsed / reps))
"""


def run_r(y, x, reps, workdir: Path):
    if shutil.which("Rscript") is None:
        return None
    rows = ["rep,g,y,x"]
    for r in range(reps):
        for j in range(K_GROUPS):
            for i in range(M):
                rows.append(f"{r + 1},{j + 1},{float(y[r, j, i])!r},{float(x[r, j, i])!r}")
    (workdir / "samples.csv").write_text("\n".join(rows) + "\n")
    (workdir / "bench.R").write_text(R_SCRIPT)
    done = subprocess.run(["Rscript", str(workdir / "bench.R"), str(workdir / "samples.csv"),
                           str(workdir / "r_out.csv")], capture_output=True, text=True)
    if done.returncode != 0:
        print("R failed:", done.stderr[-500:])
        return None
    out = np.loadtxt(workdir / "r_out.csv", delimiter=",", skiprows=1)
    return float(done.stdout.strip().splitlines()[-1]), out[:, 0], out[:, 1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20_000)
    parser.add_argument("--r-reps", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="length of each timed simulate run (in-loop costs)")
    args = parser.parse_args(argv)
    pop = ss.covariate_population(n_groups=100, group_size=50, x="normal", x_group_sd=0.5,
                                  within_effect=0.3, seed=1)
    design = ss.TwoStage(K_GROUPS, M)
    reps = args.reps
    ys = np.empty((reps, K_GROUPS * M))
    xs = np.empty_like(ys)
    for r in range(reps):
        sample = design.draw(pop, r)
        ys[r], xs[r] = sample.y, pop.x[sample.units]
    start = np.arange(0, K_GROUPS * M + 1, M, dtype=np.int64)
    size = np.full(K_GROUPS, 50.0)
    out = np.empty((reps, 5))
    N, G = pop.n_units, pop.n_groups
    _loop_cr2(ys[:10], xs[:10], start, size, 10, N, G, out[:10])  # compile
    t_loop = best_of(lambda: _loop_cr2(ys, xs, start, size, reps, N, G, out))
    kernel_out = out[:, :3].copy()

    calls = min(reps, 5000)
    one = np.empty(5)

    def per_call():
        for r in range(calls):
            K.cr2_slope(ys[r], xs[r], start, size, K_GROUPS, N, G, one)
    t_call = best_of(per_call) / calls
    y3, x3 = ys.reshape(reps, K_GROUPS, M), xs.reshape(reps, K_GROUPS, M)
    t_batch = best_of(lambda: numpy_cr2_batch(y3, x3))
    beta_np, se_np, df_np = numpy_cr2_batch(y3, x3)
    codes = np.repeat(np.arange(K_GROUPS), M)
    few = min(reps, 1000)

    def general():
        for r in range(few):
            sandwich(np.column_stack([np.ones(K_GROUPS * M), xs[r]]), ys[r], codes, K_GROUPS,
                     "CR2")
    t_general = best_of(general, repeat=1) / few

    wild_reps = min(reps, 5000)
    state = xoshiro_state(as_seed_sequence(7))
    _loop_wild(ys[:5], xs[:5], start, size, 5, N, G, state, out[:5])  # compile
    t_wild = best_of(lambda: _loop_wild(ys, xs, start, size, wild_reps, N, G, state,
                                        out)) / wild_reps

    loop_rows = in_loop_costs(pop, design, args.seconds)

    with tempfile.TemporaryDirectory() as tmp:
        r_result = run_r(y3, x3, min(args.r_reps, reps), Path(tmp))
    result = {
        "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
        "numpy": np.__version__, "numba": numba.__version__, "reps": reps,
        "kernel_loop_us": t_loop / reps * 1e6, "kernel_call_us": t_call * 1e6,
        "numpy_batch_us": t_batch / reps * 1e6, "numpy_general_us": t_general * 1e6,
        "wild_per_rep_us": t_wild * 1e6, "wild_draws": K.WILD_DRAWS,
        "wild_per_draw_ns": t_wild / K.WILD_DRAWS * 1e9,
        "numpy_batch_max_rel_diff": float(np.max(np.abs(np.c_[beta_np, se_np, df_np]
                                                        / kernel_out - 1))),
        "in_loop": loop_rows,
    }
    if r_result is not None:
        r_time, r_se, r_df = r_result
        m = r_se.size
        result.update(r_us=r_time * 1e6, r_reps=m,
                      r_max_rel_diff_se=float(np.max(np.abs(kernel_out[:m, 1] / r_se - 1))),
                      r_max_rel_diff_df=float(np.max(np.abs(kernel_out[:m, 2] / r_df - 1))))
    Path(__file__).with_name("out").mkdir(exist_ok=True)
    Path(__file__).with_name("out").joinpath("few_clusters.json").write_text(
        json.dumps(result, indent=2))
    loop = result["kernel_loop_us"]
    print("| CR2 + BM df, slope, TwoStage(10, 10) | us per replication | x kernel loop |")
    print("|---|---:|---:|")
    rows = [("compiled kernel in a compiled loop", loop),
            ("compiled kernel, one Python call per sample", result["kernel_call_us"]),
            ("NumPy, vectorised over replications", result["numpy_batch_us"]),
            ("NumPy, general ClusterOLS sandwich per sample", result["numpy_general_us"])]
    if r_result is not None:
        rows.append(("R clubSandwich coef_test (loop in R)", result["r_us"]))
    for label, us in rows:
        print(f"| {label} | {us:,.2f} | {us / loop:,.1f} |")
    print(f"\nwild bootstrap (Rademacher, B = {K.WILD_DRAWS}, inversion): "
          f"{result['wild_per_rep_us']:,.1f} us per replication, "
          f"{result['wild_per_draw_ns']:,.0f} ns per draw")
    print("\n| in the loop, TwoStage(10, 10) | beside | reps/s without | reps/s with "
          "| us per replication |")
    print("|---|---|---:|---:|---:|")
    for row in loop_rows:
        print(f"| {row['method']} ({row['estimand']}) | {row['base']} | "
              f"{row['reps_per_s_without']:,.0f} | {row['reps_per_s_with']:,.0f} | "
              f"{row['us_per_rep']:,.2f} |")
    print(json.dumps({k: v for k, v in result.items() if "diff" in k}))


if __name__ == "__main__":
    main()
