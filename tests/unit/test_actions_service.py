"""Actions across cases (issue 17 item 2), on a real store: the list of every action with its overdue and
due-this-week flags for a given day, marking with a note, carrying one not kept forward, the case list's
overdue counts, bundles, and a store from before m007_action_reviews."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from psi_desktop.domain.model import ActionStatus
from psi_desktop.errors import ValidationError
from psi_desktop.services.actions import Due, action_board, carry_forward, parse_statuses, review_action
from psi_desktop.services.bundles import apply_import, build_document, plan_import
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE

TODAY = dt.date(2026, 3, 10)  # a Tuesday
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def two_cases(profile):
    """Ward 3 - A: a signed reflection agreeing four actions, then a draft. Ward 5 - K: one reflection
    agreeing two actions, one of them kept later."""
    ward3 = profile.cases.create("Ward 3 - A")
    first = profile.reflections.start(ward3.id, session_date=day(-20))
    late = profile.reflections.add_action(first, "Explain leave changes first", due_on=day(-1))
    today_due = profile.reflections.add_action(first, "Knock and wait", due_on=day(0), dimension="power.transparency")
    sixth = profile.reflections.add_action(first, "Ask about the weekend", due_on=day(6))
    later = profile.reflections.add_action(first, "Write the plan together", due_on=day(7))
    profile.reflections.sign(_rated(profile, first), "B. Supervisor")
    draft = profile.reflections.start(ward3.id, session_date=day(-2))
    ward5 = profile.cases.create("Ward 5 - K")
    other = profile.reflections.start(ward5.id, session_date=day(-30))
    undated = profile.reflections.add_action(other, "Use the name they choose", dimension="identity.personhood")
    kept = profile.reflections.add_action(other, "Come back at two", due_on=day(-25))
    return {
        "late": late,
        "today": today_due,
        "sixth": sixth,
        "later": later,
        "undated": undated,
        "kept": kept,
        "draft": draft,
        "ward3": ward3,
        "ward5": ward5,
    }


def _rated(profile, reflection):
    from dataclasses import replace

    from psi_desktop.domain.model import Perspective

    dims = profile.frameworks.latest("psi").dimension_ids
    return profile.reflections.update(replace(reflection, ratings={Perspective.PRACTITIONER: dict.fromkeys(dims, 2)}))


def test_every_action_of_every_case_with_overdue_and_due_this_week_flags_that_move_with_the_date(
    tmp_path, make_profile
):
    profile = make_profile(tmp_path / "p")
    made = two_cases(profile)
    review_action(profile, made["kept"].id, ActionStatus.KEPT, "They said it helped.")

    board = action_board(profile, today=TODAY)
    order = [i.action.id for i in board.items]
    assert order == [made[k].id for k in ("late", "today", "sixth", "later", "undated", "kept")]
    flags = {i.action.text: i.due for i in board.items}
    assert flags == {
        "Explain leave changes first": Due.OVERDUE,
        "Knock and wait": Due.THIS_WEEK,
        "Ask about the weekend": Due.THIS_WEEK,
        "Write the plan together": Due.OPEN,
        "Use the name they choose": Due.OPEN,
        "Come back at two": Due.DONE,
    }
    assert {i.record.case_code for i in board.open_items} == {"Ward 3 - A", "Ward 5 - K"}
    assert (board.overdue_count, board.this_week_count, len(board.done_items)) == (1, 2, 1)
    knock = next(i for i in board.items if i.action.text == "Knock and wait")
    assert (knock.dimension_name, knock.dimension_provenance) == ("Power: Transparency", "proposed")
    assert knock.record.agreed_on == day(-20)

    # A week on, everything due by then is overdue; what was marked stays below, never overdue.
    board = action_board(profile, today=day(8))
    assert [i.action.text for i in board.items if i.overdue] == [
        "Explain leave changes first",
        "Knock and wait",
        "Ask about the weekend",
        "Write the plan together",
    ]
    assert board.this_week_count == 0 and board.done_items[0].action.text == "Come back at two"

    # The case list counts the same way, in one statement.
    counts = {s.case.code: (s.open_actions, s.overdue_actions) for s in profile.cases.summaries(today=TODAY)}
    assert counts == {"Ward 3 - A": (4, 1), "Ward 5 - K": (1, 0)}
    counts = {s.case.code: s.overdue_actions for s in profile.cases.summaries(today=day(8))}
    assert counts == {"Ward 3 - A": 4, "Ward 5 - K": 0}


def test_one_case_and_chosen_statuses(tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = two_cases(profile)
    review_action(profile, made["kept"].id, ActionStatus.KEPT)
    only5 = action_board(profile, today=TODAY, case_id=made["ward5"].id)
    assert {i.record.case_code for i in only5.items} == {"Ward 5 - K"} and len(only5.items) == 2
    kept = action_board(profile, today=TODAY, statuses=parse_statuses("kept"))
    assert [i.action.text for i in kept.items] == ["Come back at two"]
    assert parse_statuses("open, Not-Kept") == [ActionStatus.OPEN, ActionStatus.NOT_KEPT]
    with pytest.raises(ValidationError):
        parse_statuses("finished")


def test_marked_with_a_note_in_the_reflection_in_progress_and_not_kept_stays_listed_and_carries_forward(
    tmp_path, make_profile
):
    profile = make_profile(tmp_path / "p")
    made = two_cases(profile)
    late, draft = made["late"], made["draft"]

    marked = review_action(profile, late.id, ActionStatus.NOT_KEPT, "  Leave was changed on a night shift.\n")
    assert marked.review_note == "Leave was changed on a night shift."
    assert marked.reviewed_in == draft.id, "marked from the list, it counts in the case's reflection in progress"
    assert marked.reviewed_at is not None
    assert profile.store.actions.get(late.id) == marked
    # The draft's "Was I consistent?" shows it as marked.
    assert late.id in {a.id for a in profile.reflections.actions_to_review(draft)}

    board = action_board(profile, today=TODAY)
    (item,) = [i for i in board.done_items if i.action.id == late.id]
    assert item.action.status is ActionStatus.NOT_KEPT and item.can_carry_forward and not item.overdue

    new = carry_forward(profile, late.id, due_on=day(7))
    assert (new.status, new.reflection_id, new.carried_from, new.text, new.due_on) == (
        ActionStatus.OPEN,
        draft.id,
        late.id,
        late.text,
        day(7),
    )
    assert new in profile.reflections.actions_of(draft)
    board = action_board(profile, today=TODAY)
    old = next(i for i in board.items if i.action.id == late.id)
    again = next(i for i in board.items if i.action.id == new.id)
    assert old.due is Due.DONE and [c.action.id for c in old.carried_to] == [new.id], "the history shows both"
    assert again.carried_from is not None and again.carried_from.action.id == late.id
    assert again in board.open_items
    with pytest.raises(ValidationError, match="already carried forward"):
        carry_forward(profile, late.id)

    # Only a "not kept" carries forward; a note alone can be changed later, and open again clears the marking.
    with pytest.raises(ValidationError, match="Only an action not kept"):
        carry_forward(profile, made["today"].id)
    noted = review_action(profile, late.id, ActionStatus.NOT_KEPT, "Talked it over.")
    assert noted.reviewed_at == marked.reviewed_at and noted.review_note == "Talked it over."
    reopened = review_action(profile, late.id, ActionStatus.OPEN)
    assert (reopened.status, reopened.reviewed_in, reopened.reviewed_at) == (ActionStatus.OPEN, None, None)


def test_carrying_forward_needs_a_reflection_in_progress(tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = two_cases(profile)
    undated = made["undated"]  # Ward 5 - K has only the reflection that agreed it
    review_action(profile, undated.id, ActionStatus.NOT_KEPT)
    assert profile.store.actions.get(undated.id).reviewed_in is None
    with pytest.raises(ValidationError, match="no reflection in progress"):
        carry_forward(profile, undated.id)
    nxt = profile.reflections.start_next(made["ward5"].id, session_date=TODAY)
    assert carry_forward(profile, undated.id).reflection_id == nxt.id


def test_a_signed_reflection_takes_no_carried_action_but_its_actions_can_still_be_marked(tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = two_cases(profile)
    first_id = made["late"].reflection_id
    signed = profile.reflections.get(first_id)
    sha = signed.signature.content_sha256
    review_action(profile, made["sixth"].id, ActionStatus.NOT_KEPT, "Ran out of time.")
    assert profile.reflections.get(first_id).signature.content_sha256 == sha, "marking changes no signed record"
    with pytest.raises(ValidationError, match="signed"):
        profile.reflections.carry_forward(signed, profile.store.actions.get(made["sixth"].id))


def test_notes_when_marked_and_carried_from_travel_in_a_bundle(tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    made = two_cases(profile)
    review_action(profile, made["late"].id, ActionStatus.NOT_KEPT, "Leave changed at night.")
    new = carry_forward(profile, made["late"].id)
    doc = json.loads(json.dumps(build_document(profile)))
    by_id = {a["id"]: a for a in doc["actions"]}
    assert by_id[str(made["late"].id)]["review_note"] == "Leave changed at night."
    assert by_id[str(new.id)]["carried_from"] == str(made["late"].id)
    assert "review_note" not in by_id[str(made["today"].id)], "an action never noted is written as before"

    other = make_profile(tmp_path / "other")
    plan = plan_import(other, doc)
    apply_import(other, plan)
    assert other.store.actions.get(made["late"].id) == profile.store.actions.get(made["late"].id)
    assert other.store.actions.get(new.id).carried_from == made["late"].id


def test_a_store_from_before_action_reviews_reads_its_actions_as_never_noted(tmp_path):
    directory = tmp_path / "old"
    shutil.copytree(FIXTURES / "store-v5", directory)
    with unlock_profile(directory, PASSPHRASE) as profile:
        board = action_board(profile, today=dt.date(2026, 12, 2))
        assert len(board.items) == 8
        assert all(i.action.review_note == "" and i.action.carried_from is None for i in board.items)
        not_kept = [i for i in board.items if i.action.status is ActionStatus.NOT_KEPT]
        assert not_kept and not_kept[0].action.reviewed_at is None
        before = not_kept[0].action
        assert before.reviewed_in is not None
        review_action(profile, before.id, ActionStatus.NOT_KEPT, "Noted after the upgrade.")
        after = profile.store.actions.get(before.id)
        assert after.review_note == "Noted after the upgrade."
        assert (after.reviewed_in, after.reviewed_at) == (before.reviewed_in, None), "a note alone moves no marking"


def test_a_review_note_prints_on_the_supervision_note_and_the_case_report_and_is_checked_first(tmp_path, make_profile):
    from pypdf import PdfReader

    from psi_desktop.services import exports

    profile = make_profile(tmp_path / "p", demo=True)
    case = profile.cases.find("Demo - Ward 3")
    (not_kept,) = [a for a in profile.cases.actions(case.id) if a.status is ActionStatus.NOT_KEPT]
    review_action(profile, not_kept.id, ActionStatus.NOT_KEPT, "The ward round moved, so Mr Smith saw them.")
    reviewed_in = profile.store.actions.get(not_kept.id).reviewed_in
    carried = carry_forward(profile, not_kept.id)  # into the demo's draft

    def text(path) -> str:
        return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())

    note = text(exports.export_note(profile, reviewed_in, tmp_path / "note.pdf"))
    assert "Not kept: The ward round moved, so Mr Smith saw them." in note
    draft = text(exports.export_note(profile, carried.reflection_id, tmp_path / "draft.pdf"))
    assert "(Open, Consistency, carried forward: not kept before)" in draft
    report = text(exports.export_case_report(profile, case.id, tmp_path / "case.pdf"))
    assert "The ward round moved, so Mr Smith saw them." in report
    report = text(exports.export_case_report(profile, case.id, tmp_path / "all.pdf", include_drafts=True))
    assert "Consistency, carried forward: not kept before)" in report
    findings = exports.check_identifiers(profile, "note", [case.id], reviewed_in, None, None, False)
    assert any("action" in f.where for f in findings), findings
