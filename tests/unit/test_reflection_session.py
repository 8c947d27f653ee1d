"""The draft session the walkthrough edits through, on a real encrypted profile and without Qt: pending
edits, one update per save, one snapshot per change, blind entry, actions, drafts, signing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.model import ActionStatus, DistressImpact, Perspective, ReflectionStatus, ServiceUserSource
from psi_desktop.domain.walkthrough import StepKind, StepState
from psi_desktop.errors import ValidationError
from psi_desktop.frameworks import default_framework
from psi_desktop.services.reflection_session import ReflectionSession, SaveState
from psi_desktop.storage.repositories import StoreFullError

DIMS = default_framework().dimension_ids


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "demo", demo=True)


@pytest.fixture
def case(profile):
    return profile.cases.find("Demo - Ward 3")


def session_on(profile, reflection, **kwargs) -> ReflectionSession:
    return ReflectionSession(profile.reflections, reflection, drafts=profile.drafts, **kwargs)


def statements_during(profile, act) -> list[str]:
    seen: list[str] = []
    connection = profile.store.db.conn
    connection.set_trace_callback(seen.append)
    try:
        act()
    finally:
        connection.set_trace_callback(None)
    return seen


def test_edits_are_held_until_one_save_writes_them_all(profile, case):
    draft = profile.reflections.start(case.id)
    session = session_on(profile, draft)
    assert session.snapshot().save_state is SaveState.SAVED and not session.has_unsaved_changes()

    assert session.set_answer("context", "A night shift.")
    assert session.set_name(Perspective.PRACTITIONER, "  A.   Nurse ")
    assert session.set_rating(Perspective.PRACTITIONER, "safety.trust", 2)
    assert session.set_distress_impact(Perspective.PRACTITIONER, DistressImpact.ALLEVIATED)
    assert session.set_session_date(dt.date(2026, 11, 2))
    snapshot = session.snapshot()
    assert snapshot.save_state is SaveState.PENDING
    assert snapshot.reflection.answers["context"] == "A night shift."
    assert snapshot.reflection.ratings_of(Perspective.PRACTITIONER) == {"safety.trust": 2}
    assert profile.reflections.get(draft.id).answers == {}, "nothing is written before save"

    calls = []
    real_update = profile.reflections.update
    profile.reflections.update = lambda r: calls.append(r) or real_update(r)
    assert session.save() is True
    assert len(calls) == 1, "one update for every pending edit"
    stored = profile.reflections.get(draft.id)
    assert stored.answers == {"context": "A night shift."} and stored.practitioner == "A. Nurse"
    assert stored.ratings_of(Perspective.PRACTITIONER) == {"safety.trust": 2}
    assert stored.session_date == dt.date(2026, 11, 2)
    assert session.snapshot().save_state is SaveState.SAVED and session.snapshot().reflection.practitioner == "A. Nurse"
    assert session.save() is True and len(calls) == 1, "nothing pending: nothing written"


def test_a_snapshot_is_read_once_per_change_and_editing_runs_no_query(profile, case):
    assert len(profile.cases.reflections(case.id)) >= 3, "a case whose history would cost queries to read again"
    session = session_on(profile, profile.reflections.start(case.id))
    first = session.snapshot()
    assert session.snapshot() is first, "the same snapshot until something changes"

    def edit_and_read() -> None:
        for dimension in DIMS[:4]:
            session.set_rating(Perspective.PRACTITIONER, dimension, 3)
            session.snapshot()
        session.set_answer("context", "typed")
        session.set_wellbeing(2)
        session.set_code_themes((CodeTheme.PRESERVE_SAFETY,))
        session.snapshot()

    assert statements_during(profile, edit_and_read) == []
    snapshot = session.snapshot()
    assert snapshot is not first
    assert dict(snapshot.progress) == profile.reflections.progress(session.current), "the service's rules"
    assert snapshot.progress["power"] is StepState.COMPLETE
    assert (snapshot.steps_done, snapshot.steps_required) == (2, 8)
    assert snapshot.suggested_themes == profile.reflections.suggested_code_themes(session.current)


def test_the_case_is_read_once_and_answers_what_the_separate_questions_do(profile, case):
    service = profile.reflections
    draft = service.start(case.id)
    around = service.surroundings(draft)
    assert around.previous == service.previous(draft) and around.previous is not None
    assert list(around.actions) == service.actions_of(draft)
    assert list(around.to_review) == service.actions_to_review(draft) and around.to_review
    assert around.session_dates == service.session_dates(case.id)
    assert service.progress(draft, around) == service.progress(draft)


def test_the_supervisor_rates_blind_until_reveal_which_saves_first(profile, case):
    session = session_on(profile, profile.reflections.start(case.id))
    session.set_rating(Perspective.PRACTITIONER, "safety.trust", 3)
    session.set_rating(Perspective.SUPERVISOR, "safety.trust", 1)
    assert session.snapshot().points == (), "no discussion points while the supervisor rates blind"
    assert session.reveal() is True
    assert not session.has_unsaved_changes()
    assert profile.reflections.get(session.current.id).status is ReflectionStatus.DISCUSSED
    (point,) = session.snapshot().points
    assert point.question == "You rated Trust 3, your supervisor 1 \u2014 what do you each see?"
    assert session.reveal() is False, "already revealed"
    assert session_on(profile, session.current, revealed=True).snapshot().points == (point,)


def test_a_failed_save_keeps_the_edits_pending_and_says_why_until_a_save_succeeds(profile, case, monkeypatch):
    draft = profile.reflections.start(case.id)
    session = session_on(profile, draft)
    real_update = profile.reflections.update

    def full(_reflection):
        raise StoreFullError("Your data folder is full, so this could not be saved.")

    monkeypatch.setattr(profile.reflections, "update", full)
    session.set_answer("context", "Words that must not be lost")
    assert session.save() is False
    snapshot = session.snapshot()
    assert (snapshot.save_state, snapshot.problem) == (
        SaveState.FAILED,
        "Your data folder is full, so this could not be saved.",
    )
    assert snapshot.reflection.answers["context"] == "Words that must not be lost"
    session.set_answer("context", "Words that must not be lost.")
    assert session.snapshot().save_state is SaveState.PENDING and session.snapshot().problem != ""

    monkeypatch.setattr(profile.reflections, "update", real_update)
    assert session.save() is True
    assert session.snapshot().problem == "" and session.snapshot().save_state is SaveState.SAVED
    assert profile.reflections.get(draft.id).answers["context"] == "Words that must not be lost."


def test_actions_are_written_at_once_and_the_snapshot_follows(profile, case):
    session = session_on(profile, profile.reflections.start(case.id))
    (earlier,) = session.snapshot().to_review
    assert earlier.status is ActionStatus.OPEN

    session.keep_new_action({"text": "Explain leave first", "dimension": "", "due": ""})
    assert session_on(profile, session.current).kept_new_action()["text"] == "Explain leave first"
    action = session.add_action("Explain leave first", dimension="power.transparency")
    assert session.snapshot().actions == (action,) and session.snapshot().progress["actions"] is StepState.COMPLETE
    assert session.kept_new_action() is None, "an added action is no longer a draft"

    session.review_action(earlier, ActionStatus.KEPT)
    (reviewed,) = session.snapshot().to_review
    assert (reviewed.status, reviewed.reviewed_in) == (ActionStatus.KEPT, session.current.id)
    session.remove_action(action)
    assert session.snapshot().actions == () and profile.reflections.actions_of(session.current) == []

    session.keep_new_action({"text": "half", "dimension": "", "due": ""})
    session.keep_new_action({"text": "  ", "dimension": "", "due": ""})
    assert session.kept_new_action() is None, "nothing typed: no draft kept"


def test_a_signed_reflection_takes_no_edits_but_amendments(profile, case):
    session = session_on(profile, profile.reflections.start(case.id))
    for dimension in DIMS:
        session.set_rating(Perspective.PRACTITIONER, dimension, 3)
    session.set_service_user_source(ServiceUserSource.ESTIMATE)
    assert session.save()
    assert session.snapshot().sign_blockers == ()
    with pytest.raises(ValidationError):
        session.sign("  ")
    assert not session.read_only
    signed = session.sign("B. Supervisor")
    assert session.read_only and session.revealed and signed.signature.signed_by == "B. Supervisor"
    assert session.snapshot().progress["review"] is StepState.COMPLETE

    assert not session.set_answer("context", "changed?")
    assert not session.set_rating(Perspective.PRACTITIONER, DIMS[0], 0)
    assert not session.has_unsaved_changes() and session.save() is True
    assert session.kept_new_action() is None

    amended = session.amend("A. Nurse", "Wrong shift", "It was a late shift.")
    assert amended.signature == signed.signature and len(session.snapshot().reflection.amendments) == 1
    assert [s.kind for s in session.steps if s.kind is not StepKind.PROMPTS] == [
        StepKind.CONTEXT,
        StepKind.PERSON,
        StepKind.SUPERVISOR,
        StepKind.REVIEW,
    ]
