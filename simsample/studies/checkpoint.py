"""Checkpoints of a study: finished chunk results on disk, so a killed run can resume.

Layout of an output folder::

    manifest.json                    what study this is (see :func:`manifest`)
    checkpoint/c00003/chunk000012.npz  accumulators (and kept replications) of
                                     chunk 12 of condition 3, with the
                                     condition's hash, the chunk index and its reps

Every file is written atomically (:func:`atomic_write`: a temporary file in
the same folder, flushed and fsync'ed, then ``os.replace``), so a process
killed at any moment leaves each file either complete or absent; a stray
temporary file is ignored and removed on resume. A chunk result is reused
only if its SHA-256 matches the digest the manifest records for it (so an
edited, truncated or foreign file is computed again) and its condition hash,
index and number of replications match the plan; float64 arrays round-trip
exactly, so a resumed study is bit-identical to an uninterrupted one. Each
saved chunk's digest is appended (and fsync'ed) to ``checkpoint/digests.log``
right after the chunk file; the manifest takes them over when the run ends or
resumes (a torn last line is ignored: that chunk is computed again).

The folder is claimed by creating ``.lock`` exclusively (``O_EXCL``) with the
process id: a second run into the same folder is refused while the first is
alive; the lock of a killed run is taken over by ``--resume``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import time
import zipfile
from pathlib import Path

import numpy as np

#: Identifies the layout; a different value is never resumed.
FORMAT = "simsample-study-checkpoint/1"
MANIFEST = "manifest.json"
CHUNK_DIR = "checkpoint"
LOCK = ".lock"
JOURNAL = "digests.log"


class CheckpointMismatchError(ValueError):
    """An output folder holds a checkpoint of a different study (or version, or seed)."""


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, whole."""
    path = Path(path)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # os.open with mode 0o666 lets the umask decide permissions (mkstemp would force 0o600)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def json_bytes(record) -> bytes:
    """Canonical, standard JSON (NaN and infinities as null), newline-terminated."""
    return (json.dumps(_finite(record), indent=2, allow_nan=False) + "\n").encode()


def _finite(value):
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if np.isfinite(value) else None
    return value


def manifest(*, version: str, chunk_size: int, seed: int, study_digest: str, source: str,
             reps: int, conditions: list[tuple[str, dict]]) -> dict:
    """The record that identifies a study's checkpoint.

    ``conditions`` holds ``(hash, record)`` for each condition: the record is
    everything that determines the condition's results except ``reps``.
    """
    return {"format": FORMAT, "simsample": version, "chunk_size": chunk_size, "seed": seed,
            "study": study_digest, "source": source, "reps": reps,
            "conditions": [{"hash": h, "record": r} for h, r in conditions]}


class Checkpoint:
    """The checkpoint in output folder ``out``."""

    def __init__(self, out):
        self.out = Path(out)
        self.manifest_path = self.out / MANIFEST
        self.lock_path = self.out / LOCK
        self.journal_path = self.out / CHUNK_DIR / JOURNAL
        self._record: dict | None = None
        self._digests: dict[str, str] = {}
        self._locked = False

    @property
    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text())
        except (OSError, ValueError) as exc:
            raise CheckpointMismatchError(
                f"{self.manifest_path} is not a readable study manifest ({exc}); choose another "
                "output folder.") from None

    def check_compatible(self, new: dict) -> None:
        """Raise :class:`CheckpointMismatchError` unless ``new`` may resume this checkpoint.

        Resuming is allowed when the format, simsample version, chunk size and
        seed are equal and every condition present in both has the same hash:
        replications may be added, and conditions added or removed at the end.
        """
        old = self.read_manifest()
        where = f"output folder {self.out} holds"
        advice = "resume it with the study that wrote it, or choose another output folder."
        if old.get("format") != FORMAT:
            raise CheckpointMismatchError(
                f"{where} no simsample study checkpoint of this format "
                f"({old.get('format')!r}, expected {FORMAT!r}); choose another output folder.")
        for key, what in (("simsample", "simsample version"), ("chunk_size", "chunk size"),
                          ("seed", "seed")):
            if old.get(key) != new[key]:
                raise CheckpointMismatchError(
                    f"{where} a study written with {what} {old.get(key)!r} (here "
                    f"{new[key]!r}); {advice}")
        for before, now in zip(old.get("conditions", []), new["conditions"]):
            if before.get("hash") != now["hash"]:
                index = now["record"].get("index")
                changes = describe_changes(before.get("record", {}), now["record"])
                raise CheckpointMismatchError(
                    f"{where} a different study ({old.get('source')!r}): condition {index} "
                    f"differs in {changes}; {advice}")

    def claim(self, record: dict, resume: bool) -> None:
        """Refuse a folder that holds a study (unless resuming it), lock it, :meth:`begin`."""
        if self.out.exists() and not self.out.is_dir():
            raise CheckpointMismatchError(
                f"output folder {self.out} is an existing file, not a folder; choose another "
                "output folder.")
        if self.exists and not resume:
            raise CheckpointMismatchError(
                f"output folder {self.out} already holds a study; resume it "
                "(resume=True, --resume) or choose another output folder.")
        if self.exists:
            self.check_compatible(record)
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            if self.exists and not resume:  # another run finished in between
                raise CheckpointMismatchError(
                    f"output folder {self.out} already holds a study; choose another one.")
            self.begin(record)
        except BaseException:
            self.release()
            raise

    def _lock(self) -> None:
        for _ in range(2):
            try:
                fd = os.open(self.lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                owner = _lock_owner(self.lock_path)
                if owner is not None and _alive(owner):
                    raise CheckpointMismatchError(
                        f"output folder {self.out} is in use by another run (process "
                        f"{owner}); wait for it, or choose another output folder.") from None
                with contextlib.suppress(FileNotFoundError):  # a killed run's: take it over
                    self.lock_path.unlink()
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            self._locked = True
            return
        raise CheckpointMismatchError(  # pragma: no cover - a race lost twice
            f"output folder {self.out} is being claimed by another run; try again.")

    def release(self) -> None:
        """Remove this run's lock (kept by a killed run; taken over on resume)."""
        if self._locked:
            with contextlib.suppress(FileNotFoundError):
                self.lock_path.unlink()
            self._locked = False

    def begin(self, record: dict) -> None:
        """Create the folder, drop stray temporary files and write the manifest.

        The chunk digests of an existing manifest are kept (resume).
        """
        self.out.mkdir(parents=True, exist_ok=True)
        chunks = self.out / CHUNK_DIR
        if chunks.is_dir():
            for stray in chunks.glob("*/.*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    stray.unlink()
        if self.exists:
            with contextlib.suppress(CheckpointMismatchError, AttributeError):
                old = self.read_manifest().get("digests", {})
                self._digests = {str(k): str(v) for k, v in old.items()}
        self._digests.update(_read_journal(self.journal_path))
        self._record = dict(record)
        self.flush_digests()

    def flush_digests(self) -> None:
        """Write the manifest with every chunk digest, then drop the journal."""
        if self._record is None:
            return
        atomic_write(self.manifest_path,
                     json_bytes({**self._record, "digests": dict(sorted(self._digests.items()))}))
        with contextlib.suppress(FileNotFoundError):
            self.journal_path.unlink()

    def chunk_path(self, condition: int, chunk: int) -> Path:
        return self.out / CHUNK_DIR / f"c{condition:05d}" / f"chunk{chunk:06d}.npz"

    def save(self, condition: int, chunk: int, condition_hash: str, reps: int, result) -> None:
        """Persist one chunk's :class:`~simsample.engine.ChunkResult`, atomically."""
        path = self.chunk_path(condition, chunk)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {"condition": np.array(condition_hash), "chunk": np.array(chunk),
                  "reps": np.array(reps)}
        for d, (acc, kept) in enumerate(zip(result.acc, result.kept)):
            arrays[f"acc{d}"] = acc
            arrays[f"kept{d}"] = kept
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        data = buffer.getvalue()
        atomic_write(path, data)
        key, digest = _chunk_key(condition, chunk), hashlib.sha256(data).hexdigest()
        self._digests[key] = digest
        with open(self.journal_path, "a") as handle:
            handle.write(f"{key} {digest}\n")
            handle.flush()
            os.fsync(handle.fileno())

    def load(self, condition: int, chunk: int, condition_hash: str, reps: int,
             shapes: list[tuple[tuple[int, ...], tuple[int, ...]]]):
        """The saved result of a chunk, or None if absent or made for another plan.

        ``shapes`` holds the expected (accumulator, kept) shapes of each design.
        """
        from ..engine import ChunkResult

        path = self.chunk_path(condition, chunk)
        expected = self._digests.get(_chunk_key(condition, chunk))
        if expected is None or not path.is_file():
            return None  # absent, or saved after the manifest's last digests: computed again
        try:
            content = path.read_bytes()
            if hashlib.sha256(content).hexdigest() != expected:
                return None  # edited or replaced since it was saved
            with np.load(io.BytesIO(content), allow_pickle=False) as data:
                if (str(data["condition"]) != condition_hash or int(data["chunk"]) != chunk
                        or int(data["reps"]) != reps):
                    return None
                acc = [np.array(data[f"acc{d}"]) for d in range(len(shapes))]
                kept = [np.array(data[f"kept{d}"]) for d in range(len(shapes))]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # unreadable: computed again (atomic writes make this unexpected)
        if any(a.shape != s_acc or k.shape != s_kept
               for a, k, (s_acc, s_kept) in zip(acc, kept, shapes)):
            return None
        return ChunkResult(acc, kept)


def _chunk_key(condition: int, chunk: int) -> str:
    return f"c{condition:05d}/chunk{chunk:06d}"


def _read_journal(path: Path) -> dict[str, str]:
    """``key -> digest`` of the whole lines of a digest journal (a torn line is skipped)."""
    try:
        lines = path.read_text(errors="replace").split("\n")[:-1]
    except OSError:
        return {}
    pairs = (line.split(" ") for line in lines)
    return {p[0]: p[1] for p in pairs if len(p) == 2 and len(p[1]) == 64}


def _lock_owner(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def describe_changes(before: dict, now: dict, limit: int = 3) -> str:
    """``key: old there, new here`` for the first ``limit`` differing keys of two records."""
    a, b = dict(_leaves(before)), dict(_leaves(now))
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k, "<absent>") != b.get(k, "<absent>")]
    parts = [f"{k} ({a.get(k, '<absent>')!r} there, {b.get(k, '<absent>')!r} here)"
             for k in keys[:limit]]
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(parts) + more if parts else "its identity"


def _leaves(record, prefix=""):
    if isinstance(record, dict):
        for key, value in record.items():
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), record
