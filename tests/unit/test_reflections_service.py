"""The reflection lifecycle through the service the walkthrough uses: draft, discuss, act, sign, amend."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.model import ActionStatus, Perspective, ReflectionStatus
from psi_desktop.errors import ValidationError
from psi_desktop.frameworks import default_framework
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE

DIMS = default_framework().dimension_ids


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "p")


def rated(score: int = 3, **overrides: int) -> dict[str, int]:
    return {d: overrides.get(d.replace(".", "_"), score) for d in DIMS}


def test_a_draft_saves_answers_and_ratings_and_becomes_discussed_with_supervisor_ratings(profile):
    case = profile.cases.create("Ward 3 - A")
    draft = profile.reflections.start(case.id, session_date=dt.date(2026, 11, 2), practitioner=" A.  Nurse ")
    assert (draft.status, draft.practitioner, draft.framework_id, draft.framework_version) == (
        ReflectionStatus.DRAFT,
        "A. Nurse",
        "psi",
        1,
    )
    draft = profile.reflections.update(
        replace(draft, answers={"context": "We talked."}, ratings={Perspective.PRACTITIONER: {"safety.trust": 2}})
    )
    assert profile.reflections.get(draft.id) == draft
    assert draft.status is ReflectionStatus.DRAFT
    discussed = profile.reflections.update(
        replace(draft, ratings={**draft.ratings, Perspective.SUPERVISOR: {"safety.trust": 4}})
    )
    assert discussed.status is ReflectionStatus.DISCUSSED
    with pytest.raises(ValidationError, match="Unknown prompt"):
        profile.reflections.update(replace(draft, answers={"made.up": "x"}))
    with pytest.raises(ValidationError, match="out of range"):
        profile.reflections.update(replace(draft, ratings={Perspective.PRACTITIONER: {"safety.trust": 5}}))


def test_signing_locks_the_record_and_stores_the_hash_bundle_format_defines(tmp_path: Path, profile):
    case = profile.cases.create("Ward 3 - A")
    draft = profile.reflections.start(case.id, session_date=dt.date(2026, 11, 2), practitioner="A. Nurse")
    draft = profile.reflections.update(
        replace(
            draft, answers={"context": "Ελληνικά and English"}, ratings={Perspective.PRACTITIONER: {"safety.trust": 2}}
        )
    )
    with pytest.raises(ValidationError, match="Rate every dimension"):
        profile.reflections.sign(draft, "B. Supervisor")
    draft = profile.reflections.update(
        replace(draft, ratings={Perspective.PRACTITIONER: rated(3), Perspective.SUPERVISOR: rated(1)})
    )
    with pytest.raises(ValidationError, match="supervisor's name"):
        profile.reflections.sign(draft, "  ")
    signed = profile.reflections.sign(draft, "B. Supervisor")
    assert signed.status is ReflectionStatus.SIGNED and signed.signature.signed_by == "B. Supervisor"

    # Recompute the hash from the stored rows alone, without the app's serialiser.
    with unlock_profile(profile.directory, PASSPHRASE) as again:
        db = again.store.db
        row = db.execute("SELECT * FROM reflections WHERE id = ?", [str(signed.id)]).fetchone()
        cols = [c[0] for c in db.execute("SELECT * FROM reflections LIMIT 0").description]
        r = dict(zip(cols, row, strict=True))
        ratings = {"practitioner": {}, "supervisor": {}, "service_user": {}}
        for p, d, s in db.execute(
            "SELECT perspective, dimension_id, score FROM ratings WHERE reflection_id = ?", [r["id"]]
        ):
            ratings[p][d] = s
        content = {
            "id": r["id"],
            "case_id": r["case_id"],
            "framework": {"id": r["framework_id"], "version": r["framework_version"]},
            "session_date": r["session_date"],
            "practitioner": r["practitioner"],
            "supervisor": r["supervisor"],
            "answers": dict(db.execute("SELECT prompt_id, text FROM answers WHERE reflection_id = ?", [r["id"]])),
            "ratings": ratings,
            "service_user_source": r["service_user_source"],
            "trauma_echo": r["trauma_echo"],
            "distress_impact": {},
            "code_themes": json.loads(r["code_themes"]),
            "wellbeing": r["wellbeing"],
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert (
            hashlib.sha256(text.encode("utf-8")).hexdigest() == r["content_sha256"] == signed.signature.content_sha256
        )

    with pytest.raises(ValidationError, match="signed"):
        profile.reflections.update(replace(signed, answers={"context": "rewritten"}))
    with pytest.raises(ValidationError, match="signed"):
        profile.reflections.add_action(signed, "Something new")
    amended = profile.reflections.amend(signed, "B. Supervisor", "Wrong date noted", "Session was on 3 Nov")
    assert amended.signature == signed.signature and amended.answers == signed.answers
    assert [(a.author, a.reason) for a in amended.amendments] == [("B. Supervisor", "Wrong date noted")]
    with pytest.raises(ValidationError, match="needs who"):
        profile.reflections.amend(signed, "B. Supervisor", "", "x")


def test_actions_carry_to_the_next_reflection_and_are_reviewed_there(profile):
    case = profile.cases.create("Ward 3 - A")
    first = profile.reflections.start(case.id, session_date=dt.date(2026, 10, 1))
    action = profile.reflections.add_action(
        first, "  Explain observation changes   first ", dimension="power.transparency", due_on=dt.date(2026, 10, 8)
    )
    assert action.text == "Explain observation changes first"
    with pytest.raises(ValidationError, match="Write what"):
        profile.reflections.add_action(first, "   ")
    assert profile.reflections.actions_of(first) == [action]
    second = profile.reflections.start(case.id, session_date=dt.date(2026, 10, 15))
    assert profile.reflections.actions_to_review(second) == [action]
    assert profile.reflections.previous(second).id == first.id
    kept = profile.reflections.review_action(second, action, ActionStatus.KEPT)
    assert (kept.status, kept.reviewed_in) == (ActionStatus.KEPT, second.id)
    assert profile.reflections.actions_to_review(second) == [kept]  # still shown where it was reviewed
    third = profile.reflections.start(case.id, session_date=dt.date(2026, 10, 29))
    assert profile.reflections.actions_to_review(third) == []
    assert profile.cases.actions(case.id, ActionStatus.OPEN) == []


def test_code_themes_are_suggested_from_what_needs_attention(profile):
    case = profile.cases.create("Ward 3 - A")
    draft = profile.reflections.start(case.id)
    high = replace(draft, ratings={Perspective.PRACTITIONER: rated(4, safety_trust=1, power_choice=2)})
    assert profile.reflections.suggested_code_themes(high) == (
        CodeTheme.PRIORITISE_PEOPLE,
        CodeTheme.PROMOTE_PROFESSIONALISM_AND_TRUST,
    )
    all_high = replace(draft, ratings={Perspective.PRACTITIONER: rated(4)})
    assert set(profile.reflections.suggested_code_themes(all_high)) == set(CodeTheme)


def test_archived_cases_take_no_new_reflections(profile):
    case = profile.cases.create("Ward 3 - A")
    profile.cases.archive(case.id)
    with pytest.raises(ValidationError, match="archived"):
        profile.reflections.start(case.id)
