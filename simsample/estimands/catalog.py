"""Every estimand by name: the one place that lists them."""

from __future__ import annotations

from .._validation import check_choice
from .difference import DifferenceEstimand
from . import few_clusters, mixed, mixed_effects  # noqa: F401  (they register their methods)
from .icc import IccEstimand
from .mean import MeanEstimand
from .ratio import DomainMeanEstimand, RatioEstimand

#: Every estimand by name (``simulate(..., estimand=...)``).
ESTIMANDS = {"mean": MeanEstimand(), "difference": DifferenceEstimand(),
             "ratio": RatioEstimand(), "domain_mean": DomainMeanEstimand(),
             "icc": IccEstimand()}


def get_estimand(name: str, *, owner: str | None = None):
    """The estimand called ``name`` (a ValueError naming the choices otherwise)."""
    return ESTIMANDS[check_choice(name, "estimand", ESTIMANDS, owner=owner)]
