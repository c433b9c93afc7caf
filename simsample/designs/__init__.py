"""Sampling designs: one module per design, each holding its class, its compiled
drawing and estimating kernels (``_*_kernels.py`` beside it), its exact theory
moments and its sample-frame columns.

Adding a design: write ``designs/mydesign.py`` with a :class:`Design` subclass
(``check``, ``expected_size``, ``sampler``, ``moments``, ``frame_columns``,
``estimator_names``, ``_stored_inclusion``) and its kernels module
(``prepare``/``draw``/``mean``, see :mod:`._srs_kernels`), then add it to
:data:`DESIGNS` below. Every method of the shared form then runs under it.
"""

from .base import Design, check_designs
from .contract import Moments, Sampler
from .pps import PPS
from .sample import Sample
from .srs import SRS
from .stratified import Stratified
from .three_stage import ThreeStage
from .two_stage import ClusterSample, TwoStage

#: Every design kind by name (study files' ``kind = "..."``).
DESIGNS = {"SRS": SRS, "TwoStage": TwoStage, "ClusterSample": ClusterSample,
           "Stratified": Stratified, "PPS": PPS, "ThreeStage": ThreeStage}

__all__ = ["DESIGNS", "PPS", "SRS", "ClusterSample", "Design", "Moments", "Sample", "Sampler",
           "Stratified", "ThreeStage", "TwoStage", "check_designs"]
