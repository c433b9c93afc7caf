"""Assertions shared by the statistical tests."""

import numpy as np


def assert_mc_close(estimate: float, truth: float, mcse: float, z: float = 4.0) -> None:
    """|estimate - truth| <= z * MCSE (false alarm rate ~6e-5 per check at z = 4)."""
    assert mcse > 0 and np.isfinite(mcse), mcse
    assert abs(estimate - truth) <= z * mcse, (
        f"estimate {estimate!r} differs from {truth!r} by "
        f"{abs(estimate - truth) / mcse:.2f} MCSE (allowed {z})")
