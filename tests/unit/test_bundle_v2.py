"""Bundle format version 2: the person's own view travels, version-1 bundles still import (issue 15 item 2)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.model import DistressImpact, Perspective, ServiceUserSource
from psi_desktop.frameworks import default_framework
from psi_desktop.services.bundle_format import FORMAT_VERSION, BundleError
from psi_desktop.services.bundles import apply_import, build_document, export_bundle, import_bundle, plan_import

DIMS = default_framework().dimension_ids
WORDS = "Please knock before you come in.\n\nThe night staff were kind."
DEMO_V1 = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-ward3.psi.json"


def self_rated_profile(tmp_path: Path, make_profile):
    """A profile with one signed reflection the person rated themselves, with their words."""
    profile = make_profile(tmp_path / "source")
    case = profile.cases.create("Ward 5 - B", "Community")
    draft = profile.reflections.start(case.id, session_date=dt.date(2026, 11, 20))
    draft = profile.reflections.update(
        replace(
            draft,
            ratings={
                Perspective.PRACTITIONER: {d: 3 for d in DIMS},
                Perspective.SERVICE_USER: {d: 1 for d in DIMS[:7]},  # two "I'd rather not say"
            },
            service_user_source=ServiceUserSource.SELF_RATED,
            service_user_words=WORDS,
            distress_impact={Perspective.SERVICE_USER: DistressImpact.ALLEVIATED},
        )
    )
    signed = profile.reflections.sign(draft, "B. Supervisor")
    return profile, signed


def test_a_version_2_bundle_carries_the_persons_own_view_and_imports_with_the_same_hash(tmp_path, make_profile):
    source, signed = self_rated_profile(tmp_path, make_profile)
    out = tmp_path / "own-view.psi.json"
    export_bundle(source, out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format_version"] == FORMAT_VERSION >= 2
    (record,) = doc["reflections"]
    assert record["service_user_source"] == "self_rated"
    assert record["service_user_words"] == WORDS
    (framework,) = doc["frameworks"]
    assert all(d["easy_read"]["provenance"] == "proposed" and d["easy_read"]["text"] for d in framework["dimensions"])

    target = make_profile(tmp_path / "target")
    import_bundle(target, out, None)
    imported = target.reflections.get(signed.id)
    assert imported.service_user_source is ServiceUserSource.SELF_RATED
    assert imported.service_user_words == WORDS
    assert imported.ratings_of(Perspective.SERVICE_USER) == signed.ratings_of(Perspective.SERVICE_USER)
    assert reflection_sha256(imported) == signed.signature.content_sha256 == imported.signature.content_sha256


def test_a_version_1_bundle_imports_unchanged(tmp_path, make_profile):
    doc = json.loads(DEMO_V1.read_text(encoding="utf-8"))
    assert doc["format_version"] == 1
    target = make_profile(tmp_path / "target")
    import_bundle(target, DEMO_V1, None)
    again = build_document(target)
    assert again["format_version"] == FORMAT_VERSION
    # Every record comes out as it went in: no new key added to a record without the new content
    # (but the case's practitioner_id of version 3: the cases are the owner's own).
    owner = again["from"]
    assert [c.pop("practitioner_id") for c in again["cases"]] == [owner] * len(doc["cases"])
    for kind in ("cases", "reflections", "actions"):
        assert sorted(again[kind], key=lambda r: r["id"]) == sorted(doc[kind], key=lambda r: r["id"])
    for record in doc["reflections"]:
        if record["signature"]:
            stored = target.reflections.get(uuid.UUID(record["id"]))
            assert reflection_sha256(stored) == record["signature"]["content_sha256"]


def as_version_1(doc: dict) -> dict:
    """A document as a build before format version 2 wrote it: version 1, frameworks without statements."""
    old = copy.deepcopy(doc)
    old["format_version"] = 1
    del old["from"], old["practitioners"]
    for case in old["cases"]:
        del case["practitioner_id"]
    for framework in old["frameworks"]:
        for dimension in framework["dimensions"]:
            dimension.pop("easy_read", None)
    for record in old["reflections"]:
        record.pop("service_user_words", None)
        if record["service_user_source"] == "self_rated":
            record["service_user_source"] = "told_me"
    return old


def refused(target, doc, *expected: str) -> None:
    with pytest.raises(BundleError) as raised:
        plan_import(target, doc)
    for text in expected:
        assert text in str(raised.value), str(raised.value)


def test_a_version_1_bundle_with_a_framework_from_an_older_build_imports(tmp_path, make_profile):
    source, signed = self_rated_profile(tmp_path, make_profile)
    old = as_version_1(build_document(source))
    old["reflections"][0]["signature"] = None
    old["reflections"][0]["status"] = "draft"
    target = make_profile(tmp_path / "target")
    apply_import(target, plan_import(target, old))
    imported = target.reflections.get(signed.id)
    assert imported.service_user_source is ServiceUserSource.TOLD_ME and imported.service_user_words == ""


def test_the_new_fields_are_refused_in_a_version_1_bundle_and_held_to_one_form_in_version_2(tmp_path, make_profile):
    source, _ = self_rated_profile(tmp_path, make_profile)
    doc = build_document(source)
    target = make_profile(tmp_path / "target")
    old = as_version_1(doc)

    with_source = copy.deepcopy(old)
    with_source["reflections"][0]["service_user_source"] = "self_rated"
    refused(target, with_source, 'reflections[0].service_user_source: "self_rated" came in bundle format version 2')
    with_words = copy.deepcopy(old)
    with_words["reflections"][0]["service_user_words"] = WORDS
    refused(target, with_words, "reflections[0].service_user_words: service_user_words came in bundle format version 2")
    with_statements = copy.deepcopy(old)
    with_statements["frameworks"] = doc["frameworks"]
    refused(target, with_statements, "frameworks[0].dimensions: easy_read came in bundle format version 2")

    empty = copy.deepcopy(doc)
    empty["reflections"][0]["service_user_words"] = ""
    refused(target, empty, "reflections[0].service_user_words: should be left out when the person wrote nothing")
    reworded = copy.deepcopy(doc)
    reworded["frameworks"][0]["dimensions"][0]["easy_read"]["text"] = "Staff were in charge."
    refused(target, reworded, "frameworks[0]: is not the psi version 1 that this build has")
