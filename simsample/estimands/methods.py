"""Methods: named estimators that turn one drawn sample into an estimate and its interval.

A method belongs to an estimand (what is estimated: the population mean, a
difference...). It is either *built in* (one output row of the estimand's own
compiled estimator, which computes several methods in one pass over the
sample) or a *user method*: any numba-compiled function of the shared sample
form, run inside the compiled replication loop on exactly the samples the
built-in methods see.

The shared sample form (what every design hands to methods):

``y``
    float64 sampled values, grouped by primary sampling unit (PSU);
``start``
    int64, the units of the a-th PSU are ``y[start[a]:start[a + 1]]``;
``size``
    float64, ``size[a]`` the population size of the a-th PSU;
``k``
    the number of sampled PSUs; ``n_units`` and ``n_groups`` the population's
    numbers of units and of PSUs.

For cluster designs (TwoStage, ClusterSample, PPS, ThreeStage) the PSUs are
the sampled groups; for element designs (SRS) every unit is a PSU of size 1
(k = n, ``n_groups`` = N). Estimands over a covariate (``"difference"``) hand
the *paired* form, with ``x`` (float64, the covariate of the same units)
after ``y``. A method that needs random numbers receives, just before
``out``, a xoshiro256** state of its own (uint64[4], see
:mod:`simsample._kernels.rng`), seeded from the address (seed, design, chunk,
method name): it never touches the sampling stream, so adding or removing a
method leaves every other method's results bit-identical.

``out`` is the method's row: ``out[0]`` estimate, ``out[1]`` SE, ``out[2]``
df of the t interval (df < 1, or a non-finite estimate or SE, is a failed
replication; a fractional df interpolates the t quantile; df beyond 10,000
or the sample size is the normal interval). A method with
``interval="bounds"`` writes its interval's ends in ``out[3]``, ``out[4]``;
a model-based method may write ``out[5] = 1.0`` for a singular fit.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from .._validation import InvalidParameterError, check_choice

#: How a method's interval is formed.
INTERVALS = ("t", "bounds", "none")
#: The estimands (``simulate(..., estimand=...)``).
ESTIMANDS = ("mean", "difference", "ratio", "domain_mean", "icc")
#: The values each estimand hands to user methods: y alone, or y and x.
FORMS = {"mean": "mean", "difference": "paired", "ratio": "paired", "domain_mean": "paired",
         "icc": "mean"}
#: The layouts of the form: sampled groups (or units), or strata.
SAMPLE_FORMS = ("groups", "strata")


@dataclass(frozen=True, eq=False)
class Method:
    """A named estimator run in the replication loop (``simulate(..., methods=[...])``).

    Parameters
    ----------
    name : str
        The ``method`` column of the summary. Must not be a built-in method's name.
    kernel : numba-compiled function, or a dict of them by form
        ``kernel(y, start, size, k, n_units, n_groups, out)`` for the mean
        (``kernel(y, x, start, size, k, n_units, n_groups, out)`` for the
        difference estimand; ``state`` before ``out`` if ``needs_rng``); see
        the module docstring for the form. Decorate it with ``numba.njit``
        (``cache=True`` keeps later runs from compiling it again). A dict
        ``{"groups": kernel, "strata": kernel}`` gives one kernel per form
        (``"strata"``: stratified designs hand every stratum as a group, k = H);
        a single kernel is for the ``"groups"`` form.
    estimand : {"mean", "difference", "ratio", "domain_mean", "icc"}
    target : str, optional
        What the method estimates (the ``target`` column); default the
        estimand's census target ("population mean", "population delta").
    estimator : str, optional
        The ``estimator`` column; default ``name``.
    interval : {"t", "bounds", "none"}
        "t": estimate +- t(df) SE; "bounds": the kernel writes the interval;
        "none": a point estimate (no coverage, SE or width in the summary).
    needs_rng : bool
        Pass the method its own random stream (bootstrap-type methods).
    level : float, optional
        For a kernel whose interval is computed at one fixed level: runs at
        any other ``level`` are refused.
    reports_singular : bool
        The kernel writes ``out[5] = 1.0`` for a singular (boundary) fit; the
        summary reports the share as ``singular_rate`` with its MCSE.
    builtin_row : int, optional
        Output row of the estimand's built-in estimator (built-in methods only;
        leave None for your own methods).

    Raises
    ------
    InvalidParameterError
        If a field is not valid (e.g. an unknown estimand or interval, or a
        built-in method's name).

    Examples
    --------
    >>> import numba, numpy as np, simsample as ss
    >>> @numba.njit
    ... def group_means(y, start, size, k, n_units, n_groups, out):
    ...     total = 0.0
    ...     for a in range(k):
    ...         total += y[start[a]:start[a + 1]].mean()
    ...     out[0] = total / k
    ...     out[1] = np.nan
    ...     out[2] = np.nan
    >>> m = ss.Method("mean of group means", group_means, interval="none")
    >>> m.name
    'mean of group means'
    """

    name: str
    kernel: object = None
    estimand: str = "mean"
    target: str | None = None
    estimator: str | None = None
    interval: str = "t"
    needs_rng: bool = False
    #: The only confidence level a "bounds" interval is computed at (None: any level).
    level: float | None = None
    #: Whether the kernel flags singular (boundary) fits in ``out[5]`` (``singular_rate``).
    reports_singular: bool = False
    #: Output row of the estimand's built-in estimator (built-in methods only).
    builtin_row: int | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(
                f"'name' of Method must be a non-empty string; got {self.name!r}.")
        check_choice(self.estimand, "estimand", ESTIMANDS, owner="Method")
        check_choice(self.interval, "interval", INTERVALS, owner="Method")
        if not isinstance(self.needs_rng, bool):
            raise InvalidParameterError(
                f"'needs_rng' of Method must be True or False; got {self.needs_rng!r}.")
        if self.builtin_row is None:
            kernels = self.kernel if isinstance(self.kernel, dict) else {"groups": self.kernel}
            for form, kernel in kernels.items():
                if form not in SAMPLE_FORMS or not hasattr(kernel, "py_func"):
                    raise InvalidParameterError(
                        f"'kernel' of Method {self.name!r} must be a numba-compiled function "
                        f"(decorate it with numba.njit), or a dict of them by form "
                        f"{list(SAMPLE_FORMS)}; got {self.kernel!r}.")

    def kernel_for(self, form: str):
        """The kernel for a design's sample form (``"groups"`` or ``"strata"``), or None.

        Parameters
        ----------
        form : {"groups", "strata"}
            The design's sample form.

        Returns
        -------
        callable or None
            The compiled kernel, None if the method has none for ``form``.

        Examples
        --------
        >>> import simsample as ss
        >>> from simsample.estimands.methods import registered
        >>> m = registered("mean")["cluster_t"]
        >>> m.kernel_for("groups") is None
        True
        """
        if isinstance(self.kernel, dict):
            return self.kernel.get(form)
        return self.kernel if form == "groups" else None

    @property
    def builtin(self) -> bool:
        """Whether the method is one of simsample's built-in methods.

        Returns
        -------
        bool

        Examples
        --------
        >>> import simsample as ss
        >>> from simsample.estimands.methods import registered
        >>> registered("mean")["cluster_t"].builtin
        True
        """
        return self.builtin_row is not None

    @property
    def form(self) -> str:
        """"mean" or "paired": the sample form the kernel takes.

        Returns
        -------
        str
            ``"mean"`` or ``"paired"``.

        Examples
        --------
        >>> import simsample as ss
        >>> from simsample.estimands.methods import registered
        >>> m = registered("mean")["cluster_t"]
        >>> m.form
        'mean'
        """
        return FORMS[self.estimand]

    @property
    def stream_key(self) -> int:
        """The method's address in the random streams: a stable hash of its name.

        Returns
        -------
        int
            The CRC-32 of the name.

        Examples
        --------
        >>> import simsample as ss
        >>> from simsample.estimands.methods import registered
        >>> m = registered("mean")["cluster_t"]
        >>> m.stream_key
        181507430
        """
        return zlib.crc32(self.name.encode("utf-8"))

    def __repr__(self):
        kind = "built-in" if self.builtin else "user"
        return f"Method({self.name!r}, {kind}, estimand={self.estimand!r})"


_REGISTRY: dict[tuple[str, str], Method] = {}
_ALIASES: dict[tuple[str, str], str] = {}


def register(method: Method, *, aliases: tuple[str, ...] = ()) -> Method:
    """Add a method to the registry, so that ``methods=["name"]`` finds it.

    Parameters
    ----------
    method : Method
        The method; its ``estimand`` and ``name`` are the key.
    aliases : tuple of str, optional
        Other names that find it.

    Returns
    -------
    Method
        ``method`` itself (registering the same object again is a no-op).

    Raises
    ------
    InvalidParameterError
        If another method of the estimand has that name.

    Examples
    --------
    >>> import simsample as ss
    >>> from simsample.estimands.methods import registered
    >>> naive = registered("difference")["naive"]
    >>> ss.effects.register(naive) is naive
    True
    """
    key = (method.estimand, method.name)
    if key in _REGISTRY and _REGISTRY[key] is not method:
        raise InvalidParameterError(
            f"a method named {method.name!r} is already registered for estimand "
            f"{method.estimand!r}.")
    _REGISTRY[key] = method
    for alias in aliases:
        _ALIASES[(method.estimand, alias)] = method.name
    return method


def registered(estimand: str) -> dict[str, Method]:
    """The registered methods of ``estimand``, by name, in registration order."""
    return {name: m for (e, name), m in _REGISTRY.items() if e == estimand}


def resolve(methods, estimand: str, default: tuple[str, ...]) -> tuple[Method, ...]:
    """Normalise ``methods`` (None, or names and Method objects) to Method objects.

    ``None`` is ``default``. A name must be registered for the estimand (or an
    alias of one); a Method must be of the estimand; no name twice.
    """
    if methods is None:
        methods = default
    if isinstance(methods, (str, Method)):
        methods = [methods]
    try:
        items = list(methods)
    except TypeError:
        raise InvalidParameterError(
            "'methods' must be None, a method name, a Method or a list of them; "
            f"got {methods!r}.") from None
    if not items:
        raise InvalidParameterError("'methods' must name at least one method; got an empty list.")
    known = registered(estimand)
    resolved = []
    for item in items:
        if isinstance(item, str):
            name = _ALIASES.get((estimand, item), item)
            if name not in known:
                raise InvalidParameterError(
                    f"unknown method {item!r} for estimand {estimand!r}; registered: "
                    f"{sorted(known)}, or pass a simsample.Method.")
            resolved.append(known[name] if name == item else _renamed(known[name], item))
        elif isinstance(item, Method):
            if item.estimand != estimand:
                raise InvalidParameterError(
                    f"method {item.name!r} is for estimand {item.estimand!r}, not "
                    f"{estimand!r}.")
            if not item.builtin and item.name in known:
                raise InvalidParameterError(
                    f"user method name {item.name!r} is taken by a built-in method; rename it.")
            resolved.append(item)
        else:
            raise InvalidParameterError(
                f"'methods' entries must be method names or simsample.Method objects; "
                f"got {item!r}.")
    names = [m.name for m in resolved]
    if len(set(names)) < len(names):
        raise InvalidParameterError(f"'methods' must not name a method twice; got {names}.")
    return tuple(resolved)


def design_rows(estimand, methods, design, sampler) -> int:
    """Rows of ``estimand``'s built-in estimator under ``design``, after checking ``methods``.

    An estimand whose designs may declare extra built-in rows (the mean:
    :attr:`~simsample.designs.Sampler.mean_rows`) says so with
    ``builtin_rows(sampler)`` and refuses, in ``check_methods``, the extra
    methods a design does not offer; the others have ``n_builtin_rows``.
    """
    check = getattr(estimand, "check_methods", None)
    if check is not None:
        check(methods, design, sampler)
        return estimand.builtin_rows(sampler)
    return estimand.n_builtin_rows


def _renamed(method: Method, alias: str) -> Method:
    """A built-in method reported under one of its aliases."""
    return Method(alias, method.kernel, estimand=method.estimand, target=method.target,
                  estimator=method.estimator, interval=method.interval,
                  needs_rng=method.needs_rng, level=method.level,
                  reports_singular=method.reports_singular, builtin_row=method.builtin_row)
