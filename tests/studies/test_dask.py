"""The dask backend: a LocalCluster (made by the run, or given by address) gives the same bytes."""

import sys

import pytest

import simsample as ss
from simsample import cli, engine
from simsample.studies import MissingDependencyError

from .common import TINY_TOML, summary_bytes, write

REPS = 3 * engine.CHUNK_SIZE


def test_dask_local_clusters_give_the_loky_summary(tmp_path):
    from distributed import LocalCluster

    study = str(write(tmp_path / "tiny.toml", TINY_TOML))
    common = ["run", study, "--reps", str(REPS), "--quiet"]
    assert cli.main([*common, "--out", str(tmp_path / "loky"), "--jobs", "2"]) == 0
    # a LocalCluster made by the run itself (2 single-threaded workers, closed afterwards)
    assert cli.main([*common, "--out", str(tmp_path / "own"), "--backend", "dask",
                     "--jobs", "2"]) == 0
    # a cluster found by its address, as on a real cluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        assert cli.main([*common, "--out", str(tmp_path / "address"), "--backend", "dask",
                         "--scheduler", cluster.scheduler_address]) == 0
        ran_there = [name for name in cluster.scheduler.task_prefixes if "_run_batch" in name]
    assert ran_there  # the chunks really ran on that cluster's workers
    serial = tmp_path / "serial"
    ss.run_study(study, serial, reps=REPS, progress=False)
    reference = summary_bytes(serial)
    for name in ("loky", "own", "address"):
        assert summary_bytes(tmp_path / name) == reference, name


def test_dask_missing_is_a_one_line_error_naming_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    study = str(write(tmp_path / "tiny.toml", TINY_TOML))
    with pytest.raises(MissingDependencyError, match=r"simsample\[distributed\]"):
        ss.run_study(study, backend="dask", progress=False)
    out = tmp_path / "out"
    assert cli.main(["run", study, "--out", str(out), "--backend", "dask"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'simsample[distributed]'" in err
    assert not out.exists()
