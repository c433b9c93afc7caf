"""Replay is the kernel's replication, for every design kind, several replications into a chunk."""

import numpy as np
import pytest

import simsample as ss
from simsample import engine
from simsample._rng import as_seed_sequence, chunk_states

UNEQUAL = ss.two_level(n_groups=30, group_size=[6, 9, 14] * 10, icc=0.3, seed=2)
THREE = ss.three_level(n_groups=8, subgroups_per_group=[3, 4] * 4, subgroup_size=5,
                       icc_group=0.2, icc_subgroup=0.1, seed=3)
CASES = {
    "SRS": (UNEQUAL, ss.SRS(25)),
    "SRS with replacement": (UNEQUAL, ss.SRS(25, replace=True)),
    "TwoStage": (UNEQUAL, ss.TwoStage(6, 4)),
    "ClusterSample": (UNEQUAL, ss.ClusterSample(5, estimator="expansion")),
    "Stratified": (UNEQUAL, ss.Stratified(90, allocation="neyman")),
    "PPS": (UNEQUAL, ss.PPS(5, 3)),   # unequal sizes: its group order carries over
    "ThreeStage": (THREE, ss.ThreeStage(4, 2, 3)),
}
REPS = engine.CHUNK_SIZE + 40          # the second chunk is replayed too


@pytest.mark.parametrize("kind", list(CASES))
def test_replayed_samples_give_the_kernels_estimates(kind):
    pop, design = CASES[kind]
    result = ss.simulate(pop, {"d": ss.SRS(3), kind: design}, REPS, seed=17,
                         keep_estimates=True)
    kept = result.estimates[kind]
    for chunk, reps in ((0, (0, 1, 2, 5, 37, 1000)), (1, (0, 3, 39))):
        state = chunk_states(as_seed_sequence(17), chunk, 2)[1]
        for rep in reps:
            table = design.replay(pop, state, rep).estimate()
            row = kept[kept["rep"] == chunk * engine.CHUNK_SIZE + rep]
            np.testing.assert_array_equal(table["estimate"].to_numpy(),
                                          row["estimate"].to_numpy(), err_msg=f"{kind} {rep}")
            np.testing.assert_array_equal(table["se"].to_numpy(), row["se"].to_numpy())


def test_pps_replay_differs_from_a_fresh_draw_after_the_first_replication():
    """Why replay runs the kernel: a fresh group order would give another sample (the old bug)."""
    pop, design = CASES["PPS"]
    state = chunk_states(as_seed_sequence(17), 0, 1)[0]
    fresh = design.sampler(pop)
    changed = 0
    for rep in range(1, 6):
        replayed = design.replay(pop, state, rep)
        moved = state.copy()
        fresh.draw_into(moved, rep)                   # the generator after rep draws ...
        scr, n, k = fresh.draw_into(moved, 1)          # ... and a draw from a fresh order
        changed += not np.array_equal(np.sort(replayed.groups), np.sort(scr[3][:k]))
    assert changed >= 3


def test_study_replay_returns_the_kernels_sample_for_pps(tmp_path):
    study = {"reps": 50, "seed": 5,
             "population": {"generator": "two_level", "n_groups": 30,
                            "group_size": [6, 9, 14] * 10, "icc": 0.3, "seed": 2},
             "designs": {"pps": {"kind": "PPS", "groups": 5, "per_group": 3}}}
    spec = ss.studies.load_study(study)
    seed = ss.studies.sampling_seed(spec, spec.conditions()[0])
    result = ss.simulate(UNEQUAL, {"pps": ss.PPS(5, 3)}, 50, keep_estimates=True, seed=seed)
    kept = result.estimates["pps"]
    for rep in (1, 2, 4):
        replayed = ss.studies.replay(study, 0, "pps", 0, rep)
        estimates = replayed.sample.estimate()
        assert estimates["estimate"].tolist() == kept[kept.rep == rep]["estimate"].tolist()
        assert replayed.estimates["estimate"].tolist() == estimates["estimate"].tolist()
