"""Checking a printout against its record: ``psi-desktop verify FILE.pdf [--bundle B]``.

A signed reflection's PDFs print its content hash (bundle-format.md), and a signed note carries its
own record inside it as an attached ``.psi.json`` bundle document (reporting.archival). Verifying a
PDF reads the hashes it prints and the record it carries, and checks that

- the attached record was not changed since it was signed (its content still gives its hash),
- each printed hash is the hash of the attached record (when there is one), and
- each printed hash is that of a signed record in the profile, or in a bundle given instead.

The hash shows that content is unchanged; it is not a signature of a person: anyone can compute
the hash of content they wrote. Messages name hashes, never what the records say.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psi_desktop.domain.documents import exported_sha256, parse_instant
from psi_desktop.domain.model import Reflection
from psi_desktop.errors import UserFacingError
from psi_desktop.frameworks import FrameworkRegistry
from psi_desktop.services.bundle_format import MAX_FILE_BYTES, BundleError, check_document, parse_json

if TYPE_CHECKING:
    from psi_desktop.reporting.archival import Attachment
    from psi_desktop.services.profile import Profile

RECORD_SUFFIX = ".psi.json"
_PRINTED_HASH = re.compile(r"SHA-256\b.{0,40}?(?<![0-9a-f])([0-9a-f]{64})(?![0-9a-f])", re.DOTALL | re.IGNORECASE)


class VerifyError(UserFacingError):
    """The printout and its record do not match, or there is nothing to check (exit 2)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """Signed records to check a printout against: a bundle document, and where it came from."""

    document: dict[str, Any]
    where: str  # "your profile", "the bundle NAME"


# --- the record a note carries ---------------------------------------------------------------------


def record_document(profile: Profile, reflection: Reflection) -> dict[str, Any]:
    """One signed reflection as a bundle document: its framework, its case and itself (no actions).

    Actions are records of their own, not covered by the reflection's hash, and change after
    signing (kept, not kept); the note prints them as they were when it was made.
    """
    from psi_desktop.services.bundles import build_document

    document = build_document(profile, [reflection.case_id])
    key = {"id": reflection.framework_id, "version": reflection.framework_version}
    document["frameworks"] = [f for f in document["frameworks"] if {"id": f["id"], "version": f["version"]} == key]
    document["reflections"] = [r for r in document["reflections"] if r["id"] == str(reflection.id)]
    document["actions"] = []
    return document


def record_attachment(profile: Profile, reflection: Reflection) -> Attachment:
    """The record as a plain bundle file (UTF-8 JSON), e.g. "supervision-record-2026-11-03.psi.json"."""
    from psi_desktop.reporting.archival import Attachment

    data = json.dumps(record_document(profile, reflection), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    name = f"supervision-record-{reflection.session_date.isoformat()}{RECORD_SUFFIX}"
    return Attachment(name, data, "The signed record this note prints, as a PSI Desktop bundle")


# --- the references --------------------------------------------------------------------------------


def profile_reference(profile: Profile) -> Reference:
    from psi_desktop.services.bundles import build_document

    return Reference(build_document(profile), "your profile")


def bundle_reference(data: bytes, name: str, passphrase: str | None, frameworks: FrameworkRegistry) -> Reference:
    """The records in a bundle file's bytes, checked whole first (a changed or damaged bundle is refused)."""
    from psi_desktop.services.bundle_format import open_bundle

    document = open_bundle(data, passphrase)
    problems = check_document(document, frameworks)
    if problems:
        message = f"The bundle has {problems.total} problem(s), so nothing can be checked against it:"
        raise BundleError(message, problems)
    return Reference(document, f"the bundle {name}")


# --- checking ---------------------------------------------------------------------------------------


def read_printout(path: Path) -> tuple[list[str], dict[str, bytes]]:
    """The content hashes a PDF prints (in order, once each) and the records attached to it, by name."""
    from psi_desktop.reporting.archival import read_back

    try:
        if not path.is_file():
            raise VerifyError(f"{path.name} is not a file. Give the PDF to check.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise VerifyError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB: not a PSI Desktop PDF.")
        data = path.read_bytes()
    except OSError as exc:
        raise VerifyError(f"{path.name} cannot be read: {(exc.strerror or 'error').lower()}.") from None
    try:
        printed = read_back(data, MAX_FILE_BYTES)
    except ValueError:
        raise VerifyError(f"{path.name} is not a PDF that can be read, so there is nothing to check.") from None
    hashes = [m.lower() for page in printed.pages for m in _PRINTED_HASH.findall(page)]
    records = {name: body for name, body in printed.attachments.items() if name.endswith(RECORD_SUFFIX)}
    return list(dict.fromkeys(hashes)), records


def verify_printout(path: Path, reference: Reference | None, frameworks: FrameworkRegistry) -> list[str]:
    """Check the PDF at ``path``; the lines to print when it matches, VerifyError saying how when not.

    With no ``reference`` (no profile, no bundle), the PDF is checked against the record it carries.
    """
    hashes, records = read_printout(path)
    if not hashes:
        raise VerifyError(
            f"{path.name} prints no content hash: it is not of a signed record, so there is nothing to check."
        )
    attached = _attached(records, frameworks)
    lines = []
    for digest in hashes:
        if records and digest not in attached:
            raise VerifyError(
                f"The hash printed on this PDF ({_short(digest)}) is not the hash of the record attached to it: "
                "the printed hash or the attached record was changed after the PDF was made."
            )
        if reference is None:
            if not records:
                raise VerifyError(
                    f"{path.name} carries no record of its own, and there is no profile here to check it "
                    "against. Give the record with --bundle FILE, or use the profile it came from (--data-dir)."
                )
            lines.append(f"The printed hash {_short(digest)} matches the record attached to it: {attached[digest]}.")
            continue
        lines.append(f"The printed hash {_short(digest)} matches {_signed_in(reference, digest)}.")
    if reference is None:
        lines.append(
            "Only the PDF and the record it carries were compared: check it against the profile or a bundle "
            "to know that this is the record that was signed."
        )
    elif records:
        lines.append("The record attached to this PDF matches too.")
    return lines


def _attached(records: dict[str, bytes], frameworks: FrameworkRegistry) -> dict[str, str]:
    """The signed records attached to a PDF, each checked whole: their hash, and a line saying what each is."""
    found: dict[str, str] = {}
    for body in records.values():
        try:
            document = parse_json(body)
        except BundleError:
            raise VerifyError("The record attached to this PDF is damaged: it cannot be read as a bundle.") from None
        if check_document(document, frameworks):
            raise VerifyError(
                "The record attached to this PDF was changed after it was signed: its content no longer "
                "matches its hash, or it is not a whole record."
            )
        for reflection in document["reflections"]:
            if reflection.get("signature"):
                found[reflection["signature"]["content_sha256"]] = _describe(document, reflection)
    return found


def _signed_in(reference: Reference, digest: str) -> str:
    for reflection in reference.document["reflections"]:
        signature = reflection.get("signature") or {}
        if signature.get("content_sha256") != digest:
            continue
        if exported_sha256(reflection) != digest:
            raise VerifyError(
                f"The record with the printed hash ({_short(digest)}) in {reference.where} no longer matches its "
                "hash: the record was changed after it was signed."
            )
        return f"the signed record in {reference.where}: {_describe(reference.document, reflection)}"
    raise VerifyError(
        f"The hash printed on this PDF ({_short(digest)}) matches no signed record in {reference.where}: the "
        f"printed hash was changed, or the record it prints is not in {reference.where}."
    )


def _describe(document: dict[str, Any], reflection: dict[str, Any]) -> str:
    """E.g. "Demo - Ward 3, session of 3 November 2026, signed by B. Supervisor on 3 November 2026, 15:10 GMT"."""
    from psi_desktop.reporting.layout import local_time, long_date

    codes = {case["id"]: case["code"] for case in document["cases"]}
    signature = reflection["signature"]
    session = long_date(dt.date.fromisoformat(reflection["session_date"]))
    signed = local_time(parse_instant(signature["signed_at"]))
    code = codes.get(reflection["case_id"], str(uuid.UUID(reflection["case_id"])))
    return f"{code}, session of {session}, signed by {signature['signed_by']} on {signed}"


def _short(digest: str) -> str:
    return f"{digest[:12]}\u2026"
