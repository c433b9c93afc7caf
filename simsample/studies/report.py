"""Outputs of a study: summary.csv, summary.json, figures and a self-contained report.html.

Every file is written atomically (:func:`simsample.checkpoint.atomic_write`).
``summary.json`` holds nothing that depends on how the study was run (no
times, paths, worker counts), so the same study and seed give the same bytes
whether it ran at once, in parallel, on dask, or was killed and resumed.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from .checkpoint import atomic_write, json_bytes

#: Columns shown in the report's table (all columns are in summary.csv).
REPORT_COLUMNS = ("design", "method", "estimator", "reps", "n_failed", "mean_n", "bias",
                  "bias_mcse", "variance", "variance_mcse", "theory_variance", "variance_ratio",
                  "variance_ratio_mcse", "theory_variance_ratio", "se_calibration", "coverage",
                  "coverage_mcse", "mean_width")
#: Error bars of the figures, in Monte Carlo standard errors.
ERROR_BAR_Z = 2.0


def write_outputs(run, out: Path) -> dict[str, Path]:
    """Write the summary, figures and report of ``run`` (a StudyRun) to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = run.summary()
    written = {}
    atomic_write(out / "summary.csv", summary.to_csv(index=False).encode())
    written["summary.csv"] = out / "summary.csv"
    atomic_write(out / "summary.json", json_bytes(run.to_dict()))
    written["summary.json"] = out / "summary.json"
    images = {}
    for name, (figure, caption) in study_figures(run, summary).items():
        data = _png(figure)
        atomic_write(out / f"{name}.png", data)
        written[f"{name}.png"] = out / f"{name}.png"
        images[name] = (data, caption)
    atomic_write(out / "report.html", render_html(run, summary, images).encode())
    written["report.html"] = out / "report.html"
    return written


# -- figures ---------------------------------------------------------------------------------

def figure_layout(run) -> dict:
    """Which columns go on the x axis, the lines and the panels of the grid figures.

    x: the first grid parameter (the design when there is no grid). Lines: the
    designs, or with a single design the second grid parameter. Panels: every
    remaining grid parameter.
    """
    columns = run.columns
    if not columns:
        return {"x": "design", "hue": "design", "facet": []}
    rest = columns[1:]
    if len(run.spec.designs) == 1 and rest:
        return {"x": columns[0], "hue": rest[0], "facet": rest[1:]}
    return {"x": columns[0], "hue": "design", "facet": rest}


def study_figures(run, summary=None) -> dict:
    """``{name: (Figure, caption)}``: coverage and variance ratio across the grid."""
    import matplotlib

    matplotlib.use("Agg")
    from ..plots import grid_figure, lecture_style

    summary = run.summary() if summary is None else summary
    layout = figure_layout(run)
    note = f"bars: +- {ERROR_BAR_Z:g} Monte Carlo standard errors"
    figures = {}
    level = run.spec.level
    with lecture_style():
        if summary["coverage"].notna().any():
            table = summary.assign(theory_coverage=naive_coverage_theory(run, summary))
            fig = grid_figure(table, layout["x"], "coverage", facet=layout["facet"],
                              hue=layout["hue"], style="method", err="coverage_mcse",
                              theory="theory_coverage", reference=level,
                              reference_label=f"nominal {level:g}", z=ERROR_BAR_Z,
                              title=f"{run.spec.name}: interval coverage", note=note)
            figures["coverage"] = (
                fig, "Coverage of each interval method against the grid, with the nominal level "
                     f"{level:g}; dashed: the approximate coverage of the naive t-interval "
                     "(simsample.theory.naive_coverage, a Satterthwaite approximation); "
                     f"{note}.")
        ratios = summary.drop_duplicates(["condition", "design", "estimator"])
        if ratios["variance_ratio"].notna().any():
            several = ratios.groupby(["condition", "design"]).size().max() > 1
            fig = grid_figure(ratios, layout["x"], "variance_ratio", facet=layout["facet"],
                              hue=layout["hue"], style="estimator" if several else None,
                              err="variance_ratio_mcse", theory="theory_variance_ratio",
                              reference=1.0, reference_label="SRS of the same size",
                              z=ERROR_BAR_Z, ylabel="Var / Var(SRS, same n)",
                              title=f"{run.spec.name}: variance ratio (design effect)",
                              note=note)
            figures["variance_ratio"] = (
                fig, "Monte Carlo variance of each estimator over the exact variance of an SRS "
                     f"of the same expected size, with the exact design effect dashed; {note}.")
    return figures


def naive_coverage_theory(run, summary):
    """Approximate coverage of each ``naive_t`` row (``theory.naive_coverage``); NaN elsewhere.

    Only for the mean; NaN where the approximation is not defined (e.g. a
    one-stage cluster sample with unequal group sizes).
    """
    import numpy as np

    from .. import theory

    values = np.full(len(summary), np.nan)
    if run.spec.estimand != "mean":
        return values
    for position, (condition, design, method) in enumerate(
            zip(summary["condition"], summary["design"], summary["method"])):
        if method != "naive_t":
            continue
        study = run.studies[condition]
        try:
            values[position] = theory.naive_coverage(study.population, study.designs[design],
                                                     run.spec.level)
        except (ValueError, TypeError, NotImplementedError, ZeroDivisionError,
                FloatingPointError, AttributeError):
            pass
    return values


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


# -- report.html -----------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 78em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
figcaption { color: #555; font-size: 0.9em; } pre { background: #f7f7f7; padding: 1em; }
.facts td { text-align: left; }
"""


def render_html(run, summary, images: dict) -> str:
    """The report as one HTML string: facts, figures (base64 PNG), failures, the table."""
    spec = run.spec
    esc = html.escape
    facts = [("study", spec.name), ("conditions", len(run.conditions)),
             ("replications per condition", f"{spec.reps:,}"), ("seed", spec.seed),
             ("level", spec.level), ("estimand", spec.estimand),
             ("population", ", ".join(f"{k} = {v!r}" for k, v in spec.population.items()
                                      if v is not None)),
             ("designs", "; ".join(f"{n}: {d}" for n, d in run.studies[0].designs.items())
              if len(run.conditions) == 1 else
              "; ".join(f"{n}: {p['kind']}" for n, p in spec.designs.items())),
             ("grid", "; ".join(f"{k} = {v!r}" for k, v in spec.grid.items()) or "none")]
    parts = [f"<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
             f"<title>{esc(spec.name)}: simsample study</title><style>{_CSS}</style></head><body>",
             f"<h1>{esc(spec.name)}</h1>"]
    if spec.description:
        parts.append(f"<p>{esc(spec.description)}</p>")
    parts.append("<table class='facts'>" + "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in facts) + "</table>")
    if images:
        parts.append("<h2>Figures</h2>")
    for name, (data, caption) in images.items():
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(f"<figure><img alt='{esc(name)}' src='data:image/png;base64,{encoded}'>"
                     f"<figcaption>{esc(caption)}</figcaption></figure>")
    parts.append("<h2>Failed replications</h2>")
    failures = run.failures
    if failures:
        parts.append("<p>Replications whose estimate or standard error was not finite are "
                     "left out of every statistic and counted in <code>n_failed</code>. The "
                     "first keys (chunk, replication) of each are listed; "
                     "<code>simsample.studies.replay(study, condition, design, chunk, rep)"
                     "</code> recomputes one.</p><table><tr><th>condition</th><th>design</th>"
                     "<th>method</th><th>first keys (chunk, rep)</th></tr>")
        for (condition, design, method), keys in failures.items():
            shown = ", ".join(f"({c}, {r})" for c, r in keys)
            parts.append(f"<tr><td>{condition}</td><td>{esc(design)}</td><td>{esc(method)}</td>"
                         f"<td>{esc(shown)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None: every replication gave a finite estimate and standard "
                     "error.</p>")
    columns = ["condition", *run.columns, *REPORT_COLUMNS]
    table = summary.loc[:, [c for c in columns if c in summary.columns]]
    parts.append("<h2>Summary</h2><p>One row per condition, design and interval method; "
                 "<code>*_mcse</code> columns are Monte Carlo standard errors. Every column "
                 "is in <code>summary.csv</code>.</p>")
    parts.append(table.to_html(index=False, border=0, na_rep="", float_format=_number))
    parts.append("<h2>Study (normalised)</h2><pre>"
                 + esc(json.dumps(spec.normalised(), indent=2, default=str)) + "</pre>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _number(value: float) -> str:
    return f"{value:.4g}"
