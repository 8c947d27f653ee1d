"""Writing files so that a crash or power cut leaves the old version or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PLAINTEXT_HEADER = b"SQLite format 3\x00"
"""How a plain SQLite file starts; an encrypted store starts with random bytes."""


def is_plaintext(path: Path) -> bool:
    """True for a store from before encryption (a plain SQLite file)."""
    try:
        with path.open("rb") as f:
            return f.read(len(PLAINTEXT_HEADER)) == PLAINTEXT_HEADER
    except OSError:
        return False


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it over."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
