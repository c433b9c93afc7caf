"""Backends behind one interface: ``run(plan, *, n_jobs, backend, progress) -> SimulationResult``.

* :mod:`.cpu` — the compiled chunk loops on this machine (serially, or on joblib's loky,
  threading or dask workers through :mod:`simsample.engine.executor`);
* :mod:`.cuda` — the same replications on an NVIDIA GPU (SRS, TwoStage, ClusterSample;
  the built-in mean methods), assembled by the same code.
"""
