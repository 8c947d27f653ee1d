"""Files the user asks for (exports, backup copies): never a profile's own file, never through a link, whole."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from psi_desktop.errors import OutputExistsError as OutputExistsError
from psi_desktop.errors import OutputRefusedError as OutputRefusedError
from psi_desktop.storage.files import fsync_dir
from psi_desktop.storage.keys import KEY_FILE
from psi_desktop.storage.store import STORE_FILE

# A folder holding either of these is a profile folder, whichever profile is open.
PROFILE_MARKERS = (STORE_FILE, KEY_FILE)
MODE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where links need privileges to make
_BINARY = getattr(os, "O_BINARY", 0)


def check_output(path: str | os.PathLike[str], profile_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Where ``path`` will be written (its folder resolved), or OutputRefusedError saying why not.

    Refused: a path inside ``profile_dir`` or inside any folder holding a profile (checked on the
    path as typed and as resolved through links), a path that is itself a link or a folder, a folder
    that does not exist, and an existing file unless ``force``.
    """
    typed = Path(os.path.abspath(path))
    name = typed.name or str(typed)
    if os.path.islink(typed):
        raise OutputRefusedError(
            f"{name} is a shortcut (a link) to another file; nothing was written. Choose another name."
        )
    if os.path.isdir(typed) or not typed.name:
        raise OutputRefusedError(f"{name} is a folder; nothing was written. Choose a file name.")
    folder = Path(os.path.realpath(typed.parent))
    if not folder.is_dir():
        raise OutputRefusedError(f"The folder {typed.parent} does not exist. Create it, or choose another.")
    target = folder / typed.name
    profile = Path(os.path.realpath(profile_dir))
    for candidate in (typed, target):
        for ancestor in candidate.parents:
            if ancestor == profile or any(os.path.lexists(ancestor / m) for m in PROFILE_MARKERS):
                raise OutputRefusedError(
                    f"{name} would be saved in PSI Desktop's own data folder ({ancestor}), where your records "
                    "are kept; nothing was written. Save it somewhere else, such as your Documents folder."
                )
    if not force and os.path.lexists(target):
        raise OutputExistsError(target)
    return target


@contextlib.contextmanager
def output_file(
    path: str | os.PathLike[str], profile_dir: str | os.PathLike[str], *, force: bool = False
) -> Iterator[Path]:
    """Yield an empty temporary file beside ``path`` for a producer to fill (reportlab, savefig, SQLite).

    When the block ends without an error the file is made 0600, flushed to disk, checked again and
    renamed to ``path``; on any error it is deleted and ``path`` is left as it was.
    """
    target = check_output(path, profile_dir, force=force)
    temp = _new_temp(target)
    try:
        yield temp
        _seal(temp)
        check_output(target, profile_dir, force=force)  # again: a link or a file may have appeared meanwhile
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    fsync_dir(target.parent)


def write_output(
    path: str | os.PathLike[str], data: bytes, profile_dir: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write ``data`` to ``path`` as ``output_file`` does; returns the path written."""
    with output_file(path, profile_dir, force=force) as temp:
        fd = os.open(temp, os.O_WRONLY | os.O_TRUNC | _NOFOLLOW | _BINARY)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return temp.with_name(Path(os.path.abspath(path)).name)


def _new_temp(target: Path) -> Path:
    # O_EXCL and O_NOFOLLOW: never a file or link someone put there first; 0600 from the start.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
    for _ in range(100):
        temp = target.with_name(f".{target.stem[:40]}.{secrets.token_hex(4)}.tmp{target.suffix}")
        try:
            fd = os.open(temp, flags, MODE)
        except FileExistsError:
            continue
        os.close(fd)
        return temp
    raise FileExistsError(f"no free temporary name in {target.parent}")


def _seal(temp: Path) -> None:
    """Make the filled temporary file 0600 (whatever the umask or the producer chose) and flush it."""
    fd = os.open(temp, os.O_RDWR | _NOFOLLOW | _BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputRefusedError(f"{temp.name} was not written as a plain file; nothing was written.")
        if hasattr(os, "fchmod"):
            os.fchmod(fd, MODE)
        else:
            os.chmod(temp, MODE)
        os.fsync(fd)
    finally:
        os.close(fd)
