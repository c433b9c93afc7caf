"""Figures 9-10: joint estimation of effects by a random-slope model; model- against design-based
intervals for the mean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._rng import as_seed_sequence
from ..designs import TwoStage
from ..engine import simulate
from .common import Figure, _pyplot, _reps, _save, _write_numbers, lecture_population

# -- 9. joint estimation of macro, micro effects and their heterogeneity -----------------------

#: The quantities of figure 9: (key, label, census value on the population).
_QUANTITIES = (("micro", "micro (within-state) effect of income", "within_effect"),
               ("macro", "macro (between-state) effect of state income", "macro_effect"),
               ("heterogeneity", "SD of the state income slopes", "slope_sd"))


def _exit_poll_fits(pop, design, reps: int, seed: int) -> dict[str, list]:
    """Estimates (and 95% intervals) of micro, macro effects and slope SD on ``reps`` samples.

    On each sample: y ~ (x - X) + X by OLS (classical SE), the same OLS with CR2 SE and
    Bell-McCaffrey df, and the REML random-slope model y ~ (x - X) + X + (1 + (x - X) | state)
    with Satterthwaite df; the slope SD also by the moment estimator ``heterogeneity_sd``.
    """
    from scipy.special import stdtrit

    from ..analysis.cluster_ols import ClusterOLS
    from ..analysis.mixed import MixedLM

    X_state = np.asarray(pop.X, dtype=np.float64)
    children = as_seed_sequence(seed).spawn(reps)
    fits = {key: [] for key in ("ols", "cr2", "reml", "moment")}
    for child in children:
        sample = design.draw(pop, child)
        y = sample.y
        group = sample.psu
        X = X_state[sample.groups][group]
        xc = pop.stored_x[sample.stored] - X
        exog = np.column_stack([np.ones_like(y), xc, X])
        beta, *_ = np.linalg.lstsq(exog, y, rcond=None)
        resid = y - exog @ beta
        dof = y.size - exog.shape[1]
        cov = resid @ resid / dof * np.linalg.inv(exog.T @ exog)
        half = stdtrit(dof, 0.975) * np.sqrt(np.diag(cov))
        fits["ols"].append(np.column_stack([beta, beta - half, beta + half])[1:])
        robust = ClusterOLS(y, exog, group).fit(vcov="CR2")
        ci = robust.conf_int(0.95).to_numpy()
        fits["cr2"].append(np.column_stack([robust.params.to_numpy(), ci])[1:])
        model = MixedLM(y, exog, group, exog_re=exog[:, :2]).fit(reml=True)
        est = model.fe_params.to_numpy()
        half = stdtrit(model.df_satterthwaite.to_numpy(), 0.975) * model.bse_fe.to_numpy()
        ci = np.column_stack([est - half, est + half])
        sd = np.sqrt(model.cov_re.iloc[1, 1]) if model.converged else np.nan
        fits["reml"].append((np.column_stack([est, ci])[1:], sd, model.singular))
        moment = sample.estimate(estimand="difference", methods=["heterogeneity_sd"])
        fits["moment"].append(float(moment["estimate"].iloc[0]))
    return fits


def _summarise(estimates, truth, lower=None, upper=None, singular=None) -> dict:
    est = np.asarray(estimates, dtype=np.float64)
    ok = np.isfinite(est)
    est = est[ok]
    r = est.size
    row = {"truth": truth, "reps": r, "mean_estimate": est.mean(),
           "bias_mcse": est.std(ddof=1) / np.sqrt(r), "sd": est.std(ddof=1),
           "q025": np.quantile(est, 0.025), "q975": np.quantile(est, 0.975),
           "coverage": np.nan, "coverage_mcse": np.nan,
           "singular_rate": np.nan, "singular_rate_mcse": np.nan}
    if lower is not None:
        cover = ((np.asarray(lower)[ok] <= truth) & (truth <= np.asarray(upper)[ok])).mean()
        row.update(coverage=cover, coverage_mcse=np.sqrt(cover * (1 - cover) / r))
    if singular is not None:
        rate = float(np.mean(singular))
        row.update(singular_rate=rate,
                   singular_rate_mcse=np.sqrt(rate * (1 - rate) / len(singular)))
    return row


def figure_joint_effects(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Macro, micro effects and their heterogeneity jointly from a random-slope model."""
    from ..plots import lecture_style
    from ..plots_models import effect_estimates
    from ..population import scenarios

    plt = _pyplot()
    key = "09_joint_effects"
    reps = _reps(quick, 1_000, 40)
    pop = scenarios.income_voting(seed=8)
    design_name = "exit poll TwoStage(20x100)"
    fits = _exit_poll_fits(pop, TwoStage(20, 100), reps, seed=900)
    rows = []
    for q, (quantity, _, attr) in enumerate(_QUANTITIES[:2]):
        truth = float(getattr(pop, attr))
        for method, label in (("ols", "OLS, classical SE"), ("cr2", "OLS, cluster-robust CR2"),
                              ("reml", "random-slope REML, Satterthwaite")):
            parts = [f[0] if method == "reml" else f for f in fits[method]]
            arr = np.array([p[q] for p in parts])
            rows.append({"quantity": quantity, "method": label,
                         **_summarise(arr[:, 0], truth, arr[:, 1], arr[:, 2],
                                      [f[2] for f in fits["reml"]] if method == "reml" else None)})
    truth = float(pop.slope_sd)
    rows.append({"quantity": "heterogeneity", "method": "moment (OLS per state)",
                 **_summarise(fits["moment"], truth)})
    rows.append({"quantity": "heterogeneity", "method": "random-slope REML",
                 **_summarise([f[1] for f in fits["reml"]], truth,
                              singular=[f[2] for f in fits["reml"]])})
    table = pd.DataFrame(rows)
    with lecture_style():
        fig, axes = plt.subplots(1, 3, figsize=(20, 5.8))
        for ax, (quantity, label, _) in zip(axes, _QUANTITIES):
            effect_estimates(table, quantity, ax=ax, title=label)
        fig.suptitle(f"Joint estimation on {reps:,} exit polls ({design_name}: 20 of 50 states, "
                     "100 voters in each) of the income-voting population")
        files = _save(fig, out, key)
    numbers = {"within_effect": pop.within_effect, "macro_effect": pop.macro_effect,
               "slope_sd": pop.slope_sd, "reps": reps, "design": design_name}
    files += _write_numbers(out, key, numbers, table)
    t = table.set_index(["quantity", "method"])

    def fmt(quantity, method):
        row = t.loc[(quantity, method)]
        text = f"{row['mean_estimate']:+.4f} ± {row['bias_mcse']:.4f}"
        if np.isfinite(row["coverage"]):
            text += f", coverage {row['coverage']:.3f} ± {row['coverage_mcse']:.3f}"
        return text + f" (truth {row['truth']:+.4f})"

    reml = "random-slope REML, Satterthwaite"
    return Figure(key, "Joint estimation of macro and micro effects and their heterogeneity",
                  "One random-slope model, y ~ (x - X) + X + (1 + (x - X) | state), estimates "
                  "the within-state effect of income, the effect of state income and the SD of "
                  "the state slopes together, from an exit poll of 20 of the 50 states. OLS finds "
                  "the same effects, but its classical SEs ignore the state effects and are far "
                  "too small for the macro effect; cluster-robust SEs repair that.",
                  {"micro: random-slope REML": fmt("micro", reml),
                   "macro: random-slope REML": fmt("macro", reml),
                   "macro: OLS, classical SE": fmt("macro", "OLS, classical SE"),
                   "macro: OLS, cluster-robust CR2": fmt("macro", "OLS, cluster-robust CR2"),
                   "slope SD: random-slope REML": fmt("heterogeneity", "random-slope REML"),
                   "slope SD: moment": fmt("heterogeneity", "moment (OLS per state)")}, files)


# -- 10. design-based against model-based intervals for the mean ------------------------------

#: Numbers of sampled groups of figure 10, and units per sampled group.
GROUPS = (4, 6, 10, 20, 40)
PER_GROUP = 10
MODEL_METHODS = ("cluster_t", "reml_wald", "reml_satterthwaite")


def figure_model_vs_design(out: Path, quick: bool = False, n_jobs: int = 1) -> Figure:
    """Coverage of design-based and REML intervals for the mean as the number of groups grows."""
    from scipy.special import fdtr

    from ..plots import coverage_curve, lecture_style
    from ..plots_models import singular_share_curve

    plt = _pyplot()
    key = "10_model_vs_design"
    reps = _reps(quick, 20_000, 2_000)
    pop = lecture_population()
    designs = {f"TwoStage({k}x{PER_GROUP})": TwoStage(k, PER_GROUP) for k in GROUPS}
    study = simulate(pop, designs, reps=reps, seed=1000, n_jobs=n_jobs,
                     methods=list(MODEL_METHODS), progress=False)
    summary = study.summary()
    summary["k"] = summary["design"].map({name: d.groups for name, d in designs.items()})
    rho = pop.icc
    summary["theory_singular_rate"] = [
        fdtr(k - 1, k * (PER_GROUP - 1), (1 - rho) / (1 - rho + PER_GROUP * rho))
        if m != "cluster_t" else np.nan for k, m in zip(summary["k"], summary["method"])]
    table = summary[["design", "k", "method", "reps", "coverage", "coverage_mcse", "mean_width",
                     "singular_rate", "singular_rate_mcse", "theory_singular_rate"]]
    labels = {"cluster_t": "design-based (cluster t, k - 1 df)",
              "reml_wald": "REML, Wald z", "reml_satterthwaite": "REML, Satterthwaite t"}
    colours = {"cluster_t": "blue", "reml_wald": "vermillion", "reml_satterthwaite": "green"}
    with lecture_style():
        fig, axes = plt.subplots(1, 2, figsize=(16, 6))
        for method in MODEL_METHODS:
            coverage_curve(table[table["method"] == method], "k", ax=axes[0],
                           label=labels[method], colour=colours[method])
        handles, names = axes[0].get_legend_handles_labels()
        keep = {n: h for n, h in zip(names, handles)}  # the nominal line once
        axes[0].legend(keep.values(), keep.keys(), frameon=False, loc="lower right")
        axes[0].set_xscale("log")
        axes[0].minorticks_off()
        axes[0].set_xticks(GROUPS, [str(k) for k in GROUPS])
        axes[0].set_xlabel(f"sampled groups k (of {pop.n_groups}), {PER_GROUP} units each")
        axes[0].set_title(f"95% intervals for the mean ({reps:,} samples each)")
        singular_share_curve(table[table["method"] == "reml_wald"], "k", ax=axes[1],
                             theory="theory_singular_rate")
        axes[1].set_xscale("log")
        axes[1].minorticks_off()
        axes[1].set_xticks(GROUPS, [str(k) for k in GROUPS])
        axes[1].set_xlabel("sampled groups k")
        axes[1].set_title(f"Singular REML fits (population icc {rho:.3f})")
        files = _save(fig, out, key)
    numbers = {"reps": reps, "population_icc": rho, "per_group": PER_GROUP,
               "groups": list(GROUPS)}
    files += _write_numbers(out, key, numbers, table)
    t = table.set_index(["k", "method"])
    cov = lambda k, m: (f"{t.loc[(k, m), 'coverage']:.3f} ± "  # noqa: E731
                        f"{t.loc[(k, m), 'coverage_mcse']:.3f}")
    small, large = GROUPS[0], GROUPS[-1]
    return Figure(key, "Design-based against model-based intervals for the mean",
                  "With few groups the REML Wald interval under-covers and the Satterthwaite "
                  "t interval is near nominal, like the design-based cluster interval; singular "
                  "fits (tau^2 = 0) are common with few groups. With 40 of 100 groups the model "
                  "ignores the finite-population correction and over-covers.",
                  {f"k = {small}: cluster t / REML Wald / REML Satterthwaite":
                   " / ".join(cov(small, m) for m in MODEL_METHODS),
                   f"k = {large}: cluster t / REML Wald / REML Satterthwaite":
                   " / ".join(cov(large, m) for m in MODEL_METHODS),
                   f"singular fits at k = {small}":
                   f"{t.loc[(small, 'reml_wald'), 'singular_rate']:.3f} ± "
                   f"{t.loc[(small, 'reml_wald'), 'singular_rate_mcse']:.3f}"}, files)
