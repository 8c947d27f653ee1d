"""Repositories: rows in, frozen dataclasses out."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from psi_desktop.domain.documents import action_document, case_document, instant, parse_instant
from psi_desktop.domain.framework import CodeTheme, Framework
from psi_desktop.domain.model import (
    Action,
    ActionRecord,
    ActionStatus,
    Amendment,
    Case,
    CaseSummary,
    DistressImpact,
    Perspective,
    Practitioner,
    Reflection,
    ReflectionOutline,
    ReflectionStatus,
    SearchHit,
    ServiceUserSource,
    Signature,
    TraumaEcho,
    utc_now,
)
from psi_desktop.errors import NotFoundError, StoreError, ValidationError
from psi_desktop.errors import StoreBusyError as StoreBusyError
from psi_desktop.errors import StoreFullError as StoreFullError
from psi_desktop.frameworks import FrameworkError, framework_to_data, parse_framework
from psi_desktop.storage import health
from psi_desktop.storage.errors import is_busy_error, is_disk_error, is_full_error, is_read_only_error
from psi_desktop.storage.search import fts_query as _fts_query
from psi_desktop.storage.sqlcipher import Database, sqlite3

log = logging.getLogger(__name__)


@contextlib.contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A transaction whose disk-full and I/O failures become a plain message; all of it lands or none.

    Never on a store whose integrity check found damage, and not before a pending check has passed
    (storage.health).
    """
    if not db.conn.in_transaction:  # the outermost write asks once
        health.before_write(_path_of(db))
    try:
        with _immediate(db):
            yield db
    except sqlite3.OperationalError as exc:
        if is_busy_error(exc):
            log.warning("A write waited too long for another writer and was rolled back")
            raise StoreBusyError() from exc
        if is_full_error(exc, _folder_of(db)):
            log.error("A write failed and was rolled back: %s", type(exc).__name__)
            raise StoreFullError(
                "Your data folder is full, so this could not be saved. Free some space; "
                "what you typed is kept and will save when there is room."
            ) from exc
        if is_read_only_error(exc):
            raise StoreError("PSI Desktop cannot write to its data folder. Ask IT to give you write access.") from exc
        if is_disk_error(exc):
            log.error("A write failed with a disk error and was rolled back")
            raise StoreError(
                "The disk reported an error, so this could not be saved. What you typed is kept; "
                "try again, and if it goes on, ask IT to check the laptop's disk."
            ) from exc
        raise


@contextlib.contextmanager
def _immediate(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE (a savepoint when nested): the write lock is taken at the start, so a writer on
    another connection waits its turn (busy_timeout) rather than failing at once, as a transaction
    that began by reading must when it then writes beside another writer."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        db.conn.rollback()
        raise


def _path_of(db: Database) -> Path | None:
    """The file of the store ``db`` has open (None for one in memory)."""
    try:
        name = db.execute("PRAGMA database_list").fetchone()[2]
    except sqlite3.Error:
        return None
    return Path(name) if name else None


def _folder_of(db: Database) -> Path | None:
    """The folder of the store ``db`` has open (None for one in memory)."""
    path = _path_of(db)
    return None if path is None else path.parent


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


E = TypeVar("E", bound=Enum)


def _enum(kind: type[E], value: Any) -> E | None:
    return None if value is None else kind(value)


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, case: Case) -> None:
        now = instant(utc_now())
        try:
            with writing(self._db):
                self._db.table("cases").insert({**self._row(case), "created_at": now, "updated_at": now})
        except sqlite3.IntegrityError as exc:
            raise ValidationError("There is already a case with that code. Choose another code.") from exc

    def update(self, case: Case) -> None:
        try:
            with writing(self._db):
                cursor = self._db.execute(
                    "UPDATE cases SET code = :code, setting = :setting, opened_on = :opened_on, "
                    "closed_on = :closed_on, notes = :notes, updated_at = :now WHERE id = :id",
                    {**self._row(case), "now": instant(utc_now())},
                )
        except sqlite3.IntegrityError as exc:
            raise ValidationError("There is already a case with that code. Choose another code.") from exc
        if cursor.rowcount == 0:
            raise NotFoundError("That case no longer exists.")

    def get(self, case_id: uuid.UUID) -> Case:
        row = self._db.execute("SELECT * FROM cases WHERE id = ?", [str(case_id)]).fetchone()
        if row is None:
            raise NotFoundError("That case no longer exists.")
        return self._case(row)

    def by_code(self, code: str) -> Case | None:
        row = self._db.execute("SELECT * FROM cases WHERE code = ? COLLATE NOCASE", [code.strip()]).fetchone()
        return None if row is None else self._case(row)

    def all(self) -> list[Case]:
        return [self._case(r) for r in self._db.execute("SELECT * FROM cases ORDER BY code COLLATE NOCASE")]

    def summaries(self, today: dt.date | None = None) -> list[CaseSummary]:
        """Every case with its reflection count, last session date, open actions and those of them overdue
        (due before ``today``, the computer's date unless given), and whose case it is (None: the owner's
        own), in code order, in one statement."""
        rows = self._db.execute(
            """
            SELECT c.*,
                   (SELECT count(*) FROM reflections r WHERE r.case_id = c.id) AS reflection_count,
                   (SELECT max(session_date) FROM reflections r WHERE r.case_id = c.id) AS last_session,
                   (SELECT count(*) FROM actions a WHERE a.case_id = c.id AND a.status = 'open')
                       AS open_actions,
                   (SELECT count(*) FROM actions a WHERE a.case_id = c.id AND a.status = 'open'
                       AND a.due_on < :today) AS overdue_actions,
                   p.id, p.name, p.role, p.nmc_pin
            FROM cases c
                 LEFT JOIN case_practitioners cp ON cp.case_id = c.id
                 LEFT JOIN practitioners p ON p.id = cp.practitioner_id
            ORDER BY c.code COLLATE NOCASE
            """,
            {"today": (today or dt.date.today()).isoformat()},
        )
        return [
            CaseSummary(
                case=self._case(row),
                reflection_count=row[8],
                last_session=_date(row[9]),
                open_actions=row[10],
                overdue_actions=row[11],
                practitioner=None if row[12] is None else Practitioner(uuid.UUID(row[12]), row[13], row[14], row[15]),
            )
            for row in rows
        ]

    @staticmethod
    def _row(case: Case) -> dict[str, Any]:
        return case_document(case)  # the columns are the bundle format's case fields

    @staticmethod
    def _case(row: tuple[Any, ...]) -> Case:
        return Case(
            id=uuid.UUID(row[0]),
            code=row[1],
            setting=row[2],
            opened_on=_date(row[3]),
            closed_on=_date(row[4]),
            notes=row[5],
        )


_REFLECTION_COLUMNS = (
    "id, case_id, framework_id, framework_version, session_date, practitioner, supervisor, "
    "service_user_source, trauma_echo, code_themes, wellbeing, status, signed_by, signed_at, "
    "content_sha256, created_at, updated_at, service_user_words"
)


SEARCH_WINDOW = 2000
"""How many of the answers written last that match a search are sorted for its hits (see ``search``)."""

_UPSERT_REFLECTION = (
    f"INSERT INTO reflections ({_REFLECTION_COLUMNS}) VALUES "
    f"({', '.join(':' + c.strip() for c in _REFLECTION_COLUMNS.split(','))}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _REFLECTION_COLUMNS.split(",")[1:])
)


def _reflection_row(reflection: Reflection) -> dict[str, Any]:
    """The reflections row of ``reflection`` as a draft (save_many writes its status after its children)."""
    return {
        "id": str(reflection.id),
        "case_id": str(reflection.case_id),
        "framework_id": reflection.framework_id,
        "framework_version": reflection.framework_version,
        "session_date": reflection.session_date.isoformat(),
        "practitioner": reflection.practitioner,
        "supervisor": reflection.supervisor,
        "service_user_source": _value(reflection.service_user_source),
        "service_user_words": reflection.service_user_words,
        "trauma_echo": _value(reflection.trauma_echo),
        "code_themes": json.dumps([t.value for t in reflection.code_themes]),
        "wellbeing": reflection.wellbeing,
        "status": ReflectionStatus.DRAFT.value,
        "signed_by": None,
        "signed_at": None,
        "content_sha256": None,
        "created_at": instant(reflection.created_at),
        "updated_at": instant(reflection.updated_at),
    }


class ReflectionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, reflection: Reflection) -> None:
        """Insert or replace a reflection and its answers, ratings and distress impacts, atomically.

        A signed reflection in the store cannot be changed: the store refuses it.
        """
        self.save_many([reflection])

    def save_many(self, reflections: Sequence[Reflection]) -> None:
        """``save`` for many at once, all or none, in the same few statements however many there are
        (an import saves thousands): plain executemany, not sqlite-utils' insert_all, which builds each
        statement anew."""
        if not reflections:
            return
        rows = [_reflection_row(r) for r in reflections]
        ids = json.dumps([row["id"] for row in rows])
        conn = self._db.conn
        try:
            with writing(self._db):
                # Written as drafts first so their children can be written; their real status comes last.
                conn.executemany(_UPSERT_REFLECTION, rows)
                for table in ("answers", "ratings", "distress_impacts"):
                    conn.execute(f"DELETE FROM {table} WHERE reflection_id IN (SELECT value FROM json_each(?))", [ids])
                conn.executemany(
                    "INSERT INTO answers (reflection_id, prompt_id, text) VALUES (?, ?, ?)",
                    [(str(r.id), p, t) for r in reflections for p, t in r.answers.items()],
                )
                conn.executemany(
                    "INSERT INTO ratings (reflection_id, perspective, dimension_id, score) VALUES (?, ?, ?, ?)",
                    [
                        (str(r.id), p.value, d, score)
                        for r in reflections
                        for p, scores in r.ratings.items()
                        for d, score in scores.items()
                    ],
                )
                conn.executemany(
                    "INSERT INTO distress_impacts (reflection_id, perspective, impact) VALUES (?, ?, ?)",
                    [(str(r.id), p.value, i.value) for r in reflections for p, i in r.distress_impact.items()],
                )
                conn.executemany(
                    "UPDATE reflections SET status = ?, signed_by = ?, signed_at = ?, content_sha256 = ? WHERE id = ?",
                    [
                        (
                            r.status.value,
                            r.signature and r.signature.signed_by,
                            r.signature and instant(r.signature.signed_at),
                            r.signature and r.signature.content_sha256,
                            str(r.id),
                        )
                        for r in reflections
                    ],
                )
                self._add_amendments([(str(r.id), a) for r in reflections for a in r.amendments])
        except sqlite3.IntegrityError as exc:
            if "read-only" in str(exc):
                raise ValidationError("This reflection is signed and cannot be changed. Add an amendment.") from exc
            raise

    def add_amendment(self, reflection_id: uuid.UUID, amendment: Amendment) -> None:
        """Append an amendment; the signed record itself is never touched."""
        with writing(self._db):
            self._add_amendments([(str(reflection_id), amendment)])

    def _add_amendments(self, amendments: Sequence[tuple[str, Amendment]]) -> None:
        """(reflection id, amendment) pairs: those not in the store yet are added."""
        if not amendments:
            return
        ids = json.dumps(sorted({rid for rid, _a in amendments}))
        known = {
            r[0]
            for r in self._db.execute(
                "SELECT id FROM amendments WHERE reflection_id IN (SELECT value FROM json_each(?))", [ids]
            )
        }
        self._db.conn.executemany(
            "INSERT INTO amendments (id, reflection_id, author, made_at, reason, changes) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (str(a.id), rid, a.author, instant(a.made_at), a.reason, a.changes)
                for rid, a in amendments
                if str(a.id) not in known
            ],
        )

    def get(self, reflection_id: uuid.UUID) -> Reflection:
        found = self._load("WHERE id = ?", [str(reflection_id)])
        if not found:
            raise NotFoundError("That reflection no longer exists.")
        return found[0]

    def for_case(self, case_id: uuid.UUID) -> list[Reflection]:
        """The case's reflections, oldest session first."""
        return self._load("WHERE case_id = ? ORDER BY session_date, created_at", [str(case_id)])

    def for_cases(self, case_ids: Iterable[uuid.UUID] | None = None) -> list[Reflection]:
        """The reflections of these cases (every case when None), oldest session first, in five statements."""
        if case_ids is None:
            return self._load("ORDER BY session_date, created_at", [])
        return self._load(
            "WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY session_date, created_at",
            [json.dumps([str(c) for c in case_ids])],
        )

    def outlines(self, case_id: uuid.UUID | None = None) -> list[ReflectionOutline]:
        """The reflections of a case (every case when None) as a list names them, oldest session first, in one
        statement: what a list shows without the answers and ratings behind it."""
        rows = self._db.execute(
            "SELECT id, case_id, session_date, status, created_at, updated_at, signed_by, signed_at, content_sha256, "
            "(SELECT count(*) FROM amendments a WHERE a.reflection_id = r.id) FROM reflections r "
            + ("" if case_id is None else "WHERE case_id = ? ")
            + "ORDER BY session_date, created_at",
            [] if case_id is None else [str(case_id)],
        )
        return [
            ReflectionOutline(
                id=uuid.UUID(r[0]),
                case_id=uuid.UUID(r[1]),
                session_date=dt.date.fromisoformat(r[2]),
                status=ReflectionStatus(r[3]),
                created_at=parse_instant(r[4]),
                updated_at=parse_instant(r[5]),
                signed_by=None if r[8] is None else r[6],
                signed_at=None if r[8] is None else parse_instant(r[7]),
                amendment_count=r[9],
            )
            for r in rows
        ]

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Full-text search over answers, newest session first; the query is taken as plain words, not
        FTS syntax.

        Words found in most answers would have every one of them sorted: the hits are looked for among
        the SEARCH_WINDOW answers written last that match, so a search takes the same few milliseconds
        however many answers the profile holds (issue 16: 50 ms at 10,000 reflections).
        """
        match = _fts_query(query)
        if match is None:
            return []
        chosen = [
            row[0]
            for row in self._db.execute(
                """
                SELECT m.rowid FROM (
                    SELECT rowid FROM answers_fts WHERE answers_fts MATCH ? ORDER BY rowid DESC LIMIT ?
                ) AS m
                JOIN answers a ON a.rowid = m.rowid
                JOIN reflections r ON r.id = a.reflection_id
                ORDER BY r.session_date DESC, r.created_at DESC, m.rowid DESC LIMIT ?
                """,
                [match, SEARCH_WINDOW, limit],
            )
        ]
        if not chosen:
            return []
        rows = self._db.execute(
            """
            SELECT a.reflection_id, r.case_id, c.code, r.session_date, a.prompt_id,
                   snippet(answers_fts, 0, '[', ']', '…', 12)
            FROM answers_fts
            JOIN answers a ON a.rowid = answers_fts.rowid
            JOIN reflections r ON r.id = a.reflection_id
            JOIN cases c ON c.id = r.case_id
            WHERE answers_fts MATCH ? AND answers_fts.rowid IN (SELECT value FROM json_each(?))
            ORDER BY r.session_date DESC, r.created_at DESC, answers_fts.rowid DESC
            """,
            [match, json.dumps(chosen)],
        )
        return [
            SearchHit(uuid.UUID(r[0]), uuid.UUID(r[1]), r[2], dt.date.fromisoformat(r[3]), r[4], r[5]) for r in rows
        ]

    def _load(self, where: str, params: list[Any]) -> list[Reflection]:
        """The reflections ``where`` selects, with their children: five statements however many there are."""
        rows = self._db.execute(f"SELECT {_REFLECTION_COLUMNS} FROM reflections {where}", params).fetchall()
        if not rows:
            return []
        ids = json.dumps([row[0] for row in rows])
        children: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        for table, columns, order in (
            ("answers", "prompt_id, text", "rowid"),
            ("ratings", "perspective, dimension_id, score", "rowid"),
            ("distress_impacts", "perspective, impact", "rowid"),
            ("amendments", "id, author, made_at, reason, changes", "made_at, rowid"),
        ):
            found: dict[str, list[tuple[Any, ...]]] = {}
            for child in self._db.execute(
                f"SELECT reflection_id, {columns} FROM {table} "
                f"WHERE reflection_id IN (SELECT value FROM json_each(?)) ORDER BY {order}",
                [ids],
            ):
                found.setdefault(child[0], []).append(child[1:])
            children[table] = found
        return [
            self._reflection(row, {table: found.get(row[0], []) for table, found in children.items()}) for row in rows
        ]

    def _reflection(self, row: tuple[Any, ...], children: Mapping[str, list[tuple[Any, ...]]]) -> Reflection:
        rid = row[0]
        answers = {prompt: text for prompt, text in children["answers"]}
        ratings: dict[Perspective, dict[str, int]] = {}
        for perspective, dimension, score in children["ratings"]:
            ratings.setdefault(Perspective(perspective), {})[dimension] = score
        impacts = {Perspective(p): DistressImpact(i) for p, i in children["distress_impacts"]}
        amendments = tuple(
            Amendment(uuid.UUID(a[0]), a[1], parse_instant(a[2]), a[3], a[4]) for a in children["amendments"]
        )
        return Reflection(
            id=uuid.UUID(rid),
            case_id=uuid.UUID(row[1]),
            framework_id=row[2],
            framework_version=row[3],
            session_date=dt.date.fromisoformat(row[4]),
            practitioner=row[5],
            supervisor=row[6],
            answers=answers,
            ratings=ratings,
            service_user_source=_enum(ServiceUserSource, row[7]),
            service_user_words=row[17],
            trauma_echo=_enum(TraumaEcho, row[8]),
            code_themes=tuple(CodeTheme(t) for t in json.loads(row[9])),
            wellbeing=row[10],
            status=ReflectionStatus(row[11]),
            signature=None if row[14] is None else Signature(row[12], parse_instant(row[13]), row[14]),
            amendments=amendments,
            created_at=parse_instant(row[15]),
            updated_at=parse_instant(row[16]),
            distress_impact=impacts,
        )


_ACTION_COLUMNS = (
    "a.id, a.case_id, a.reflection_id, a.text, a.dimension, a.due_on, a.status, a.reviewed_in, "
    "a.review_note, a.reviewed_at, a.carried_from"
)


class ActionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, action: Action) -> None:
        self.save_many([action])

    def save_many(self, actions: Sequence[Action]) -> None:
        """Insert or replace actions, all or none, in one statement however many there are."""
        if not actions:
            return
        rows = [_action_row(a) for a in actions]  # the columns are the bundle format's action fields
        columns = ", ".join(rows[0])
        updates = ", ".join(f"{c} = excluded.{c}" for c in rows[0] if c != "id")
        with writing(self._db):
            self._db.conn.executemany(
                f"INSERT INTO actions ({columns}) VALUES ({', '.join(':' + c for c in rows[0])}) "
                f"ON CONFLICT (id) DO UPDATE SET {updates}",
                rows,
            )

    def get(self, action_id: uuid.UUID) -> Action:
        rows = self._select("WHERE a.id = ?", [str(action_id)])
        if not rows:
            raise NotFoundError("That action no longer exists.")
        return rows[0]

    def delete(self, action_id: uuid.UUID) -> None:
        with writing(self._db):
            self._db.execute("DELETE FROM actions WHERE id = ?", [str(action_id)])

    def for_case(self, case_id: uuid.UUID, status: ActionStatus | None = None) -> list[Action]:
        """The case's actions in the order their reflections happened."""
        if status is None:
            return self._select("WHERE a.case_id = ?", [str(case_id)])
        return self._select("WHERE a.case_id = ? AND a.status = ?", [str(case_id), status.value])

    def for_cases(self, case_ids: Iterable[uuid.UUID] | None = None) -> list[Action]:
        """The actions of these cases (every case when None), in the order their reflections happened."""
        if case_ids is None:
            return self._select("", [])
        return self._select(
            "WHERE a.case_id IN (SELECT value FROM json_each(?))", [json.dumps([str(c) for c in case_ids])]
        )

    def records(self, case_id: uuid.UUID | None = None) -> list[ActionRecord]:
        """Every action (of one case, or of all), with its case, the date it was agreed and the date it was
        marked, in the order their reflections happened: one statement however many there are."""
        rows = self._db.execute(
            f"SELECT {_ACTION_COLUMNS}, c.code, c.closed_on, r.session_date, r.framework_id, r.framework_version, "
            "rv.session_date FROM actions a JOIN reflections r ON r.id = a.reflection_id "
            "JOIN cases c ON c.id = a.case_id LEFT JOIN reflections rv ON rv.id = a.reviewed_in "
            + ("" if case_id is None else "WHERE a.case_id = ? ")
            + "ORDER BY r.session_date, r.created_at, a.rowid",
            [] if case_id is None else [str(case_id)],
        )
        return [
            ActionRecord(
                action=self._action(r),
                case_code=r[11],
                case_archived=r[12] is not None,
                agreed_on=dt.date.fromisoformat(r[13]),
                framework_id=r[14],
                framework_version=r[15],
                reviewed_on=_date(r[16]),
            )
            for r in rows
        ]

    def _select(self, where: str, params: list[Any]) -> list[Action]:
        rows = self._db.execute(
            f"SELECT {_ACTION_COLUMNS} "
            f"FROM actions a JOIN reflections r ON r.id = a.reflection_id {where} ORDER BY r.session_date, a.rowid",
            params,
        )
        return [self._action(r) for r in rows]

    @staticmethod
    def _action(r: Sequence[Any]) -> Action:
        return Action(
            id=uuid.UUID(r[0]),
            case_id=uuid.UUID(r[1]),
            reflection_id=uuid.UUID(r[2]),
            text=r[3],
            dimension=r[4],
            due_on=_date(r[5]),
            status=ActionStatus(r[6]),
            reviewed_in=None if r[7] is None else uuid.UUID(r[7]),
            review_note=r[8],
            reviewed_at=None if r[9] is None else parse_instant(r[9]),
            carried_from=None if r[10] is None else uuid.UUID(r[10]),
        )


def _action_row(action: Action) -> dict[str, Any]:
    """The actions row of ``action``: its bundle fields, with the review columns always present."""
    return {"review_note": "", "reviewed_at": None, "carried_from": None, **action_document(action)}


def _value(member: Enum | None) -> str | None:
    return None if member is None else member.value


class ConflictRepository:
    """Incoming versions that differed from local records at import, kept beside them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, kind: str, record_id: str, incoming: dict[str, Any], source: str) -> None:
        with writing(self._db):
            self._db.table("conflicts").insert(
                {
                    "id": str(uuid.uuid4()),
                    "kind": kind,
                    "record_id": record_id,
                    "incoming": json.dumps(incoming, ensure_ascii=False, sort_keys=True),
                    "source": source,
                    "imported_at": instant(utc_now()),
                    "resolved_at": None,
                }
            )

    def open(self) -> list[tuple[str, str, dict[str, Any], str, str]]:
        """(kind, record id, incoming record, source, imported at) for every unresolved conflict."""
        rows = self._db.execute(
            "SELECT kind, record_id, incoming, source, imported_at FROM conflicts WHERE resolved_at IS NULL "
            "ORDER BY imported_at, rowid"
        )
        return [(k, r, json.loads(i), s, t) for k, r, i, s, t in rows]


class DraftRepository:
    """Text not yet a record: typed in a dialog, or an edited NMC account. One JSON object per (kind, key)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT body FROM drafts WHERE kind = ? AND key = ?", [kind, key]).fetchone()
        if row is None:
            return None
        try:
            body = json.loads(row[0])
        except ValueError:
            log.warning("A draft could not be read and was ignored")
            return None
        return body if isinstance(body, dict) else None

    def put(self, kind: str, key: str, body: dict[str, Any]) -> None:
        with writing(self._db):
            self._db.execute(
                "INSERT INTO drafts (kind, key, body, saved_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
                [kind, key, json.dumps(body, ensure_ascii=False, sort_keys=True), instant(utc_now())],
            )

    def delete(self, kind: str, key: str) -> None:
        with writing(self._db):
            self._db.execute("DELETE FROM drafts WHERE kind = ? AND key = ?", [kind, key])


class FrameworkRepository:
    """Frameworks kept from imported bundles, as they came (provenance and all); never changed."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, framework: Framework, source: str) -> None:
        """Keep a framework; one already kept under its (id, version) is left as it is."""
        with writing(self._db):
            self._db.execute(
                "INSERT INTO frameworks (id, version, definition, source, kept_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id, version) DO NOTHING",
                [
                    framework.id,
                    framework.version,
                    json.dumps(framework_to_data(framework), ensure_ascii=False, sort_keys=True),
                    source,
                    instant(utc_now()),
                ],
            )

    def all(self) -> list[Framework]:
        """Every kept framework that this build can read, by id then version.

        One that no longer passes the loader's checks is left out (and logged without its content),
        so the profile still opens; its records say their framework is missing.
        """
        kept = []
        for fw_id, version, definition in self._db.execute(
            "SELECT id, version, definition FROM frameworks ORDER BY id, version"
        ):
            try:
                kept.append(parse_framework(json.loads(definition), origin=f"kept framework {fw_id} {version}"))
            except (ValueError, FrameworkError):
                log.warning("A kept framework could not be read and was left out")
        return kept
