"""Replications per second of the engine against the vectorised NumPy baseline.

    python benchmarks/run.py [--quick] [--out benchmarks/out]

Scenarios (one replication = one SRS and one two-stage sample, the mean with
both intervals, accumulated):

* S1: 100 groups x 50 units; SRS(100) and TwoStage(10, 10).
* S2: 10,000 groups x 200 units (2,000,000); SRS(2,000) and TwoStage(100, 20).

Each timing is the best of three after a warm-up run (compilation and worker
start-up excluded; both are reported separately). Ratios are only meaningful
within one run on one machine. Beside the speed, each engine run reports the
two-stage variance z-score against exact theory and the cluster_t coverage, so
that speed is never bought with wrong answers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import simsample as ss  # noqa: E402
from numpy_baseline import simulate_numpy  # noqa: E402

SCENARIOS = {
    "S1": dict(n_groups=100, group_size=50, n=100, k=10, m=10),
    "S2": dict(n_groups=10_000, group_size=200, n=2_000, k=100, m=20),
}


def best_of(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def engine_run(pop, spec, reps, n_jobs=1, backend="loky"):
    designs = {"SRS": ss.SRS(spec["n"]), "two-stage": ss.TwoStage(spec["k"], spec["m"])}
    return ss.simulate(pop, designs, reps=reps, seed=1, n_jobs=n_jobs, backend=backend,
                       progress=False)


def numpy_run(y, spec, reps, n_jobs=1, batch=None):
    batch = batch or (4096 if spec["n"] <= 100 else 64)
    if n_jobs == 1:
        return simulate_numpy(y, spec["group_size"], spec["n"], spec["k"], spec["m"], reps,
                              seed=1, batch=batch)
    parts = np.array_split(np.arange(reps), 4 * n_jobs)
    return joblib.Parallel(n_jobs=n_jobs)(
        joblib.delayed(simulate_numpy)(y, spec["group_size"], spec["n"], spec["k"], spec["m"],
                                       len(p), seed=i, batch=batch)
        for i, p in enumerate(parts))


def quality(study):
    row = study.summary().set_index(["design", "method"]).loc[("two-stage", "cluster_t")]
    z = (row["variance"] - row["theory_variance"]) / row["variance_mcse"]
    return {"two_stage_variance_z": float(z), "two_stage_cluster_t_coverage": float(row["coverage"]),
            "coverage_mcse": float(row["coverage_mcse"])}


def scenario(name, spec, engine_reps, numpy_reps, results):
    print(f"\n== {name}: {spec}", flush=True)
    start = time.perf_counter()
    pop = ss.two_level(spec["n_groups"], spec["group_size"], icc=0.2, seed=1)
    first_generation = time.perf_counter() - start
    y = np.asarray(pop.y)
    row = {"scenario": name, **spec, "first_population_s": first_generation}

    start = time.perf_counter()
    engine_run(pop, spec, 10)
    row["first_call_s"] = time.perf_counter() - start  # compile or cache load

    t = best_of(lambda: engine_run(pop, spec, engine_reps))
    row["engine_serial_reps_per_s"] = engine_reps / t
    row.update(quality(engine_run(pop, spec, engine_reps)))
    print(f"engine, 1 process:   {engine_reps / t:12,.0f} reps/s", flush=True)

    for backend in ("loky", "threading"):
        start = time.perf_counter()
        engine_run(pop, spec, engine_reps // 4, n_jobs=2, backend=backend)  # start workers
        row[f"engine_2_{backend}_warmup_s"] = time.perf_counter() - start
        t = best_of(lambda: engine_run(pop, spec, engine_reps, n_jobs=2, backend=backend))
        row[f"engine_2_{backend}_reps_per_s"] = engine_reps / t
        print(f"engine, 2 {backend:9s}: {engine_reps / t:12,.0f} reps/s", flush=True)

    numpy_run(y, spec, max(numpy_reps // 10, 10))
    t = best_of(lambda: numpy_run(y, spec, numpy_reps))
    row["numpy_serial_reps_per_s"] = numpy_reps / t
    print(f"numpy, 1 process:    {numpy_reps / t:12,.0f} reps/s", flush=True)
    numpy_run(y, spec, numpy_reps // 4, n_jobs=2)
    t = best_of(lambda: numpy_run(y, spec, numpy_reps, n_jobs=2))
    row["numpy_2_loky_reps_per_s"] = numpy_reps / t
    print(f"numpy, 2 loky:       {numpy_reps / t:12,.0f} reps/s", flush=True)

    row["serial_speedup_vs_numpy"] = row["engine_serial_reps_per_s"] / row["numpy_serial_reps_per_s"]
    row["parallel_speedup_loky"] = row["engine_2_loky_reps_per_s"] / row["engine_serial_reps_per_s"]
    row["parallel_speedup_threading"] = (row["engine_2_threading_reps_per_s"]
                                         / row["engine_serial_reps_per_s"])
    print(f"engine / numpy (serial): {row['serial_speedup_vs_numpy']:.1f}x; "
          f"2 workers / 1: loky {row['parallel_speedup_loky']:.2f}x, "
          f"threading {row['parallel_speedup_threading']:.2f}x", flush=True)
    results.append(row)
    return pop


def population_generation(spec, results):
    """Units per second generating S2: the compiled generator against NumPy."""
    G, M = spec["n_groups"], spec["group_size"]
    ss.two_level(G, M, icc=0.2, seed=1)

    def with_numpy():
        rng = np.random.default_rng(1)
        return (np.repeat(np.sqrt(0.2) * rng.standard_normal(G), M)
                + np.sqrt(0.8) * rng.standard_normal(G * M))

    t_engine = best_of(lambda: ss.two_level(G, M, icc=0.2, seed=1))
    t_numpy = best_of(with_numpy)
    row = {"scenario": "S2 population", "units": G * M,
           "engine_units_per_s": G * M / t_engine, "numpy_units_per_s": G * M / t_numpy}
    print(f"\n== S2 population generation: engine {row['engine_units_per_s']:,.0f} units/s, "
          f"numpy {row['numpy_units_per_s']:,.0f} units/s", flush=True)
    results.append(row)


def machine():
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numba
    import scipy

    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__, "scipy": scipy.__version__,
            "joblib": joblib.__version__, "simsample": ss.__version__,
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE,
                                     capture_output=True, text=True).stdout.strip(),
            "date": time.strftime("%Y-%m-%d")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs (a smoke test)")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    scale = 0.02 if args.quick else 1.0
    results = []
    info = machine()
    print(json.dumps(info))
    scenario("S1", SCENARIOS["S1"], int(4_000_000 * scale), int(100_000 * scale), results)
    scenario("S2", SCENARIOS["S2"], int(100_000 * scale), int(3_000 * scale), results)
    population_generation(SCENARIOS["S2"], results)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "results.json"
    path.write_text(json.dumps({"machine": info, "results": results}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
