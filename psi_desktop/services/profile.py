"""A profile: one practitioner's data folder, its encrypted store and the frameworks it can use.

Creating, unlocking, recovering and converting a profile all happen here, so the GUI and the
command line behave the same.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from psi_desktop.errors import StoreError, UserFacingError, ValidationError
from psi_desktop.frameworks import FrameworkRegistry, load_frameworks
from psi_desktop.paths import ATTEMPTS_FILE, ATTEMPTS_LOCK, STORE_FILE
from psi_desktop.paths import RECOVERY_PENDING_FILE as RECOVERY_PENDING_FILE
from psi_desktop.services.cases import CaseService
from psi_desktop.services.drafts import DraftService
from psi_desktop.services.profile_state import ProfileState as ProfileState
from psi_desktop.services.profile_state import profile_state as profile_state
from psi_desktop.services.profile_state import store_path
from psi_desktop.services.reflections import ReflectionService
from psi_desktop.services.removals import RemovalService
from psi_desktop.storage import Store, StoreDamagedError, health, open_store
from psi_desktop.storage.errors import is_busy_error as is_busy_error  # for what escaped a service
from psi_desktop.storage.errors import is_damage_error as is_damage_error  # also for the window's first reads
from psi_desktop.storage.files import atomic_write
from psi_desktop.storage.keys import (
    Key,
    KeyFile,
    KeyFileError,
    KeyFileMissingError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
    new_recovery_key,
    new_store_key,
)
from psi_desktop.storage.locks import LockBusyError, ProfileInUseError, file_lock
from psi_desktop.storage.locks import profile_lock as profile_lock  # the app's and commands' lock
from psi_desktop.storage.permissions import check_private, make_private
from psi_desktop.storage.store import (
    damaged_text,
    encrypt_plaintext_store,
    install_store,
    key_opens,
    rekey_file,
    reopen_store,
)

log = logging.getLogger(__name__)

STORE_DAMAGED = health.DAMAGED
"""What the app says when the check after unlock finds damage (nothing more is written)."""

LOCK_WAIT_SECONDS = 60  # tries queue behind each other's key derivation (about a second each)
FREE_ATTEMPTS = 3
MAX_DELAY_SECONDS = 300
MIN_PASSPHRASE_LENGTH = 8


class TooManyAttemptsError(UserFacingError):
    def __init__(self, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(f"Too many wrong tries. Wait {wait_seconds} seconds, then try again.")


class Profile:
    """An open, unlocked profile. The UI and CLI reach every service through it."""

    permission_warning: str | None = None  # set at open when files were open to others (and fixed)

    def __init__(self, directory: Path, store: Store, key: bytearray, frameworks: FrameworkRegistry) -> None:
        self.directory = directory
        self.store = store
        self._key = key
        self.frameworks = frameworks
        self.cases = CaseService(store, frameworks)
        self.reflections = ReflectionService(store, frameworks)
        self.drafts = DraftService(store)
        self.removals = RemovalService(store)

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

    def reopen(self) -> Profile:
        """The same profile on a connection of the calling thread's own (close it there too).

        Each thread works through its own connection: a worker's transaction that rolls back then
        takes only its own writes with it, never a save another thread was told had succeeded.
        """
        return self.detached_copy().open()

    def check_store(self) -> bool:
        """The store's full integrity check, on this thread's connection (a worker's, after unlock)."""
        return self.store.full_check()

    def detached_copy(self) -> DetachedProfile:
        """The key and frameworks without a connection, to open on another thread."""
        if self.closed:
            raise StoreError("This profile is locked.")
        return DetachedProfile(self.directory, bytearray(self._key), self.frameworks, self.permission_warning)

    def detach(self) -> DetachedProfile:
        """Close this thread's connection and hand the unlocked profile to the thread that will use it."""
        detached = self.detached_copy()
        self.close()
        return detached

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.closed:
            self.close()


@dataclass
class DetachedProfile:
    """An unlocked profile (its store checked and migrated) with no connection yet: what a worker that
    unlocked it hands to the thread that will use it. ``open`` there, or ``close`` to forget the key."""

    directory: Path
    key: bytearray
    frameworks: FrameworkRegistry
    permission_warning: str | None = None

    def open(self) -> Profile:
        store = reopen_store(store_path(self.directory), self.key)
        profile = Profile(self.directory, store, self.key, self.frameworks)
        profile.permission_warning = self.permission_warning
        return profile

    def close(self) -> None:
        for i in range(len(self.key)):
            self.key[i] = 0
        self.key.clear()


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


def _open(directory: Path, key: bytearray, *, deferred_check: bool = False) -> Profile:
    finish_key_change(directory, key)
    try:
        store = open_store(store_path(directory), key, deferred_check=deferred_check)
    except StoreDamagedError as exc:
        raise StoreDamagedError(with_backup_hint(str(exc), directory), reason=str(exc)) from exc
    try:
        profile = Profile(directory, store, key, _frameworks(store))
    except Exception as exc:
        store.close()
        if is_damage_error(exc):  # with the deferred check: a page read while opening did not decrypt
            reason = damaged_text(STORE_FILE)
            raise StoreDamagedError(with_backup_hint(reason, directory), reason=reason) from exc
        raise
    except BaseException:
        store.close()
        raise
    profile.permission_warning = check_private(directory)  # after the open: -wal and -shm exist now
    return profile


def _frameworks(store: Store) -> FrameworkRegistry:
    """This build's frameworks and those the profile kept from bundles; a built-in (id, version) wins."""
    registry = load_frameworks()
    for kept in store.frameworks.all():
        if registry.is_built_in(kept.key) and registry.get(*kept.key) != kept:
            # Refused at import since this build has it; kept by an older build that did not.
            log.warning("A kept framework has the id and version of a built-in one; the built-in one is used")
            continue
        registry.keep(kept)
    return registry


def with_backup_hint(message: str, directory: Path) -> str:
    from psi_desktop.services.backups import backup_files

    backups = backup_files(directory)
    if not backups:
        return message + " There is no backup to restore."
    return message + f' Restore the latest backup with: psi-desktop restore "{backups[0]}"'


@dataclass(frozen=True, slots=True)
class NewProfile:
    profile: Profile
    recovery_key: str  # shown once, never stored


def create_profile(directory: Path, passphrase: str) -> NewProfile:
    """Make a new encrypted profile, or encrypt one from before encryption. Returns the recovery key.

    The store is made (or encrypted) beside its final name, the key file and the recovery-pending
    marker written, and only then is the store renamed into place: a crash at any point leaves
    either no store (so this simply runs again) or a store whose key file is already there. The
    marker stays until ``recovery_key_shown``: unlocked before that, the profile gets a new recovery
    key to show (``renew_recovery_key``), as nobody saw this one.

    An unencrypted store found where a key file already is (an old store put back into an encrypted
    profile) is encrypted with the key that file holds, so ``passphrase`` must be that profile's: the
    key file and the backups it opens are never replaced. No new recovery key is made then ("").
    """
    state = profile_state(directory)
    if state is ProfileState.ENCRYPTED:
        raise ValidationError(f"There is already a profile in {directory}. Nothing was changed.")
    target = store_path(directory)
    existing = KeyFile(directory)
    # A key file whose recovery key was never shown is left by a creation that was cut off: no backup
    # needs it, so it is replaced. Any other key file, or one that backups were made with, is kept.
    cut_off = (directory / RECOVERY_PENDING_FILE).exists()
    keep_key_file = state is ProfileState.PLAINTEXT and (
        bool(_key_copies(directory)) or (existing.exists() and not cut_off)
    )
    if keep_key_file:
        try:
            key = unlock_key(directory, passphrase)
        except WrongPassphraseError:
            raise WrongPassphraseError(
                "This profile already has a passphrase. Type that passphrase to encrypt the older records with it."
            ) from None
        recovery = ""
    else:
        check_new_passphrase(passphrase)
        # Always a fresh key: a key file left by an interrupted attempt opens nothing that was kept.
        key, recovery = new_store_key(), new_recovery_key()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if state is ProfileState.PLAINTEXT:
            ready = encrypt_plaintext_store(target, key)
        else:
            ready = target.with_name(target.name + ".new")
            ready.unlink(missing_ok=True)
            open_store(ready, key).close()
        if not keep_key_file:
            KeyFile(directory).create(key, passphrase, recovery)
            _mark_recovery_pending(directory)
        install_store(ready, target)
        make_private(directory)  # whatever the umask was
    except OSError as exc:
        raise StoreError(
            f"PSI Desktop cannot write to its data folder {directory} ({(exc.strerror or 'disk error').lower()}). "
            "Free some space or ask IT for write access; your records have not been changed."
        ) from exc
    if state is ProfileState.PLAINTEXT:
        log.info("Converted an unencrypted store to an encrypted one")
    return NewProfile(_open(directory, key), recovery)


def _mark_recovery_pending(directory: Path) -> None:
    atomic_write(directory / RECOVERY_PENDING_FILE, b"The recovery key has not been shown yet.\n")


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
        _refresh_key_copies(directory)
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

    Needs only the key file, so a damaged store can still be restored from a backup. A key file that
    is missing or damaged is put back from the newest backup's copy that the passphrase opens.
    """
    return _throttled(directory, lambda keys: keys.unlock(passphrase), WrongPassphraseError)


def _throttled(directory: Path, open_with: Callable[[KeyFile], bytearray], wrong: type[UserFacingError]) -> bytearray:
    """``_unlock`` under the wrong-try throttle: a ``wrong`` secret counts, and waits grow."""
    with _Attempts(directory) as attempts:
        attempts.check()
        try:
            key = _unlock(directory, open_with)
        except wrong:
            attempts.failed()
            raise
        attempts.succeeded()
    return key


def unlock_profile(directory: Path, passphrase: str, *, deferred_check: bool = False) -> Profile:
    """Open an encrypted profile with its passphrase.

    ``deferred_check``: the store's full integrity check is left for ``Profile.check_store``, run next
    on a worker; writes wait for it, and none is made if it finds damage (storage.open_store).
    """
    if profile_state(directory) is not ProfileState.ENCRYPTED:
        raise StoreError(f"There is no encrypted PSI Desktop profile in {directory}.")
    return _open(directory, unlock_key(directory, passphrase), deferred_check=deferred_check)


def recover_key(directory: Path, recovery_key: str, new_passphrase: str) -> bytearray:
    """Forgot the passphrase: the store key from the recovery key, and ``new_passphrase`` set in its place.

    Works with the key file missing or damaged, from the copies kept with the backups.
    """
    check_new_passphrase(new_passphrase)
    key = _throttled(directory, lambda keys: keys.unlock_with_recovery_key(recovery_key), WrongRecoveryKeyError)
    KeyFile(directory).change_passphrase(key, new_passphrase)
    _refresh_key_copies(directory)
    log.info("Passphrase reset with the recovery key")
    return key


def recover_profile(directory: Path, recovery_key: str, new_passphrase: str) -> Profile:
    """Forgot the passphrase: unlock with the recovery key and set a new passphrase."""
    return _open(directory, recover_key(directory, recovery_key, new_passphrase))


def check_current_passphrase(directory: Path, key: Key, passphrase: str) -> None:
    """``passphrase`` is the one that opens this profile's ``key`` (wrong tries count, as at unlock)."""
    if bytes(unlock_key(directory, passphrase)) != bytes(key):
        raise WrongPassphraseError("That is not the current passphrase.")


def change_passphrase(directory: Path, key: bytes, current: str, new: str) -> None:
    """Wrap the store key with a new passphrase. The current one is checked, and wrong tries slow down.

    Takes the key itself (``profile.key`` is a copy), so a worker never reads a profile that a lock
    may be closing. The copies of the key file kept with the backups get the new passphrase too. A
    copy of the old key file kept elsewhere would still open the store with the old passphrase:
    ``retire_passphrase`` is for a passphrase someone else may know.
    """
    check_new_passphrase(new)
    check_current_passphrase(directory, key, current)
    KeyFile(directory).change_passphrase(key, new)
    _refresh_key_copies(directory)
    log.info("Passphrase changed")


@dataclass(frozen=True, slots=True)
class RetiredPassphrase:
    key: bytearray  # the new store key
    recovery_key: str  # the new recovery key: show it once


def retire_passphrase(
    directory: Path,
    key: bytes,
    current: str,
    new: str,
    *,
    progress: Callable[[float, str], None] | None = None,
) -> RetiredPassphrase:
    """Change a passphrase that someone else may know: a new store key, a new recovery key, every file re-encrypted.

    The store must be closed. From the moment the new key file is written, neither the old
    passphrase nor the old recovery key opens anything in the profile, and a copy of the old key file
    opens none of its files once they are re-encrypted. A crash part-way leaves each file under the
    old key or the new, and the new key file opens both; the next unlock finishes the work.
    """
    check_new_passphrase(new)
    check_current_passphrase(directory, key, current)
    new_key, recovery = new_store_key(), new_recovery_key()
    keys = KeyFile(directory)
    # Until the new recovery key has been shown: cut off before that, the next unlock shows another.
    _mark_recovery_pending(directory)
    keys.rotate(new_key, [bytes(key), *map(bytes, keys.previous_keys(key))], new, recovery)
    _refresh_key_copies(directory)
    log.info("Passphrase retired: re-encrypting the store and its backups")
    finish_key_change(directory, new_key, progress=progress)
    return RetiredPassphrase(new_key, recovery)


def retire_passphrase_and_open(
    directory: Path,
    key: bytes,
    current: str,
    new: str,
    *,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[Profile, str]:
    """``retire_passphrase``, then the profile opened with the new key: for the app, whose store is closed."""
    retired = retire_passphrase(directory, key, current, new, progress=progress)
    return _open(directory, retired.key), retired.recovery_key


def finish_key_change(directory: Path, key: Key, *, progress: Callable[[float, str], None] | None = None) -> None:
    """Re-encrypt whatever is still under a previous key, then forget the previous keys. Safe to repeat."""
    from psi_desktop.services.backups import backup_files, set_aside_files

    keys = KeyFile(directory)
    previous = keys.previous_keys(key)
    if not previous:
        return
    store = store_path(directory)
    files = [p for p in (store, *backup_files(directory), *set_aside_files(directory)) if p.exists()]
    try:
        for done, path in enumerate(files):
            if progress:
                progress(done / len(files), f"Re-encrypting {done + 1} of {len(files)} files\u2026")
            if key_opens(path, key):
                continue
            old = next((k for k in previous if key_opens(path, k)), None)
            if old is not None:  # else damaged, or not this profile's: left as it is
                rekey_file(path, old, key)
        keys.forget_previous()
        _refresh_key_copies(directory)
    except OSError as exc:
        raise StoreError(
            f"PSI Desktop could not finish re-encrypting your records ({(exc.strerror or 'disk error').lower()}). "
            "Everything still opens with your new passphrase; free some space and unlock again to finish."
        ) from exc
    if progress:
        progress(1.0, "Done.")
    log.info("Key change finished")


# -- the key file and its copies beside the backups ------------------------------------------------


def _key_copies(directory: Path) -> list[KeyFile]:
    """The copies of the key file kept with the backups, newest first."""
    from psi_desktop.services.backups import backup_files, key_copy

    return [KeyFile.at(key_copy(b)) for b in backup_files(directory) if key_copy(b).exists()]


def _unlock(directory: Path, open_with: Callable[[KeyFile], bytearray]) -> bytearray:
    """``open_with`` the key file; if it is missing or damaged, with the newest copy that it opens, put back."""
    keys = KeyFile(directory)
    try:
        return open_with(keys)
    except KeyFileError as missing_or_damaged:
        if missing_or_damaged.__class__ is not KeyFileError and not isinstance(missing_or_damaged, KeyFileMissingError):
            raise
        wrong: UserFacingError | None = None
        for copy in _key_copies(directory):
            try:
                key = open_with(copy)
            except (WrongPassphraseError, WrongRecoveryKeyError) as exc:
                wrong = exc
                continue
            except KeyFileError:
                continue
            store = store_path(directory)
            backup = copy.path.with_suffix(".db")
            if key_opens(store, key) or key_opens(backup, key):
                _put_back_key_file(directory, copy)
                return key
        if wrong is not None:
            raise wrong from None
        raise


def _put_back_key_file(directory: Path, copy: KeyFile) -> None:
    keys = KeyFile(directory)
    if keys.path.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        keys.path.replace(keys.path.with_name(f"{keys.path.name}.damaged-{stamp}"))  # kept, never deleted
    atomic_write(keys.path, copy.raw())
    log.warning("The key file was missing or damaged; it was put back from a backup's copy")


def _refresh_key_copies(directory: Path) -> None:
    """Every backup's copy of the key file becomes the key file as it is now (same store, same key)."""
    from psi_desktop.services.backups import backup_files, key_copy

    data = KeyFile(directory).raw()
    for backup in backup_files(directory):
        copy = key_copy(backup)
        try:
            if not copy.exists() or copy.read_bytes() != data:
                atomic_write(copy, data)
        except OSError:
            log.warning("A backup's copy of the key file could not be updated")


class _Attempts:
    """Counts wrong passphrases in a file beside the store, so restarting the app does not reset it.

    Use it as a context manager around check, the passphrase's test and failed/succeeded: that is
    held under a file lock, so tries started at once (threads, or the app and a command) are counted
    one by one. The lock is best-effort: a folder that cannot be written still opens for reading.
    """

    clock = staticmethod(time.time)

    def __init__(self, directory: Path) -> None:
        self.path = directory / ATTEMPTS_FILE
        self._lock = contextlib.ExitStack()

    def __enter__(self) -> _Attempts:
        try:
            self._lock.enter_context(file_lock(self.path.with_name(ATTEMPTS_LOCK), wait=LOCK_WAIT_SECONDS))
        except LockBusyError:
            raise ProfileInUseError("PSI Desktop is busy with this profile; try again.") from None
        except OSError:
            log.info("Could not lock the unlock-attempts counter")  # a read-only folder: nothing to count into
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.close()

    def _read(self) -> tuple[int, float]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            failures, last = int(doc["failures"]), float(doc["last_failure"])
        except (OSError, ValueError, KeyError, TypeError, OverflowError):
            return 0, 0.0
        return max(failures, 0), 0.0 if math.isnan(last) else last  # +inf is a future time: see check

    def _write(self, failures: int, last: float) -> None:
        try:
            atomic_write(self.path, json.dumps({"failures": failures, "last_failure": last}).encode())
        except OSError:
            log.warning("Could not record a failed unlock attempt")

    @staticmethod
    def delay(failures: int) -> int:
        if failures < FREE_ATTEMPTS:
            return 0
        # The exponent is bounded first: an edited count of 10**9 must not build a huge number.
        power: int = 2 ** min(failures - FREE_ATTEMPTS + 1, 16)
        return min(power, MAX_DELAY_SECONDS)

    def check(self) -> None:
        failures, last = self._read()
        now = self.clock()
        if last > now:
            # Recorded while the clock was fast (now corrected): count from now, so the wait is the
            # normal one and never the hours the clock was off. Written down, so it counts down.
            last = now
            self._write(failures, last)
        wait = last + self.delay(failures) - now
        if wait > 0:
            raise TooManyAttemptsError(math.ceil(wait))

    def failed(self) -> None:
        failures, _ = self._read()
        self._write(failures + 1, self.clock())

    def succeeded(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            log.warning("Could not clear failed unlock attempts")
