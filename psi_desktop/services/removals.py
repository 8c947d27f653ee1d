"""Tidying up: deleting an unsigned reflection, and removing a case (issue 17, item 3).

A draft (or a discussed reflection: anything not signed) can be deleted with what belongs to it; one
with nothing in it yet is simply discarded. A case goes whole: with no signed reflections after a
plain confirmation, with signed ones only when the caller passes the number of signed records the
person confirmed. Nothing signed goes one record at a time: the store refuses it. Every deletion is
logged with counts only, never a case code or any text.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from psi_desktop.domain.model import Action, Case, Reflection, ReflectionStatus
from psi_desktop.errors import ValidationError
from psi_desktop.services.drafts import DraftService
from psi_desktop.storage import Store
from psi_desktop.storage.removals import Removed as Removed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DraftContents:
    """What goes with an unsigned reflection if it is deleted, as the confirmation names it."""

    reflection_id: uuid.UUID
    case_code: str
    session_date: dt.date
    status: ReflectionStatus
    answers: int  # answered prompts
    ratings: int  # ratings given, every perspective
    actions: int  # agreed in it
    reviewed: int  # earlier actions marked in it: open again once it is deleted
    blank: bool  # nothing typed, rated or agreed: discarded without a question


@dataclass(frozen=True, slots=True)
class CaseContents:
    """What goes with a case if it is removed, as the confirmation names it."""

    case: Case
    reflections: int
    signed: int
    unsigned: int
    actions: int


def is_blank(reflection: Reflection, actions: Sequence[Action], kept_action_text: bool = False) -> bool:
    """Nothing in it yet: no answer, rating or choice, no action agreed or marked in it, none being typed.

    The session date and the names a new reflection starts with (from the case's last one) do not count.
    """
    return (
        not reflection.signed
        and not any(text.strip() for text in reflection.answers.values())
        and not any(reflection.ratings.values())
        and not reflection.distress_impact
        and reflection.service_user_source is None
        and not reflection.service_user_words.strip()
        and reflection.trauma_echo is None
        and not reflection.code_themes
        and reflection.wellbeing is None
        and not reflection.amendments
        and not any(a.reflection_id == reflection.id or a.reviewed_in == reflection.id for a in actions)
        and not kept_action_text
    )


def blank_draft(store: Store, reflections: Sequence[Reflection], actions: Sequence[Action]) -> Reflection | None:
    """The newest of a case's ``reflections`` with nothing in it yet, if one is: a new reflection opens it
    instead of making another."""
    unsigned = [r for r in reflections if not r.signed]
    for reflection in sorted(unsigned, key=lambda r: (r.session_date, r.created_at), reverse=True):
        if is_blank(reflection, actions) and not _typing_action(store, reflection.id):  # the store is read last
            return reflection
    return None


class RemovalService:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- unsigned reflections -------------------------------------------------------------------------

    def draft(self, reflection_id: uuid.UUID) -> DraftContents:
        """What deleting this reflection would take with it; refused for a signed one."""
        reflection = self._store.reflections.get(reflection_id)
        if reflection.signed:
            raise ValidationError("A signed reflection cannot be deleted. Add an amendment to correct it.")
        actions = self._store.actions.for_case(reflection.case_id)
        kept = _typing_action(self._store, reflection.id)
        return DraftContents(
            reflection_id=reflection.id,
            case_code=self._store.cases.get(reflection.case_id).code,
            session_date=reflection.session_date,
            status=reflection.status,
            answers=sum(1 for text in reflection.answers.values() if text.strip()),
            ratings=sum(len(scores) for scores in reflection.ratings.values()),
            actions=sum(1 for a in actions if a.reflection_id == reflection.id),
            reviewed=sum(1 for a in actions if a.reviewed_in == reflection.id and a.reflection_id != reflection.id),
            blank=is_blank(reflection, actions, kept),
        )

    def delete_draft(self, reflection_id: uuid.UUID) -> Removed:
        """Delete an unsigned reflection with its answers, ratings, actions and kept text; earlier actions
        marked in it are open again. A signed one is refused (by the store, too)."""
        removed = self._store.removals.delete_reflection(reflection_id)
        log.info(
            "An unsigned reflection was deleted: %d answers, %d ratings, %d actions; %d earlier actions open again",
            removed.answers,
            removed.ratings,
            removed.actions,
            removed.reopened,
        )
        return removed

    def blank_draft(self, case_id: uuid.UUID) -> Reflection | None:
        """The case's newest reflection with nothing in it yet, if it has one."""
        store = self._store
        return blank_draft(store, store.reflections.for_case(case_id), store.actions.for_case(case_id))

    # -- cases ------------------------------------------------------------------------------------------

    def case(self, case_id: uuid.UUID) -> CaseContents:
        """What removing this case would take with it."""
        case = self._store.cases.get(case_id)
        outlines = self._store.reflections.outlines(case_id)
        signed = sum(1 for o in outlines if o.signed)
        return CaseContents(
            case=case,
            reflections=len(outlines),
            signed=signed,
            unsigned=len(outlines) - signed,
            actions=len(self._store.actions.for_case(case_id)),
        )

    def remove_case(self, case_id: uuid.UUID, *, signed_confirmed: int = 0) -> Removed:
        """Remove the case and everything of it.

        A case with signed reflections goes only when ``signed_confirmed`` is their number, as the
        person confirmed it; otherwise (none confirmed, or more signed since) nothing is removed.
        """
        with self._store.atomic():  # counted and removed in one transaction: nothing signed slips in between
            contents = self.case(case_id)
            if contents.signed and signed_confirmed != contents.signed:
                raise ValidationError(
                    f"This case holds {_signed(contents.signed)}. It is removed only once you confirm "
                    "that they go with it; nothing has been removed."
                )
            removed = self._store.removals.remove_case(case_id)
        log.info(
            "A case was removed: %d reflections (%d signed), %d actions, %d amendments",
            removed.reflections,
            removed.signed,
            removed.actions,
            removed.amendments,
        )
        return removed


def _typing_action(store: Store, reflection_id: uuid.UUID) -> bool:
    """Whether an action typed on the reflection's Actions step, not added yet, is kept for it."""
    return DraftService(store).new_action(reflection_id).load() is not None


def _signed(n: int) -> str:
    return f"{n} signed reflection{'' if n == 1 else 's'}"
