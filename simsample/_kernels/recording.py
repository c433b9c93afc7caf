"""Where the replication loops of the newer designs record one replication.

``accumulate.record`` records one interval method's row. The core engine
first took that row as a view (``record(acc[row], kept[row], ...)``) and later
as an index (``record(acc, row, kept, ...)``, faster). This adapter calls
whichever form ``record`` has, decided once at import (numba removes the
other branch at compile time), so these designs work with both.
"""

import inspect

from .._jit import kernel
from .accumulate import record

_ROW_INDEX = "row" in inspect.signature(getattr(record, "py_func", record)).parameters


@kernel
def record_method(acc, kept, row, rep, estimate, se, df, tq, truth, size):  # pragma: no cover
    """Add one replication's estimate and t interval to method row ``row`` of ``acc``."""
    if _ROW_INDEX:
        record(acc, row, kept, rep, estimate, se, df, tq, truth, size)
    else:
        record(acc[row], kept[row], rep, estimate, se, df, tq, truth, size)
