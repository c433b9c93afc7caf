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
from .._kernels.accumulate import N_OUT


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

    ``call`` is the estimand's calling convention of its built-in estimator:
    ``"mean"`` — ``builtin(ys, n, k, dparams, scr, out)``; ``"paired"`` —
    ``builtin(ys, xs, n, k, dparams, scr, eparams, escr, out)`` with the
    estimand's own scratch ``escr = prepare(eparams, dparams, scr)`` and an
    optional ``arrange(n, k, scr, eparams, escr)`` run before the gather
    (e.g. to sort an element sample into its groups). ``builtin`` is None when
    no built-in method is selected.
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

    @property
    def paired(self) -> bool:
        return self.call == "paired"

    def key(self) -> str:
        cached = self.__dict__.get("_key")
        if cached is not None:
            return cached
        parts = [package_digest(), self.prepare, self.draw, self.call, self.builtin,
                 self.estimand_prepare, self.arrange, self.n_builtin_rows, self.form_slots,
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


def loop_source(spec: LoopSpec) -> str:
    """The generated module's source: imports, then ``run_chunk``."""
    imports = {}

    def name_of(ref: KernelRef, alias: str) -> str:
        imports[alias] = ref
        return alias

    prepare = name_of(spec.prepare, "_prepare")
    draw = name_of(spec.draw, "_draw")
    body = [
        f"    scr = {prepare}(dparams)",
        "    idx = scr[0]",
        f"    start = scr[{spec.form_slots[0]}]",
        f"    size = scr[{spec.form_slots[1]}]",
        "    ys = np.empty(idx.size)",
    ]
    if spec.paired:
        body.append("    xs = np.empty(idx.size)")
    if spec.estimand_prepare is not None:
        body.append(f"    escr = {name_of(spec.estimand_prepare, '_eprepare')}(eparams, dparams, scr)")
    rows = spec.n_builtin_rows + len(spec.users)
    body += [f"    out = np.full(({rows}, {N_OUT}), np.nan)",
             "    vals = np.empty((rows.size, 4))",
             "    for rep in range(reps):",
             f"        n, k = {draw}(state, dparams, scr)"]
    if spec.arrange is not None:
        body.append(f"        {name_of(spec.arrange, '_arrange')}(n, k, scr, eparams, escr)")
    body.append("        gather(y, idx, n, ys)")
    if spec.paired:
        body.append("        gather(x, idx, n, xs)")
    if spec.builtin is not None:
        builtin = name_of(spec.builtin, "_builtin")
        if spec.paired:
            body.append(f"        {builtin}(ys, xs, n, k, dparams, scr, eparams, escr, out)")
        else:
            body.append(f"        {builtin}(ys, n, k, dparams, scr, out)")
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
    body.append("        record_rows(acc, kept, rep, out, rows, intervals, tq, truth, n, vals)")
    header = ["# Generated by simsample.engine.loops: one chunk of replications. Do not edit.",
              "import numpy as np",
              "from simsample._jit import kernel",
              "from simsample._kernels.accumulate import record_rows",
              "from simsample._kernels.select import gather"]
    header += [f"from {ref.module} import {ref.name} as {alias}" for alias, ref in imports.items()]
    header += ["# user kernels (_user0, ...) are set as globals by the loader", "",
               "", "@kernel",
               "def run_chunk(y, x, dparams, eparams, n_units, n_groups, state, mstates, reps,",
               "              truth, tq, rows, intervals, acc, kept):  # pragma: no cover"]
    return "\n".join(header + body) + "\n"


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
