"""The store: migrations, settings at open, refusing damaged or newer stores, repositories, search."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    Case,
    DistressImpact,
    Perspective,
    Reflection,
    ReflectionStatus,
    ServiceUserSource,
    Signature,
    TraumaEcho,
    utc_now,
)
from psi_desktop.errors import StoreError, StoreTooNewError, ValidationError
from psi_desktop.storage import open_store, sqlite3
from psi_desktop.storage.migrations import migrations

KEY = secrets.token_bytes(32)

UNICODE_TEXT = (
    "Η εμπιστοσύνη χτίστηκε αργά. Доверие росло медленно. "
    "האמון נבנה לאט. بُنيت الثقة ببطء. Cafe\u0301 n\u0303 \U0001f642 \u202e done"
)


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "store.db", KEY) as opened:
        yield opened


def make_case(code: str = "Ward 3 - A") -> Case:
    return Case(id=uuid.uuid4(), code=code, setting="Acute inpatient", opened_on=dt.date(2026, 9, 1))


def make_reflection(case: Case, **changes) -> Reflection:
    reflection = Reflection(
        id=uuid.uuid4(),
        case_id=case.id,
        framework_id="psi",
        framework_version=1,
        session_date=dt.date(2026, 10, 2),
        practitioner="A. Practitioner",
        supervisor="B. Supervisor",
        answers={"context": UNICODE_TEXT, "safety.trust": "Trust grew when I came back on time."},
        ratings={
            Perspective.PRACTITIONER: {"power.protective": 3, "safety.trust": 2},
            Perspective.SUPERVISOR: {"power.protective": 1},
        },
        service_user_source=ServiceUserSource.ESTIMATE,
        trauma_echo=TraumaEcho.UNSURE,
        distress_impact={Perspective.PRACTITIONER: DistressImpact.ALLEVIATED},
        wellbeing=3,
    )
    return replace(reflection, **changes)


def test_new_store_has_every_migration_and_safe_settings(store):
    assert store.schema_migrations() == [m.name for m in migrations._migrations]
    assert store.pragma("journal_mode") == "wal"
    assert store.pragma("synchronous") == 2  # FULL
    assert store.pragma("foreign_keys") == 1
    tables = set(store.db.table_names())
    assert {"cases", "reflections", "answers", "ratings", "actions", "answers_fts"} <= tables


def test_opening_twice_applies_migrations_once(tmp_path: Path):
    path = tmp_path / "store.db"
    with open_store(path, KEY) as first:
        first.cases.add(make_case())
    with open_store(path, KEY) as second:
        rows = second.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert rows == len(migrations._migrations)
        assert len(second.cases.all()) == 1


def test_store_from_a_newer_build_is_refused_and_left_alone(tmp_path: Path):
    path = tmp_path / "store.db"
    with open_store(path, KEY) as store:
        store.db["_sqlite_migrations"].insert(
            {"migration_set": "psi_desktop", "name": "m999_from_the_future", "applied_at": "2030-01-01"}
        )
    before = path.read_bytes()
    with pytest.raises(StoreTooNewError, match="newer version"):
        open_store(path, KEY)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"\x00" * 10, os.urandom(8192)], ids=["empty", "zeros", "random"])
def test_damaged_file_is_refused_and_never_replaced(tmp_path: Path, content: bytes):
    path = tmp_path / "store.db"
    path.write_bytes(content)
    with pytest.raises(StoreError):
        open_store(path, KEY)
    assert path.read_bytes() == content


def test_missing_store_is_not_created_when_not_asked(tmp_path: Path):
    with pytest.raises(StoreError, match="no PSI Desktop profile"):
        open_store(tmp_path / "nothing" / "store.db", KEY, create=False)
    assert not (tmp_path / "nothing").exists()


def test_case_codes_are_unique_ignoring_case(store):
    store.cases.add(make_case("Ward 3 - A"))
    with pytest.raises(ValidationError, match="already a case"):
        store.cases.add(make_case("ward 3 - a"))


def test_reflection_round_trips_exactly_with_non_latin_text(store):
    case = make_case("Ωμέγα - 1")
    store.cases.add(case)
    reflection = make_reflection(case)
    store.reflections.save(reflection)
    assert store.reflections.get(reflection.id) == reflection
    assert store.cases.get(case.id) == case
    # saving again replaces answers and ratings rather than adding to them
    changed = replace(
        reflection, answers={"context": "shorter"}, ratings={Perspective.PRACTITIONER: {"safety.trust": 4}}
    )
    store.reflections.save(changed)
    assert store.reflections.get(reflection.id) == changed


def test_signed_reflection_cannot_be_changed_in_the_store(store):
    case = make_case()
    store.cases.add(case)
    signed = make_reflection(
        case,
        status=ReflectionStatus.SIGNED,
        signature=Signature("B. Supervisor", utc_now(), "a" * 64),
    )
    store.reflections.save(signed)
    with pytest.raises(ValidationError, match="signed"):
        store.reflections.save(replace(signed, answers={"context": "rewritten"}))
    with pytest.raises(sqlite3.IntegrityError), store.atomic():
        store.db.execute("UPDATE answers SET text = 'rewritten' WHERE reflection_id = ?", [str(signed.id)])
    assert store.reflections.get(signed.id) == signed


def test_summaries_count_reflections_and_open_actions(store):
    case, other = make_case("A"), make_case("B")
    store.cases.add(case)
    store.cases.add(other)
    first = make_reflection(case, session_date=dt.date(2026, 9, 1))
    second = make_reflection(case, session_date=dt.date(2026, 10, 1))
    for r in (first, second):
        store.reflections.save(r)
    for status in (ActionStatus.OPEN, ActionStatus.OPEN, ActionStatus.KEPT):
        store.actions.save(Action(uuid.uuid4(), case.id, first.id, "Explain changes first", status=status))
    by_code = {s.case.code: s for s in store.cases.summaries()}
    assert (by_code["A"].reflection_count, by_code["A"].last_session, by_code["A"].open_actions) == (
        2,
        dt.date(2026, 10, 1),
        2,
    )
    assert (by_code["B"].reflection_count, by_code["B"].last_session, by_code["B"].open_actions) == (0, None, 0)
    assert [r.id for r in store.reflections.for_case(case.id)] == [first.id, second.id]


def test_outlines_name_each_reflection_as_its_whole_record_does(store):
    """The case page lists from outlines (issue 16): date, status, signature and amendments must agree with
    the reflections read whole, for a draft, a signed reflection with amendments, and a signed one without."""
    from psi_desktop.domain.model import Amendment

    case, other = make_case("A"), make_case("B")
    store.cases.add(case)
    store.cases.add(other)
    signed_at = utc_now()
    draft = make_reflection(case, session_date=dt.date(2026, 9, 1))
    amended = make_reflection(
        case,
        status=ReflectionStatus.SIGNED,
        signature=Signature("B. Supervisor", signed_at, "a" * 64),
        amendments=(
            Amendment(uuid.uuid4(), "B. Supervisor", signed_at, "typo", "context"),
            Amendment(uuid.uuid4(), "B. Supervisor", signed_at, "date", "session date"),
        ),
    )
    plain = make_reflection(
        case,
        session_date=dt.date(2026, 11, 2),
        status=ReflectionStatus.SIGNED,
        signature=Signature("C. Other", signed_at, "b" * 64),
    )
    store.reflections.save_many([draft, amended, plain, make_reflection(other)])
    outlines = store.reflections.outlines(case.id)
    whole = store.reflections.for_case(case.id)
    assert [o.id for o in outlines] == [r.id for r in whole] == [draft.id, amended.id, plain.id]
    for outline, reflection in zip(outlines, whole, strict=True):
        assert (outline.case_id, outline.session_date, outline.status, outline.signed) == (
            reflection.case_id,
            reflection.session_date,
            reflection.status,
            reflection.signed,
        )
        assert (outline.created_at, outline.updated_at) == (reflection.created_at, reflection.updated_at)
        assert outline.amendment_count == len(reflection.amendments)
        signature = reflection.signature
        assert (outline.signed_by, outline.signed_at) == (
            (None, None) if signature is None else (signature.signed_by, signature.signed_at)
        )
    assert [o.amendment_count for o in outlines] == [0, 2, 0]
    assert len(store.reflections.outlines()) == 4


def test_search_finds_answers_in_any_script_and_takes_queries_literally(store):
    case = make_case()
    store.cases.add(case)
    reflection = make_reflection(case)
    store.reflections.save(reflection)
    hits = store.reflections.search("trust")
    assert [(h.reflection_id, h.prompt_id, h.case_code) for h in hits] == [(reflection.id, "safety.trust", case.code)]
    assert "[Trust]" in hits[0].snippet
    assert [h.prompt_id for h in store.reflections.search("Доверие")] == ["context"]
    assert [h.prompt_id for h in store.reflections.search("cafe")] == ["context"]  # accents folded
    for awkward in ('"', "AND OR NOT", "trust*", "(", "context:trust", ""):
        store.reflections.search(awkward)  # never a syntax error
    assert store.reflections.search("nowhere") == []
    store.reflections.save(replace(reflection, answers={"context": "changed"}))
    assert store.reflections.search("trust") == []


def test_search_gives_the_newest_sessions_first_among_the_answers_written_last(store, monkeypatch):
    """Newest session first; a word in very many answers is looked for among the SEARCH_WINDOW written last,
    so that a search does not slow down as the profile grows."""
    from psi_desktop.storage import repositories

    case = make_case()
    store.cases.add(case)
    dates = [dt.date(2026, 3, d) for d in (5, 1, 9, 3, 7)]  # written in this order
    made = []
    for day in dates:
        made.append(make_reflection(case, session_date=day, answers={"context": "The ward round felt rushed."}))
        store.reflections.save(made[-1])
    hits = store.reflections.search("ward round")
    assert [h.session_date for h in hits] == sorted(dates, reverse=True)
    assert len(store.reflections.search("ward round", limit=2)) == 2
    monkeypatch.setattr(repositories, "SEARCH_WINDOW", 3)  # the three written last: 9, 3 and 7 March
    assert [h.session_date for h in store.reflections.search("ward round")] == [
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 7),
        dt.date(2026, 3, 3),
    ]
