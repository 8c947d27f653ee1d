"""A profile: one practitioner's data folder, its encrypted store and the frameworks it can use.

Creating, unlocking, recovering and converting a profile all happen here, so the GUI and the
command line behave the same.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

from psi_desktop.errors import StoreError, UserFacingError, ValidationError
from psi_desktop.frameworks import FrameworkRegistry, load_frameworks
from psi_desktop.services.cases import CaseService
from psi_desktop.services.drafts import DraftService
from psi_desktop.services.reflections import ReflectionService
from psi_desktop.storage import STORE_FILE, Store, StoreDamagedError, open_store
from psi_desktop.storage.files import atomic_write
from psi_desktop.storage.keys import (
    REAL_KDF,
    KdfParams,
    KeyFile,
    WrongPassphraseError,
    WrongRecoveryKeyError,
    new_recovery_key,
    new_store_key,
)
from psi_desktop.storage.store import encrypt_plaintext_store, install_store, is_plaintext

log = logging.getLogger(__name__)

ATTEMPTS_FILE = "unlock-attempts.json"
# There while the recovery key made with the profile has not been shown and confirmed.
RECOVERY_PENDING_FILE = "recovery-pending"
FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 300
MIN_PASSPHRASE_LENGTH = 8


class ProfileState(enum.Enum):
    MISSING = "missing"  # nothing here yet
    PLAINTEXT = "plaintext"  # made before encryption: needs a passphrase, then it is converted
    ENCRYPTED = "encrypted"


class TooManyAttemptsError(UserFacingError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(f"Too many wrong tries. Wait {wait_seconds} seconds, then try again.")


class Profile:
    """An open, unlocked profile. The UI and CLI reach every service through it."""

    def __init__(self, directory: Path, store: Store, key: bytearray, frameworks: FrameworkRegistry) -> None:
        self.directory = directory
        self.store = store
        self._key = key
        self.frameworks = frameworks
        self.cases = CaseService(store, frameworks)
        self.reflections = ReflectionService(store, frameworks)
        self.drafts = DraftService(store)

    @property
    def key(self) -> bytes:
        """The store key, for a worker that opens its own connection (backups)."""
        if not self._key:
            raise StoreError("This profile is locked.")
        return bytes(self._key)

    def close(self) -> None:
        """Close the store and forget the key (overwritten in memory, as far as Python allows)."""
        self.store.close()
        for i in range(len(self._key)):
            self._key[i] = 0
        self._key.clear()

    @property
    def closed(self) -> bool:
        return not self._key

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.closed:
            self.close()


def store_path(directory: Path) -> Path:
    return directory / STORE_FILE


def profile_state(directory: Path) -> ProfileState:
    store = store_path(directory)
    if not store.exists():
        from psi_desktop.services.backups import backup_files

        if KeyFile(directory).exists() and backup_files(directory):
            # Making a new profile here would replace the key file that opens these backups.
            reason = f"The store {STORE_FILE} is missing from {directory}."
            raise StoreDamagedError(_with_backup_hint(reason, directory), reason=reason)
        return ProfileState.MISSING
    return ProfileState.PLAINTEXT if is_plaintext(store) else ProfileState.ENCRYPTED


def profile_exists(directory: Path) -> bool:
    return store_path(directory).exists()


def check_new_passphrase(passphrase: str, again: str | None = None) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSPHRASE_LENGTH} characters; a short sentence works well.")
    if again is not None and again != passphrase:
        raise ValidationError("The two passphrases are not the same. Type them again.")


def passphrase_strength(passphrase: str) -> str:
    """A plain hint for the create-profile dialog; length matters most."""
    kinds = sum(
        any(test(c) for c in passphrase) for test in (str.islower, str.isupper, str.isdigit, str.isspace)
    ) + any(not c.isalnum() and not c.isspace() for c in passphrase)
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"Too short: use at least {MIN_PASSPHRASE_LENGTH} characters."
    if len(passphrase) >= 20 or (len(passphrase) >= 14 and kinds >= 3):
        return "Strong."
    if len(passphrase) >= 12 and kinds >= 2:
        return "Good. A few more words would make it stronger."
    return "Weak: a longer phrase of four or more words is easier to remember and harder to guess."


def _open(directory: Path, key: bytearray) -> Profile:
    try:
        store = open_store(store_path(directory), key)
    except StoreDamagedError as exc:
        raise StoreDamagedError(_with_backup_hint(str(exc), directory), reason=str(exc)) from exc
    try:
        return Profile(directory, store, key, load_frameworks())
    except BaseException:
        store.close()
        raise


def _with_backup_hint(message: str, directory: Path) -> str:
    from psi_desktop.services.backups import backup_files

    backups = backup_files(directory)
    if not backups:
        return message + " There is no backup to restore."
    return message + f' Restore the latest backup with: psi-desktop restore "{backups[0]}"'


@dataclass(frozen=True, slots=True)
class NewProfile:
    profile: Profile
    recovery_key: str  # shown once, never stored


def create_profile(directory: Path, passphrase: str, *, kdf: KdfParams = REAL_KDF) -> NewProfile:
    """Make a new encrypted profile, or encrypt one from before encryption. Returns the recovery key.

    The store is made (or encrypted) beside its final name, the key file and the recovery-pending
    marker written, and only then is the store renamed into place: a crash at any point leaves
    either no store (so this simply runs again) or a store whose key file is already there. The
    marker stays until ``recovery_key_shown``: unlocked before that, the profile gets a new recovery
    key to show (``renew_recovery_key``), as nobody saw this one.
    """
    state = profile_state(directory)
    if state is ProfileState.ENCRYPTED:
        raise ValidationError(f"There is already a profile in {directory}. Nothing was changed.")
    check_new_passphrase(passphrase)
    # Always a fresh key: a key file left by an interrupted attempt opens nothing that was kept.
    key, recovery = new_store_key(), new_recovery_key()
    target = store_path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if state is ProfileState.PLAINTEXT:
            ready = encrypt_plaintext_store(target, key)
        else:
            ready = target.with_name(target.name + ".new")
            ready.unlink(missing_ok=True)
            open_store(ready, key).close()
        KeyFile(directory).create(key, passphrase, recovery, kdf)
        atomic_write(directory / RECOVERY_PENDING_FILE, b"The recovery key has not been shown yet.\n")
        install_store(ready, target)
    except OSError as exc:
        raise StoreError(
            f"PSI Desktop cannot write to its data folder {directory} ({(exc.strerror or 'disk error').lower()}). "
            "Free some space or ask IT for write access; your records have not been changed."
        ) from exc
    if state is ProfileState.PLAINTEXT:
        log.info("Converted an unencrypted store to an encrypted one")
    return NewProfile(_open(directory, key), recovery)


def recovery_key_pending(directory: Path) -> bool:
    """True when the profile's recovery key was made but never shown (created, then cut short)."""
    return (directory / RECOVERY_PENDING_FILE).exists()


def renew_recovery_key(directory: Path, key: bytes) -> str:
    """A new recovery key in place of the one nobody saw, which stops working. Show it, then call
    ``recovery_key_shown``; until then the marker stays, and the next unlock makes another.
    """
    recovery = new_recovery_key()
    try:
        KeyFile(directory).replace_recovery_key(key, recovery)
    except OSError as exc:
        raise StoreError(
            f"PSI Desktop cannot write to its data folder {directory} ({(exc.strerror or 'disk error').lower()}), "
            "so it cannot give this profile its recovery key. Free some space or ask IT for write access."
        ) from exc
    log.info("A new recovery key replaced one that was never shown")
    return recovery


def recovery_key_shown(directory: Path) -> None:
    """The recovery key was shown and the person said it is stored: the profile is fully set up."""
    try:
        (directory / RECOVERY_PENDING_FILE).unlink(missing_ok=True)
    except OSError:
        # Harmless but for a new recovery key shown at the next unlock.
        log.warning("Could not clear the recovery-pending marker")


def unlock_key(directory: Path, passphrase: str) -> bytearray:
    """The store key, from the passphrase; repeated wrong ones must wait longer each time.

    Needs only the key file, so a damaged store can still be restored from a backup.
    """
    attempts = _Attempts(directory)
    attempts.check()
    try:
        key = KeyFile(directory).unlock(passphrase)
    except WrongPassphraseError:
        attempts.failed()
        raise
    attempts.succeeded()
    return key


def unlock_profile(directory: Path, passphrase: str) -> Profile:
    """Open an encrypted profile with its passphrase."""
    if profile_state(directory) is not ProfileState.ENCRYPTED:
        raise StoreError(f"There is no encrypted PSI Desktop profile in {directory}.")
    return _open(directory, unlock_key(directory, passphrase))


def recover_profile(directory: Path, recovery_key: str, new_passphrase: str, *, kdf: KdfParams = REAL_KDF) -> Profile:
    """Forgot the passphrase: unlock with the recovery key and set a new passphrase."""
    check_new_passphrase(new_passphrase)
    keys = KeyFile(directory)
    attempts = _Attempts(directory)
    attempts.check()
    try:
        key = keys.unlock_with_recovery_key(recovery_key)
    except WrongRecoveryKeyError:
        attempts.failed()
        raise
    attempts.succeeded()
    keys.change_passphrase(key, new_passphrase, kdf)
    log.info("Passphrase reset with the recovery key")
    return _open(directory, key)


def change_passphrase(directory: Path, key: bytes, current: str, new: str, *, kdf: KdfParams = REAL_KDF) -> None:
    """Wrap the store key with a new passphrase. The current one is checked, and wrong tries slow down.

    Takes the key itself (``profile.key`` is a copy), so a worker never reads a profile that a lock
    may be closing.
    """
    check_new_passphrase(new)
    if bytes(unlock_key(directory, current)) != key:
        raise WrongPassphraseError("That is not the current passphrase.")
    KeyFile(directory).change_passphrase(key, new, kdf)
    log.info("Passphrase changed")


class _Attempts:
    """Counts wrong passphrases in a file beside the store, so restarting the app does not reset it."""

    clock = staticmethod(time.time)

    def __init__(self, directory: Path) -> None:
        self.path = directory / ATTEMPTS_FILE

    def _read(self) -> tuple[int, float]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            return int(doc["failures"]), float(doc["last_failure"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0

    @staticmethod
    def delay(failures: int) -> int:
        if failures < FREE_ATTEMPTS:
            return 0
        return min(2 ** (failures - FREE_ATTEMPTS + 1), MAX_DELAY_SECONDS)

    def check(self) -> None:
        failures, last = self._read()
        wait = last + self.delay(failures) - self.clock()
        if wait > 0:
            raise TooManyAttemptsError(math.ceil(wait))

    def failed(self) -> None:
        failures, _ = self._read()
        try:
            atomic_write(self.path, json.dumps({"failures": failures + 1, "last_failure": self.clock()}).encode())
        except OSError:
            log.warning("Could not record a failed unlock attempt")

    def succeeded(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.warning("Could not clear failed unlock attempts")
