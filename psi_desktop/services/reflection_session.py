"""One reflection being edited: what is pending, when it is saved, and one snapshot of it per read."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from psi_desktop.domain.framework import CodeTheme, Framework
from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    DistressImpact,
    Perspective,
    Reflection,
    ServiceUserSource,
    TraumaEcho,
)
from psi_desktop.domain.walkthrough import (
    DiscussionPoint,
    Step,
    StepState,
    with_answers,
    with_distress_impact,
    with_rating,
)
from psi_desktop.errors import UserFacingError
from psi_desktop.services.drafts import DraftService, DraftSlot
from psi_desktop.services.reflections import ReflectionService, Surroundings

log = logging.getLogger(__name__)


class SaveState(StrEnum):
    SAVED = "saved"
    PENDING = "pending"  # changed since the last save
    FAILED = "failed"  # the last save failed and nothing changed since


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the screen shows of the reflection at one moment, computed without reading the store."""

    reflection: Reflection  # as saved, with every edit not saved yet
    progress: Mapping[str, StepState]  # by step id
    steps_done: int  # required steps complete
    steps_required: int
    save_state: SaveState
    problem: str  # why the last save failed, until a save succeeds; else ""
    read_only: bool
    revealed: bool
    points: tuple[DiscussionPoint, ...]  # what to talk about; empty until revealed, so rating stays blind
    sign_blockers: tuple[str, ...]
    suggested_themes: tuple[CodeTheme, ...]
    actions: tuple[Action, ...]  # agreed in this reflection
    to_review: tuple[Action, ...]  # agreed earlier, to be asked about here
    not_kept: tuple[Action, ...] = ()  # marked not kept at an earlier session, not carried forward since


class ReflectionSession:
    """One reflection on screen: edits are held here and saved together when ``save`` is called.

    The rules are the service's and the domain's; this object only keeps what the screen changed, and
    what it read of the case once, so a change costs no query until it is saved.
    """

    def __init__(
        self,
        service: ReflectionService,
        reflection: Reflection,
        *,
        revealed: bool = False,
        drafts: DraftService | None = None,
    ) -> None:
        self._service = service
        self._drafts = drafts
        self.framework: Framework = service.framework_of(reflection)
        self.steps: tuple[Step, ...] = service.steps(reflection)
        self._edited = reflection  # as saved, with every edit but the typed text
        self._texts: dict[str, str] = {}  # answers typed and not saved, by prompt id
        self._names: dict[Perspective, str] = {}  # the practitioner's or supervisor's name typed, not saved
        # Notes typed on earlier actions and not saved, by action id: the action, its status as marked here, the note.
        self._notes: dict[uuid.UUID, tuple[Action, ActionStatus, str]] = {}
        self._dirty = False  # an edit other than typed text not saved
        self._failed = False
        self._problem = ""
        self.revealed = revealed or reflection.signed
        self._around: Surroundings = service.surroundings(reflection)
        self._snapshot: Snapshot | None = None

    # -- reading ----------------------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        return self._edited.signed

    @property
    def previous(self) -> Reflection | None:
        """The case's reflection before this one, for the faint "last time" marks."""
        return self._around.previous

    @property
    def session_dates(self) -> Mapping[uuid.UUID, dt.date]:
        return self._around.session_dates

    def last_ratings(self, perspective: Perspective) -> dict[str, int]:
        previous = self._around.previous
        return {} if previous is None else dict(previous.ratings_of(perspective))

    @property
    def current(self) -> Reflection:
        """The reflection with every edit, saved or not."""
        reflection = with_answers(self._edited, self._texts)
        if self._names:
            reflection = replace(
                reflection,
                practitioner=self._names.get(Perspective.PRACTITIONER, reflection.practitioner),
                supervisor=self._names.get(Perspective.SUPERVISOR, reflection.supervisor),
            )
        return reflection

    def snapshot(self) -> Snapshot:
        """What to show now; the same object until something changes."""
        if self._snapshot is None:
            current, around = self.current, self._around
            progress = self._service.progress(current, around)
            required = [s for s in self.steps if not s.optional]
            self._snapshot = Snapshot(
                reflection=current,
                progress=progress,
                steps_done=sum(progress[s.id] is StepState.COMPLETE for s in required),
                steps_required=len(required),
                save_state=self._save_state(),
                problem=self._problem,
                read_only=self.read_only,
                revealed=self.revealed,
                points=tuple(self._service.discussion_points(current)) if self.revealed else (),
                sign_blockers=tuple(self._service.sign_blockers(current)),
                suggested_themes=self._service.suggested_code_themes(current),
                actions=around.actions,
                to_review=around.to_review,
                not_kept=() if self.read_only else around.not_kept,
            )
        return self._snapshot

    def has_unsaved_changes(self) -> bool:
        return self._dirty or bool(self._texts) or bool(self._names) or bool(self._notes)

    def _save_state(self) -> SaveState:
        if self._failed:
            return SaveState.FAILED
        return SaveState.PENDING if self.has_unsaved_changes() else SaveState.SAVED

    # -- editing: each returns False when nothing changed (a signed reflection takes no edits) ------

    def set_answer(self, prompt_id: str, text: str) -> bool:
        if self.read_only:
            return False
        self._texts[prompt_id] = text
        return self._changed(dirty=False)

    def set_name(self, perspective: Perspective, name: str) -> bool:
        """The practitioner's or the supervisor's name, as typed."""
        if self.read_only or perspective not in (Perspective.PRACTITIONER, Perspective.SUPERVISOR):
            return False
        self._names[perspective] = name
        return self._changed(dirty=False)

    def set_review_note(self, action: Action, status: ActionStatus, note: str) -> bool:
        """A note on how an earlier action went, as typed; written with the next save, like an answer.
        Its status is the one it is marked with here, so where and when it was marked stay as they were."""
        if self.read_only:
            return False
        self._notes[action.id] = (action, status, note)
        return self._changed(dirty=False)

    def set_rating(self, perspective: Perspective, dimension: str, score: int | None) -> bool:
        return self._edit(with_rating(self._edited, perspective, dimension, score))

    def set_distress_impact(self, perspective: Perspective, impact: DistressImpact | None) -> bool:
        return self._edit(with_distress_impact(self._edited, perspective, impact))

    def set_trauma_echo(self, echo: TraumaEcho | None) -> bool:
        return self._edit(replace(self._edited, trauma_echo=echo))

    def set_service_user_source(self, source: ServiceUserSource | None) -> bool:
        return self._edit(replace(self._edited, service_user_source=source))

    def start_self_rating(self) -> bool:
        """The person is about to rate their own view (hand-over mode): it replaces any view entered for them.

        Ratings the person already gave themselves stay (a hand-over cut short by a lock goes on);
        a view the practitioner entered (told me, feedback form, estimate) is cleared, so nothing of
        it is mixed with what the person says.
        """
        if self._edited.service_user_source is ServiceUserSource.SELF_RATED:
            return False
        ratings: dict[Perspective, Mapping[str, int]] = {
            p: s for p, s in self._edited.ratings.items() if p is not Perspective.SERVICE_USER
        }
        impacts: dict[Perspective, DistressImpact] = {
            p: i for p, i in self._edited.distress_impact.items() if p is not Perspective.SERVICE_USER
        }
        return self._edit(
            replace(
                self._edited,
                service_user_source=ServiceUserSource.SELF_RATED,
                ratings=ratings,
                distress_impact=impacts,
                service_user_words="",
            )
        )

    def set_service_user_words(self, text: str) -> bool:
        """What the person wrote for staff in hand-over mode, as typed."""
        return self._edit(replace(self._edited, service_user_words=text))

    def set_wellbeing(self, score: int | None) -> bool:
        return self._edit(replace(self._edited, wellbeing=score))

    def set_session_date(self, date: dt.date) -> bool:
        return self._edit(replace(self._edited, session_date=date))

    def set_code_themes(self, themes: tuple[CodeTheme, ...]) -> bool:
        chosen = tuple(t for t in CodeTheme if t in themes)
        if chosen == tuple(self._edited.code_themes):
            return False
        return self._edit(replace(self._edited, code_themes=chosen))

    def _edit(self, edited: Reflection) -> bool:
        if self.read_only or edited == self._edited:
            return False
        self._edited = edited
        return self._changed(dirty=True)

    def _changed(self, *, dirty: bool) -> bool:
        self._dirty = self._dirty or dirty
        self._failed = False
        self._snapshot = None
        return True

    # -- saving -------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save every pending edit in one update. False when it could not be saved: the edits stay
        pending and the snapshot says why."""
        if self.read_only or not self.has_unsaved_changes():
            return True
        try:
            self._save_notes()
            saved = self._service.update(self.current) if self._dirty or self._texts or self._names else self._edited
        except UserFacingError as exc:
            self._failed, self._problem, self._snapshot = True, str(exc), None
            return False
        self._edited = saved
        self._texts.clear()
        self._names.clear()
        self._dirty = self._failed = False
        self._problem = ""
        self._snapshot = None
        return True

    def _save_notes(self) -> None:
        """Write the notes typed on earlier actions (each one left pending until it is written)."""
        if not self._notes:
            return
        try:
            for action_id, (action, status, note) in list(self._notes.items()):
                self._service.review_action(self._edited, action, status, note)
                del self._notes[action_id]
        finally:
            self._reread()

    # -- actions (written at once: they are records of their own) -------------------------------------

    def add_action(self, text: str, *, dimension: str | None = None, due_on: dt.date | None = None) -> Action:
        action = self._service.add_action(self._edited, text, dimension=dimension, due_on=due_on)
        if (slot := self._new_action_slot()) is not None:
            slot.discard()
        self._reread()
        return action

    def remove_action(self, action: Action) -> None:
        self._service.remove_action(self._edited, action)
        self._reread()

    def review_action(self, action: Action, status: ActionStatus, note: str | None = None) -> None:
        """Mark an earlier action kept, not kept or dropped here, with an optional note (None keeps the
        note it has). UserFacingError if it could not be."""
        try:
            self._service.review_action(self._edited, action, status, note)
            if note is not None:
                self._notes.pop(action.id, None)  # the note typed went with it
        finally:
            self._reread()

    def carry_forward(self, action: Action) -> Action:
        """Take an earlier action not kept up again in this reflection. UserFacingError if it cannot be."""
        try:
            return self._service.carry_forward(self._edited, action)
        finally:
            self._reread()

    def kept_new_action(self) -> dict[str, str] | None:
        """The fields of an action typed but not added when the reflection was last left, if any."""
        slot = self._new_action_slot()
        return None if slot is None or self.read_only else slot.load()

    def keep_new_action(self, fields: dict[str, str]) -> None:
        """Keep an action typed but not added yet across a lock or closing the reflection."""
        slot = self._new_action_slot()
        if slot is None or self.read_only:
            return
        try:
            slot.save(fields)
        except UserFacingError:
            log.warning("The action being typed could not be kept as a draft")

    def _new_action_slot(self) -> DraftSlot | None:
        return self._drafts.new_action(self._edited.id) if self._drafts is not None else None

    def _reread(self) -> None:
        self._around = self._service.surroundings(self._edited)
        self._snapshot = None

    # -- reveal, sign, amend ----------------------------------------------------------------------------

    def reveal(self) -> bool:
        """Save, then show the perspectives side by side. True when this revealed them (they were hidden)."""
        self.save()
        was, self.revealed = self.revealed, True
        self._snapshot = None
        return not was

    def sign(self, supervisor_name: str) -> Reflection:
        """The supervisor signs what is saved; UserFacingError when it cannot be signed."""
        signed = self._service.sign(self.current, supervisor_name)
        self._signed(signed)
        return signed

    def amendment_draft(self) -> DraftSlot | None:
        return self._drafts.amendment(self._edited.id) if self._drafts is not None else None

    def amend(self, author: str, reason: str, changes: str) -> Reflection:
        amended = self._service.amend(self._edited, author, reason, changes)
        self._signed(amended)
        return amended

    def _signed(self, reflection: Reflection) -> None:
        self._edited = reflection
        self._texts.clear()
        self._names.clear()
        self._notes.clear()
        self._dirty = self._failed = False
        self._problem = ""
        self.revealed = True
        self._snapshot = None
