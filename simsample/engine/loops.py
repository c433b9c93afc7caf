"""The one replication loop, compiled for each combination of design and methods.

A chunk of replications is one call of a compiled function: draw a sample
(the design's kernels), gather its values, run the estimand's built-in
estimator and every user method on it, record each method's estimate and
interval. The loop body is written once, in :func:`loop_source`; what varies
(which drawing kernel, which estimator, which user methods) is named in a
:class:`LoopSpec`, and the loop for a spec is generated as Python source,
written to a file in simsample's cache folder and compiled by numba from
there. Writing it to a file is what lets numba's on-disk cache work: a second
process (a loky worker, the next run) loads the compiled loop in a fraction
of a second instead of compiling it again. Passing kernels as arguments to one
generic compiled loop would recompile it in every process (numba cannot cache
functions specialised on other functions).

The cache folder is ``$SIMSAMPLE_CACHE_DIR``, else ``$XDG_CACHE_HOME/simsample``
(``~/.cache/simsample``), else a folder in the system's temporary directory.
A file's name is a digest of its source, so a changed spec is a new file.
User kernels are not imported by the generated module: they are set as its
globals before it runs, and their identity (module, name and compiled
bytecode) enters the digest, so two different user kernels never share a
cached loop.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

#: Interval rules of the output rows (see ``simsample._kernels.accumulate``).
from .._kernels.accumulate import BOUNDS, N_OUT, T_INTERVAL


@dataclass(frozen=True)
class KernelRef:
    """A compiled function of the package, named by module and attribute (picklable)."""

    module: str
    name: str

    def resolve(self):
        return getattr(importlib.import_module(self.module), self.name)


@dataclass(frozen=True, eq=False)
class UserKernel:
    """A user method's compiled function, its form and whether it takes a random stream."""

    kernel: object
    paired: bool
    needs_rng: bool

    def identity(self) -> str:
        func = self.kernel.py_func
        code = func.__code__
        digest = hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()[:16]
        return f"{func.__module__}.{func.__qualname__}:{digest}:{self.paired}:{self.needs_rng}"


@dataclass(frozen=True, eq=False)
class LoopSpec:
    """Everything that decides the source of one compiled chunk loop.

    The loop unpacks the design's parameters (``n_params`` entries) and its
    scratch (``n_scratch``; the first four are the form idx, start, size,
    groups) once, and passes the entries one by one: ``draw(state, *p, *s)``.
    ``call`` is the estimand's convention for its built-in estimator:
    ``"mean"`` — ``builtin(ys, n, k, *p, *s, out)``; ``"paired"`` —
    ``builtin(ys, xs, n, k, idx, start, size, groups, *e, *es, out)``, with the
    estimand's parameters ``e`` (``n_eparams``) and its own scratch
    ``es = prepare(idx, start, size, groups, *e)`` (``n_escratch``), and an
    optional ``arrange(n, k, idx, start, size, groups, *e, *es)`` before the
    gather (e.g. to sort an element sample into its groups). ``builtin`` is
    None when no built-in method is selected. ``record`` holds, per
    accumulator row, its output row, interval rule and whether it flags
    singular fits: the loop records them unrolled, with their pair sums.
    """

    prepare: KernelRef
    draw: KernelRef
    call: str
    builtin: KernelRef | None
    estimand_prepare: KernelRef | None
    arrange: KernelRef | None
    n_builtin_rows: int
    users: tuple[UserKernel, ...]
    #: Scratch entries holding the ``start`` and ``size`` of the form methods receive.
    form_slots: tuple[int, int] = (1, 2)
    n_params: int = 0
    n_scratch: int = 4
    n_eparams: int = 0
    n_escratch: int = 0
    #: (output row, interval rule, reports singular) of each accumulator row.
    record: tuple = ()

    @property
    def paired(self) -> bool:
        return self.call == "paired"

    def key(self) -> str:
        cached = self.__dict__.get("_key")
        if cached is not None:
            return cached
        parts = [package_digest(), self.prepare, self.draw, self.call, self.builtin,
                 self.estimand_prepare, self.arrange, self.n_builtin_rows, self.form_slots,
                 self.n_params, self.n_scratch, self.n_eparams, self.n_escratch, self.record,
                 *(u.identity() for u in self.users)]
        key = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
        object.__setattr__(self, "_key", key)
        return key


@functools.cache
def package_digest() -> str:
    """A digest of simsample's own source files.

    numba caches a compiled loop with copies of the kernels it calls and does
    not notice when those change; keying the generated file on the package's
    source makes any change of a kernel (an upgrade, an edit) a new loop.
    """
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


def loop_source(spec: LoopSpec) -> str:
    """The generated module's source: imports, then ``run_chunk``."""
    imports = {}

    def name_of(ref: KernelRef, alias: str) -> str:
        imports[alias] = ref
        return alias

    p, s = _names("p", spec.n_params), _names("s", spec.n_scratch)
    e, es = _names("e", spec.n_eparams), _names("es", spec.n_escratch)
    form = ", ".join(s[:4])
    body = [f"    {', '.join(p)}{',' if len(p) == 1 else ''} = dparams",
            f"    scr = {name_of(spec.prepare, '_prepare')}(dparams)",
            f"    {', '.join(s)} = scr",
            f"    start = {s[spec.form_slots[0]]}",
            f"    size = {s[spec.form_slots[1]]}",
            "    ys = np.empty(s0.size)"]
    if spec.paired:
        body.append("    xs = np.empty(s0.size)")
    if e:
        body.append(f"    {', '.join(e)}{',' if len(e) == 1 else ''} = eparams")
    if spec.estimand_prepare is not None:
        prepare = name_of(spec.estimand_prepare, "_eprepare")
        body.append(f"    {', '.join(es)}{',' if len(es) == 1 else ''} = "
                    f"{prepare}({form}, {', '.join(e)})")
    rows = spec.n_builtin_rows + len(spec.users)
    body += [f"    out = np.full(({max(rows, 1)}, {N_OUT}), np.nan)",
             "    for rep in range(reps):",
             f"        n, k = {name_of(spec.draw, '_draw')}(state, {', '.join(p + s)})"]
    if spec.arrange is not None:
        body.append(f"        {name_of(spec.arrange, '_arrange')}(n, k, {form}, "
                    f"{', '.join(e + es)})")
    body.append("        gather(y, s0, n, ys)")
    if spec.paired:
        body.append("        gather(x, s0, n, xs)")
    if spec.builtin is not None:
        builtin = name_of(spec.builtin, "_builtin")
        if spec.paired:
            body.append(f"        {builtin}(ys, xs, n, k, {form}, {', '.join(e + es)}, out)")
        else:
            body.append(f"        {builtin}(ys, n, k, {', '.join(p + s)}, out)")
    if spec.users:  # user kernels see exactly the n sampled values
        body.append("        yn = ys[:n]")
        if spec.paired:
            body.append("        xn = xs[:n]")
    streams = 0
    for j, user in enumerate(spec.users):
        values = "yn, xn" if user.paired else "yn"
        state = f", mstates[{streams}]" if user.needs_rng else ""
        streams += user.needs_rng
        row = spec.n_builtin_rows + j
        body.append(f"        _user{j}({values}, start, size, k, n_units, n_groups{state}, "
                    f"out[{row}])")
    body += _record_lines(spec.record)
    header = ["# Generated by simsample.engine.loops: one chunk of replications. Do not edit.",
              "import numpy as np",
              "from simsample._jit import kernel",
              "from simsample._kernels.accumulate import SUM_FLAG, add_pair, record, "
              "record_bounds, record_point",
              "from simsample._kernels.select import gather"]
    header += [f"from {ref.module} import {ref.name} as {alias}" for alias, ref in imports.items()]
    header += ["# user kernels (_user0, ...) are set as globals by the loader", "",
               "", "@kernel",
               "def run_chunk(y, x, dparams, eparams, n_units, n_groups, state, mstates, reps,",
               "              truth, tq, acc, kept):  # pragma: no cover"]
    return "\n".join(header + body) + "\n"


def _record_lines(record) -> list[str]:
    """Every accumulator row recorded by its own rule, then the sums of every pair of rows."""
    lines = []
    for r, (row, rule, flags) in enumerate(record):
        est, se, df = f"out[{row}, 0]", f"out[{row}, 1]", f"out[{row}, 2]"
        if rule == T_INTERVAL:
            call = f"record(acc, {r}, kept, rep, {est}, {se}, {df}, tq, truth[{r}], n)"
        elif rule == BOUNDS:
            call = (f"record_bounds(acc, {r}, kept, rep, {est}, {se}, out[{row}, 3], "
                    f"out[{row}, 4], truth[{r}], n)")
        else:
            call = f"record_point(acc, {r}, kept, rep, {est}, truth[{r}], n)"
        lines.append(f"        ok{r}, lo{r}, up{r} = {call}")
        if flags:
            lines.append(f"        if out[{row}, 5] == 1.0:")
            lines.append(f"            acc[{r}, SUM_FLAG] += 1.0")
    for a in range(len(record)):
        for b in range(a + 1, len(record)):
            ra, rb = record[a][0], record[b][0]
            lines.append(f"        if ok{a} and ok{b}:")
            lines.append(f"            add_pair(acc, {a}, {b}, out[{ra}, 0] - truth[{a}], "
                         f"out[{rb}, 0] - truth[{b}], lo{a}, up{a}, lo{b}, up{b}, truth[{a}], "
                         f"truth[{b}])")
    return lines


_LOCK = threading.Lock()
_LOADED: dict[str, object] = {}


def compiled_loop(spec: LoopSpec):
    """The compiled ``run_chunk`` of ``spec`` (generated and loaded once per process)."""
    key = spec.key()
    found = _LOADED.get(key)
    if found is not None:
        return found
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(key, spec)
        return _LOADED[key]


def _load(key: str, spec: LoopSpec):
    source = loop_source(spec)
    path = cache_dir() / f"loop_{key}.py"
    if not path.exists() or path.read_text() != source:
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)
    name = f"simsample_loops.loop_{key}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    for j, user in enumerate(spec.users):
        setattr(module, f"_user{j}", user.kernel)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module.run_chunk


def cache_dir() -> Path:
    """Where generated loops (and numba's cache of them) live; created if missing."""
    candidates = []
    if os.environ.get("SIMSAMPLE_CACHE_DIR"):
        candidates.append(Path(os.environ["SIMSAMPLE_CACHE_DIR"]))
    xdg = os.environ.get("XDG_CACHE_HOME")
    candidates.append(Path(xdg) / "simsample" if xdg else Path.home() / ".cache" / "simsample")
    candidates.append(Path(tempfile.gettempdir()) / f"simsample-{os.getuid()}")
    for folder in candidates:
        folder = folder / "loops"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".probe.{os.getpid()}"
            probe.write_text("")
            probe.unlink()
            return folder
        except OSError:
            continue
    raise OSError("simsample found no writable cache folder; set SIMSAMPLE_CACHE_DIR.")
