"""Weak cases: clear messages naming the path or parameter, checked before any compute."""

import numpy as np
import pandas as pd
import pytest

import simsample as ss


@pytest.fixture(scope="module")
def pop():
    return ss.two_level(10, 10, seed=1)


def test_from_csv_missing_path(tmp_path):
    with pytest.raises(ss.InvalidParameterError, match=r"'path' of Population.from_csv must "
                       r"be a CSV file; '.*nope.csv' is missing"):
        ss.Population.from_csv(tmp_path / "nope.csv", y="y", group="g")


def test_from_csv_directory(tmp_path):
    with pytest.raises(ss.InvalidParameterError, match=r"is a directory"):
        ss.Population.from_csv(tmp_path, y="y", group="g")


def test_from_csv_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ss.InvalidParameterError, match=r"cannot read '.*empty.csv' as CSV: "
                       r"No columns to parse"):
        ss.Population.from_csv(tmp_path / "empty.csv", y="y", group="g")


def test_from_frame_duplicate_column():
    frame = pd.DataFrame(np.ones((4, 3)), columns=["y", "y", "g"])
    with pytest.raises(ss.InvalidParameterError, match=r"'y' names column 'y', which the "
                       r"data holds more than once"):
        ss.Population.from_frame(frame, y="y", group="g")


def test_survey_design_duplicate_column():
    frame = pd.DataFrame(np.ones((4, 3)), columns=["y", "y", "g"])
    with pytest.raises(ss.InvalidParameterError, match=r"\['y'\] occur more than once"):
        ss.SurveyDesign(frame, ids=["g"])


def test_non_utf8_study_file_names_the_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "é"\n'.encode("latin-1"))
    from simsample.studies import StudyFileError, load_study

    with pytest.raises(StudyFileError, match=r"latin1.toml: not a UTF-8 text file"):
        load_study(path)


def test_level_too_close_to_one(pop):
    with pytest.raises(ss.InvalidParameterError, match=r"'level' of simulate must be below 1 "
                       r"by more than rounding"):
        ss.simulate(pop, {"s": ss.SRS(5)}, reps=10, level=1 - 1e-16)
    width = ss.simulate(pop, {"s": ss.SRS(5)}, reps=10, seed=1,
                        level=1 - 1e-15).summary()["mean_width"]
    assert np.isfinite(width).all()


def test_dask_without_a_client_refused_before_any_chunk(pop, monkeypatch):
    import simsample.engine.executor as executor

    ran = []
    monkeypatch.setattr(executor, "run_chunk", lambda *a: ran.append(a))
    with pytest.raises(ss.InvalidParameterError, match=r"backend='dask' needs"):
        ss.simulate(pop, {"s": ss.SRS(5)}, reps=10, seed=1, backend="dask")
    assert ran == []


def test_one_replication_reports_its_estimate(pop):
    result = ss.simulate(pop, {"s": ss.SRS(5)}, reps=1, seed=1, keep_estimates=True)
    summary = result.summary()
    kept = result.estimates["s"]
    for method in ("naive_t", "cluster_t"):
        row = summary[summary["method"] == method].iloc[0]
        estimate = kept.loc[kept["method"] == method, "estimate"].item()
        assert row["mean_estimate"] == pytest.approx(estimate, abs=1e-14)
        assert row["bias"] == pytest.approx(estimate - pop.mean, abs=1e-14)
        assert np.isnan(row["variance"])


def test_numpy_booleans_accepted_alike(pop):
    result = ss.simulate(pop, {"s": ss.SRS(5, replace=np.True_)}, reps=3, seed=1,
                         keep_estimates=np.True_, progress=np.False_)
    assert len(result.estimates["s"]) == 3 * 2


def test_progress_validated_in_studies(tmp_path):
    study = {"name": "t", "reps": 10, "seed": 1,
             "population": {"generator": "two_level", "n_groups": 10, "group_size": 4},
             "designs": {"srs": {"kind": "SRS", "n": 4}}}
    with pytest.raises(ss.InvalidParameterError, match=r"'progress' of run_study must be "
                       r"True, False or None"):
        ss.run_study(study, tmp_path / "out", progress="yes")
    assert not (tmp_path / "out").exists()


def test_variance_ratio_unknown_design(pop):
    result = ss.simulate(pop, {"s": ss.SRS(5)}, reps=20, seed=1)
    with pytest.raises(ss.InvalidParameterError, match=r"no design named 'nope'; designs "
                       r"are \['s'\]"):
        result.variance_ratio("nope", "s")
    with pytest.raises(KeyError):  # still a KeyError for callers that catch one
        result.variance_ratio("s", "s", method="nope")
