"""Drafts: text typed in a dialog kept in the encrypted store (across a lock), and the NMC forms as written."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.nmc import ANSWERS, ReflectiveAccount
from psi_desktop.storage import Store

if TYPE_CHECKING:  # exports imports reportlab when it builds; only the name is needed here
    from psi_desktop.services.exports import PortfolioDraft

ACCOUNT = "nmc_account"  # key: the reflection's id
DISCUSSION = "nmc_discussion"  # key: a digest of the chosen reflections' ids
REGISTRANT = "nmc_registrant"  # key: "me"; the practitioner's own name and NMC Pin, the same for every pack
DISCUSSION_TEXTS = ("partner_name", "nmc_pin", "email", "professional_address", "postcode", "summary")
REGISTRANT_TEXTS = ("registrant_name", "registrant_pin")


@dataclass(frozen=True, slots=True)
class DraftSlot:
    """Where one dialog keeps its typed fields (a dict of field name to text) while it is not a record."""

    store: Store
    kind: str
    key: str

    def load(self) -> dict[str, str] | None:
        body = self.store.drafts.get(self.kind, self.key)
        if not body:
            return None
        return {str(k): v for k, v in body.items() if isinstance(v, str)}

    def save(self, fields: dict[str, str]) -> None:
        """Keep ``fields``; nothing typed at all removes the draft instead."""
        if any(v.strip() for v in fields.values()):
            self.store.drafts.put(self.kind, self.key, dict(fields))
        else:
            self.discard()

    def discard(self) -> None:
        self.store.drafts.delete(self.kind, self.key)


class DraftService:
    """Drafts of one profile. Only text goes in; it stays in the encrypted store like every record."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def amendment(self, reflection_id: uuid.UUID) -> DraftSlot:
        return DraftSlot(self._store, "amendment", str(reflection_id))

    def new_action(self, reflection_id: uuid.UUID) -> DraftSlot:
        """An action typed on a reflection's Actions step but not added yet."""
        return DraftSlot(self._store, "new_action", str(reflection_id))

    def case(self, case_id: uuid.UUID | None) -> DraftSlot:
        """A new case's fields (``case_id`` None), or a rename's."""
        return DraftSlot(self._store, "case", "new" if case_id is None else str(case_id))

    # -- the portfolio pack's NMC forms --------------------------------------------------------------

    def apply_portfolio_edits(self, draft: PortfolioDraft) -> set[uuid.UUID]:
        """Put what the practitioner wrote before into a fresh portfolio ``draft`` (exports.PortfolioDraft).

        Returns the reflection ids of the accounts that had something kept.
        """
        edited: set[uuid.UUID] = set()
        for account in draft.accounts:
            body = self._store.drafts.get(ACCOUNT, str(account.reflection_id))
            if body is None:
                continue
            for name in ANSWERS:
                if isinstance(body.get(name), str):
                    setattr(account, name, body[name])
            if isinstance(body.get("themes"), list):
                account.themes = [t for t in CodeTheme if t.value in body["themes"]]
            edited.add(account.reflection_id)
        d = draft.discussion
        body = self._store.drafts.get(DISCUSSION, _discussion_key(draft.reflection_ids))
        if body is not None:
            for name in DISCUSSION_TEXTS:
                if isinstance(body.get(name), str):
                    setattr(d, name, body[name])
            if isinstance(body.get("date"), str):
                with contextlib.suppress(ValueError):  # a date that does not read is left out
                    d.date = dt.date.fromisoformat(body["date"])
        for name, value in (self._store.drafts.get(REGISTRANT, "me") or {}).items():
            if name in REGISTRANT_TEXTS and isinstance(value, str):
                setattr(d, name, value)
        return edited

    def save_portfolio_edits(self, draft: PortfolioDraft) -> set[uuid.UUID]:
        """Keep every account of ``draft`` that is not as it started (empty, the reflection's themes),
        the discussion record and the practitioner's own details. Returns the ids of the accounts kept.
        """
        edited: set[uuid.UUID] = set()
        with self._store.atomic():
            for account in draft.accounts:
                key = str(account.reflection_id)
                if account.untouched:
                    self._store.drafts.delete(ACCOUNT, key)
                    continue
                self._store.drafts.put(ACCOUNT, key, _account_body(account))
                edited.add(account.reflection_id)
            d = draft.discussion
            body: dict[str, Any] = {name: getattr(d, name) for name in DISCUSSION_TEXTS}
            key = _discussion_key(draft.reflection_ids)
            if any(v.strip() for v in body.values()) or d.date is not None:
                self._store.drafts.put(DISCUSSION, key, {**body, "date": d.date.isoformat() if d.date else None})
            else:
                self._store.drafts.delete(DISCUSSION, key)
            me = {name: getattr(d, name) for name in REGISTRANT_TEXTS}
            if any(v.strip() for v in me.values()):
                self._store.drafts.put(REGISTRANT, "me", me)
            else:
                self._store.drafts.delete(REGISTRANT, "me")
        return edited


def _account_body(account: ReflectiveAccount) -> dict[str, Any]:
    return {
        **{name: account.answer(name) for name in ANSWERS},
        "themes": sorted(t.value for t in account.themes),
    }


def _discussion_key(reflection_ids: Sequence[uuid.UUID]) -> str:
    # The record is of the accounts it discusses: the same reflections chosen again bring it back.
    joined = ",".join(sorted(str(r) for r in reflection_ids))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()
