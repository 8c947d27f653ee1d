"""Whether a store has passed its full integrity check in this run, shared by every connection to it.

Unlocking in the app opens the store with a cheap check (its first page and schema decrypt and read),
so that the time to the case list does not grow with the store; the full ``quick_check`` then runs on a
worker (``Store.full_check``). Until it has passed, a write waits for it; once it has failed, no write
is made at all: a damaged store is never written to. A store opened with the full check at open (the
command line, a restore) is healthy from the start.
"""

from __future__ import annotations

import threading
from pathlib import Path

from psi_desktop.errors import StoreDamagedError

WAIT_SECONDS = 120.0
"""How long a write waits for the check (a few seconds on a large store): past it, the write is refused."""

DAMAGED = (
    "PSI Desktop found damage in your records' store after unlocking, so it has locked and writes nothing more to it."
)


class _Check:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.damaged = False


_lock = threading.Lock()
_checks: dict[str, _Check] = {}


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def pending(path: Path) -> None:
    """The store at ``path`` was opened with only the cheap check: writes wait for ``record``."""
    with _lock:
        _checks[_key(path)] = _Check()


def record(path: Path, *, ok: bool) -> None:
    """The full check of the store at ``path`` passed (``ok``) or found damage."""
    with _lock:
        check = _checks.setdefault(_key(path), _Check())
    check.damaged = not ok
    check.done.set()


def is_damaged(path: Path) -> bool:
    with _lock:
        check = _checks.get(_key(path))
    return check is not None and check.done.is_set() and check.damaged


def before_write(path: Path | None) -> None:
    """Wait for a pending check of the store at ``path``; StoreDamagedError when it found damage."""
    if path is None:
        return
    with _lock:
        check = _checks.get(_key(path))
    if check is None:
        return  # checked in full when it was opened
    if not check.done.wait(WAIT_SECONDS) or check.damaged:
        raise StoreDamagedError(DAMAGED)
