"""Tidying up (issue 17, item 3): deleting an unsigned reflection, removing a case, and nothing signed alone.

On real encrypted stores; the PDFs are read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from psi_desktop.domain.model import Action, ActionStatus, Perspective
from psi_desktop.errors import NotFoundError, ValidationError
from psi_desktop.services import exports
from psi_desktop.services.profile import unlock_profile
from psi_desktop.storage import sqlite3
from tests.conftest import PASSPHRASE

DEMO = "Demo - Ward 3"
SECRET = "Zebra-crossing incident near the lifts"
STRAY = dt.date(2026, 11, 24)  # the empty draft a second Ctrl+N used to leave behind


def flat(text: str) -> str:
    return " ".join(text.split())


def pages_of(path) -> str:
    return " ".join(flat(page.extract_text()) for page in PdfReader(path).pages)


def rows(profile, table: str, column: str, value: object) -> int:
    return profile.store.db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [str(value)]).fetchone()[0]


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    return profile, profile.cases.find(DEMO)


def a_full_draft(profile, case):
    """A draft with an answer, ratings, a distress impact, an action, text kept for it and a conflict about it."""
    draft = profile.reflections.start(case.id, session_date=dt.date(2026, 12, 1))
    draft = profile.reflections.update(
        replace(
            draft,
            answers={"context": SECRET},
            ratings={Perspective.PRACTITIONER: {"safety.trust": 2, "power.protective": 3}},
        )
    )
    action = profile.reflections.add_action(draft, "Explain changes first")
    profile.drafts.amendment(draft.id).save({"reason": "kept text"})
    profile.drafts.new_action(draft.id).save({"text": "typed, not added"})
    profile.store.conflicts.add("reflection", str(draft.id), {"id": str(draft.id)}, "bundle.psibundle")
    profile.store.conflicts.add("action", str(action.id), {"id": str(action.id)}, "bundle.psibundle")
    return draft, action


# -- deleting an unsigned reflection ------------------------------------------------------------------


def test_deleting_a_draft_takes_what_belongs_to_it_and_reopens_what_was_marked_in_it(demo):
    profile, case = demo
    (earlier,) = profile.cases.actions(case.id, ActionStatus.OPEN)
    draft, action = a_full_draft(profile, case)
    profile.reflections.review_action(draft, earlier, ActionStatus.NOT_KEPT)
    others = {a.id: a for a in profile.cases.actions(case.id) if a.reflection_id != draft.id}
    assert profile.cases.search("Zebra")

    contents = profile.removals.draft(draft.id)
    assert (contents.case_code, contents.session_date, contents.answers, contents.ratings) == (
        DEMO,
        draft.session_date,
        1,
        2,
    )
    assert (contents.actions, contents.reviewed, contents.blank) == (1, 1, False)

    removed = profile.removals.delete_draft(draft.id)

    assert (removed.reflections, removed.answers, removed.ratings, removed.actions, removed.reopened) == (1, 1, 2, 1, 1)
    with pytest.raises(NotFoundError):
        profile.reflections.get(draft.id)
    for table in ("answers", "ratings", "distress_impacts", "amendments"):
        assert rows(profile, table, "reflection_id", draft.id) == 0, table
    assert rows(profile, "actions", "id", action.id) == 0
    assert rows(profile, "drafts", "key", draft.id) == 0
    assert rows(profile, "conflicts", "record_id", draft.id) == rows(profile, "conflicts", "record_id", action.id) == 0
    assert profile.cases.search("Zebra") == []
    # Earlier actions stay; the one marked "not kept" in the deleted draft is open again, the rest as they were.
    after = {a.id: a for a in profile.cases.actions(case.id)}
    assert set(after) == set(others)
    assert (after[earlier.id].status, after[earlier.id].reviewed_in) == (ActionStatus.OPEN, None)
    assert {i: a for i, a in after.items() if i != earlier.id} == {i: a for i, a in others.items() if i != earlier.id}


def test_a_discussed_reflection_can_be_deleted_too(demo):
    profile, case = demo
    draft = profile.reflections.start(case.id)
    discussed = profile.reflections.update(replace(draft, ratings={Perspective.SUPERVISOR: {"safety.trust": 1}}))
    assert discussed.status.value == "discussed"
    profile.removals.delete_draft(discussed.id)
    assert discussed.id not in {o.id for o in profile.cases.reflection_outlines(case.id)}


def test_a_signed_reflection_cannot_be_deleted_alone_by_the_service_the_repository_or_sql(demo):
    profile, case = demo
    signed = next(r for r in profile.cases.reflections(case.id) if r.signed)
    profile.reflections.amend(signed, "B. Supervisor", "typo", "the date")
    signed = profile.reflections.get(signed.id)
    with pytest.raises(ValidationError, match="signed"):
        profile.removals.draft(signed.id)
    with pytest.raises(ValidationError, match="signed"):
        profile.removals.delete_draft(signed.id)
    db, sid = profile.store.db, str(signed.id)
    for sql in (
        "DELETE FROM reflections WHERE id = ?",
        "DELETE FROM answers WHERE reflection_id = ?",
        "DELETE FROM ratings WHERE reflection_id = ?",
        "DELETE FROM distress_impacts WHERE reflection_id = ?",
        "DELETE FROM amendments WHERE reflection_id = ?",
    ):
        with pytest.raises(sqlite3.IntegrityError, match=r"read-only|append-only"), profile.store.atomic():
            db.execute(sql, [sid])
    assert profile.reflections.get(signed.id) == signed


def test_the_removal_mark_lets_nothing_signed_go_unless_the_whole_case_goes(demo):
    """Marking the case as being removed and then deleting only one signed reflection cannot commit; nor can
    the mark be taken away while the case is still there."""
    profile, case = demo
    signed = next(r for r in profile.cases.reflections(case.id) if r.signed)
    db, sid, cid = profile.store.db, str(signed.id), str(case.id)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), profile.store.atomic():
        db.execute("INSERT INTO removals (case_id) VALUES (?)", [cid])
        for table in ("answers", "ratings", "distress_impacts", "amendments"):
            db.execute(f"DELETE FROM {table} WHERE reflection_id = ?", [sid])
        db.execute("UPDATE actions SET reviewed_in = NULL WHERE reviewed_in = ?", [sid])
        db.execute("DELETE FROM actions WHERE reflection_id = ?", [sid])
        db.execute("DELETE FROM reflections WHERE id = ?", [sid])  # let through inside, refused at the commit
    with pytest.raises(sqlite3.IntegrityError, match="whole case"), profile.store.atomic():
        db.execute("INSERT INTO removals (case_id) VALUES (?)", [cid])
        db.execute("DELETE FROM removals WHERE case_id = ?", [cid])
    with pytest.raises(sqlite3.IntegrityError), profile.store.atomic():
        db.execute("INSERT INTO removal_never (id) VALUES ('removing')")
    assert profile.reflections.get(signed.id) == signed
    assert db.execute("SELECT count(*) FROM removals").fetchone()[0] == 0
    assert len(profile.cases.reflections(case.id)) == 6


# -- a second new reflection ----------------------------------------------------------------------------


def test_a_second_new_reflection_opens_the_empty_draft_instead(demo):
    profile, case = demo
    first = profile.reflections.start_next(case.id)
    assert profile.removals.draft(first.id).blank
    again = profile.reflections.start_next(case.id)
    assert again.id == first.id
    assert len(profile.cases.reflections(case.id)) == 7  # six of the demo and one new
    assert profile.removals.blank_draft(case.id).id == first.id


@pytest.mark.parametrize("touch", ["answer", "rating", "wellbeing", "action", "review", "typing an action"])
def test_a_draft_with_anything_in_it_is_not_reused(demo, touch):
    profile, case = demo
    draft = profile.reflections.start(case.id)
    if touch == "answer":
        profile.reflections.update(replace(draft, answers={"context": "We talked."}))
    elif touch == "rating":
        profile.reflections.update(replace(draft, ratings={Perspective.PRACTITIONER: {"safety.trust": 2}}))
    elif touch == "wellbeing":
        profile.reflections.update(replace(draft, wellbeing=2))
    elif touch == "action":
        profile.reflections.add_action(draft, "Explain changes first")
    elif touch == "review":
        (earlier,) = profile.cases.actions(case.id, ActionStatus.OPEN)
        profile.reflections.review_action(draft, earlier, ActionStatus.KEPT)
    else:
        profile.drafts.new_action(draft.id).save({"text": "Explain"})
    assert not profile.removals.draft(draft.id).blank
    assert profile.reflections.start_next(case.id).id != draft.id


def test_an_archived_case_gets_no_draft_even_an_old_empty_one(demo):
    profile, case = demo
    profile.reflections.start(case.id)
    profile.cases.archive(case.id)
    with pytest.raises(ValidationError, match="archived"):
        profile.reflections.start_next(case.id)


# -- removing a case --------------------------------------------------------------------------------------


def test_a_case_with_signed_records_is_not_removed_without_the_confirmation_naming_them(demo):
    profile, case = demo
    contents = profile.removals.case(case.id)
    assert (contents.reflections, contents.signed, contents.unsigned, contents.actions) == (6, 5, 1, 7)
    for wrong in (0, 4, 6):
        with pytest.raises(ValidationError, match="5 signed reflections"):
            profile.removals.remove_case(case.id, signed_confirmed=wrong)
    assert len(profile.cases.reflections(case.id)) == 6
    assert profile.cases.get(case.id) == case


def test_removing_a_case_removes_everything_of_it_and_nothing_else(demo):
    profile, case = demo
    other = profile.cases.create("Ward 5 - K")
    kept = profile.reflections.update(replace(profile.reflections.start(other.id), answers={"context": "Other case"}))
    kept_action = profile.reflections.add_action(kept, "Stay")
    draft, _action = a_full_draft(profile, case)
    signed = next(r for r in profile.cases.reflections(case.id) if r.signed)
    profile.reflections.amend(signed, "B. Supervisor", "typo", "the date")
    profile.drafts.case(case.id).save({"code": "renaming"})
    ids = [str(r.id) for r in profile.cases.reflections(case.id)]

    removed = profile.removals.remove_case(case.id, signed_confirmed=5)

    assert (removed.reflections, removed.signed, removed.amendments) == (7, 5, 1)
    with pytest.raises(NotFoundError):
        profile.cases.get(case.id)
    db = profile.store.db
    for table, column in (
        ("reflections", "case_id"),
        ("actions", "case_id"),
    ):
        assert rows(profile, table, column, case.id) == 0, table
    for table in ("answers", "ratings", "distress_impacts", "amendments"):
        found = db.execute(
            f"SELECT count(*) FROM {table} WHERE reflection_id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
        ).fetchone()[0]
        assert found == 0, table
    assert db.execute("SELECT count(*) FROM reflections").fetchone()[0] == 1
    assert rows(profile, "drafts", "key", case.id) == rows(profile, "drafts", "key", draft.id) == 0
    assert rows(profile, "conflicts", "record_id", draft.id) == 0
    assert db.execute("SELECT count(*) FROM answers_fts WHERE answers_fts MATCH 'Zebra'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM removals").fetchone()[0] == 0
    assert [s.case.code for s in profile.cases.summaries()] == ["Ward 5 - K"]
    assert profile.reflections.get(kept.id) == kept
    assert profile.cases.actions(other.id) == [kept_action]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_case_without_signed_records_is_removed_with_a_plain_confirmation(demo):
    profile, _case = demo
    mistake = profile.cases.create("Wrad 3 - A")
    profile.reflections.start(mistake.id)
    contents = profile.removals.case(mistake.id)
    assert (contents.signed, contents.unsigned) == (0, 1)
    assert profile.removals.remove_case(mistake.id).reflections == 1
    assert profile.cases.find("Wrad 3 - A") is None


def test_an_action_of_another_reflection_reviewed_in_a_removed_case_does_not_block_it(demo):
    """reviewed_in points at a reflection; a case whose reflection marked another case's action still goes."""
    profile, case = demo
    other = profile.cases.create("Ward 5 - K")
    there = profile.reflections.start(other.id)
    action = Action(uuid.uuid4(), other.id, there.id, "Odd one", status=ActionStatus.KEPT)
    draft = profile.reflections.start(case.id)
    profile.store.actions.save(replace(action, reviewed_in=draft.id))
    profile.removals.remove_case(case.id, signed_confirmed=5)
    (left,) = profile.cases.actions(other.id)
    assert (left.status, left.reviewed_in) == (ActionStatus.OPEN, None)


# -- the log ------------------------------------------------------------------------------------------------


def test_deletions_are_logged_with_counts_only(demo, caplog):
    profile, case = demo
    draft, _action = a_full_draft(profile, case)
    with caplog.at_level(logging.INFO, logger="psi_desktop"):
        profile.removals.delete_draft(draft.id)
        profile.removals.remove_case(case.id, signed_confirmed=5)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("psi_desktop")]
    assert any("unsigned reflection was deleted" in line for line in lines), lines
    assert any("case was removed" in line and "5 signed" in line for line in lines), lines
    for line in lines:
        for content in (DEMO, "Demo", "Ward", SECRET, "Zebra", "Explain changes", str(case.id), str(draft.id)):
            assert content not in line, line


# -- the PDFs -----------------------------------------------------------------------------------------------


def test_a_deleted_draft_is_gone_from_the_case_report_and_the_portfolio(demo, tmp_path):
    profile, case = demo
    stray = profile.reflections.start(case.id, session_date=STRAY)  # what the second Ctrl+N left behind

    def reports() -> tuple[str, str, str]:
        left_out = exports.export_case_report(profile, case.id, tmp_path / "left-out.pdf", force=True)
        included = exports.export_case_report(profile, case.id, tmp_path / "all.pdf", include_drafts=True, force=True)
        draft = exports.portfolio_draft(profile, [case.id])
        portfolio = exports.export_portfolio(profile, draft, tmp_path / "portfolio.pdf", force=True)
        return pages_of(left_out), pages_of(included), pages_of(portfolio)

    left_out, included, portfolio = reports()
    assert "Drafts left out. 2 reflection(s) not signed yet (17 November 2026, 24 November 2026)" in left_out
    assert "Includes drafts. 2 reflection(s) not signed yet (17 November 2026, 24 November 2026)" in included
    assert "(2 not signed yet in the period: not included)" in portfolio

    profile.removals.delete_draft(stray.id)

    left_out, included, portfolio = reports()
    assert "Drafts left out. 1 reflection(s) not signed yet (17 November 2026) are not" in left_out
    assert "Includes drafts. 1 reflection(s) not signed yet (17 November 2026) are in" in included
    assert "(1 not signed yet in the period: not included)" in portfolio


# -- stores made by earlier builds ---------------------------------------------------------------------------

FIXTURES = sorted(p for p in (Path(__file__).resolve().parents[1] / "fixtures").glob("store-v*") if p.is_dir())


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_a_store_of_an_earlier_build_keeps_signed_records_and_removes_whole_cases(tmp_path, fixture):
    """m008_removals on a migrated store (m005 rebuilt the reflections table and its triggers before it)."""
    directory = tmp_path / "profile"
    shutil.copytree(fixture, directory)
    with unlock_profile(directory, PASSPHRASE) as profile:
        case = profile.cases.find(DEMO)
        signed = next(r for r in profile.cases.reflections(case.id) if r.signed)
        with pytest.raises(sqlite3.IntegrityError, match="read-only"), profile.store.atomic():
            profile.store.db.execute("DELETE FROM reflections WHERE id = ?", [str(signed.id)])
        with pytest.raises(ValidationError, match="5 signed"):
            profile.removals.remove_case(case.id)
        assert profile.removals.remove_case(case.id, signed_confirmed=5).reflections == 6
        assert profile.cases.find(DEMO) is None
        assert profile.store.db.execute("PRAGMA foreign_key_check").fetchall() == []
