"""The one progress bar of long runs (simulate, studies, the GPU backend)."""

from __future__ import annotations

import sys

import numpy as np

from .._validation import InvalidParameterError


def check_progress(progress, owner: str = "simulate"):
    """``progress`` must be True, False or None (numpy booleans accepted)."""
    if progress is None:
        return None
    if isinstance(progress, (bool, np.bool_)):
        return bool(progress)
    raise InvalidParameterError(
        f"'progress' of {owner} must be True, False or None (shown after 2 s); got {progress!r}.")


def progress_bar(desc: str, total: int, *, initial: int = 0, progress: bool | None = None):
    """A tqdm bar on stderr counting replications; None shows it once a run passes 2 s."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="rep", unit_scale=True, desc=desc,
                file=sys.stderr, disable=progress is False,
                delay=2.0 if progress is None else 0.0, dynamic_ncols=True,
                leave=progress is True)
