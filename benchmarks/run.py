"""Replications per second of the engine against the vectorised NumPy baseline.

    python benchmarks/run.py [--quick] [--out benchmarks/out] [--against OLD_CHECKOUT]

``--against`` also times the engine of another checkout of simsample (e.g. a
``git worktree`` of an earlier commit) in the same run, serial S1 and S2, so
that a change's effect on speed is measured on one machine at one time. The
user-method row times TwoStage(10, 10) at S1 with and without the estimator of
README "Your own estimator" (``user_method.py``) compiled into the loop.

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
from user_method import mean_of_group_means  # noqa: E402

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


def user_method_cost(spec, reps, results):
    """S1 TwoStage(10, 10): the run with a user method against the same run without it."""
    pop = ss.two_level(spec["n_groups"], spec["group_size"], icc=0.2, seed=1)
    design = {"two-stage": ss.TwoStage(spec["k"], spec["m"])}
    mine = ss.Method("group means", mean_of_group_means)

    def run(methods):
        return ss.simulate(pop, design, reps=reps, seed=1, progress=False, methods=methods)

    run(None), run(["naive_t", "cluster_t", mine])  # compile
    without = best_of(lambda: run(None))
    with_it = best_of(lambda: run(["naive_t", "cluster_t", mine]))
    row = {"scenario": "S1 user method", "reps": reps, "without_reps_per_s": reps / without,
           "with_reps_per_s": reps / with_it, "time_ratio": with_it / without}
    print(f"\n== S1 TwoStage({spec['k']}, {spec['m']}) with a user method: "
          f"{row['with_reps_per_s']:,.0f} reps/s against {row['without_reps_per_s']:,.0f} "
          f"without: {row['time_ratio']:.2f}x the time", flush=True)
    results.append(row)


AGAINST = r"""
import json, sys, time
sys.meta_path = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()
                 and "editable" not in str(getattr(f, "__module__", "")).lower()]
sys.path.insert(0, sys.argv[1])
import simsample as ss
assert ss.__file__.startswith(sys.argv[1]), ss.__file__
out = {}
for name, (G, M, n, k, m, reps) in json.loads(sys.argv[2]).items():
    pop = ss.two_level(G, M, icc=0.2, seed=1)
    designs = {"SRS": ss.SRS(n), "two-stage": ss.TwoStage(k, m)}
    ss.simulate(pop, designs, reps=10, seed=1, progress=False)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        ss.simulate(pop, designs, reps=reps, seed=1, progress=False)
        times.append(time.perf_counter() - start)
    out[name] = reps / min(times)
print(json.dumps(out))
"""


def engine_in(checkout: Path, scale: float) -> dict:
    """Serial S1 and S2 engine reps/s of the simsample in ``checkout`` (a subprocess)."""
    cases = {name: (s["n_groups"], s["group_size"], s["n"], s["k"], s["m"],
                    int((4_000_000 if name == "S1" else 100_000) * scale))
             for name, s in SCENARIOS.items()}
    done = subprocess.run([sys.executable, "-c", AGAINST, str(checkout), json.dumps(cases)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def against(old: Path, scale: float, results):
    """The engine of ``old`` and of this checkout, timed one after the other."""
    new = HERE.parent
    rates = {"before": engine_in(old, scale), "after": engine_in(new, scale)}
    row = {"scenario": "before/after", **{f"{when}_{name}": v for when, r in rates.items()
                                          for name, v in r.items()}}
    for name in SCENARIOS:
        row[f"after_over_before_{name}"] = rates["after"][name] / rates["before"][name]
        print(f"\n== {name} engine, serial: before {rates['before'][name]:,.0f} reps/s, "
              f"after {rates['after'][name]:,.0f} reps/s "
              f"({row[f'after_over_before_{name}']:.2f}x)", flush=True)
    results.append(row)


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
    parser.add_argument("--against", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args(argv)
    scale = 0.02 if args.quick else 1.0
    results = []
    info = machine()
    print(json.dumps(info))
    scenario("S1", SCENARIOS["S1"], int(4_000_000 * scale), int(100_000 * scale), results)
    scenario("S2", SCENARIOS["S2"], int(100_000 * scale), int(3_000 * scale), results)
    population_generation(SCENARIOS["S2"], results)
    user_method_cost(SCENARIOS["S1"], int(1_000_000 * scale), results)
    if args.against:
        against(args.against.resolve(), scale, results)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "results.json"
    path.write_text(json.dumps({"machine": info, "results": results}, indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
