"""The reflection lifecycle through the service the walkthrough uses: draft, discuss, act, sign, amend."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.model import (
    ActionStatus,
    DistressImpact,
    Perspective,
    Reflection,
    ReflectionStatus,
    ServiceUserSource,
    perspective_name,
)
from psi_desktop.domain.walkthrough import (
    StepState,
    walkthrough_steps,
    with_answer,
    with_answers,
    with_distress_impact,
    with_rating,
)
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


# -- the walkthrough's rules (no Qt) ----------------------------------------------------------------


def test_the_walkthrough_runs_context_to_review_and_asks_every_prompt_exactly_once():
    framework = default_framework()
    steps = walkthrough_steps(framework)
    assert [s.id for s in steps] == [
        "context",
        "power",
        "safety",
        "identity",
        "synthesis",
        "service_user",
        "supervisor",
        "actions",
        "restorative",
        "review",
    ]
    asked = [p for s in steps for p in s.prompts]
    assert sorted(asked) == sorted(framework.prompt_ids) and len(asked) == len(set(asked))
    by_id = {s.id: s for s in steps}
    assert by_id["actions"].prompts == ("synthesis.next_time",), "what I will do differently becomes actions"
    assert by_id["restorative"].prompts == ("restorative.brought_up",) and by_id["restorative"].optional
    assert by_id["power"].dimensions == ("power.protective", "power.choice", "power.transparency")
    assert by_id["power"].title == "Power \u2014 care rather than control"
    assert by_id["supervisor"].perspective is Perspective.SUPERVISOR and len(by_id["supervisor"].dimensions) == 9
    assert by_id["service_user"].optional and by_id["service_user"].perspective is Perspective.SERVICE_USER


def test_progress_shows_what_is_complete_and_consistency_needs_last_times_actions_looked_at(profile):
    case = profile.cases.create("Ward 3 - A")
    first = profile.reflections.start(case.id, session_date=dt.date(2026, 10, 1))
    promise = profile.reflections.add_action(first, "Explain observation changes first")
    draft = profile.reflections.start(case.id, session_date=dt.date(2026, 10, 15))
    assert set(profile.reflections.progress(draft).values()) == {StepState.EMPTY}

    draft = replace(draft, answers={"context": "A hard night shift."})
    draft = with_rating(
        with_rating(draft, Perspective.PRACTITIONER, "power.choice", 2), Perspective.PRACTITIONER, "power.protective", 3
    )
    progress = profile.reflections.progress(draft)
    assert (progress["context"], progress["power"]) == (StepState.COMPLETE, StepState.STARTED)
    draft = with_rating(draft, Perspective.PRACTITIONER, "power.transparency", 1)
    assert profile.reflections.progress(draft)["power"] is StepState.COMPLETE

    for dimension in ("safety.consistency", "safety.felt_safe", "safety.trust"):
        draft = with_rating(draft, Perspective.PRACTITIONER, dimension, 2)
    assert profile.reflections.progress(draft)["safety"] is StepState.STARTED, "last time's action not looked at"
    profile.reflections.review_action(draft, promise, ActionStatus.NOT_KEPT)
    assert profile.reflections.progress(draft)["safety"] is StepState.COMPLETE

    draft = with_distress_impact(draft, Perspective.PRACTITIONER, DistressImpact.ALLEVIATED)
    assert profile.reflections.progress(draft)["synthesis"] is StepState.COMPLETE
    draft = replace(draft, ratings={**draft.ratings, Perspective.SERVICE_USER: rated(2)})
    assert profile.reflections.progress(draft)["service_user"] is StepState.STARTED, "a view needs its source"
    draft = replace(draft, service_user_source=ServiceUserSource.ESTIMATE)
    assert profile.reflections.progress(draft)["service_user"] is StepState.COMPLETE
    draft = replace(draft, ratings={**draft.ratings, Perspective.SUPERVISOR: rated(1)})
    assert profile.reflections.progress(draft)["supervisor"] is StepState.COMPLETE
    assert profile.reflections.progress(draft)["actions"] is StepState.EMPTY
    draft = profile.reflections.update(draft)
    profile.reflections.add_action(draft, "Ask before changing the plan")
    assert profile.reflections.progress(draft)["actions"] is StepState.COMPLETE
    assert profile.reflections.progress(replace(draft, wellbeing=3))["restorative"] is StepState.COMPLETE
    assert profile.reflections.progress(draft)["review"] is StepState.EMPTY
    draft = profile.reflections.update(replace(draft, ratings={**draft.ratings, Perspective.PRACTITIONER: rated(3)}))
    assert (
        profile.reflections.progress(profile.reflections.sign(draft, "B. Supervisor"))["review"] is StepState.COMPLETE
    )


def test_discussion_points_are_the_gaps_of_two_or_more_put_as_questions(profile):
    case = profile.cases.create("Ward 3 - A")
    draft = profile.reflections.start(case.id)
    draft = replace(
        draft,
        ratings={
            Perspective.PRACTITIONER: rated(3, power_choice=4),
            Perspective.SUPERVISOR: rated(3, safety_trust=1, power_choice=3),
            Perspective.SERVICE_USER: rated(3, identity_equality=1),
        },
        service_user_source=ServiceUserSource.ESTIMATE,
    )
    points = profile.reflections.discussion_points(draft)
    assert [p.question for p in points] == [
        "You rated Trust 3, your supervisor 1 \u2014 what do you each see?",
        "You rated Equality 3; your estimate of their view is 1 \u2014 what might explain the difference?",
    ]
    assert [(p.dimension, p.second) for p in points] == [
        ("safety.trust", Perspective.SUPERVISOR),
        ("identity.equality", Perspective.SERVICE_USER),
    ]
    assert "they told you" not in points[1].question
    told = replace(draft, service_user_source=ServiceUserSource.TOLD_ME)
    assert "the person told you 1" in profile.reflections.discussion_points(told)[1].question


def test_the_actions_a_session_looked_back_on(make_profile, tmp_path):
    """What was still to be marked at a session: marked there, left open, or marked only later."""
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find("Demo - Ward 3")
    first, second, third = profile.cases.reflections(case.id)[:3]
    actions = {a.text: a for a in profile.cases.actions(case.id)}
    from_first = [a for a in actions.values() if a.reflection_id == first.id]
    assert profile.reflections.actions_looked_back_on(first) == []
    assert sorted(a.id for a in profile.reflections.actions_looked_back_on(second)) == sorted(a.id for a in from_first)
    # At the third session, the first session's actions were marked already (at the second): not listed.
    at_third = profile.reflections.actions_looked_back_on(third)
    assert all(a.reflection_id == second.id for a in at_third) and at_third
    # An action marked only at a later session was still open at this one: listed here too.
    later = next(a for a in at_third if a.reviewed_in == third.id)
    fourth = profile.cases.reflections(case.id)[3]
    moved = replace(later, reviewed_in=fourth.id)
    profile.store.actions.save(moved)
    assert moved.id in [a.id for a in profile.reflections.actions_looked_back_on(third)]
    assert moved.id in [a.id for a in profile.reflections.actions_looked_back_on(fourth)]


def test_an_estimate_of_the_persons_view_is_named_as_one():
    estimate, told = ServiceUserSource.ESTIMATE, ServiceUserSource.TOLD_ME
    assert perspective_name(Perspective.SERVICE_USER, estimate) == "Service user (your estimate)"
    assert perspective_name(Perspective.SERVICE_USER, estimate, with_source=True) == "Service user (your estimate)"
    # Their own view: plain where sources are pooled, named where one reflection is shown.
    assert perspective_name(Perspective.SERVICE_USER, told) == "Service user"
    assert perspective_name(Perspective.SERVICE_USER, told, with_source=True) == "Service user (they told me)"
    assert perspective_name(Perspective.SERVICE_USER) == "Service user"
    assert perspective_name(Perspective.SUPERVISOR, estimate, with_source=True) == "Supervisor"


def test_edits_make_new_records_and_an_empty_answer_or_cleared_rating_is_none():
    draft = Reflection(uuid.uuid4(), uuid.uuid4(), "psi", 1, dt.date(2026, 11, 2))
    answered = with_answers(draft, {"context": "We talked.", "power.where": "  "})
    assert answered.answers == {"context": "We talked."} and draft.answers == {}
    assert with_answer(answered, "context", "").answers == {}
    rated_once = with_rating(draft, Perspective.SUPERVISOR, "safety.trust", 1)
    assert rated_once.ratings == {Perspective.SUPERVISOR: {"safety.trust": 1}}
    assert with_rating(rated_once, Perspective.SUPERVISOR, "safety.trust", None).ratings == {}
    impact = with_distress_impact(draft, Perspective.SUPERVISOR, DistressImpact.MAINTAINED)
    assert impact.distress_impact == {Perspective.SUPERVISOR: DistressImpact.MAINTAINED}
    assert with_distress_impact(impact, Perspective.SUPERVISOR, None).distress_impact == {}


def test_a_new_reflection_carries_the_names_and_shows_last_times_ratings(profile):
    case = profile.cases.create("Ward 3 - A")
    first = profile.reflections.start(
        case.id, session_date=dt.date(2026, 10, 1), practitioner="A. Nurse", supervisor="B. Supervisor"
    )
    profile.reflections.update(replace(first, ratings={Perspective.PRACTITIONER: {"safety.trust": 2}}))
    second = profile.reflections.start_next(case.id)
    assert (second.practitioner, second.supervisor) == ("A. Nurse", "B. Supervisor")
    assert profile.reflections.last_ratings(second, Perspective.PRACTITIONER) == {"safety.trust": 2}
    assert profile.reflections.last_ratings(first, Perspective.PRACTITIONER) == {}
    assert profile.reflections.session_dates(case.id) == {
        first.id: dt.date(2026, 10, 1),
        second.id: second.session_date,
    }


def test_code_themes_start_from_the_suggestions_until_chosen_and_signing_waits_for_every_own_rating(profile):
    case = profile.cases.create("Ward 3 - A")
    draft = replace(profile.reflections.start(case.id), ratings={Perspective.PRACTITIONER: rated(4, safety_trust=1)})
    assert profile.reflections.code_themes_for_review(draft) == (CodeTheme.PROMOTE_PROFESSIONALISM_AND_TRUST,)
    chosen = replace(draft, code_themes=(CodeTheme.PRIORITISE_PEOPLE,))
    assert profile.reflections.code_themes_for_review(chosen) == (CodeTheme.PRIORITISE_PEOPLE,)
    partial = replace(draft, ratings={Perspective.PRACTITIONER: {"safety.trust": 1}})
    (blocker,) = profile.reflections.sign_blockers(partial)
    assert blocker.startswith("Rate every dimension from your own view") and "Protective power" in blocker
    assert profile.reflections.sign_blockers(draft) == []
    signed = profile.reflections.sign(profile.reflections.update(draft), "B. Supervisor")
    assert profile.reflections.sign_blockers(signed) == ["This reflection is already signed."]
    with pytest.raises(ValidationError, match="already signed"):
        profile.reflections.sign(draft, "B. Supervisor")


def test_a_gap_with_the_persons_view_names_no_source_when_none_was_recorded(profile):
    case = profile.cases.create("Ward 3 - A")
    draft = replace(
        profile.reflections.start(case.id),
        ratings={Perspective.PRACTITIONER: rated(3), Perspective.SERVICE_USER: rated(3, identity_equality=1)},
        service_user_source=None,
    )
    assert [p.question for p in profile.reflections.discussion_points(draft)] == [
        "You rated Equality 3; the person's view is 1 \u2014 what might explain the difference?",
    ]
