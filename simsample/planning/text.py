"""How plans and verifications print: number formatting and the plan's table."""

from __future__ import annotations

import math


def fmt(value, integer: bool = False) -> str:
    """``value`` for a table: "-" for none or NaN, integers with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    value = float(value)
    if integer or (value == round(value) and abs(value) >= 1):
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def describe(plan) -> str:
    """The printed form of a :class:`~.plan.SurveyPlan`: its goal, inputs and the table
    of the continuous optimum beside the integer design."""
    goal = {"budget": f"a budget of {fmt(plan.budget)}",
            "cv": f"a target CV of {fmt(plan.cv_target)}",
            "moe": f"a margin of error of {fmt(plan.moe_target)} at "
                   f"{100 * plan.level:g}%"}[plan.target]
    stage = ("Two-stage plan (PracTools clusOpt2)" if plan.stages == 2
             else "Three-stage plan (PracTools clusOpt3)")
    costs = ", ".join(f"{name} {fmt(c)}" for name, c in zip(
        ("cost per cluster", "per secondary unit", "per unit") if plan.stages == 3
        else ("cost per cluster", "per unit"), plan.model.costs))
    deltas = ", ".join(f"{name} {fmt(d)}" for name, d in zip(
        ("delta1", "delta2") if plan.stages == 3 else ("delta",), plan.model.deltas))
    scale = ("unit relvariance not given" if plan.unit_relvar is None
             else f"unit relvariance {fmt(plan.unit_relvar)}")
    if plan.mean is not None:
        scale += f", mean {fmt(plan.mean)}"
    if plan.sd is not None:
        scale += f", sd {fmt(plan.sd)}"
    ks = ", ".join(f"{name} {fmt(k)}" for name, k in zip(
        ("k1", "k2") if plan.stages == 3 else ("k",), plan.model.ks))
    lines = [f"{stage} for {goal}",
             f"  {deltas}; {costs}; overhead {fmt(plan.model.overhead)}",
             f"  {scale}; {ks}",
             "  CV ignores finite-population corrections (as PracTools)", ""]
    labels = {"clusters": "clusters", "per_cluster": "units per cluster",
              "per_subcluster": "units per secondary unit", "units": "units",
              "cost": "cost", "cv": "CV", "se": "SE", "moe": "margin of error"}
    if plan.stages == 3:
        labels["per_cluster"] = "secondary units per cluster"
    frame = plan.to_frame().dropna(how="all", subset=["continuous", "integer"])
    rows = [("", "continuous", "integer", "rounding")]
    for name, row in frame.iterrows():
        change = row["change"]
        if name in ("cost", "cv", "se", "moe"):
            change_text = f"{row['change_pct']:+.2f}%"
        else:
            change_text = f"{change:+.2f}"
        rows.append((labels[name], fmt(row["continuous"]), fmt(row["integer"], integer=name
                                                                not in ("cv", "se", "moe")),
                     change_text))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        lines.append("  " + r[0].ljust(widths[0]) + "".join(
            "  " + cell.rjust(w) for cell, w in zip(r[1:], widths[1:])))
    lines += [f"  note: {note}" for note in plan.notes]
    return "\n".join(lines)
