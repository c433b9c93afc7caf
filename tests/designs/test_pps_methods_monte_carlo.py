"""PPS methods in the compiled loop: inclusion frequencies and the HT estimator's variance.

Each method's kernel draws 20,000 samples: the frequency of every group and
of a few pairs must be within 4 MCSE of pi_j and pi_kl, and the Monte Carlo
variance of the HT mean within 4 MCSE of the exact theory from pi_kl. Plus
the refusals: methods a design does not offer, the CUDA backend.
"""

import numpy as np
import pytest

import simsample as ss
from simsample.engine.backends.cuda import check_plan
from simsample.engine.plan import build_plan

METHODS = ["systematic", "brewer", "sampford", "conditional_poisson", "tille", "midzuno"]
REPS = 20_000


def _population():
    return ss.two_level(n_groups=8, group_size=[12, 13, 14, 15, 16, 17, 18, 19], icc=0.5, seed=2)


def _design(method):
    return ss.PPS(3, 2, method=method)


@pytest.mark.statistical
@pytest.mark.parametrize("method", METHODS)
def test_kernel_inclusion_frequencies_match_pi_and_pi_kl(method, global_seed):
    pop = _population()
    design = _design(method)
    sampler = design.sampler(pop)
    draw = sampler.kernel(sampler.draw)
    scr = sampler.kernel(sampler.prepare)(sampler.params)
    state = ss.designs.base.xoshiro_state(np.random.SeedSequence(global_seed))
    G = pop.n_groups
    counts = np.zeros((G, G))
    for _ in range(REPS):
        n, k = draw(state, *sampler.params, *scr)
        g = scr[3][:k]
        assert np.unique(g).size == 3
        counts[np.ix_(g, g)] += 1
    joint = design.joint_inclusion_probabilities(pop)
    freq = counts / REPS
    mcse = np.sqrt(joint * (1 - joint) / REPS)
    assert np.all(np.abs(freq - joint) <= 4 * mcse + 1e-12)


@pytest.mark.statistical
def test_monte_carlo_variance_of_the_ht_mean_matches_exact_theory(global_seed):
    pop = _population()
    designs = {m: _design(m) for m in METHODS}
    result = ss.simulate(pop, designs, REPS, seed=global_seed, methods=["ht_t", "syg_t"],
                         progress=False)
    summary = result.summary().set_index(["design", "method"])
    for m in METHODS:
        row = summary.loc[(m, "ht_t")]
        assert row["theory_exact"]
        assert abs(row["variance"] - row["theory_variance"]) <= 4 * row["variance_mcse"], m
        assert abs(row["bias"]) <= 4 * row["bias_mcse"], m
        for unbiased in ("ht_t", "syg_t"):
            r = summary.loc[(m, unbiased)]
            if r["n_failed"] == 0:
                assert abs(r["mean_variance_estimate"] - r["theory_variance"]) <= \
                    4 * r["mean_variance_estimate_mcse"], (m, unbiased)


def test_default_pps_is_unchanged_and_offers_no_extra_methods():
    pop = _population()
    with pytest.raises(ValueError, match=r"methods \['ht_t'\] are not offered by design PPS\(3x2\)"):
        build_plan(pop, ss.PPS(3, 2), 10, methods=["cluster_t", "ht_t"])
    with pytest.raises(ValueError, match="not offered by design SRS"):
        build_plan(pop, ss.SRS(5), 10, methods=["syg_t"])
    plan = build_plan(pop, ss.PPS(3, 2), 10)
    assert plan.tasks[0].spec.n_builtin_rows == 2


def test_exact_estimators_are_refused_where_pi_kl_are_not_exact():
    pop = ss.two_level(n_groups=12, group_size=[4, 6, 8, 10] * 3, seed=1)
    design = ss.PPS(3, 2, method="systematic")
    with pytest.raises(ValueError, match="not offered"):
        build_plan(pop, design, 10, methods=["ht_t"])
    assert not design.moments(pop).exact
    with pytest.raises(ValueError, match="no exact value"):
        design.joint_inclusion_probabilities(pop)
    assert design.joint_inclusion_probabilities(pop, approximate=True).shape == (12, 12)
    build_plan(pop, design, 10, methods=["hr_t", "brewer_t"])


def test_the_cuda_backend_refuses_pps_methods_in_one_line():
    pop = _population()
    plan = build_plan(pop, _design("sampford"), 10, methods=["cluster_t", "ht_t"])
    with pytest.raises(ValueError, match="backend='cuda' supports SRS") as info:
        check_plan(plan)
    assert "\n" not in str(info.value)


def test_validation_of_method_size_and_feasibility():
    pop = _population()
    with pytest.raises(ValueError, match="'method' of PPS"):
        ss.PPS(3, 2, method="poisson")
    with pytest.raises(ValueError, match="needs a 'method'"):
        ss.PPS(3, 2, size=np.ones(8))
    with pytest.raises(ValueError, match="one per group"):
        ss.PPS(3, 2, method="brewer", size=np.ones(3)).check(pop)
    with pytest.raises(ValueError, match="at most 1"):
        ss.PPS(3, 2, method="tille", size=[1, 1, 1, 1, 1, 1, 1, 50]).check(pop)
    design = ss.PPS(3, None, method="tille", size=np.arange(1.0, 9.0))
    assert design.group_inclusion_probabilities(pop) == pytest.approx(
        3 * np.arange(1.0, 9.0) / 36)
    
    assert design.expected_size(pop) == pytest.approx(
        float(np.sum(3 * np.arange(1.0, 9.0) / 36 * pop.group_sizes)))
    assert str(design) == "PPS(3xall, tille, size=given)"
    sample = design.draw(pop, seed=1)
    pi = design.group_inclusion_probabilities(pop)[sample.groups][sample.psu]
    assert sample.weights == pytest.approx(1.0 / pi)  # whole groups: weight 1/pi_j


@pytest.mark.parametrize("method", ["sampford", "systematic"])
def test_rows_not_selected_are_skipped_without_changing_the_selected_ones(method):
    """select_rows drops the O(k^2) sums of unselected rows; selected rows stay bit-identical."""
    pop = _population()
    design = {"d": _design(method)}
    offered = ["cluster_t", "hr_t", "brewer_t"] + (["ht_t", "syg_t"] if method == "sampford"
                                                   else [])
    every = ss.simulate(pop, design, 2000, seed=3, methods=offered).summary().set_index("method")
    for alone in (["cluster_t"], ["hr_t"], ["brewer_t", "cluster_t"]):
        part = ss.simulate(pop, design, 2000, seed=3, methods=alone).summary().set_index("method")
        assert part.equals(every.loc[alone])
    sampler = _design(method).sampler(pop)
    trimmed = _design(method).select_rows(sampler, ss.estimands.resolve(["cluster_t"], "mean", ()))
    assert trimmed.params[7].size == 0 and trimmed.params[9] is False
