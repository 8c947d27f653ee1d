"""Locks on a profile's files that hold across processes and threads, and go with a killed process."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from psi_desktop.errors import StoreError, UserFacingError
from psi_desktop.paths import LOCK_FILE as LOCK_FILE


class ProfileInUseError(UserFacingError):
    """Another process (the app, or a command) is using this profile."""


class LockBusyError(Exception):
    """A lock was still held by someone else when the wait ran out."""


POLL_SECONDS = 0.05


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def file_lock(path: Path, *, wait: float = 0) -> Iterator[None]:
    """Hold an exclusive OS lock on ``path`` (made 0600), waiting at most ``wait`` seconds.

    flock on POSIX and msvcrt.locking on Windows: the OS drops the lock when its process dies, so a
    lock left by a killed process is never in the way. Each hold opens the file anew, so two threads
    of one process exclude each other too. Raises LockBusyError when it is still held after ``wait``,
    OSError when the file cannot be made. (Our own few lines rather than the filelock package: that
    package took a tenth of the launch to import, issue 16.)
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockBusyError(path.name)
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def profile_lock(directory: Path) -> Iterator[None]:
    """The one lock that every writer of the profile holds: the app while it is open, a command while it runs."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"PSI Desktop cannot make its data folder {directory}: {exc.strerror}") from exc
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(file_lock(directory / LOCK_FILE))
        except LockBusyError:
            raise ProfileInUseError(
                "PSI Desktop is open with this profile (or another command is using it). "
                "Close it, or try again when it is done."
            ) from None
        except OSError as exc:
            raise StoreError(
                f"PSI Desktop cannot write to its data folder {directory}. Ask IT to give you write access."
            ) from exc
        yield
