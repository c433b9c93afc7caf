"""The one place that sets numba options for every compiled kernel.

``SIMSAMPLE_NUMBA_CACHE=0`` switches the on-disk cache off (useful when
measuring compile time, or on a read-only install).
"""

from __future__ import annotations

import functools
import os

import numba

CACHE = os.environ.get("SIMSAMPLE_NUMBA_CACHE", "1") == "1"

#: Decorator for compiled kernels. ``error_model="numpy"`` makes a division by
#: zero give inf/NaN (counted as a failed replication) instead of raising
#: inside the replication loop. No fastmath: kernels branch on NaN.
kernel = functools.partial(numba.njit, cache=CACHE, nogil=True, error_model="numpy")

#: For the small adapters the generated replication loop calls at every
#: replication (a design's ``draw_*``/``mean_*``, an estimand's hooks): inlined
#: into the loop at numba's IR level, so that their many array arguments are not
#: passed (and reference-counted) at every call.
inline_kernel = functools.partial(numba.njit, cache=CACHE, nogil=True, error_model="numpy",
                                  inline="always")
