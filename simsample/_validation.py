"""Checks at the public boundary and the exceptions they raise.

Every message names the parameter, the valid range and the value received, so
that a failed call says how to fix it. Kernels never validate; they assume the
checks here have passed.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np


class InvalidParameterError(ValueError, TypeError):
    """A parameter has the wrong type or a value outside its valid range.

    A ``ValueError`` and a ``TypeError``, so that either ``except`` catches it.

    Parameters
    ----------
    message : str
        What was expected and what was received.

    Examples
    --------
    >>> import simsample as ss
    >>> try:
    ...     ss.SRS(1)
    ... except ss.InvalidParameterError as error:
    ...     print(error)
    'n' of SRS must be an int ...; got 1.
    """


class InfeasibleDesignError(ValueError):
    """A design asks for more than the population holds (e.g. n > N).

    Parameters
    ----------
    message : str
        What the design asks for and what the population holds.

    Examples
    --------
    >>> import simsample as ss
    >>> pop = ss.two_level(n_groups=5, group_size=4, seed=1)
    >>> try:
    ...     ss.SRS(50).draw(pop)
    ... except ss.InfeasibleDesignError as error:
    ...     print(error)
    'n' of SRS must be an int in [2, N=20] ...; got 50.
    """


class SimsampleWarning(UserWarning):
    """Something worth knowing that does not stop the computation.

    Parameters
    ----------
    message : str
        What happened and what it means for the results.

    Examples
    --------
    >>> import warnings
    >>> import simsample as ss
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("few groups", ss.SimsampleWarning)
    >>> caught[0].category.__name__
    'SimsampleWarning'
    """


def _where(owner: str | None) -> str:
    return f" of {owner}" if owner else ""


def check_int(value, name: str, *, low: int | None = None, high: int | None = None,
              owner: str | None = None) -> int:
    """Return ``value`` as an int after checking its type and range (inclusive)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(
            f"'{name}'{_where(owner)} must be an int{_range_text(low, high)}; "
            f"got {value!r} of type {type(value).__name__}.")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidParameterError(
            f"'{name}'{_where(owner)} must be an int{_range_text(low, high)}; got {value}.")
    return value


def check_real(value, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False,
               owner: str | None = None) -> float:
    """Return ``value`` as a finite float after checking its range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidParameterError(
            f"'{name}'{_where(owner)} must be a real number"
            f"{_interval_text(low, high, low_open, high_open)}; got {value!r}.")
    value = float(value)
    bad = not np.isfinite(value)
    if low is not None:
        bad |= value <= low if low_open else value < low
    if high is not None:
        bad |= value >= high if high_open else value > high
    if bad:
        raise InvalidParameterError(
            f"'{name}'{_where(owner)} must be a finite real number"
            f"{_interval_text(low, high, low_open, high_open)}; got {value!r}.")
    return value


def check_level(value, name: str = "level", *, owner: str | None = None) -> float:
    """A confidence level in (0, 1) whose normal quantile is finite in float64.

    Levels closer to 1 than about 1e-16 round ``0.5 + level / 2`` to 1, where
    the quantile (and every interval width) is infinite; they are refused.
    """
    level = check_real(value, name, low=0.0, high=1.0, low_open=True, high_open=True,
                       owner=owner)
    if not 0.5 + level / 2.0 < 1.0:
        raise InvalidParameterError(
            f"'{name}'{_where(owner)} must be below 1 by more than rounding (its interval "
            f"would be infinitely wide); got {value!r}. Use at most 1 - 1e-15.")
    return level


def check_choice(value, name: str, choices: Iterable[str], *, owner: str | None = None) -> str:
    """Return ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise InvalidParameterError(
            f"'{name}'{_where(owner)} must be one of {listed}; got {value!r}.")
    return value


def check_finite_array(values, name: str, *, dtype=np.float64) -> np.ndarray:
    """Return a 1-D float array, refusing NaN and infinite entries."""
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"'{name}' must be a 1-D array of real numbers; could not convert it: {exc}") from None
    if array.ndim != 1:
        raise InvalidParameterError(
            f"'{name}' must be 1-D; got an array of shape {array.shape}.")
    bad = ~np.isfinite(array)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"'{name}' must hold only finite values; got {int(bad.sum())} NaN or infinite "
            f"value(s), the first at position {first} ({array[first]!r}).")
    return array


def check_magnitude(values: np.ndarray, name: str, owner: str | None = None) -> None:
    """Refuse values whose sums of squares would overflow (or that are not finite).

    Means, variances and every estimator sum up to N squared values, so each
    ``|value|`` must stay below ``sqrt(max float / (4 N))`` (about 1e150 for a
    million units); beyond that a variance would be infinite and an icc NaN.
    """
    if values.size == 0:
        return
    bound = float(np.sqrt(np.finfo(np.float64).max / (4.0 * values.size)))
    top = max(abs(float(np.max(values))), abs(float(np.min(values))))
    if not top <= bound:
        where = f" of {owner}" if owner else ""
        raise InvalidParameterError(
            f"'{name}'{where} give(s) values up to {top!r} in magnitude; with {values.size:,} "
            f"units every value must be finite and at most {bound:.3g} in magnitude, so that "
            "sums of squares do not overflow. Rescale the data (e.g. change units).")


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def _interval_text(low, high, low_open, high_open) -> str:
    if low is None and high is None:
        return ""
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f" in {left}{lo}, {hi}{right}"
