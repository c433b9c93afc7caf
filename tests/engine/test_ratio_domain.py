"""The ratio and domain-mean estimands in the loop: the one-sample SurveyDesign numbers, per replication."""

import numpy as np
import pytest

import simsample as ss
from simsample._rng import as_seed_sequence, chunk_states


@pytest.fixture(scope="module")
def populations():
    base = ss.two_level(n_groups=30, group_size=[8, 12, 16] * 10, icc=0.2, mean=5, seed=3)
    rng = np.random.default_rng(4)
    x = 1.0 + rng.uniform(0.0, 3.0, base.n_units)
    d = (rng.uniform(size=base.n_units) < 0.3).astype(float)
    return (ss.Population(base.y + 2.0 * x, base.group, x=x),
            ss.Population(base.y, base.group, x=d))


DESIGNS = {"SRS": ss.SRS(60), "two-stage": ss.TwoStage(10, 4), "cluster": ss.ClusterSample(6),
           "stratified": ss.Stratified(90)}


@pytest.mark.parametrize("estimand", ["ratio", "domain_mean"])
def test_each_replication_equals_the_one_sample_survey_call(populations, estimand):
    pop = populations[estimand == "domain_mean"]
    result = ss.simulate(pop, DESIGNS, 6, seed=21, estimand=estimand, keep_estimates=True)
    states = chunk_states(as_seed_sequence(21), 0, len(DESIGNS))
    for d, (name, design) in enumerate(DESIGNS.items()):
        kept = result.estimates[name]
        for rep in range(6):
            sample = design.replay(pop, states[d], rep)
            frame = sample.to_frame()
            frame["x"] = pop.x[sample.units]
            survey = ss.SurveyDesign(frame, **frame.attrs["survey_design"])
            if estimand == "ratio":
                one = survey.ratio("y", "x")
                estimate, se = one.estimate, one.se
            else:
                row = survey.mean("y", by="x").frame.query("x == 1").iloc[0]
                estimate, se = row["estimate"], row["se"]
            assert kept["estimate"][rep] == pytest.approx(estimate, rel=1e-10)
            assert kept["se"][rep] == pytest.approx(se, rel=1e-9)


def test_targets_and_refusals(populations):
    ratio_pop, domain_pop = populations
    table = ss.simulate(ratio_pop, {"SRS": ss.SRS(60)}, 200, seed=1, estimand="ratio").summary()
    assert table["truth"][0] == pytest.approx(ratio_pop.y.sum() / ratio_pop.x.sum(), rel=1e-14)
    assert table["target"][0] == "population ratio"
    with pytest.raises(ValueError, match="0/1 domain indicator"):
        ss.simulate(ratio_pop, {"SRS": ss.SRS(60)}, 10, estimand="domain_mean")
    with pytest.raises(ValueError, match="supports SRS, TwoStage, ClusterSample and Stratified"):
        ss.simulate(domain_pop, {"PPS": ss.PPS(4, 3)}, 10, estimand="domain_mean")
