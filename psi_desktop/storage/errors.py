"""SQLite and OS errors sorted by cause, by their codes (never by the words of a message), for all of storage."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from psi_desktop.storage.sqlcipher import sqlite3

# SQLite's primary result codes (https://sqlite.org/rescode.html); an extended code keeps them in its low byte.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26

_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
MIN_FREE_BYTES = 1024 * 1024
_READ_ONLY_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of ``exc``, or None when it is not an SQLite error with one."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_full_error(exc: BaseException, folder: Path | None = None) -> bool:
    """The disk, quota or file-size limit leaves no room: SQLITE_FULL, ENOSPC/EDQUOT/EFBIG.

    SQLite reports some of these as an I/O error without the OS's errno (growing the -shm, or a write
    past the file-size limit), and its online backup raises errors with no code at all: such an
    error in ``folder`` counts as full when there is no room there, measured, never guessed from
    the message.
    """
    if sqlite_code(exc) == SQLITE_FULL or getattr(exc, "errno", None) in _FULL_ERRNOS:
        return True
    uncertain = sqlite_code(exc) == SQLITE_IOERR or (isinstance(exc, sqlite3.Error) and sqlite_code(exc) is None)
    return folder is not None and uncertain and no_room(folder)


def no_room(folder: Path) -> bool:
    """Less than a megabyte free in ``folder``, or this process's file-size limit nearly reached there."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    if st.f_bavail * st.f_frsize < MIN_FREE_BYTES:
        return True
    try:
        import resource
    except ImportError:
        return False
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if soft == resource.RLIM_INFINITY:
        return False
    try:
        biggest = max((p.stat().st_size for p in folder.iterdir() if p.is_file()), default=0)
    except OSError:
        return False
    return biggest + MIN_FREE_BYTES >= soft


def is_busy_error(exc: BaseException) -> bool:
    """Another connection held the store for longer than the busy timeout: SQLITE_BUSY or SQLITE_LOCKED."""
    return sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED)


def is_read_only_error(exc: BaseException) -> bool:
    """The folder or file may not be written (or opened): SQLITE_READONLY/CANTOPEN/PERM, EACCES/EPERM/EROFS."""
    return sqlite_code(exc) in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM) or (
        getattr(exc, "errno", None) in _READ_ONLY_ERRNOS
    )


def is_disk_error(exc: BaseException) -> bool:
    """The device failed a read or write (SQLITE_IOERR, EIO): not damage in the file, not a bug of ours."""
    return sqlite_code(exc) == SQLITE_IOERR or getattr(exc, "errno", None) == errno.EIO


def is_damage_error(exc: BaseException) -> bool:
    """The bytes are not a readable store with this key: SQLITE_CORRUPT or SQLITE_NOTADB."""
    return sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)
