"""Deleting records: an unsigned reflection with what belongs to it, or a whole case (m008_removals).

Nothing signed goes one record at a time: the store's triggers refuse it. A whole case goes in one
transaction that first marks it in ``removals``, which the triggers consult (see m008_removals).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace

from psi_desktop.errors import NotFoundError, ValidationError
from psi_desktop.storage.repositories import writing
from psi_desktop.storage.sqlcipher import Database, sqlite3

_IDS = "SELECT value FROM json_each(?)"


@dataclass(frozen=True, slots=True)
class Removed:
    """How many rows of each kind went: counts only, for the log and the status bar."""

    reflections: int = 0
    signed: int = 0
    answers: int = 0
    ratings: int = 0
    actions: int = 0
    reopened: int = 0  # actions of other reflections marked in the one deleted: open again
    amendments: int = 0
    kept_text: int = 0  # text kept for dialogs (services/drafts.py)
    conflicts: int = 0


class RemovalRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def delete_reflection(self, reflection_id: uuid.UUID) -> Removed:
        """Delete an unsigned reflection and what belongs to it, all or nothing.

        Its answers, ratings and distress impacts, the actions agreed in it, text kept for its dialogs
        and import conflicts about it or its actions go with it. Actions of other reflections that were
        marked (kept, not kept, dropped) in it are open again: the marking was part of what is deleted.
        A signed reflection is refused.
        """
        rid = str(reflection_id)
        with writing(self._db):
            row = self._db.execute("SELECT status FROM reflections WHERE id = ?", [rid]).fetchone()
            if row is None:
                raise NotFoundError("That reflection no longer exists.")
            if row[0] == "signed":
                raise ValidationError("A signed reflection cannot be deleted. Add an amendment to correct it.")
            ids = json.dumps([rid])
            try:
                return self._delete(ids, json.dumps([]))
            except sqlite3.IntegrityError as exc:
                if "read-only" in str(exc):  # signed meanwhile, by another connection
                    raise ValidationError("A signed reflection cannot be deleted.") from exc
                raise

    def remove_case(self, case_id: uuid.UUID) -> Removed:
        """Remove a case and everything of it, signed reflections and amendments too, all or nothing.

        Whether that may be done (a confirmation for signed records) is the caller's to ask first.
        """
        cid = str(case_id)
        with writing(self._db):
            if self._db.execute("SELECT 1 FROM cases WHERE id = ?", [cid]).fetchone() is None:
                raise NotFoundError("That case no longer exists.")
            self._db.execute("INSERT INTO removals (case_id) VALUES (?)", [cid])
            reflection_ids = [r[0] for r in self._db.execute("SELECT id FROM reflections WHERE case_id = ?", [cid])]
            signed = self._db.execute(
                "SELECT count(*) FROM reflections WHERE case_id = ? AND status = 'signed'", [cid]
            ).fetchone()[0]
            removed = self._delete(json.dumps(reflection_ids), json.dumps([cid]))
            self._db.execute("DELETE FROM cases WHERE id = ?", [cid])
            self._db.execute("DELETE FROM removals WHERE case_id = ?", [cid])
        return replace(removed, signed=signed)

    def _delete(self, reflection_ids: str, case_ids: str) -> Removed:
        """Every row belonging to these reflections (a JSON list of ids), and to these cases' actions."""
        db = self._db
        action_ids = json.dumps(
            [
                r[0]
                for r in db.execute(
                    f"SELECT id FROM actions WHERE reflection_id IN ({_IDS}) OR case_id IN ({_IDS})",
                    [reflection_ids, case_ids],
                )
            ]
        )
        kept_keys = json.dumps(json.loads(reflection_ids) + json.loads(case_ids))

        def count(sql: str, *params: str) -> int:
            return int(db.execute(sql, list(params)).rowcount)

        conflicts = count(
            f"DELETE FROM conflicts WHERE record_id IN ({_IDS}) OR record_id IN ({_IDS})", kept_keys, action_ids
        )
        kept_text = count(f"DELETE FROM drafts WHERE key IN ({_IDS})", kept_keys)
        reopened = count(
            "UPDATE actions SET status = 'open', reviewed_in = NULL "
            f"WHERE reviewed_in IN ({_IDS}) AND id NOT IN ({_IDS})",
            reflection_ids,
            action_ids,
        )
        actions = count(f"DELETE FROM actions WHERE id IN ({_IDS})", action_ids)
        amendments = count(f"DELETE FROM amendments WHERE reflection_id IN ({_IDS})", reflection_ids)
        answers = count(f"DELETE FROM answers WHERE reflection_id IN ({_IDS})", reflection_ids)
        ratings = count(f"DELETE FROM ratings WHERE reflection_id IN ({_IDS})", reflection_ids)
        count(f"DELETE FROM distress_impacts WHERE reflection_id IN ({_IDS})", reflection_ids)
        reflections = count(f"DELETE FROM reflections WHERE id IN ({_IDS})", reflection_ids)
        return Removed(
            reflections=reflections,
            answers=answers,
            ratings=ratings,
            actions=actions,
            reopened=reopened,
            amendments=amendments,
            kept_text=kept_text,
            conflicts=conflicts,
        )
