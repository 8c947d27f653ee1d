"""What a profile folder holds, told from its files alone.

Light on purpose: the app asks it before its first window paints, before the store's code is loaded.
"""

from __future__ import annotations

import enum
from pathlib import Path

from psi_desktop.errors import StoreDamagedError
from psi_desktop.paths import KEY_FILE, STORE_FILE
from psi_desktop.storage.files import is_plaintext


class ProfileState(enum.Enum):
    MISSING = "missing"  # nothing here yet
    PLAINTEXT = "plaintext"  # made before encryption: needs a passphrase, then it is converted
    ENCRYPTED = "encrypted"


def store_path(directory: Path) -> Path:
    return directory / STORE_FILE


def profile_state(directory: Path) -> ProfileState:
    store = store_path(directory)
    if not store.exists():
        from psi_desktop.services.backups import backup_files
        from psi_desktop.services.profile import with_backup_hint

        if (directory / KEY_FILE).exists() and backup_files(directory):
            # Making a new profile here would replace the key file that opens these backups.
            reason = f"The store {STORE_FILE} is missing from {directory}."
            raise StoreDamagedError(with_backup_hint(reason, directory), reason=reason)
        return ProfileState.MISSING
    return ProfileState.PLAINTEXT if is_plaintext(store) else ProfileState.ENCRYPTED
