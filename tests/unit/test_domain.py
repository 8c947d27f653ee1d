"""Pure rules: component means, perspective gaps, and the content hash as bundle-format.md defines it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from psi_desktop.domain.documents import (
    reflection_document,
    reflection_from_document,
    reflection_sha256,
)
from psi_desktop.domain.model import Perspective, Reflection
from psi_desktop.domain.rules import component_means, discussion_points, perspective_gaps
from psi_desktop.frameworks import default_framework
from psi_desktop.services.demo import demo_document


def reflection(ratings: dict) -> Reflection:
    return Reflection(
        id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        framework_id="psi",
        framework_version=1,
        session_date=dt.date(2026, 10, 2),
        ratings=ratings,
    )


def test_component_means_per_perspective_skip_unrated_dimensions():
    r = reflection(
        {
            Perspective.PRACTITIONER: {"power.protective": 3, "power.choice": 1, "safety.trust": 4},
            Perspective.SUPERVISOR: {"identity.equality": 2},
        }
    )
    means = component_means(r, default_framework())
    assert means[Perspective.PRACTITIONER] == {"power": 2.0, "safety": 4.0, "identity": None}
    assert means[Perspective.SUPERVISOR] == {"power": None, "safety": None, "identity": 2.0}
    assert means[Perspective.SERVICE_USER] == {"power": None, "safety": None, "identity": None}


def test_gaps_and_discussion_points_only_where_both_rated():
    r = reflection(
        {
            Perspective.PRACTITIONER: {"safety.trust": 3, "power.choice": 2, "identity.equality": 4},
            Perspective.SUPERVISOR: {"safety.trust": 1, "power.choice": 3},
        }
    )
    assert {(g.dimension, g.difference) for g in perspective_gaps(r)} == {("safety.trust", 2), ("power.choice", -1)}
    points = discussion_points(r)
    assert [(p.dimension, p.first, p.second) for p in points] == [("safety.trust", 3, 1)]


def independent_hash(obj: dict) -> str:
    content = {
        k: v for k, v in obj.items() if k not in {"status", "signature", "amendments", "created_at", "updated_at"}
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_demo_reflections_round_trip_and_hash_as_the_format_defines():
    signed = 0
    for doc in demo_document()["reflections"]:
        r = reflection_from_document(doc)
        assert reflection_document(r) == doc
        assert reflection_sha256(r) == independent_hash(doc)
        if doc["signature"]:
            signed += 1
            assert doc["signature"]["content_sha256"] == reflection_sha256(r)
    assert signed == 5


def test_hash_changes_with_content_but_not_with_status_or_times():
    doc = demo_document()["reflections"][0]
    base = reflection_sha256(reflection_from_document(doc))
    assert reflection_sha256(reflection_from_document({**doc, "updated_at": "2030-01-01T00:00:00Z"})) == base
    edited = {**doc, "answers": {**doc["answers"], "context": doc["answers"]["context"] + "."}}
    assert reflection_sha256(reflection_from_document(edited)) != base
