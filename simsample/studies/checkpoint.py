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
only if its condition hash, index and number of replications match the plan,
and float64 arrays round-trip exactly, so a resumed study is bit-identical to
an uninterrupted one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import zipfile
from pathlib import Path

import numpy as np

#: Identifies the layout; a different value is never resumed.
FORMAT = "simsample-study-checkpoint/1"
MANIFEST = "manifest.json"
CHUNK_DIR = "checkpoint"


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

    def begin(self, record: dict) -> None:
        """Create the folder, drop stray temporary files and write the manifest."""
        self.out.mkdir(parents=True, exist_ok=True)
        chunks = self.out / CHUNK_DIR
        if chunks.is_dir():
            for stray in chunks.glob("*/.*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    stray.unlink()
        atomic_write(self.manifest_path, json_bytes(record))

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
        atomic_write(path, buffer.getvalue())

    def load(self, condition: int, chunk: int, condition_hash: str, reps: int,
             shapes: list[tuple[tuple[int, ...], tuple[int, ...]]]):
        """The saved result of a chunk, or None if absent or made for another plan.

        ``shapes`` holds the expected (accumulator, kept) shapes of each design.
        """
        from ..engine import ChunkResult

        path = self.chunk_path(condition, chunk)
        if not path.is_file():
            return None
        try:
            # our own handle, closed even when numpy cannot read the file
            with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as data:
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
