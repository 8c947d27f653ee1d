"""The fictional demo case, "Demo - Ward 3": six reflections over three months."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from psi_desktop.domain.documents import (
    action_from_document,
    case_from_document,
    content_sha256,
    reflection_from_document,
)
from psi_desktop.domain.model import Case
from psi_desktop.errors import ValidationError
from psi_desktop.paths import resource

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

DEMO_FILE = ("demo", "demo-ward3.psi.json")


def demo_document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resource(*DEMO_FILE).read_text(encoding="utf-8"))
    return doc


def add_demo_case(profile: Profile) -> Case:
    """Add the demo case, its reflections and actions to the profile in one transaction."""
    store = profile.store
    doc = demo_document()
    (case_doc,) = doc["cases"]
    case = case_from_document(case_doc)
    if store.cases.by_code(case.code) is not None:
        raise ValidationError(f"This profile already has the demo case \u201c{case.code}\u201d.")
    with store.atomic():
        store.cases.add(case)
        for reflection_doc in doc["reflections"]:
            signature = reflection_doc.get("signature")
            if signature and signature["content_sha256"] != content_sha256(reflection_doc):
                raise AssertionError("demo reflection's content hash does not match its content")
            store.reflections.save(reflection_from_document(reflection_doc))
        for action_doc in doc["actions"]:
            store.actions.save(action_from_document(action_doc))
    return case
