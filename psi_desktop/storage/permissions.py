"""A profile's folders 0700 and files 0600: made so, and put back so when found open to others."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def make_private(directory: Path) -> list[str]:
    """Take every right of group and others off the profile folder and everything in it.

    Returns the names (relative to the profile, never a full path) of what was open to others.
    Links are left alone (chmod would follow them out of the profile). A no-op on Windows, where
    the profile lives in the user's own AppData and modes mean little.
    """
    if os.name == "nt":
        return []
    fixed = []
    for path in [directory, *sorted(_walk(directory), key=lambda p: (len(p.parts), p.name))]:
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not info.st_mode & 0o077:
                continue
            os.chmod(path, FOLDER_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE)
        except OSError:
            continue  # gone meanwhile, or not ours: the check at the next open says so again
        fixed.append(path.relative_to(directory).as_posix() if path != directory else "the profile folder")
    return fixed


def check_private(directory: Path) -> str | None:
    """At open: fix what others could read or change; say so in the log (with file names) and in the
    short sentence returned for the window's status bar."""
    fixed = make_private(directory)
    if not fixed:
        return None
    names = ", ".join(fixed[:5]) + (f" and {len(fixed) - 5} more" if len(fixed) > 5 else "")
    message = (
        f"Some files of this profile could be read or changed by other users of this computer ({names}). "
        "They are now private to you."
    )
    log.warning(message)
    return "Other users of this computer could open your profile's files. They are now private to you."


def _walk(directory: Path) -> list[Path]:
    found = []
    try:
        for root, dirs, files in os.walk(directory):  # os.walk does not follow links to folders
            found += [Path(root, name) for name in dirs + files]
    except OSError:
        pass
    return found
