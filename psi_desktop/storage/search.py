"""Full-text search over answers, actions and amendments (answers_fts, actions_fts, amendments_fts).

What is typed is taken as plain words, never as FTS5 syntax (``fts_query``). Each kind of record is
searched among the WINDOW of its matching rows written last, within the scope, so that a search takes
the same few milliseconds however many reflections the profile holds (issue 16: 50 ms at 10,000).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from psi_desktop.domain.model import ReflectionStatus
from psi_desktop.domain.search import MATCH_END, MATCH_START, HitKind, SearchScope, TextHit, newest_first
from psi_desktop.storage.sqlcipher import Database

WINDOW = 2000
"""How many of the rows of one kind written last that match are sorted for its hits."""

FEW = 1000
"""A scope of at most this many reflections (a case, a few weeks) is searched whole, from its reflections."""

MAX_WORDS = 32
SNIPPET_TOKENS = 14

# kind: (index, table, the hit's record, the snippet's column: -1 the best of them)
_KINDS = {
    HitKind.ANSWER: ("answers_fts", "answers", "t.prompt_id", 0),
    HitKind.ACTION: ("actions_fts", "actions", "t.id", 0),
    HitKind.AMENDMENT: ("amendments_fts", "amendments", "t.id", -1),
}


def fts_query(text: str) -> str | None:
    """Plain words as an FTS5 query: every word must appear, in any order; None when there is no word.

    Quotes, hyphens, brackets, ``NEAR``, ``AND``/``OR``/``NOT`` and colons are just text: every word
    goes to FTS5 as a quoted string, which its tokenizer splits as it split the text (so "well-being"
    finds "well-being" and "well being"). Two additions: words between a pair of double quotes must
    appear together, in that order, and a word ending in ``*`` finds every word it begins.
    """
    pieces = text.split('"')
    if len(pieces) % 2 == 0:  # an unpaired quote: the last one is just text
        pieces[-2:] = [pieces[-2] + " " + pieces[-1]]
    terms: list[str] = []
    for n, piece in enumerate(pieces):
        words = [piece] if n % 2 else piece.split()
        for word in words:
            prefix = n % 2 == 0 and word.endswith("*")
            word = word.strip().rstrip("*") if prefix else word.strip()
            if not _has_word(word):
                continue
            quoted = '"' + word.replace('"', '""') + '"'
            terms.append(quoted + (" *" if prefix else ""))
    return " ".join(terms[:MAX_WORDS]) or None


def _has_word(text: str) -> bool:
    """Whether ``text`` holds anything the tokenizer might keep: a letter or digit, or anything not ASCII
    (an emoji it may or may not index; a phrase it drops finds nothing and is no error)."""
    return any(c.isalnum() or not c.isascii() for c in text)


def search(db: Database, query: str, scope: SearchScope, limit: int) -> tuple[list[TextHit], bool]:
    """The ``limit`` newest hits of answers, actions and amendments within ``scope``, and whether there were more."""
    match = fts_query(query)
    if match is None:
        return [], False
    found: list[TextHit] = []
    for kind in HitKind:
        found += _search_kind(db, kind, match, scope, limit + 1)
    ordered = newest_first(found)
    return ordered[:limit], len(ordered) > limit


def _search_kind(db: Database, kind: HitKind, match: str, scope: SearchScope, limit: int) -> list[TextHit]:
    fts, table, record, column = _KINDS[kind]
    where, params = _where(kind, scope)
    if where is None:
        return []
    params = {**params, "match": match, "window": WINDOW, "limit": limit}
    joins = f"JOIN {table} t ON t.rowid = f.rowid JOIN reflections r ON r.id = t.reflection_id"
    if _few_reflections(db, scope):
        # A case, or a few weeks: every row of its reflections that is among the matching ones, sorted.
        sql = f"""
            SELECT t.rowid FROM reflections r CROSS JOIN {table} t ON t.reflection_id = r.id
            WHERE +t.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :match) {where}
            ORDER BY r.session_date DESC, r.created_at DESC, r.id DESC, t.rowid LIMIT :limit
            """
    else:
        # The matching rows written last, within the scope, sorted by session.
        sql = f"""
            SELECT m.rowid FROM (
                SELECT f.rowid FROM {fts} f {joins if where else ""}
                WHERE {fts} MATCH :match {where} ORDER BY f.rowid DESC LIMIT :window
            ) AS m
            JOIN {table} t ON t.rowid = m.rowid
            JOIN reflections r ON r.id = t.reflection_id
            ORDER BY r.session_date DESC, r.created_at DESC, r.id DESC, m.rowid LIMIT :limit
            """
    chosen = [row[0] for row in db.execute(sql, params)]
    if not chosen:
        return []
    rows = db.execute(
        f"""
        SELECT f.rowid, t.reflection_id, r.case_id, c.code, r.session_date, r.created_at, r.status,
               r.framework_id, r.framework_version, {record},
               snippet({fts}, {column}, :start, :end, '\u2026', {SNIPPET_TOKENS})
        FROM {fts} f {joins} JOIN cases c ON c.id = r.case_id
        WHERE {fts} MATCH :match AND f.rowid BETWEEN :first AND :last
              AND +f.rowid IN (SELECT value FROM json_each(:chosen))
        """,
        # The range for FTS5 to scan (its cheap way in); the "+" keeps the list from being its way in
        # instead, as one costly seek per row.
        {
            "match": match,
            "first": min(chosen),
            "last": max(chosen),
            "chosen": json.dumps(chosen),
            "start": MATCH_START,
            "end": MATCH_END,
        },
    )
    return [
        TextHit(
            kind=kind,
            reflection_id=uuid.UUID(r[1]),
            case_id=uuid.UUID(r[2]),
            case_code=r[3],
            session_date=dt.date.fromisoformat(r[4]),
            created_at=r[5],
            status=ReflectionStatus(r[6]),
            framework=(r[7], r[8]),
            record=r[9],
            snippet=r[10],
            rowid=r[0],
        )
        for r in rows
    ]


def _few_reflections(db: Database, scope: SearchScope) -> bool:
    """Whether the case and dates of ``scope`` hold at most FEW reflections (counted on their indexes)."""
    clauses, params = _reflection_clauses(scope)
    if not clauses:
        return False
    count: int = db.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM reflections r WHERE {' AND '.join(clauses)} LIMIT {FEW + 1})", params
    ).fetchone()[0]
    return count <= FEW


def _reflection_clauses(scope: SearchScope) -> tuple[list[str], dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if scope.case_id is not None:
        clauses.append("r.case_id = :case_id")
        params["case_id"] = str(scope.case_id)
    if scope.date_from is not None:
        clauses.append("r.session_date >= :date_from")
        params["date_from"] = scope.date_from.isoformat()
    if scope.date_to is not None:
        clauses.append("r.session_date <= :date_to")
        params["date_to"] = scope.date_to.isoformat()
    return clauses, params


def _where(kind: HitKind, scope: SearchScope) -> tuple[str | None, dict[str, Any]]:
    """The scope as SQL over the record ``t`` and its reflection ``r`` ("AND ..."; None: nothing of this kind)."""
    clauses, params = _reflection_clauses(scope)
    if scope.status is not None:
        clauses.append("r.status = :status")
        params["status"] = scope.status.value
    if kind is HitKind.ANSWER and scope.prompts is not None:
        clauses.append("t.prompt_id IN (SELECT value FROM json_each(:prompts))")
        params["prompts"] = json.dumps(sorted(scope.prompts))
    if kind is HitKind.ACTION and scope.action_dimensions is not None:
        clauses.append("t.dimension IN (SELECT value FROM json_each(:dimensions))")
        params["dimensions"] = json.dumps(sorted(scope.action_dimensions))
    if kind is HitKind.AMENDMENT and not scope.amendments:
        return None, {}
    return "".join(f" AND {c}" for c in clauses), params


class SearchIndex:
    """The store's full-text search (Store.search)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def find(self, query: str, scope: SearchScope, limit: int) -> tuple[list[TextHit], bool]:
        return search(self._db, query, scope, limit)
