"""Paired comparison of methods: the difference of the summaries, with the paired MCSE."""

import numpy as np
import pytest

import simsample as ss

METRICS = ["coverage", "bias", "rmse", "mean_width"]


@pytest.fixture(scope="module")
def result():
    pop = ss.two_level(n_groups=60, group_size=10, icc=0.25, seed=3)
    return ss.simulate(pop, {"two-stage": ss.TwoStage(8, 5), "SRS": ss.SRS(40)}, 9000, seed=5,
                       keep_estimates=True, methods=["naive_t", "cluster_t", "jackknife"])


def _per_rep(kept, method, metric, truth):
    k = kept[kept.method == method]
    d = k["estimate"].to_numpy() - truth
    return {"bias": d, "rmse": d * d, "coverage": k["covered"].to_numpy(float),
            "mean_width": (k["upper"] - k["lower"]).to_numpy()}[metric]


@pytest.mark.parametrize("metric", METRICS)
def test_difference_is_that_of_the_summaries_and_mcse_is_brute_force(result, metric):
    table = result.summary()
    for design in ("two-stage", "SRS"):
        for a, b in (("naive_t", "cluster_t"), ("jackknife", "naive_t")):
            c = result.compare(a, b, metric=metric, design=design)
            rows = table[table.design == design].set_index("method")
            assert c.difference == rows.loc[a, metric] - rows.loc[b, metric]   # exactly
            kept = result.estimates[design]
            truth = rows.loc[a, "truth"]
            ua, ub = (_per_rep(kept, m, metric, truth) for m in (a, b))
            if metric == "rmse":  # delta method on sqrt(mean d^2), as the engine does
                ma, mb = ua.mean(), ub.mean()
                u = ua / (2 * np.sqrt(ma)) - ub / (2 * np.sqrt(mb))
            else:
                u = ua - ub
            brute = u.std() / np.sqrt(u.size)   # every replication kept: the same R
            assert c.mcse == pytest.approx(brute, rel=1e-9, abs=1e-9)
            assert c.paired and c.mcse < c.unpaired_mcse


def test_paired_mcse_is_far_below_the_unpaired_when_methods_share_samples(result):
    c = result.compare("cluster_t", "naive_t", metric="coverage", design="two-stage")
    assert c.mcse < c.unpaired_mcse and c.difference > 10 * c.mcse  # naive under-covers
    # the jackknife and the linearisation SE of the same ratio mean: widths move together
    w = result.compare("jackknife", "cluster_t", metric="mean_width", design="two-stage")
    assert w.mcse < 0.2 * w.unpaired_mcse
    # one estimator behind both: a bias difference of zero (to rounding), without MC error
    b = result.compare("jackknife", "cluster_t", metric="bias", design="two-stage")
    assert abs(b.difference) < 1e-15 and b.mcse < 1e-9 < b.unpaired_mcse


def test_designs_compare_with_the_independent_mcse(result):
    table = result.summary().set_index(["design", "method"])
    c = result.compare("two-stage", "SRS", metric="coverage", method="cluster_t")
    assert not c.paired and c.mcse == c.unpaired_mcse
    a, b = table.loc[("two-stage", "cluster_t")], table.loc[("SRS", "cluster_t")]
    assert c.difference == a["coverage"] - b["coverage"]
    assert c.mcse == pytest.approx(np.hypot(a["coverage_mcse"], b["coverage_mcse"]), rel=1e-12)


def test_one_row_per_design_and_clear_errors(result):
    frame = result.compare("naive_t", "cluster_t")
    assert list(frame["design"]) == ["two-stage", "SRS"]
    with pytest.raises(ValueError, match="has no method 'nope'"):
        result.compare("nope", "cluster_t")
    with pytest.raises(ValueError, match="'metric' of compare"):
        result.compare("naive_t", "cluster_t", metric="power")
