"""simsample: sampling-design simulation for multilevel (hierarchical) data.

>>> import simsample as ss
>>> pop = ss.two_level(n_groups=100, group_size=50, icc=0.2, seed=1)
>>> result = ss.simulate(pop, {"SRS": ss.SRS(100), "two-stage": ss.TwoStage(10, 10)},
...                      reps=2_000, seed=2)
>>> sorted(result.summary()["method"].unique())
['cluster_t', 'naive_t']

Rooms (subpackages, one concept each): ``population`` (populations and their
generators), ``designs`` (one module per design: class, kernels, theory,
frame columns), ``estimands`` (what is estimated and the method registry),
``engine`` (run plans, the generated replication loop, the executor, CPU and
CUDA backends), ``analysis`` (one sample: SurveyDesign), ``planning``
(cost-optimal designs), ``studies`` (study files, grids, checkpoints,
reports). Public names load on first use, so ``import simsample`` stays
light (no numba, pandas, scipy or matplotlib until needed).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "InfeasibleDesignError": "._validation", "InvalidParameterError": "._validation",
    "SimsampleWarning": "._validation",
    "Population": ".population", "two_level": ".population", "three_level": ".population",
    "binary_two_level": ".population", "covariate_population": ".population",
    "Design": ".designs", "Sample": ".designs", "SRS": ".designs", "TwoStage": ".designs",
    "ClusterSample": ".designs", "Stratified": ".designs", "PPS": ".designs",
    "ThreeStage": ".designs",
    "Method": ".estimands",
    "simulate": ".engine", "Superpopulation": ".engine",
    "SimulationResult": ".results", "Study": ".results", "RatioEstimate": ".comparison",
    "SurveyDesign": ".analysis.survey", "MixedLM": ".analysis.mixed",
    "ClusterOLS": ".analysis.cluster_ols",
    "run_study": ".studies",
}
#: Public submodules reachable as attributes (``ss.theory``, ``ss.sizes``...).
_MODULES = {
    "theory": ".theory", "planning": ".planning", "survey": ".survey",
    "sizes": ".population.sizes", "scenarios": ".population.scenarios",
    "datasets": ".population.datasets", "effects": ".estimands.difference",
    "designs": ".designs", "estimands": ".estimands", "engine": ".engine",
    "population": ".population", "studies": ".studies", "analysis": ".analysis",
    "results": ".results", "plots": ".plots", "lecture": ".lecture", "cli": ".cli",
}

__all__ = sorted([*_EXPORTS, "datasets", "effects", "planning", "scenarios", "sizes", "survey",
                  "theory"])


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name], __name__)
    else:
        raise AttributeError(f"module 'simsample' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_MODULES))
