"""Records as bundle-format JSON objects and back, and the content hash of a reflection.

bundle-format.md is the contract: the same shapes travel in bundles, and the hash printed on every
PDF of a signed reflection is computed from them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from enum import Enum
from typing import Any, TypeVar

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    Amendment,
    Case,
    DistressImpact,
    Perspective,
    Reflection,
    ReflectionStatus,
    ServiceUserSource,
    Signature,
    TraumaEcho,
)

NOT_HASHED = ("status", "signature", "amendments", "created_at", "updated_at")


def content_sha256(document: dict[str, Any]) -> str:
    """SHA-256 of a reflection object's canonical content, exactly as bundle-format.md defines it."""
    content = {k: v for k, v in document.items() if k not in NOT_HASHED}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reflection_sha256(reflection: Reflection) -> str:
    return content_sha256(reflection_document(reflection))


def exported_sha256(document: dict[str, Any]) -> str:
    """The content hash of a checked reflection object in the form this app will export it.

    A signed record is checked on that form, so one that imports here verifies everywhere it goes next.
    """
    return reflection_sha256(reflection_from_document(document))


def instant(moment: dt.datetime) -> str:
    """An ISO 8601 UTC instant with ``Z``, to the second."""
    return moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def parse_instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


E = TypeVar("E", bound=Enum)


def _enum(kind: type[E], value: Any) -> E | None:
    return None if value is None else kind(value)


def _value(member: Enum | None) -> str | None:
    return None if member is None else member.value


def case_document(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "code": case.code,
        "setting": case.setting,
        "opened_on": _iso(case.opened_on),
        "closed_on": _iso(case.closed_on),
        "notes": case.notes,
    }


def case_from_document(doc: dict[str, Any]) -> Case:
    return Case(
        id=uuid.UUID(doc["id"]),
        code=doc["code"],
        setting=doc.get("setting") or "",
        opened_on=_date(doc.get("opened_on")),
        closed_on=_date(doc.get("closed_on")),
        notes=doc.get("notes") or "",
    )


def reflection_document(reflection: Reflection) -> dict[str, Any]:
    signature = reflection.signature
    return {
        "id": str(reflection.id),
        "case_id": str(reflection.case_id),
        "framework": {"id": reflection.framework_id, "version": reflection.framework_version},
        "session_date": reflection.session_date.isoformat(),
        "practitioner": reflection.practitioner,
        "supervisor": reflection.supervisor,
        "answers": dict(reflection.answers),
        "ratings": {p.value: dict(reflection.ratings_of(p)) for p in Perspective},
        "service_user_source": _value(reflection.service_user_source),
        # Only when the person wrote something: a record without it hashes as in format version 1.
        **({"service_user_words": reflection.service_user_words} if reflection.service_user_words else {}),
        "trauma_echo": _value(reflection.trauma_echo),
        "distress_impact": {p.value: i.value for p, i in reflection.distress_impact.items()},
        "code_themes": [t.value for t in reflection.code_themes],
        "wellbeing": reflection.wellbeing,
        "status": reflection.status.value,
        "signature": None
        if signature is None
        else {
            "signed_by": signature.signed_by,
            "signed_at": instant(signature.signed_at),
            "content_sha256": signature.content_sha256,
        },
        "amendments": [
            {
                "id": str(a.id),
                "author": a.author,
                "made_at": instant(a.made_at),
                "reason": a.reason,
                "changes": a.changes,
            }
            for a in reflection.amendments
        ],
        "created_at": instant(reflection.created_at),
        "updated_at": instant(reflection.updated_at),
    }


def reflection_from_document(doc: dict[str, Any]) -> Reflection:
    """A reflection from a bundle object that has already been validated."""
    signature = doc.get("signature")
    return Reflection(
        id=uuid.UUID(doc["id"]),
        case_id=uuid.UUID(doc["case_id"]),
        framework_id=doc["framework"]["id"],
        framework_version=doc["framework"]["version"],
        session_date=dt.date.fromisoformat(doc["session_date"]),
        practitioner=doc.get("practitioner") or "",
        supervisor=doc.get("supervisor") or "",
        answers=dict(doc.get("answers") or {}),
        ratings={Perspective(p): dict(scores) for p, scores in (doc.get("ratings") or {}).items() if scores},
        service_user_source=_enum(ServiceUserSource, doc.get("service_user_source")),
        service_user_words=doc.get("service_user_words") or "",
        trauma_echo=_enum(TraumaEcho, doc.get("trauma_echo")),
        distress_impact={Perspective(p): DistressImpact(i) for p, i in (doc.get("distress_impact") or {}).items()},
        code_themes=tuple(CodeTheme(t) for t in doc.get("code_themes") or ()),
        wellbeing=doc.get("wellbeing"),
        status=ReflectionStatus(doc.get("status", "draft")),
        signature=None
        if not signature
        else Signature(
            signed_by=signature["signed_by"],
            signed_at=parse_instant(signature["signed_at"]),
            content_sha256=signature["content_sha256"],
        ),
        amendments=tuple(
            Amendment(
                id=uuid.UUID(a["id"]),
                author=a["author"],
                made_at=parse_instant(a["made_at"]),
                reason=a["reason"],
                changes=a["changes"],
            )
            for a in doc.get("amendments") or ()
        ),
        created_at=parse_instant(doc["created_at"]),
        updated_at=parse_instant(doc["updated_at"]),
    )


def action_document(action: Action) -> dict[str, Any]:
    return {
        "id": str(action.id),
        "case_id": str(action.case_id),
        "reflection_id": str(action.reflection_id),
        "text": action.text,
        "dimension": action.dimension,
        "due_on": _iso(action.due_on),
        "status": action.status.value,
        "reviewed_in": None if action.reviewed_in is None else str(action.reviewed_in),
        # Only when set: an action never reviewed with a note or carried forward reads as before.
        **({"review_note": action.review_note} if action.review_note else {}),
        **({"reviewed_at": instant(action.reviewed_at)} if action.reviewed_at else {}),
        **({"carried_from": str(action.carried_from)} if action.carried_from else {}),
    }


def action_from_document(doc: dict[str, Any]) -> Action:
    reviewed_in = doc.get("reviewed_in")
    return Action(
        id=uuid.UUID(doc["id"]),
        case_id=uuid.UUID(doc["case_id"]),
        reflection_id=uuid.UUID(doc["reflection_id"]),
        text=doc["text"],
        dimension=doc.get("dimension"),
        due_on=_date(doc.get("due_on")),
        status=ActionStatus(doc.get("status", "open")),
        reviewed_in=None if reviewed_in is None else uuid.UUID(reviewed_in),
        review_note=doc.get("review_note") or "",
        reviewed_at=None if not doc.get("reviewed_at") else parse_instant(doc["reviewed_at"]),
        carried_from=None if not doc.get("carried_from") else uuid.UUID(doc["carried_from"]),
    )
