"""Replications per second on a CUDA GPU against the CPU engine on one core.

    python benchmarks/gpu.py [--seconds 10] [--out DIR]

Same scenarios as ``run.py`` (one replication = one SRS and one two-stage
sample, both intervals): S1 (100 groups x 50; SRS 100, TwoStage 10x10) and
S2 (10,000 groups x 200; SRS 2,000, TwoStage 100x20). Beside the speed it
reports, for the GPU run, each design's variance z-score against exact theory
and the cluster_t coverage, with the z-score of its difference from the CPU
engine's coverage. Run on a machine with an NVIDIA GPU and numba's CUDA target
(``benchmarks/gpu_device.sh`` is the script used for the recorded numbers).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import numpy as np

import simsample as ss
from simsample import engine
from simsample.engine.backends.cuda import BLOCK_SIZE, multiprocessors, simulate_cuda

HERE = Path(__file__).resolve().parent
SCENARIOS = {
    "S1": dict(n_groups=100, group_size=50, n=100, k=10, m=10),
    "S2": dict(n_groups=10_000, group_size=200, n=2_000, k=100, m=20),
}


def designs(spec):
    return {"SRS": ss.SRS(spec["n"]), "two-stage": ss.TwoStage(spec["k"], spec["m"])}


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def gpu_run(pop, spec, reps, seed=1, **launch):
    plan = engine.build_plan(pop, designs(spec), reps, seed=seed)
    return simulate_cuda(plan, progress=False, **launch)


def tune(pop, spec, reps):
    """Replications per second for several launch configurations (kernels compiled first).

    Threads per multiprocessor trade latency hiding against the cache space of
    each thread's hash table; shared-memory tables need small blocks (48 KB
    of static shared memory per block).
    """
    sms = multiprocessors()
    candidates = [dict(block_size=b, blocks=sms * t // b, shared_tables=False)
                  for b in (128, 256) for t in (512, 1024, 2048)]
    candidates += [dict(block_size=64, blocks=sms * t // 64, shared_tables=True)
                   for t in (256, 448, 1024)]
    rows = []
    for launch in candidates:
        gpu_run(pop, spec, 10_000, **launch)
        _, t = timed(lambda: gpu_run(pop, spec, reps, **launch))
        rows.append({**launch, "reps_per_s": reps / t})
        print(f"  launch {launch}: {reps / t:,.3g} reps/s", flush=True)
    return rows


def breakdown(pop, spec, reps, launch):
    """Replications per second of each design alone (the scenario's cost split)."""
    out = {}
    for name, design in designs(spec).items():
        plan = engine.build_plan(pop, {name: design}, reps, seed=4)
        simulate_cuda(plan, progress=False, **launch)
        _, t = timed(lambda: simulate_cuda(plan, progress=False, **launch))
        out[f"{name}_only_reps_per_s"] = reps / t
        print(f"  {name} alone: {reps / t:,.4g} reps/s", flush=True)
    return out


def scenario(name, spec, seconds, cpu_reps, launch_rows=None, launch=None, pilot=1 << 22):
    """GPU replications for about ``seconds`` (sized by a pilot run) against the CPU engine."""
    print(f"\n== {name}: {spec}", flush=True)
    pop = ss.two_level(spec["n_groups"], spec["group_size"], icc=0.2, seed=1)
    best = launch or {}  # empty: the backend's default launch
    _, compile_s = timed(lambda: gpu_run(pop, spec, 1000, **best))
    _, t = timed(lambda: gpu_run(pop, spec, pilot, **best))
    rate = pilot / t
    gpu_reps = max(int(rate * seconds), 1000)
    row = {"scenario": name, **spec, "gpu_first_call_s": compile_s, "pilot_reps_per_s": rate}
    print(f"pilot: {pilot:,} reps at {rate:,.4g} reps/s", flush=True)
    if launch_rows is not None and launch is None:
        tuned = tune(pop, spec, max(int(rate * seconds / 8), 1000))
        launch_rows.extend({"scenario": name, **r} for r in tuned)
    row.update(breakdown(pop, spec, max(int(rate * seconds / 8), 1000), best))
    study, t = timed(lambda: gpu_run(pop, spec, gpu_reps, seed=2, **best))
    row.update({"gpu_reps": gpu_reps, "gpu_seconds": t, "gpu_reps_per_s": gpu_reps / t,
                "launch": best or "default"})
    print(f"GPU: {gpu_reps:,} reps in {t:.2f} s = {gpu_reps / t:,.4g} reps/s", flush=True)

    engine_run = lambda: ss.simulate(pop, designs(spec), reps=cpu_reps, seed=3,  # noqa: E731
                                     progress=False)
    ss.simulate(pop, designs(spec), reps=100, seed=3)
    cpu, t = timed(engine_run)
    row.update({"cpu_reps": cpu_reps, "cpu_reps_per_s": cpu_reps / t,
                "gpu_over_cpu_core": row["gpu_reps_per_s"] / (cpu_reps / t)})
    print(f"CPU engine, 1 core: {cpu_reps / t:,.4g} reps/s; GPU / CPU core = "
          f"{row['gpu_over_cpu_core']:,.0f}x", flush=True)

    g = study.summary().set_index(["design", "method"])
    c = cpu.summary().set_index(["design", "method"])
    for key in g.index:
        d, m = key
        z_var = (g.loc[key, "variance"] - g.loc[key, "theory_variance"]) / g.loc[key, "variance_mcse"]
        z_cov = ((g.loc[key, "coverage"] - c.loc[key, "coverage"])
                 / math.hypot(g.loc[key, "coverage_mcse"], c.loc[key, "coverage_mcse"]))
        tag = f"{d}/{m}"
        row[f"{tag} variance_z"] = float(z_var)
        row[f"{tag} gpu_coverage"] = float(g.loc[key, "coverage"])
        row[f"{tag} cpu_coverage"] = float(c.loc[key, "coverage"])
        row[f"{tag} coverage_diff_z"] = float(z_cov)
        print(f"  {tag:22s} variance z vs theory {z_var:+.2f}; coverage GPU "
              f"{g.loc[key, 'coverage']:.5f} CPU {c.loc[key, 'coverage']:.5f} (z {z_cov:+.2f})",
              flush=True)
    return row


def machine():
    import numba
    from numba import cuda

    try:
        name = cuda.get_current_device().name
        name = name.decode() if isinstance(name, bytes) else str(name)
    except AttributeError:
        name = "numba CUDA simulator"
    return {"gpu": name, "multiprocessors": multiprocessors(), "python": platform.python_version(),
            "numba": numba.__version__, "numpy": np.__version__, "simsample": ss.__version__,
            "cpu": platform.processor(), "date": time.strftime("%Y-%m-%d")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="GPU time per scenario's main run (default 10)")
    parser.add_argument("--cpu-reps", type=float, default=1.0,
                        help="multiply the CPU engine's replications (default 4e6 at S1, 1e5 at S2)")
    parser.add_argument("--pilot", type=int, default=1 << 22, help="pilot replications")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--blocks", type=int, help="fix the launch (no tuning): blocks ...")
    parser.add_argument("--block-size", type=int, default=BLOCK_SIZE, help="... and threads each")
    args = parser.parse_args(argv)
    launch = {"blocks": args.blocks, "block_size": args.block_size} if args.blocks else None
    scale = args.cpu_reps
    info = machine()
    print(json.dumps(info), flush=True)
    launches = []
    rows = [scenario("S1", SCENARIOS["S1"], args.seconds, max(int(4e6 * scale), 100),
                     launches, launch, pilot=args.pilot),
            scenario("S2", SCENARIOS["S2"], args.seconds, max(int(1e5 * scale), 100),
                     launch=launch, pilot=max(args.pilot // 64, 1000))]
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "gpu_results.json"
    path.write_text(json.dumps({"machine": info, "results": rows, "launch_tuning": launches},
                               indent=2))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
