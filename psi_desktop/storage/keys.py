"""The store key and the key file beside the store.

A random 256-bit key encrypts the store (given to SQLCipher raw, so opening costs no second KDF).
The key file holds that key twice, wrapped with AES-256-GCM: once by a key derived from the
passphrase with Argon2id, once by a key derived from the recovery key. A wrong passphrase fails
the wrap's authentication, so "wrong passphrase" is told apart from "damaged store".
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import secrets
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from psi_desktop.errors import StoreError
from psi_desktop.errors import WrongPassphraseError as WrongPassphraseError
from psi_desktop.errors import WrongRecoveryKeyError as WrongRecoveryKeyError
from psi_desktop.paths import KEY_FILE as KEY_FILE
from psi_desktop.storage.files import atomic_write

# A store key: bytearray where it is held so it can be zeroed after use, bytes where it is not.
Key = bytes | bytearray

FORMAT = "psi-desktop-keys"
FORMAT_VERSION = 1
KEY_BYTES = 32


class KeyFileError(StoreError):
    """The key file is missing or damaged."""


class KeyFileMissingError(KeyFileError):
    """There is no key file where one should be."""


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost. The real values take about a quarter of a second on a ward laptop."""

    time_cost: int = 4
    memory_cost: int = 128 * 1024  # KiB
    parallelism: int = 2


REAL_KDF = KdfParams()
_kdf_cost = REAL_KDF


def kdf_cost() -> KdfParams:
    """The Argon2id cost new passphrases (and bundle passphrases) are wrapped with, for the whole run."""
    return _kdf_cost


def set_kdf_cost(params: KdfParams) -> None:
    """Set the cost once for the process (the test suite makes it cheap here); reading never uses it."""
    global _kdf_cost
    _kdf_cost = params


# What a key file may ask of Argon2id. An edited key file must not make unlocking ask for gigabytes
# of memory or minutes of work: anything outside these bounds is damage, refused before any work.
# (Lower costs gain an attacker nothing: a wrap only opens with the parameters it was made with.)
TIME_COST_RANGE = range(1, 11)
MEMORY_COST_RANGE = range(8, 1024 * 1024 + 1)  # KiB, up to 1 GiB; Argon2's own minimum is 8 per lane
PARALLELISM_RANGE = range(1, 9)
SALT_BYTES = 16
NONCE_BYTES = 12
WRAPPED_BYTES = KEY_BYTES + 16  # the key and GCM's tag
MAX_PREVIOUS_KEYS = 4


def new_store_key() -> bytearray:
    return bytearray(secrets.token_bytes(KEY_BYTES))


# -- recovery keys: 160 random bits in Crockford base32, grouped in fours for reading aloud --------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_recovery_key() -> str:
    value = int.from_bytes(secrets.token_bytes(20), "big")
    chars = "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(32)))
    return "-".join(chars[i : i + 4] for i in range(0, 32, 4))


def _recovery_bytes(recovery_key: str) -> bytes:
    text = "".join(recovery_key.upper().split()).replace("-", "").translate(_CROCKFORD_LOOKALIKES)
    if len(text) != 32 or any(c not in _CROCKFORD for c in text):
        raise WrongRecoveryKeyError(
            "That is not a recovery key. It has 32 letters and digits in groups of four, like ABCD-1234-\u2026"
        )
    value = 0
    for c in text:
        value = value * 32 + _CROCKFORD.index(c)
    return value.to_bytes(20, "big")


# -- deriving and wrapping ----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    # NFC so the same passphrase typed on another keyboard or OS derives the same key.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hash_secret_raw(secret, salt, params.time_cost, params.memory_cost, params.parallelism, KEY_BYTES, Type.ID)


def _recovery_wrapping_key(recovery: bytes, salt: bytes) -> bytes:
    return HKDF(hashes.SHA256(), KEY_BYTES, salt, b"psi-desktop recovery key").derive(recovery)


def _wrap(store_key: Key, wrapping_key: Key, aad: bytes) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "wrapped_key": _b64(AESGCM(wrapping_key).encrypt(nonce, bytes(store_key), aad))}


def _unwrap(entry: dict[str, Any], wrapping_key: bytes, aad: bytes) -> bytearray:
    """Raises InvalidTag when ``wrapping_key`` is not the one that wrapped the entry."""
    return bytearray(AESGCM(wrapping_key).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped_key"]), aad))


def _checksum(doc: dict[str, Any]) -> str:
    content = {k: v for k, v in doc.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class KeyFile:
    """The key file in a profile folder, or a copy of it beside a backup (``KeyFile.at(path)``)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / KEY_FILE

    @classmethod
    def at(cls, path: Path) -> KeyFile:
        keys = cls.__new__(cls)
        keys.path = path
        return keys

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, store_key: Key, passphrase: str, recovery_key: str) -> None:
        store_id = str(uuid.uuid4())
        doc = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "store_id": store_id,
            "created_at": _now(),
            "passphrase": self._passphrase_entry(store_key, passphrase, store_id),
            "recovery": self._recovery_entry(store_key, recovery_key, store_id),
        }
        self._write(doc)

    def unlock(self, passphrase: str) -> bytearray:
        doc = self._read()
        entry = doc["passphrase"]
        kdf = entry["kdf"]
        params = KdfParams(kdf["time_cost"], kdf["memory_cost"], kdf["parallelism"])
        wrapping = _passphrase_key(passphrase, _unb64(kdf["salt"]), params)
        try:
            return _unwrap(entry, wrapping, self._aad(doc, "passphrase"))
        except InvalidTag:
            raise WrongPassphraseError("That passphrase is not right. Check Caps Lock and try again.") from None

    def unlock_with_recovery_key(self, recovery_key: str) -> bytearray:
        recovery = _recovery_bytes(recovery_key)
        doc = self._read()
        entry = doc["recovery"]
        wrapping = _recovery_wrapping_key(recovery, _unb64(entry["kdf"]["salt"]))
        try:
            return _unwrap(entry, wrapping, self._aad(doc, "recovery"))
        except InvalidTag:
            raise WrongRecoveryKeyError(
                "That recovery key does not unlock this profile. Check each group of four and try again."
            ) from None

    def change_passphrase(self, store_key: Key, new_passphrase: str) -> None:
        """Wrap the same store key with a new passphrase; the store and its backups stay as they are."""
        doc = self._read()
        doc["passphrase"] = self._passphrase_entry(store_key, new_passphrase, doc["store_id"])
        doc["changed_at"] = _now()
        self._write(doc)

    def rotate(self, new_key: Key, old_keys: Sequence[Key], passphrase: str, recovery_key: str) -> None:
        """Wrap a new store key by a new passphrase and recovery key, keeping ``old_keys`` wrapped by the new key.

        The old keys stay reachable (only through the new key) until every file they encrypt has been
        re-encrypted; then ``forget_previous`` drops them. The old passphrase and recovery key open
        nothing from the moment this is written.
        """
        doc = self._read()
        store_id = doc["store_id"]
        doc["passphrase"] = self._passphrase_entry(new_key, passphrase, store_id)
        doc["recovery"] = self._recovery_entry(new_key, recovery_key, store_id)
        aad = f"{FORMAT}/{store_id}/previous".encode()
        doc["previous"] = [_wrap(old, bytes(new_key), aad) for old in old_keys][:MAX_PREVIOUS_KEYS]
        doc["changed_at"] = _now()
        self._write(doc)

    def previous_keys(self, store_key: Key) -> list[bytearray]:
        """Keys that files may still be encrypted with while a key change is unfinished (usually none)."""
        doc = self._read()
        aad = self._aad(doc, "previous")
        try:
            return [_unwrap(entry, bytes(store_key), aad) for entry in doc.get("previous", [])]
        except InvalidTag:
            raise self._damaged() from None

    def forget_previous(self) -> None:
        doc = self._read()
        if doc.pop("previous", None) is not None:
            self._write(doc)

    def raw(self) -> bytes:
        """The file's bytes, checked: for a copy beside a backup."""
        self._read()
        return self.path.read_bytes()

    def store_id(self) -> str:
        return str(self._read()["store_id"])

    # -- internals --

    def _passphrase_entry(self, store_key: Key, passphrase: str, store_id: str) -> dict[str, Any]:
        params = kdf_cost()
        salt = secrets.token_bytes(16)
        wrapping = _passphrase_key(passphrase, salt, params)
        kdf = {"name": "argon2id", "time_cost": params.time_cost, "memory_cost": params.memory_cost,
               "parallelism": params.parallelism, "salt": _b64(salt)}  # fmt: skip
        return {"kdf": kdf, **_wrap(store_key, wrapping, f"{FORMAT}/{store_id}/passphrase".encode())}

    def _recovery_entry(self, store_key: Key, recovery_key: str, store_id: str) -> dict[str, Any]:
        salt = secrets.token_bytes(16)
        wrapping = _recovery_wrapping_key(_recovery_bytes(recovery_key), salt)
        kdf = {"name": "hkdf-sha256", "salt": _b64(salt)}
        return {"kdf": kdf, **_wrap(store_key, wrapping, f"{FORMAT}/{store_id}/recovery".encode())}

    @staticmethod
    def _aad(doc: dict[str, Any], purpose: str) -> bytes:
        return f"{FORMAT}/{doc['store_id']}/{purpose}".encode()

    def _damaged(self) -> KeyFileError:
        return KeyFileError(
            f"The key file {self.path.name} in {self.path.parent} is damaged, so the store cannot be unlocked. "
            "It has been left as it is; ask IT for help."
        )

    def _read(self) -> dict[str, Any]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyFileMissingError(
                f"The key file {self.path.name} is missing from {self.path.parent}, so the store cannot be "
                "unlocked. Your records are untouched."
            ) from None
        except (OSError, ValueError) as exc:
            raise self._damaged() from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise self._damaged()
        checksum = doc.pop("checksum", None)
        if checksum is not None and checksum != _checksum(doc):
            # A flipped bit would otherwise fail the wrap's check and look like a wrong passphrase.
            raise self._damaged()
        if doc.get("format_version") != FORMAT_VERSION:
            if isinstance(doc.get("format_version"), int) and doc["format_version"] > FORMAT_VERSION:
                raise KeyFileError("This profile's key file was made by a newer version of PSI Desktop. Install it.")
            raise self._damaged()
        if not _well_formed(doc):
            raise self._damaged()
        return doc

    def _write(self, doc: dict[str, Any]) -> None:
        # No ".old" copy: it would let an old, perhaps compromised, passphrase go on unlocking.
        doc = {**doc, "checksum": _checksum(doc)}
        atomic_write(self.path, json.dumps(doc, indent=2).encode("utf-8") + b"\n")
        os.chmod(self.path, 0o600)

    def replace_recovery_key(self, store_key: Key, new_recovery_key: str) -> None:
        """Wrap the store key with a new recovery key; the old recovery key no longer opens the store."""
        doc = self._read()
        doc["recovery"] = self._recovery_entry(store_key, new_recovery_key, doc["store_id"])
        doc["recovery_changed_at"] = _now()
        self._write(doc)


def _is_int(value: object, allowed: range) -> bool:
    return type(value) is int and value in allowed


def _is_b64(value: object, length: int) -> bool:
    if not isinstance(value, str) or len(value) > 4 * length:
        return False
    try:
        return len(_unb64(value)) == length
    except (ValueError, binascii.Error):
        return False


def _is_wrap(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and _is_b64(entry.get("nonce"), NONCE_BYTES)
        and _is_b64(entry.get("wrapped_key"), WRAPPED_BYTES)
    )


def _well_formed(doc: dict[str, Any]) -> bool:
    """Every field a key file needs, of the right type and within bounds, before any of it is used."""
    try:
        uuid.UUID(doc["store_id"])
        passphrase, recovery = doc["passphrase"], doc["recovery"]
        kdf, rkdf = passphrase["kdf"], recovery["kdf"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    previous = doc.get("previous", [])
    return (
        isinstance(kdf, dict)
        and kdf.get("name") == "argon2id"
        and _is_int(kdf.get("time_cost"), TIME_COST_RANGE)
        and _is_int(kdf.get("memory_cost"), MEMORY_COST_RANGE)
        and _is_int(kdf.get("parallelism"), PARALLELISM_RANGE)
        and kdf["memory_cost"] >= 8 * kdf["parallelism"]
        and _is_b64(kdf.get("salt"), SALT_BYTES)
        and _is_wrap(passphrase)
        and isinstance(rkdf, dict)
        and rkdf.get("name") == "hkdf-sha256"
        and _is_b64(rkdf.get("salt"), SALT_BYTES)
        and _is_wrap(recovery)
        and isinstance(previous, list)
        and len(previous) <= MAX_PREVIOUS_KEYS
        and all(_is_wrap(entry) for entry in previous)
    )
