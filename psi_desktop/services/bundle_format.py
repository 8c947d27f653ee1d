"""The PSI bundle format: containers, limits, and checking a document before import.

See the README's "Bundles" section for the format in full. Every problem is reported with its JSON
path (``reflections[3].ratings.supervisor``), all of them, not just the first.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import itertools
import json
import logging
import math
import os
import re
import secrets
import stat
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from argon2.exceptions import Argon2Error
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from psi_desktop.domain.documents import exported_sha256
from psi_desktop.domain.framework import CodeTheme, Framework
from psi_desktop.domain.model import (
    ActionStatus,
    DistressImpact,
    Perspective,
    ReflectionStatus,
    ServiceUserSource,
    TraumaEcho,
)
from psi_desktop.domain.text import has_control, is_unicode, multi_line, one_line
from psi_desktop.errors import UserFacingError
from psi_desktop.frameworks import FrameworkError, FrameworkRegistry, parse_framework
from psi_desktop.storage.keys import (
    MEMORY_COST_RANGE,
    NONCE_BYTES,
    PARALLELISM_RANGE,
    SALT_BYTES,
    TIME_COST_RANGE,
    KdfParams,
    kdf_cost,
)

log = logging.getLogger(__name__)

FORMAT = "psi-desktop-bundle"
FORMAT_VERSION = 3
"""The version this build writes. 2 added the person's own view: the source "self_rated", a
reflection's "service_user_words" and the dimensions' "easy_read" statements. 3 added whose records
they are: "practitioners", "from" and each case's "practitioner_id"."""
READS_VERSIONS = (1, 2, 3)
MAGIC = b"PSIBNDL1"
CONTAINER = "psi-desktop-bundle-container"
CIPHER = "AES-256-GCM"
COMPRESSION = "zlib"

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
MAX_HEADER_BYTES = 4096
MAX_RECORDS = 100_000
MAX_TEXT_CHARS = 1_000_000
MAX_DEPTH = 12
MAX_NUMBER_DIGITS = 20  # nothing in a bundle needs more; Python's int() refuses over 4,300
MAX_PROBLEMS = 200


class BundleError(UserFacingError):
    """A bundle that cannot be read or imported; ``problems`` lists each one with its JSON path."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        shown = self.problems[:MAX_PROBLEMS]
        more = getattr(problems, "total", len(self.problems)) - len(shown)
        lines = [message, *(f"  {p}" for p in shown)] + ([f"  \u2026 and {more} more"] if more > 0 else [])
        super().__init__("\n".join(lines))


class BundlePassphraseError(BundleError):
    """The passphrase does not open this bundle (the file itself is fine)."""


def _refused(reason: str, message: str, cls: type[BundleError] = BundleError) -> BundleError:
    """The error for a bundle refused while reading, and one log line saying why (never its content)."""
    log.info("A bundle was refused: %s", reason)
    return cls(message)


# -- reading a file --------------------------------------------------------------------------------

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))  # fmt: skip
# Non-blocking, so a pipe swapped in after the stat cannot hang the open; binary for Windows.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_file(path: Path) -> bytes:
    """A bundle file's bytes: a regular file only, checked before reading, and never more than the limit read."""
    name = path.name or str(path)
    try:
        _check_regular(os.stat(path), name)  # stat opens nothing, so a pipe or device cannot block here
        fd = os.open(path, _OPEN_FLAGS)
        with os.fdopen(fd, "rb") as handle:
            _check_regular(os.fstat(handle.fileno()), name)  # what was opened, in case it was swapped
            data = handle.read(MAX_FILE_BYTES + 1)  # a file that grows, or lies about its size, stops here
    except OSError as exc:
        raise _refused(
            "unreadable file", f"The bundle {name} cannot be read: {(exc.strerror or 'error').lower()}."
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    return data


def _check_regular(st: os.stat_result, name: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = next((words for test, words in _KINDS if test(st.st_mode)), "not a file")
        raise _refused(
            "not a regular file",
            f"{name} is {kind}, not a bundle file. Choose a .psibundle or .psi.json file. Nothing was imported.",
        )
    if st.st_size > MAX_FILE_BYTES:
        raise _too_big(st.st_size)


def _too_big(size: int | None = None) -> BundleError:
    limit = MAX_FILE_BYTES // 2**20
    what = f"more than {limit} MB" if size is None else f"{size // 2**20} MB"
    return _refused("file too large", f"This bundle is {what}; at most {limit} MB can be read. Nothing was imported.")


def open_bundle(data: bytes, passphrase: str | None) -> Any:
    """The document in a bundle file's bytes, decrypted first when it is encrypted."""
    if is_encrypted(data):
        if passphrase is None:
            raise BundleError("This bundle is encrypted: its passphrase is needed.")
        data = decrypt(data, passphrase)
    return parse_json(data)


# -- containers ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    import unicodedata

    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hash_secret_raw(secret, salt, params.time_cost, params.memory_cost, params.parallelism, 32, Type.ID)


def _key_check(key: bytes) -> str:
    """Tells a wrong passphrase from a damaged file; it reveals nothing the ciphertext's tag does not."""
    return hmac.new(key, b"psi-desktop bundle key check", hashlib.sha256).hexdigest()[:32]


def encrypt(document_bytes: bytes, passphrase: str) -> bytes:
    salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
    kdf = kdf_cost()
    key = _key(passphrase, salt, kdf)
    header = {
        "format": CONTAINER,
        "version": 1,
        "kdf": {
            "name": "argon2id",
            "time_cost": kdf.time_cost,
            "memory_cost": kdf.memory_cost,
            "parallelism": kdf.parallelism,
            "salt": _b64(salt),
        },
        "cipher": CIPHER,
        "compression": COMPRESSION,
        "nonce": _b64(nonce),
        "key_check": _key_check(key),
    }
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    prefix = MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes
    return prefix + AESGCM(key).encrypt(nonce, zlib.compress(document_bytes, 6), prefix)


def is_encrypted(data: bytes) -> bool:
    return data.startswith(MAGIC)


_HEADER_KEYS = {"format", "version", "kdf", "cipher", "compression", "nonce", "key_check"}
_KDF_KEYS = {"name", "time_cost", "memory_cost", "parallelism", "salt"}
_KEY_CHECK = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, slots=True)
class _Header:
    length: int  # of the whole prefix: magic, length and header; the cipher authenticates all of it
    params: KdfParams
    salt: bytes
    nonce: bytes
    key_check: str


def _damaged(reason: str) -> BundleError:
    return _refused(reason, "This bundle is damaged or is not a PSI Desktop bundle. Nothing was imported.")


def _header(data: bytes) -> _Header:
    """The container header, every field type- and range-checked before any of it is used."""
    start = len(MAGIC) + 4
    if len(data) < start:
        raise _damaged("container cut short")
    (length,) = struct.unpack(">I", data[len(MAGIC) : start])
    if not 2 <= length <= MAX_HEADER_BYTES or len(data) < start + length:
        raise _damaged("container header length")
    try:
        header = _loads(data[start : start + length].decode("utf-8"))
    except (UnicodeDecodeError, _Malformed, ValueError, RecursionError) as exc:
        raise _damaged("container header is not JSON") from exc
    if not isinstance(header, dict) or header.get("format") != CONTAINER:
        raise _damaged("container format")
    version = header.get("version")
    if type(version) is int and version > 1:
        raise _refused(
            "newer container",
            f"This bundle's container is version {version}; this build reads version 1. Update PSI Desktop.",
        )
    kdf = header.get("kdf")
    if version != 1 or set(header) != _HEADER_KEYS or not isinstance(kdf, dict) or set(kdf) != _KDF_KEYS:
        raise _damaged("container header fields")
    if kdf["name"] != "argon2id" or header["cipher"] != CIPHER or header["compression"] != COMPRESSION:
        raise _damaged("container algorithms")
    costs = (kdf["time_cost"], kdf["memory_cost"], kdf["parallelism"])
    ranges = (TIME_COST_RANGE, MEMORY_COST_RANGE, PARALLELISM_RANGE)
    # Bounds as for the key file: a header must not ask for gigabytes of memory or minutes of work.
    if not all(type(v) is int and v in r for v, r in zip(costs, ranges, strict=True)) or costs[1] < 8 * costs[2]:
        raise _damaged("container key derivation costs")
    salt, nonce = _unb64(kdf["salt"], SALT_BYTES), _unb64(header["nonce"], NONCE_BYTES)
    check = header["key_check"]
    if salt is None or nonce is None or not isinstance(check, str) or not _KEY_CHECK.fullmatch(check):
        raise _damaged("container salt, nonce or key check")
    return _Header(start + length, KdfParams(*costs), salt, nonce, check)


def _unb64(value: Any, length: int) -> bytes | None:
    """``length`` bytes from base64 text, or None for anything else."""
    if not isinstance(value, str) or len(value) > 4 * length:
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == length else None


def decrypt(data: bytes, passphrase: str) -> bytes:
    header = _header(data)
    try:
        key = _key(passphrase, header.salt, header.params)
    except UnicodeEncodeError:  # a passphrase that is not text (undecodable bytes) opened nothing
        raise BundlePassphraseError("That passphrase does not open this bundle. Check it and try again.") from None
    except Argon2Error as exc:
        raise _damaged("container key derivation") from exc
    if not hmac.compare_digest(_key_check(key), header.key_check):
        raise BundlePassphraseError("That passphrase does not open this bundle. Check it and try again.")
    prefix = data[: header.length]
    try:
        compressed = AESGCM(key).decrypt(header.nonce, data[header.length :], prefix)
    except InvalidTag as exc:
        raise _damaged("container authentication") from exc
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, MAX_DOCUMENT_BYTES + 1)
    except zlib.error as exc:
        raise _damaged("container compression") from exc
    if len(out) > MAX_DOCUMENT_BYTES or inflater.unconsumed_tail:
        raise _refused(
            "document too large",
            f"This bundle unpacks to more than {MAX_DOCUMENT_BYTES // 2**20} MB. Nothing was imported.",
        )
    if not inflater.eof:  # authenticated, yet cut short: written wrong, not by this build
        raise _damaged("container compression")
    return out


# -- JSON ------------------------------------------------------------------------------------------


class _Malformed(Exception):
    """JSON that ``json.loads`` would take but a bundle may not hold; ``at`` is an offset into the text."""

    def __init__(self, what: str, at: int | None = None, *, message: str | None = None) -> None:
        super().__init__(what)
        self.what, self.at, self.message = what, at, message


def parse_json(data: bytes) -> Any:
    """Strict JSON: nesting depth and number lengths checked first (so neither can exhaust the machine),
    no NaN or Infinity, no lone surrogates, no key twice in one object."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _refused(
            "document too large", f"This bundle is larger than {MAX_DOCUMENT_BYTES // 2**20} MB. Nothing was imported."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refused("not UTF-8", f"This bundle is not UTF-8 text (byte {exc.start}). Nothing was imported.") from exc
    try:
        return _loads(text)
    except _Malformed as exc:
        where = "" if exc.at is None else f" ({_line_column(text, exc.at)})"
        message = exc.message or f"This bundle has {exc.what}{where}, so it cannot be read. Nothing was imported."
        raise _refused(exc.what, message) from None
    except json.JSONDecodeError as exc:
        raise _refused(
            "not JSON",
            f"This bundle is not complete JSON (line {exc.lineno}, column {exc.colno}): it may be cut short.",
        ) from exc


def _loads(text: str) -> Any:
    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise _Malformed(
            "deep nesting", message=f"This bundle nests {depth} levels deep; a PSI bundle needs at most {MAX_DEPTH}."
        )
    doc = json.loads(
        text, parse_constant=_no_constant, parse_float=_finite_float, object_pairs_hook=_object_without_repeats
    )
    if _SURROGATE_ESCAPE.search(text):  # only an escape can make one: UTF-8 itself cannot hold them
        where = _surrogate_path(doc, "$")
        if where is not None:
            raise _Malformed(
                "a lone surrogate",
                message=f"This bundle has a lone surrogate (an unpaired \\uD800-\\uDFFF escape) in {where}, "
                "which is not text. Nothing was imported.",
            )
    return doc


def _line_column(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    return f"line {line}, column {at - (text.rfind(chr(10), 0, at) + 1) + 1}"


def _no_constant(name: str) -> Any:
    raise _Malformed("NaN or Infinity, which are not numbers JSON has")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Malformed("a number too large to hold")
    return value


def _object_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Malformed("an object with the same key twice")
    return obj


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_path(value: Any, path: str) -> str | None:
    """The JSON path of the first text holding a lone surrogate (depth is already bounded)."""
    if isinstance(value, str):
        return path if _SURROGATE.search(value) else None
    items: Iterable[tuple[str, Any]]
    if isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif isinstance(value, dict):
        members: list[tuple[str, Any]] = []
        for key, v in value.items():
            if _SURROGATE.search(key):
                return f"a key in {path}"
            members.append((f"{key}" if path == "$" else f"{path}.{key}", v))
        items = members
    else:
        return None
    for where, v in items:
        found = _surrogate_path(v, where)
        if found is not None:
            return found
    return None


_OUTSIDE = re.compile(r'["\[\]{}0-9NI]')  # what matters between strings
_INSIDE = re.compile(r'["\\]')  # what matters inside one
_NUMBER = re.compile(r"[-+.eE0-9]*")


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")
_SUSPECT = re.compile(rf"NaN|Infinity|[-+.eE0-9]{{{MAX_NUMBER_DIGITS + 1},}}")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _max_depth(text: str) -> int:
    """The deepest nesting; a number literal too long or NaN/Infinity is refused with its place.

    Linear, and at C speed: strings are blanked out by one regular expression, then the brackets
    are counted; only text that looks wrong is looked at again, by ``_scan`` for the exact place.
    """
    outside = _STRING.sub('""', text)
    suspect = _SUSPECT.search(outside)
    while suspect is not None:
        found = suspect.group()
        if found in ("NaN", "Infinity") or sum(c.isdigit() for c in found) > MAX_NUMBER_DIGITS:
            return _scan(text)  # raises, naming where
        suspect = _SUSPECT.search(outside, suspect.end())
    steps = map(_DEPTH_STEP.__getitem__, _BRACKET.findall(outside))
    return max(itertools.accumulate(steps, initial=0))


def _scan(text: str) -> int:
    """``_max_depth`` one token at a time: slower, but it knows where in ``text`` a bad literal is.

    Linear too: the regular expressions jump over text and whitespace, and nothing is looked at twice.
    """
    depth = deepest = pos = 0
    while (found := _OUTSIDE.search(text, pos)) is not None:
        at = found.start()
        ch = text[at]
        pos = at + 1
        if ch == '"':
            while (inside := _INSIDE.search(text, pos)) is not None and text[inside.start()] == "\\":
                pos = inside.start() + 2  # an escape and the character it escapes
            if inside is None:
                return deepest  # cut short inside a string: json.loads says where
            pos = inside.start() + 1
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
        elif ch in "NI":
            if text.startswith(("NaN", "Infinity"), at):
                raise _Malformed("NaN or Infinity, which are not numbers JSON has", at - (text[at - 1 : at] == "-"))
        else:
            number = _NUMBER.match(text, at)
            assert number is not None  # the pattern matches the empty string too
            literal = number.group()
            if sum(c.isdigit() for c in literal) > MAX_NUMBER_DIGITS:
                raise _Malformed(f"a number longer than {MAX_NUMBER_DIGITS} digits", _number_start(text, at))
            pos = at + len(literal)
    return deepest


def _number_start(text: str, at: int) -> int:
    while at > 0 and text[at - 1] in "0123456789.eE+-":
        at -= 1
    return at


# -- checking a document -------------------------------------------------------------------------------
# One pass over the records, each check constant work per value (sets and dicts, never a scan of other
# records or of the problems found so far), so a hostile bundle costs time linear in its size. Every
# value must already be in its canonical form, the one the app writes: what is imported is then
# exactly what will be exported, and a signed record's hash is checked on that form.


_TOP_KEYS = {
    "format", "format_version", "exported_at", "exported_by", "frameworks", "cases", "reflections", "actions",
    "from", "practitioners",
}  # fmt: skip
_TOP_OPTIONAL = {"exported_by", "from", "practitioners"}
_CASE_KEYS = {"id", "code", "setting", "opened_on", "closed_on", "notes", "practitioner_id"}
_PRACTITIONER_KEYS = {"id", "name", "role", "nmc_pin"}
_NMC_PIN = re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]")  # as services.practitioners.NMC_PIN
_REFLECTION_KEYS = {
    "id", "case_id", "framework", "session_date", "practitioner", "supervisor", "answers", "ratings",
    "service_user_source", "trauma_echo", "distress_impact", "code_themes", "wellbeing", "status",
    "signature", "amendments", "created_at", "updated_at", "service_user_words",
}  # fmt: skip
_REFLECTION_REQUIRED = _REFLECTION_KEYS - {
    "practitioner", "supervisor", "wellbeing", "amendments", "signature", "service_user_words",
}  # fmt: skip
_ACTION_KEYS = {"id", "case_id", "reflection_id", "text", "dimension", "due_on", "status", "reviewed_in"} | {
    "review_note", "reviewed_at", "carried_from",  # optional: an action looked back on (m007_action_reviews)
}  # fmt: skip
_ACTION_REQUIRED = {"id", "case_id", "reflection_id", "text", "status"}
_AMENDMENT_KEYS = {"id", "author", "made_at", "reason", "changes"}
_SIGNATURE_KEYS = {"signed_by", "signed_at", "content_sha256"}
# [0-9], never \d: in Python \d also matches Arabic-Indic and other digits.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_INSTANT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,6})?Z")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.]{1,64}")
_PERSPECTIVES = frozenset(p.value for p in Perspective)


class ProblemList(list[str]):
    """At most MAX_PROBLEMS problems kept; ``total`` counts them all, so each one past the cap costs nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, problem: str) -> None:
        self.total += 1
        if len(self) < MAX_PROBLEMS:
            super().append(problem)

    def extend(self, problems: Iterable[str]) -> None:
        for problem in problems:
            self.append(problem)


def _member(path: str, key: str) -> str:
    """A member's path; a key that is not a plain id is quoted in ASCII, so any message can be printed."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key[:40])}]"


@dataclass
class _Checker:
    frameworks: FrameworkRegistry
    problems: ProblemList
    version: int = FORMAT_VERSION
    _ids: dict[tuple[str, int], tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)

    def ids_of(self, framework: Framework) -> tuple[frozenset[str], frozenset[str]]:
        """A framework's prompt and dimension ids as sets, made once per framework rather than per record."""
        found = self._ids.get(framework.key)
        if found is None:
            found = self._ids[framework.key] = (frozenset(framework.prompt_ids), frozenset(framework.dimension_ids))
        return found

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, value: Any, path: str, keys: set[str], required: set[str]) -> bool:
        if not isinstance(value, dict):
            self.add(path, f"should be an object, not {_kind(value)}")
            return False
        if not keys.issuperset(value):
            for key in sorted(set(value) - keys):
                self.add(_member(path, key), "is not part of the bundle format")
        if not required.issubset(value):
            for key in sorted(required - set(value)):
                self.add(f"{path}.{key}", "is missing")
        return True

    def text(
        self, value: Any, path: str, *, required: bool = False, limit: int = MAX_TEXT_CHARS, free: bool = False
    ) -> None:
        """One-line text (a code, name, setting, action) folded as typed; ``free`` text keeps line breaks and tabs."""
        if not isinstance(value, str):
            self.add(path, f"should be text, not {_kind(value)}")
        elif len(value) > limit:
            self.add(path, f"is {len(value):,} characters; at most {limit:,} are allowed")
        elif not is_unicode(value):
            self.add(path, "is not valid Unicode text (it holds a lone surrogate)")
        elif required and not value.strip():
            self.add(path, "should not be empty")
        elif free:
            if value != multi_line(value):
                self.add(path, "holds a control character (such as NUL or a carriage return) that typed text cannot")
        elif value != one_line(value):
            if has_control(value):
                self.add(path, "holds a control character (such as NUL or a tab) that typed text cannot")
            else:
                self.add(path, "has spaces at its start or end, or doubled: write it as it would be typed")

    def uuid(self, value: Any, path: str) -> bool:
        if isinstance(value, str) and _UUID.fullmatch(value):
            return True
        self.add(path, "should be a UUID in lower case with hyphens (8-4-4-4-12 hex digits)")
        return False

    def date(self, value: Any, path: str, *, nullable: bool = True) -> None:
        if value is None and nullable:
            return
        match = _DATE.fullmatch(value) if isinstance(value, str) else None
        try:
            if match is None:
                raise ValueError
            dt.date(*map(int, match.groups()))
        except ValueError:
            self.add(path, "should be a date as YYYY-MM-DD (a calendar date, such as 2026-10-02)")

    def instant(self, value: Any, path: str) -> None:
        match = _INSTANT.fullmatch(value) if isinstance(value, str) else None
        try:
            if match is None:
                raise ValueError
            year, month, day, hour, minute, second = map(int, match.groups()[:6])
            dt.datetime(year, month, day, hour, minute, second)
        except ValueError:
            self.add(path, "should be a real UTC instant such as 2026-10-02T15:10:00Z")

    def choice(self, value: Any, path: str, allowed: type[Enum], *, nullable: bool = False) -> None:
        if value is None and nullable:
            return
        values = _values(allowed)
        if not isinstance(value, str) or value not in values:
            self.add(path, f"should be one of {', '.join(values)}" + (" or null" if nullable else ""))

    def score(self, value: Any, path: str, low: int, high: int, *, nullable: bool = False) -> None:
        if value is None and nullable:
            return
        if type(value) is not int or not low <= value <= high:
            self.add(path, f"should be a whole number from {low} to {high}")


@functools.cache
def _values(allowed: type[Enum]) -> dict[str, None]:
    """An enum's values, in order, looked up in constant time."""
    return dict.fromkeys(m.value for m in allowed)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )


def check_document(doc: Any, frameworks: FrameworkRegistry) -> ProblemList:
    """Every problem in a bundle document, each with its JSON path; an empty list means it can be imported.

    At most MAX_PROBLEMS are listed; ``total`` counts them all.
    """
    c = _Checker(frameworks, ProblemList())
    if not c.obj(doc, "$", _TOP_KEYS, _TOP_KEYS - _TOP_OPTIONAL):
        return c.problems
    if doc.get("format") != FORMAT:
        c.add("format", f'should be "{FORMAT}"')
    version = doc.get("format_version")
    if type(version) is int and version > FORMAT_VERSION:
        raise BundleError(
            f"This bundle is format version {version}; this build of PSI Desktop reads version {FORMAT_VERSION}. "
            "Update PSI Desktop to import it. Nothing was imported."
        )
    if version not in READS_VERSIONS or type(version) is not int:
        c.add("format_version", f"should be one of {', '.join(map(str, READS_VERSIONS))}")
    else:
        c.version = version
    if "exported_at" in doc:
        c.instant(doc["exported_at"], "exported_at")
    if "exported_by" in doc:
        c.text(doc["exported_by"], "exported_by", limit=200, free=True)
    lists = {}
    for name in ("frameworks", "cases", "reflections", "actions"):
        value = doc.get(name, [])
        if not isinstance(value, list):
            c.add(name, f"should be a list, not {_kind(value)}")
            value = []
        lists[name] = value
    total = sum(len(v) for v in lists.values())
    if total > MAX_RECORDS:
        raise BundleError(f"This bundle holds {total:,} records; at most {MAX_RECORDS:,} can be imported at once.")

    known = dict(_frameworks(c, lists["frameworks"]))
    practitioner_ids = _practitioners(c, doc)
    case_ids = _ids(c, lists["cases"], "cases")
    _ids(c, lists["reflections"], "reflections")
    _ids(c, lists["actions"], "actions")
    for i, case in enumerate(lists["cases"]):
        _case(c, case, f"cases[{i}]", practitioner_ids)
    # id -> (case id, framework) of each reflection, for the actions' references
    reflections: dict[str, tuple[Any, Any]] = {}
    amendment_ids: set[str] = set()
    for i, reflection in enumerate(lists["reflections"]):
        framework = _reflection(c, reflection, f"reflections[{i}]", case_ids, known, amendment_ids)
        if isinstance(reflection, dict) and isinstance(reflection.get("id"), str):
            reflections.setdefault(reflection["id"], (reflection.get("case_id"), framework))
    for i, action in enumerate(lists["actions"]):
        _action(c, action, f"actions[{i}]", case_ids, reflections)
    return c.problems


MAX_SCORE = 4  # the store keeps ratings 0-4 (storage/migrations.py m001)


def _frameworks(c: _Checker, items: list[Any]) -> list[tuple[tuple[str, int], Any]]:
    """The bundle's frameworks, checked by the framework loader; each problem with its full JSON path.

    A framework whose (id, version) this profile has already must be that same definition: a
    different one under a built-in's (id, version) is refused rather than silently replaced by the
    built-in one, because its records would then be read against questions they were not answered to.
    """
    found: dict[tuple[str, int], tuple[int, Any]] = {}
    for i, data in enumerate(items):
        where = f"frameworks[{i}]"
        try:
            framework = parse_framework(data, origin=where)
        except FrameworkError as exc:
            for path, message in exc.located or [("", str(exc))]:
                c.add(f"{where}.{path}" if path else where, message)
            continue
        name = f"{framework.id} version {framework.version}"
        if c.version < 2 and any(d.easy_read is not None for d in framework.dimensions):
            c.add(f"{where}.dimensions", _NEWER_FIELD.format(field="easy_read", version=c.version))
            continue
        if framework.key in found:
            c.add(where, f"{name} is already in this bundle as frameworks[{found[framework.key][0]}]")
            continue
        if framework.key in c.frameworks and not _same_framework(c.frameworks.get(*framework.key), framework):
            if c.frameworks.is_built_in(framework.key):
                c.add(where, f"is not the {name} that this build has; give a changed framework a new version")
            else:
                c.add(where, f"is not the {name} that this profile already keeps from an earlier bundle")
            continue
        if framework.scale_max > MAX_SCORE:
            c.add(
                f"{where}.scale", f"goes up to {framework.scale_max}; PSI Desktop keeps ratings from 0 to {MAX_SCORE}"
            )
            continue
        found[framework.key] = (i, framework)
    return [(key, framework) for key, (_, framework) in found.items()]


_NEWER_FIELD = "{field} came in bundle format version 2; a version-{version} bundle cannot hold it"


def _same_framework(here: Framework, incoming: Framework) -> bool:
    """The same definition, easy-read statements included where the incoming one has them.

    Frameworks compare without their statements (a bundle from before format version 2 carries
    none), so a statement that differs is looked for here: the person rated a given wording.
    """
    if here != incoming:
        return False
    return all(
        theirs.easy_read is None or theirs.easy_read == ours.easy_read
        for ours, theirs in zip(here.dimensions, incoming.dimensions, strict=True)
    )


def _ids(c: _Checker, items: list[Any], name: str) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            if item["id"] in seen:
                c.add(f"{name}[{i}].id", "is used twice in this bundle")
            seen.add(item["id"])
    return seen


def _practitioners(c: _Checker, doc: dict[str, Any]) -> set[str] | None:
    """The ids of the bundle's practitioners (version 3), checked; None when it names none."""
    if c.version < 3:
        for key in ("practitioners", "from"):
            if key in doc:
                c.add(key, _NEWER_3.format(field=key, version=c.version))
        return None
    items = doc.get("practitioners")
    if items is None:
        if "from" in doc:
            c.add("from", "names a practitioner, but the bundle has no practitioners list")
        return None
    if not isinstance(items, list):
        c.add("practitioners", f"should be a list, not {_kind(items)}")
        return set()
    ids = _ids(c, items, "practitioners")
    for i, p in enumerate(items):
        where = f"practitioners[{i}]"
        if not c.obj(p, where, _PRACTITIONER_KEYS, {"id", "name", "role"}):
            continue
        c.uuid(p.get("id"), f"{where}.id")
        c.text(p.get("name"), f"{where}.name", limit=80)
        c.text(p.get("role"), f"{where}.role", limit=80)
        pin = p.get("nmc_pin")
        if pin is not None and not (isinstance(pin, str) and _NMC_PIN.fullmatch(pin)):
            c.add(
                f"{where}.nmc_pin",
                "should be an NMC Pin (two digits, a capital letter, four digits and a capital letter, "
                "such as 12A3456B) or null",
            )
    sender = doc.get("from")
    if "from" not in doc:
        c.add("from", "is missing: a bundle with practitioners names which of them it is from")
    elif not isinstance(sender, str) or sender not in ids:
        c.add("from", "does not match a practitioner in this bundle")
    return ids


_NEWER_3 = "{field} came in bundle format version 3; a version-{version} bundle cannot hold it"


def _case(c: _Checker, case: Any, path: str, practitioner_ids: set[str] | None = None) -> None:
    if not c.obj(case, path, _CASE_KEYS, {"id", "code"}):
        return
    if "practitioner_id" in case:
        owner = case["practitioner_id"]
        if c.version < 3:
            c.add(f"{path}.practitioner_id", _NEWER_3.format(field="practitioner_id", version=c.version))
        elif practitioner_ids is None:
            c.add(f"{path}.practitioner_id", "names a practitioner, but the bundle has no practitioners list")
        elif not isinstance(owner, str) or owner not in practitioner_ids:
            c.add(f"{path}.practitioner_id", "does not match a practitioner in this bundle")
    c.uuid(case.get("id"), f"{path}.id")
    c.text(case.get("code"), f"{path}.code", required=True, limit=40)
    if "setting" in case:
        c.text(case["setting"], f"{path}.setting", limit=80)
    if "notes" in case:
        c.text(case["notes"], f"{path}.notes", free=True)
    for key in ("opened_on", "closed_on"):
        c.date(case.get(key), f"{path}.{key}")


def _framework_for(c: _Checker, ref: Any, path: str, known: dict[tuple[str, int], Framework]) -> Framework | None:
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str) or type(ref.get("version")) is not int:
        c.add(path, 'should be {"id": text, "version": whole number}')
        return None
    key = (ref["id"], ref["version"])
    if key in known:
        return known[key]
    if key in c.frameworks:
        return c.frameworks.get(*key)
    name = json.dumps(key[0][:40])  # quoted in ASCII: any id can be printed
    version = key[1] if abs(key[1]) < 10**6 else "…"
    c.add(path, f"{name} version {version} is neither in this bundle nor known to this build")
    return None


def _reflection(
    c: _Checker, r: Any, path: str, case_ids: set[str], known: dict[tuple[str, int], Framework], amendment_ids: set[str]
) -> Framework | None:
    """Check one reflection; returns its framework (None when unknown)."""
    if not c.obj(r, path, _REFLECTION_KEYS, _REFLECTION_REQUIRED):
        return None
    before = c.problems.total
    c.uuid(r.get("id"), f"{path}.id")
    case_id = r.get("case_id")
    if not isinstance(case_id, str) or case_id not in case_ids:
        c.add(f"{path}.case_id", "does not match a case in this bundle")
    framework = _framework_for(c, r.get("framework"), f"{path}.framework", known)
    c.date(r.get("session_date"), f"{path}.session_date", nullable=False)
    for key in ("practitioner", "supervisor"):
        if key in r:
            c.text(r[key], f"{path}.{key}", limit=80)
    answers = r.get("answers")
    if not isinstance(answers, dict):
        c.add(f"{path}.answers", f"should be an object, not {_kind(answers)}")
    else:
        prompts = c.ids_of(framework)[0] if framework is not None else None
        for prompt, text in answers.items():
            if prompts is not None and prompt not in prompts:
                c.add(_member(f"{path}.answers", prompt), "is not a prompt of this framework")
            c.text(text, _member(f"{path}.answers", prompt), free=True)
    ratings = r.get("ratings")
    low, high = (framework.scale_min, framework.scale_max) if framework else (0, 4)
    if not isinstance(ratings, dict):
        c.add(f"{path}.ratings", f"should be an object, not {_kind(ratings)}")
    else:
        dimensions = c.ids_of(framework)[1] if framework is not None else None
        for perspective, scores in ratings.items():
            where = _member(f"{path}.ratings", perspective)
            if perspective not in _PERSPECTIVES:
                c.add(where, "should be practitioner, supervisor or service_user")
            elif not isinstance(scores, dict):
                c.add(where, f"should be an object, not {_kind(scores)}")
            else:
                for dim, score in scores.items():
                    if type(score) is int and low <= score <= high and (dimensions is None or dim in dimensions):
                        continue  # the common case, without building its path
                    if dimensions is not None and dim not in dimensions:
                        c.add(_member(where, dim), "is not a dimension of this framework")
                    c.score(score, _member(where, dim), low, high)
    source = r.get("service_user_source")
    if source == ServiceUserSource.SELF_RATED and c.version < 2:
        c.add(f"{path}.service_user_source", _NEWER_FIELD.format(field='"self_rated"', version=c.version))
    else:
        c.choice(source, f"{path}.service_user_source", ServiceUserSource, nullable=True)
    if "service_user_words" in r:
        words = r["service_user_words"]
        if c.version < 2:
            c.add(f"{path}.service_user_words", _NEWER_FIELD.format(field="service_user_words", version=c.version))
        elif words == "":
            c.add(f"{path}.service_user_words", "should be left out when the person wrote nothing")
        else:
            c.text(words, f"{path}.service_user_words", free=True)
    c.choice(r.get("trauma_echo"), f"{path}.trauma_echo", TraumaEcho, nullable=True)
    impacts = r.get("distress_impact")
    if not isinstance(impacts, dict):
        c.add(f"{path}.distress_impact", f"should be an object, not {_kind(impacts)}")
    else:
        for perspective, impact in impacts.items():
            where = _member(f"{path}.distress_impact", perspective)
            if perspective not in _PERSPECTIVES:
                c.add(where, "should be a perspective")
            c.choice(impact, where, DistressImpact)
    themes = r.get("code_themes")
    if not isinstance(themes, list):
        c.add(f"{path}.code_themes", f"should be a list, not {_kind(themes)}")
    else:
        seen_themes: set[str] = set()
        for i, theme in enumerate(themes):
            c.choice(theme, f"{path}.code_themes[{i}]", CodeTheme)
            if isinstance(theme, str):
                if theme in seen_themes:
                    c.add(f"{path}.code_themes[{i}]", "is listed twice")
                seen_themes.add(theme)
    c.score(r.get("wellbeing"), f"{path}.wellbeing", low, high, nullable=True)
    c.choice(r.get("status"), f"{path}.status", ReflectionStatus)
    for key in ("created_at", "updated_at"):
        c.instant(r.get(key), f"{path}.{key}")
    amendments = r.get("amendments", [])
    if not isinstance(amendments, list):
        c.add(f"{path}.amendments", f"should be a list, not {_kind(amendments)}")
        amendments = []
    for i, a in enumerate(amendments):
        where = f"{path}.amendments[{i}]"
        if c.obj(a, where, _AMENDMENT_KEYS, _AMENDMENT_KEYS):
            if c.uuid(a.get("id"), f"{where}.id"):
                if a["id"] in amendment_ids:
                    c.add(f"{where}.id", "is used twice in this bundle")
                amendment_ids.add(a["id"])
            c.instant(a.get("made_at"), f"{where}.made_at")
            c.text(a.get("author"), f"{where}.author", required=True, limit=80)
            for key in ("reason", "changes"):
                value = a.get(key)
                c.text(value, f"{where}.{key}", required=True, free=True)
                if isinstance(value, str) and value.strip() and value != value.strip():
                    c.add(f"{where}.{key}", "has white space at its start or end: write it as it would be typed")
    _signature(c, r, path, before)
    return framework


def _signature(c: _Checker, r: dict[str, Any], path: str, before: int) -> None:
    """Its hash is checked, on the record's exported form, only when the record has no other problem.

    ``before``: how many problems had been found when the record's check began.
    """
    signature: Any = r.get("signature")
    if r.get("status") != "signed":
        if signature is not None:
            c.add(f"{path}.signature", "should be null unless the reflection is signed")
        return
    if not c.obj(signature, f"{path}.signature", _SIGNATURE_KEYS, _SIGNATURE_KEYS):
        return
    c.text(signature.get("signed_by"), f"{path}.signature.signed_by", required=True, limit=80)
    c.instant(signature.get("signed_at"), f"{path}.signature.signed_at")
    digest = signature.get("content_sha256")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        c.add(f"{path}.signature.content_sha256", "should be 64 lowercase hex digits")
    elif c.problems.total == before and digest != exported_sha256(r):
        c.add(f"{path}.signature.content_sha256", "does not match the content: it was changed after signing")


def _action(c: _Checker, a: Any, path: str, case_ids: set[str], reflections: dict[str, tuple[Any, Any]]) -> None:
    if not c.obj(a, path, _ACTION_KEYS, _ACTION_REQUIRED):
        return
    c.uuid(a.get("id"), f"{path}.id")
    case_id = a.get("case_id")
    if not isinstance(case_id, str) or case_id not in case_ids:
        c.add(f"{path}.case_id", "does not match a case in this bundle")
    framework = None
    for key in ("reflection_id", "reviewed_in"):
        ref = a.get(key)
        if ref is None and key == "reviewed_in":
            continue
        found = reflections.get(ref) if isinstance(ref, str) else None
        if found is None:
            c.add(f"{path}.{key}", "does not match a reflection in this bundle")
        elif found[0] != case_id:
            c.add(f"{path}.{key}", "is a reflection of another case than the action's")
        elif key == "reflection_id":
            framework = found[1]
    c.text(a.get("text"), f"{path}.text", required=True, limit=2000)
    dimension = a.get("dimension")
    if dimension is not None and framework is not None:
        if not isinstance(dimension, str) or dimension not in c.ids_of(framework)[1]:
            c.add(f"{path}.dimension", "is not a dimension of its reflection's framework")
    elif dimension is not None and not isinstance(dimension, str):
        c.add(f"{path}.dimension", f"should be text, not {_kind(dimension)}")
    c.date(a.get("due_on"), f"{path}.due_on")
    c.choice(a.get("status"), f"{path}.status", ActionStatus)
    if "review_note" in a:
        c.text(a["review_note"], f"{path}.review_note", required=True, limit=2000, free=True)
    if "reviewed_at" in a:
        c.instant(a["reviewed_at"], f"{path}.reviewed_at")
    if "carried_from" in a:
        c.uuid(a["carried_from"], f"{path}.carried_from")
