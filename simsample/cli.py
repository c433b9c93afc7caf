"""The ``simsample`` command line.

Each sub-command is one ``_add_<name>`` function that registers its parser
and a ``_run_<name>`` function that does the work and returns an exit code.
Errors in the input end the command with a one-line message and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from ._validation import InvalidParameterError, check_int


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        _check_paths(args)
        return args.run(args)
    except BaseException as exc:  # every failure: one line on stderr, exit 2
        if isinstance(exc, SystemExit):
            raise
        print(f"simsample {args.command}: error: {error_line(exc, args)}", file=sys.stderr)
        return 2


def error_line(exc: BaseException, args=None) -> str:
    """The one-line message of a failure of a sub-command (with what to do next)."""
    resume = ("finished chunks are kept: rerun with --resume"
              if getattr(args, "command", None) == "run" else "run the command again")
    name = type(exc).__name__
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted; {resume}."
    if name in ("TerminatedWorkerError", "BrokenProcessPool"):
        return f"a worker died (killed, or out of memory); {resume}."
    if isinstance(exc, MemoryError):
        return ("out of memory" + (f" ({_flat(exc)})" if str(exc) else "") +
                "; choose smaller sizes or fewer --jobs.")
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename is not None else ""
        return f"{exc.strerror}{where}."
    if isinstance(exc, KeyError) and exc.args:
        return _flat(exc.args[0])
    if isinstance(exc, (ValueError, TypeError, ImportError, OSError, RuntimeError)):
        return _flat(exc)
    return f"internal error ({name}: {_flat(exc)}); please report it."


def _flat(text) -> str:
    return " ".join(str(text).split())


def _check_paths(args) -> None:
    """Validate --out and every file argument before any work (arguments first, then files)."""
    if getattr(args, "population", None) is not None and not (args.y and args.group):
        raise InvalidParameterError("--population needs --y and --group (the outcome and "
                                    "cluster columns).")
    out = getattr(args, "out", None)
    if out is not None and out.exists() and not out.is_dir():
        raise InvalidParameterError(
            f"--out {out} is an existing file; give a folder (created if needed).")
    for name, label in (("population", "--population"), ("study", "STUDY")):
        path = getattr(args, name, None)
        if path is not None and not path.is_file():
            what = "a directory" if path.is_dir() else "not found"
            raise InvalidParameterError(f"{label} {path}: {what}; give a file.")
    if args.command == "plan":  # checked even without --verify
        check_int(args.reps, "--reps", low=1, owner=f"simsample {args.command}")
    if getattr(args, "jobs", None) is not None:
        from .engine import check_n_jobs

        check_n_jobs(args.jobs, f"simsample {args.command}")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="simsample",
        description="Sampling-design simulation for multilevel data: SRS versus cluster "
                    "samples, by Monte Carlo and exact theory side by side.")
    parser.add_argument("--version", action="version", version=f"simsample {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_demo(sub)
    _add_lecture(sub)
    _add_plan(sub)
    _add_run(sub)
    return parser


# -- demo ------------------------------------------------------------------------------------

def _add_demo(sub) -> None:
    p = sub.add_parser(
        "demo", help="SRS versus two-stage samples on a synthetic population (the first lecture "
                     "result): summary table and sampling distributions",
        description="Simulate SRS(100), TwoStage(20x5) and TwoStage(10x10) on a population of "
                    "100 groups of 50 units with icc 0.2, and write summary.csv, summary.json "
                    "and sampling_distributions.png to --out.")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if needed)")
    p.add_argument("--reps", type=int, default=100_000, help="replications (default 100000)")
    p.add_argument("--icc", type=float, default=0.2, help="intraclass correlation (default 0.2)")
    p.add_argument("--seed", type=int, default=2, help="simulation seed (default 2)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(run=_run_demo)


def _run_demo(args) -> int:
    from . import SRS, TwoStage, simulate, two_level

    population = two_level(n_groups=100, group_size=50, icc=args.icc, seed=1,
                           name="two_level(100 x 50)")
    designs = {"SRS": SRS(100), "two-stage 20x5": TwoStage(20, 5),
               "two-stage 10x10": TwoStage(10, 10)}
    study = simulate(population, designs, reps=args.reps, seed=args.seed, n_jobs=args.jobs,
                     keep_estimates=20_000)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = study.summary()
    summary.to_csv(args.out / "summary.csv", index=False)
    (args.out / "summary.json").write_text(json.dumps(study.to_dict(), indent=2, default=_json))
    _save_sampling_distributions(study, args.out / "sampling_distributions.png")
    print(f"{population!r}\n{args.reps} replications, seed {args.seed}\n")
    print(format_summary(summary))
    ratio = study.variance_ratio("two-stage 10x10", "SRS")
    print(f"\nVar(two-stage 10x10) / Var(SRS): {ratio}")
    print(f"\nwrote {args.out}/summary.csv, summary.json, sampling_distributions.png")
    return 0


def _save_sampling_distributions(study, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plots import lecture_style, sampling_distributions

    with lecture_style():
        fig, ax = plt.subplots(figsize=(9, 5.5))
        sampling_distributions(study, ["SRS", "two-stage 10x10"], ax=ax)
        ax.set_title("Sampling distributions of the mean, n = 100")
        fig.savefig(path)
        plt.close(fig)


# -- lecture ---------------------------------------------------------------------------------

def _add_lecture(sub) -> None:
    p = sub.add_parser(
        "lecture", help="reproduce every figure of the introductory lecture on hierarchical "
                        "modelling, with index.html",
        description="Run every lecture experiment with fixed seeds and write its figures (PNG, "
                    "PDF), the numbers behind them (JSON/CSV) and a self-contained index.html "
                    "to --out.")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if needed)")
    p.add_argument("--quick", action="store_true",
                   help="fewer replications (a smoke run in seconds)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(run=_run_lecture)


def _run_lecture(args) -> int:
    import time

    from .engine import check_n_jobs
    from .lecture import run_lecture

    check_n_jobs(args.jobs, "simsample lecture")
    start = time.perf_counter()
    figures = run_lecture(args.out, quick=args.quick, n_jobs=args.jobs)
    print(f"\nwrote {len(figures)} figures and {args.out / 'index.html'} "
          f"in {time.perf_counter() - start:.0f} s")
    return 0


# -- plan ------------------------------------------------------------------------------------

def _add_plan(sub) -> None:
    p = sub.add_parser(
        "plan", help="cost-optimal cluster sample (clusters and units per cluster) for a budget "
                     "or a precision target, optionally verified by simulation",
        description="Two-stage cost-optimal design as PracTools' clusOpt2: cost = overhead + "
                    "cost-cluster x clusters + cost-unit x clusters x units per cluster. Prints "
                    "the continuous optimum and the integer design; --verify draws the integer "
                    "design --reps times from a synthetic population with the planned delta (or "
                    "from --population) and reports achieved SE, CV, margin of error and "
                    "coverage with their Monte Carlo standard errors.")
    p.add_argument("--icc", type=float, help="measure of homogeneity delta (about the "
                   "intraclass correlation), in (0, 1); default: the --population's")
    p.add_argument("--cost-cluster", type=float, required=True, help="cost per sampled cluster")
    p.add_argument("--cost-unit", type=float, required=True, help="cost per sampled unit")
    p.add_argument("--overhead", type=float, default=0.0, help="fixed cost (default 0)")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--budget", type=float, help="total budget: smallest CV it buys")
    target.add_argument("--cv", type=float, help="target CV of the mean: cheapest design")
    target.add_argument("--moe", type=float, help="target margin of error (units of y, at "
                        "--level): cheapest design; needs --mean or --sd")
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument("--mean", type=float, help="anticipated population mean")
    p.add_argument("--sd", type=float, help="anticipated unit standard deviation")
    p.add_argument("--unit-relvar", type=float, help="unit relvariance S^2/mean^2 (default 1)")
    p.add_argument("--verify", action="store_true", help="check the plan by simulation")
    p.add_argument("--reps", type=int, default=4000, help="replications (default 4000)")
    p.add_argument("--seed", type=int, default=1, help="simulation seed (default 1)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--population", type=Path, help="CSV of a real population, one row per unit")
    p.add_argument("--y", help="outcome column of --population")
    p.add_argument("--group", help="cluster column of --population")
    p.add_argument("--out", type=Path, help="write plan.json, plan.csv and budget_curve.png "
                   "(with --verify also verification.csv, budget_curve.csv) to this folder")
    p.set_defaults(run=_run_plan)


def _run_plan(args) -> int:
    from . import Population, planning

    if args.icc is not None and not 0.0 < args.icc < 1.0:
        raise ValueError(f"--icc must be in (0, 1) (the measure of homogeneity delta); "
                         f"got {args.icc}.")
    population = None
    scale = {"mean": args.mean, "sd": args.sd, "unit_relvar": args.unit_relvar}
    k = 1.0
    delta = args.icc
    if args.population is not None:
        population = Population.from_csv(args.population, y=args.y, group=args.group)
        comp = planning.variance_components(population)
        print(f"{population!r}\ncomponents (PracTools BW2stageSRS): delta {comp.delta:.4g}, "
              f"B^2 {comp.B2:.4g}, W^2 {comp.W2:.4g}, unit relvariance "
              f"{comp.unit_relvar:.4g}, k {comp.k:.4g}\n")
        delta = comp.delta if delta is None else delta
        k = comp.k
        if not any(v is not None for v in scale.values()):
            scale = {"mean": comp.mean, "sd": None, "unit_relvar": comp.unit_relvar}
    elif delta is None:
        raise ValueError("--icc is required without --population.")
    target = {"budget": args.budget, "cv": args.cv, "moe": args.moe}
    plan = planning.optimal_design(delta=delta, cost_cluster=args.cost_cluster,
                                   cost_unit=args.cost_unit, overhead=args.overhead, k=k,
                                   level=args.level, **target, **scale)
    print(plan)
    check = curve = None
    if args.verify:
        draw_from = population
        if draw_from is None:  # one synthetic population, large enough for the whole curve
            grid = planning.budget_curve(plan)
            draw_from = planning.synthetic_population(
                plan, clusters=int(grid["clusters"].max()),
                per_cluster=int(grid["per_cluster"].max()), seed=args.seed)
        check = planning.verify(plan, draw_from, reps=args.reps, seed=args.seed,
                                n_jobs=args.jobs, progress=None)
        print(f"\n{check}")
        if args.out is not None:
            curve = planning.budget_curve(plan, draw_from, reps=args.reps, seed=args.seed + 1,
                                          n_jobs=args.jobs)
    if args.out is not None:
        _write_plan(args.out, plan, check, curve)
    return 0


def _write_plan(out: Path, plan, check, curve) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import planning
    from .plots import budget_curve, lecture_style

    out.mkdir(parents=True, exist_ok=True)
    record = {"plan": plan.to_dict()}
    written = ["plan.json", "plan.csv"]
    plan.to_frame().to_csv(out / "plan.csv", index_label="quantity")
    if check is not None:
        record["verification"] = check.to_dict()
        check.table.to_csv(out / "verification.csv", index=False)
        curve.to_csv(out / "budget_curve.csv", index=False)
        written += ["verification.csv", "budget_curve.csv"]
    (out / "plan.json").write_text(json.dumps(record, indent=2, default=_json))
    if curve is None:
        curve = planning.budget_curve(plan)
    with lecture_style():
        fig, ax = plt.subplots(figsize=(9, 5.5))
        budget_curve(curve, plan, ax=ax)
        ax.set_title(f"Fixed budget {plan.fixed_budget:,.0f}: cost per cluster "
                     f"{plan.model.costs[0]:,.0f}, per unit {plan.model.costs[1]:,.0f}, "
                     f"$\\delta$ = {plan.delta:.3g}")
        fig.savefig(out / "budget_curve.png")
        plt.close(fig)
    written.append("budget_curve.png")
    print(f"\nwrote {out}/" + ", ".join(written))


# -- run -------------------------------------------------------------------------------------

def _add_run(sub) -> None:
    p = sub.add_parser(
        "run", help="run a simulation study file (a grid of conditions), with checkpoints, "
                    "resume and dask",
        description="Run every condition of STUDY (a TOML study file, see simsample.studies.config) "
                    "and write summary.csv, summary.json, figures and report.html to --out. "
                    "Finished chunks are checkpointed there; --resume continues a killed run "
                    "with bit-identical results.")
    p.add_argument("study", type=Path, help="study file (TOML)")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if needed)")
    p.add_argument("--reps", type=int, default=None,
                   help="replications per condition (default: the study file's)")
    p.add_argument("--jobs", type=int, default=1,
                   help="parallel workers, -1 for all cores (default 1)")
    p.add_argument("--resume", action="store_true",
                   help="continue the study checkpointed in --out")
    p.add_argument("--backend", choices=("loky", "dask", "cuda"), default="loky",
                   help="loky (processes on this machine, default), dask (a cluster) or cuda "
                        "(an NVIDIA GPU)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask scheduler address (with --backend dask; default: a LocalCluster "
                        "of --jobs workers)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or table")
    p.add_argument("--max-conditions", type=int, default=10_000, metavar="N",
                   help="largest grid to run (default 10000)")
    p.set_defaults(run=_run_run)


def _run_run(args) -> int:
    from .studies import run_study

    run = run_study(args.study, args.out, n_jobs=args.jobs, backend=args.backend,
                    resume=args.resume, reps=args.reps, scheduler=args.scheduler,
                    progress=False if args.quiet else None, max_conditions=args.max_conditions)
    if not args.quiet:
        summary = run.summary()
        columns = [*run.columns, "design", "method", "n_failed", "variance_ratio",
                   "theory_variance_ratio", "coverage", "coverage_mcse"]
        print(format_summary(summary, columns=columns))
        print(f"\n{len(run.conditions)} conditions x {run.spec.reps} replications, seed "
              f"{run.spec.seed}: {run.computed_chunks} chunks computed, {run.reused_chunks} "
              f"read from the checkpoint, in {run.seconds:.1f} s")
    print(f"wrote {args.out}/summary.csv, summary.json, report.html and figures")
    return 0


# -- helpers ---------------------------------------------------------------------------------

def format_summary(summary, columns=("design", "method", "variance", "theory_variance",
                                     "variance_ratio", "theory_variance_ratio", "coverage",
                                     "coverage_mcse", "mean_width")) -> str:
    """The summary as a fixed-width table for the terminal."""
    return summary.loc[:, list(columns)].to_string(index=False, float_format=lambda v: f"{v:.4g}")


def _json(value):
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
