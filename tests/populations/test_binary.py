"""Binary outcomes with a target intraclass correlation (beta-binomial model)."""

import numpy as np
import pytest

import simsample as ss
from tests.helpers import assert_mc_close


def _anova_components(pop):
    """Unbiased (superpopulation) between and within variance components, equal group sizes.

    E[MSW] = sigma_w^2 and E[(MSB - MSW) / M] = sigma_b^2 for iid groups.
    """
    M = int(pop.group_sizes[0])
    y = np.asarray(pop.y).reshape(pop.n_groups, M)  # generated populations are stored in order
    msw = y.var(axis=1, ddof=1).mean()
    msb = M * y.mean(axis=1).var(ddof=1)
    return (msb - msw) / M, msw


@pytest.mark.statistical
@pytest.mark.parametrize("prevalence,icc", [(0.3, 0.1), (0.5, 0.4), (0.1, 0.0)])
def test_superpopulation_prevalence_and_icc_are_achieved(prevalence, icc, global_seed):
    seeds = np.random.SeedSequence(global_seed).spawn(200)
    means, between, within = [], [], []
    for seq in seeds:
        pop = ss.binary_two_level(100, 20, prevalence=prevalence, icc=icc, seed=seq)
        means.append(pop.mean)
        b, w = _anova_components(pop)
        between.append(b)
        within.append(w)
    total = prevalence * (1 - prevalence)
    for values, target in [(means, prevalence), (between, icc * total),
                           (within, (1 - icc) * total)]:
        values = np.asarray(values)
        assert_mc_close(values.mean(), target, values.std(ddof=1) / np.sqrt(values.size))


def test_binary_outcomes_are_zero_or_one_and_reproducible():
    pop = ss.binary_two_level(50, ss.sizes.poisson(12, minimum=2), prevalence=0.2, icc=0.3,
                              seed=4)
    assert set(np.unique(pop.y)) <= {0.0, 1.0}
    np.testing.assert_array_equal(
        pop.y, ss.binary_two_level(50, ss.sizes.poisson(12, minimum=2), prevalence=0.2,
                                   icc=0.3, seed=4).y)
    assert pop.meta["prevalence"] == 0.2 and pop.meta["icc"] == 0.3


def test_binary_population_works_with_designs():
    pop = ss.binary_two_level(40, 25, prevalence=0.3, icc=0.2, seed=5)
    summary = ss.simulate(pop, {"two-stage": ss.TwoStage(8, 5), "pps": ss.PPS(8, 5)},
                          reps=200, seed=1).summary()
    assert (summary["reps"] + summary["n_failed"] == 200).all()
    assert summary["mean_estimate"].between(0, 1).all()


@pytest.mark.parametrize("kwargs,parameter", [
    ({"prevalence": 0.0}, "prevalence"),
    ({"prevalence": 1.0}, "prevalence"),
    ({"icc": 1.0}, "icc"),
    ({"icc": -0.1}, "icc"),
    ({"group_size": 0}, "group_size"),
])
def test_bad_parameters_name_the_parameter(kwargs, parameter):
    with pytest.raises(ss.InvalidParameterError, match=f"'{parameter}' of binary_two_level"):
        ss.binary_two_level(10, **{"group_size": 5, **kwargs})
