"""REML random-intercept fits per second: simsample's compiled kernel, statsmodels, lme4.

Samples: TwoStage(10, 10) from ss.two_level(100 groups x 50, icc=0.2), the same
samples for every tool; a second model adds one unit-level covariate x (y += 0.5 x).
The compiled kernel is timed inside a compiled loop over the pre-drawn samples (as
the engine runs it: one fit per replication, Satterthwaite df included);
statsmodels' MixedLM (lbfgs, its default) in a Python loop; lme4's lmer in R
(``Rscript``, only the fitting loop timed, default lmerControl). One process.

    python benchmarks/mixed.py [--samples 20000] [--sm 40] [--r 300]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

import simsample as ss
from simsample._jit import kernel
from simsample._kernels.mixed.deviance import group_stats
from simsample._kernels.mixed.fit import N_INFO, fit_intercept_only, fit_lmm


@kernel
def _loop_intercept(y, starts, k, out):  # pragma: no cover
    """Assumes validated inputs."""
    res = np.empty(7)
    acc = 0.0
    for s in range(starts.shape[0]):
        fit_intercept_only(y[s], starts[s], k, True, res)
        acc += res[2]
    out[0] = acc


@kernel
def _loop_covariate(y, x, starts, k, out):  # pragma: no cover
    """Assumes validated inputs."""
    n = y.shape[1]
    acc = 0.0
    xm = np.empty((n, 2))
    zm = np.ones((n, 1))
    S = np.empty((k, 1, 1))
    ZX = np.empty((k, 1, 2))
    Zy = np.empty((k, 1))
    XX = np.empty((2, 2))
    Xy = np.empty(2)
    theta, beta, cov, df, info = np.empty(1), np.empty(2), np.empty((2, 2)), np.empty(2), np.empty(N_INFO)
    for s in range(y.shape[0]):
        for i in range(n):
            xm[i, 0] = 1.0
            xm[i, 1] = x[s, i]
        yy = group_stats(y[s], xm, zm, starts[s], k, 1, 2, S, ZX, Zy, XX, Xy)
        fit_lmm(1, 2, k, n, S, ZX, Zy, XX, Xy, yy, True, theta, beta, cov, df, info)
        acc += df[1]
    out[0] = acc


def _samples(count, seed=1):
    pop = ss.two_level(n_groups=100, group_size=50, icc=0.2, seed=seed)
    design = ss.TwoStage(10, 10)
    rng = np.random.default_rng(seed)
    ys = np.empty((count, 100))
    xs = rng.normal(size=(count, 100))
    for s in range(count):
        ys[s] = design.draw(pop, seed * 1_000_003 + s).y
    starts = np.tile(np.arange(0, 101, 10, dtype=np.int64), (count, 1))
    return ys, ys + 0.5 * xs, xs, starts


def _rate(fn, count, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return count / best


def _statsmodels(ys, count, covariate, xs=None):
    import statsmodels.formula.api as smf

    g = np.repeat(np.arange(10), 10)
    frames = [pd.DataFrame({"y": ys[s], "x": xs[s] if xs is not None else 0.0, "g": g})
              for s in range(count)]
    formula = "y ~ x" if covariate else "y ~ 1"

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for d in frames:
                smf.mixedlm(formula, d, groups=d["g"]).fit(reml=True)
    return _rate(run, count, repeat=1)


_R = """
suppressPackageStartupMessages(library(lme4))
d <- read.csv("{path}")
ids <- unique(d$s)
parts <- split(d, d$s)
t0 <- proc.time()[["elapsed"]]
for (p in parts) fit <- lmer(y ~ 1 + (1 | g), data = p)
t1 <- proc.time()[["elapsed"]]
for (p in parts) fit <- lmer(yx ~ x + (1 | g), data = p)
t2 <- proc.time()[["elapsed"]]
cat(length(ids) / (t1 - t0), length(ids) / (t2 - t1), "\\n")
"""


def _lme4(ys, yxs, xs, count):
    g = np.repeat(np.arange(10), 10)
    rows = pd.concat([pd.DataFrame({"s": s, "g": g, "y": ys[s], "yx": yxs[s], "x": xs[s]})
                      for s in range(count)])
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "samples.csv")
        rows.to_csv(path, index=False)
        script = os.path.join(tmp, "bench.R")
        with open(script, "w") as fh:
            fh.write(_R.format(path=path))
        try:
            out = subprocess.run(["Rscript", script], capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return np.nan, np.nan
    a, b = out.stdout.split()
    return float(a), float(b)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20_000)
    ap.add_argument("--sm", type=int, default=40, help="samples fitted by statsmodels")
    ap.add_argument("--r", type=int, default=300, help="samples fitted by lme4")
    args = ap.parse_args(argv)
    ys, yxs, xs, starts = _samples(args.samples)
    out = np.empty(1)
    _loop_intercept(ys[:2], starts[:2], 10, out)
    _loop_covariate(yxs[:2], xs[:2], starts[:2], 10, out)
    ours = (_rate(lambda: _loop_intercept(ys, starts, 10, out), args.samples),
            _rate(lambda: _loop_covariate(yxs, xs, starts, 10, out), args.samples))
    sm = (_statsmodels(ys, args.sm, False), _statsmodels(yxs, args.sm, True, xs))
    r = _lme4(ys, yxs, xs, args.r)
    print("REML random-intercept fits per second, TwoStage(10, 10) samples, one process")
    print(f"{'':28s}{'y ~ 1':>14s}{'y ~ x':>14s}")
    for name, vals in (("simsample compiled kernel", ours), ("statsmodels MixedLM", sm),
                       ("R lme4 lmer", r)):
        print(f"{name:28s}{vals[0]:14,.0f}{vals[1]:14,.0f}")
    for name, vals in (("simsample / statsmodels", sm), ("simsample / lme4", r)):
        print(f"{name:28s}{ours[0] / vals[0]:13,.0f}x{ours[1] / vals[1]:13,.0f}x")


if __name__ == "__main__":
    main()
