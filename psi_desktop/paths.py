"""Where PSI Desktop keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from psi_desktop.errors import UserFacingError

# The files of a profile folder, named here and nowhere else (README "Where your data lives").
STORE_FILE = "psi-desktop.db"  # with -wal and -shm beside it while open
KEY_FILE = "psi-desktop.key"
LOCK_FILE = "psi-desktop.lock"
SETTINGS_FILE = "settings.ini"
LOG_DIR = "logs"
LOG_FILE = "psi-desktop.log"
BACKUP_DIR = "backups"
BACKUPS_KEPT = 10  # the newest ones; older backups are dropped
BACKUP_INTERVAL_MINUTES = 30  # of time unlocked
ATTEMPTS_FILE = "unlock-attempts.json"
ATTEMPTS_LOCK = "unlock-attempts.lock"
RECOVERY_PENDING_FILE = "recovery-pending"  # there until the recovery key made with the profile was shown

APP_NAME = "PSI Desktop"
APP_AUTHOR = "PSI Desktop"
DATA_DIR_ENV = "PSI_DESKTOP_DATA_DIR"


def default_data_dir() -> Path:
    """The OS per-user data dir, never a folder beside the program."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))


class EmptyDataDirError(UserFacingError):
    """``--data-dir ''`` or an empty $PSI_DESKTOP_DATA_DIR: a mistake, never a reason to use the real profile."""


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The profile folder: ``--data-dir``, else ``$PSI_DESKTOP_DATA_DIR``, else the OS default.

    Given but empty (a script's unset variable, say) is refused: silently falling back to the user's
    own profile would write where nobody meant to.
    """
    if override is not None:
        if not str(override).strip():
            raise EmptyDataDirError("--data-dir was given an empty folder name. Name a folder, or leave it out.")
        return Path(override).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env is not None:
        if not from_env.strip():
            raise EmptyDataDirError(
                f"{DATA_DIR_ENV} is set but empty. Name a folder in it, or unset it to use your own profile."
            )
        return Path(from_env).expanduser().resolve()
    return default_data_dir()


def resources_dir() -> Path:
    """The ``resources/`` folder.

    Looked for inside the package first (a wheel or a PyInstaller bundle, where the build puts it
    at ``psi_desktop/resources``), then beside the source tree (an editable install or a checkout).
    """
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "psi_desktop" / "resources")
    package_dir = Path(__file__).resolve().parent
    candidates += [package_dir / "resources", package_dir.parent / "resources"]
    for candidate in candidates:
        try:
            if (candidate / "frameworks").is_dir():
                return candidate
        except OSError:  # a folder this user may not enter: is_dir raises PermissionError for it
            continue
    raise FileNotFoundError(
        "PSI Desktop's resources folder is missing or cannot be read; reinstall the app, or ask IT to fix it."
    )


def resource(*parts: str) -> Path:
    """A file under ``resources/``."""
    return resources_dir().joinpath(*parts)
