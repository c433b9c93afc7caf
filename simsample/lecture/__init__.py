"""The figures of an introductory lecture on hierarchical modelling, reproduced.

Each ``figure_*`` function runs one experiment with fixed seeds through
simsample's public API, writes its figure (PNG and PDF) and the numbers behind
it (JSON) to ``out``, and returns a :class:`Figure` record with a two-line
caption and the key numbers. ``experiments/NN_*.py`` run them one at a time;
``simsample lecture --out DIR`` runs them all and writes ``index.html``.
Figures 1-5 are in :mod:`.design_figures`, 6-8 in :mod:`.effect_figures`, 9-10 in
:mod:`.model_figures`.
"""

from __future__ import annotations

import base64
import html
import time
from pathlib import Path

from .common import Figure, lecture_population
from .design_figures import (
    figure_coverage, figure_one_sample, figure_population, figure_sampling_distributions,
    figure_variance_ratio, variance_ratio_table,
)
from .effect_figures import figure_differences, figure_macro_micro, figure_simpson
from .model_figures import figure_joint_effects, figure_model_vs_design


#: The lecture, in order.
FIGURES = (figure_population, figure_one_sample, figure_sampling_distributions,
           figure_variance_ratio, figure_coverage, figure_differences, figure_simpson,
           figure_macro_micro, figure_joint_effects, figure_model_vs_design)


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
    from .. import __version__

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


__all__ = ["FIGURES", "Figure", "figure_coverage", "figure_differences", "figure_joint_effects",
           "figure_macro_micro", "figure_model_vs_design", "figure_one_sample", "figure_population",
           "figure_sampling_distributions",           "figure_simpson", "figure_variance_ratio", "lecture_population", "run_lecture",
           "run_one", "variance_ratio_table", "write_index"]
