"""Actions across cases: every action with its case and whether it is due, marking one kept, not kept or
dropped with a note, and carrying one not kept forward.

The actions view, the walkthrough and ``psi-desktop actions`` all come through here, so an action is
"overdue" and "due this week" by the same rule everywhere:

- overdue: still open and due before today;
- due this week: still open and due today or in the six days after it;
- a "not kept" action stays listed as evidence, with the note that says why; carrying it forward
  makes a new open action with the same words in the case's reflection in progress (the newest
  unsigned one after the one that agreed it), linked to it so the history shows. An action is a
  record of its own: marking one agreed in a signed reflection changes neither that reflection nor
  its content hash, but a new action can only be agreed in a reflection not signed yet.

"Today" is a parameter everywhere (the computer's date when left out), so a test can move it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from psi_desktop.domain.model import Action, ActionRecord, ActionStatus, ReflectionOutline, new_id, utc_now
from psi_desktop.domain.text import multi_line
from psi_desktop.errors import NotFoundError, ValidationError
from psi_desktop.frameworks import FrameworkError

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile
    from psi_desktop.storage import Store

MAX_NOTE_CHARS = 2000
WEEK_DAYS = 7  # "due this week": today and the six days after it


class Due(StrEnum):
    """Where an action stands on a given day."""

    OVERDUE = "overdue"  # open, and due before today
    THIS_WEEK = "due_this_week"  # open, and due today or in the next six days
    OPEN = "open"  # open, due later or with no due date
    DONE = "done"  # kept, not kept or dropped

    @property
    def label(self) -> str:
        return _DUE_LABELS[self]


_DUE_LABELS = {
    Due.OVERDUE: "Overdue",
    Due.THIS_WEEK: "Due this week",
    Due.OPEN: "Open",
    Due.DONE: "",
}


def due_state(action: Action, today: dt.date) -> Due:
    if action.status is not ActionStatus.OPEN:
        return Due.DONE
    if action.due_on is None:
        return Due.OPEN
    if action.due_on < today:
        return Due.OVERDUE
    if action.due_on < today + dt.timedelta(days=WEEK_DAYS):
        return Due.THIS_WEEK
    return Due.OPEN


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One line of the actions list: an action, its case, its dimension by name, and its history."""

    record: ActionRecord
    due: Due
    dimension_name: str  # "Power: Protective power", or "" without a dimension
    dimension_provenance: str  # "from the paper", "proposed", or ""
    carried_from: ActionRecord | None  # the action not kept that this one takes up again
    carried_to: tuple[ActionRecord, ...]  # the actions that took this one up again

    @property
    def action(self) -> Action:
        return self.record.action

    @property
    def overdue(self) -> bool:
        return self.due is Due.OVERDUE

    @property
    def due_this_week(self) -> bool:
        return self.due is Due.THIS_WEEK

    @property
    def can_carry_forward(self) -> bool:
        return self.action.status is ActionStatus.NOT_KEPT


@dataclass(frozen=True, slots=True)
class ActionBoard:
    """Every action chosen, open ones first (overdue, then due this week, then the rest), then those marked."""

    today: dt.date
    items: tuple[ActionItem, ...]

    @property
    def open_items(self) -> tuple[ActionItem, ...]:
        return tuple(i for i in self.items if i.due is not Due.DONE)

    @property
    def done_items(self) -> tuple[ActionItem, ...]:
        return tuple(i for i in self.items if i.due is Due.DONE)

    @property
    def overdue_count(self) -> int:
        return sum(i.overdue for i in self.items)

    @property
    def this_week_count(self) -> int:
        return sum(i.due_this_week for i in self.items)


def action_board(
    profile: Profile,
    *,
    today: dt.date | None = None,
    case_id: uuid.UUID | None = None,
    statuses: Iterable[ActionStatus] | None = None,
) -> ActionBoard:
    """Every action (of one case, or of all) as the actions view and ``psi-desktop actions`` list them,
    in one statement however many there are."""
    today = today or dt.date.today()
    records = profile.store.actions.records(case_id)
    chosen = None if statuses is None else set(statuses)
    by_id = {r.action.id: r for r in records}
    carried: dict[uuid.UUID, list[ActionRecord]] = {}
    for record in records:
        if record.action.carried_from is not None:
            carried.setdefault(record.action.carried_from, []).append(record)
    names: dict[tuple[str, int, str], tuple[str, str]] = {}
    items = []
    for record in records:
        action = record.action
        if chosen is not None and action.status not in chosen:
            continue
        name, provenance = "", ""
        if action.dimension is not None:
            key = (record.framework_id, record.framework_version, action.dimension)
            if key not in names:
                names[key] = _dimension_name(profile, *key)
            name, provenance = names[key]
        items.append(
            ActionItem(
                record=record,
                due=due_state(action, today),
                dimension_name=name,
                dimension_provenance=provenance,
                carried_from=None if action.carried_from is None else by_id.get(action.carried_from),
                carried_to=tuple(carried.get(action.id, ())),
            )
        )
    return ActionBoard(today=today, items=tuple(sorted(items, key=_order)))


def _order(item: ActionItem) -> tuple[int, float, int, str]:
    rank = (Due.OVERDUE, Due.THIS_WEEK, Due.OPEN, Due.DONE).index(item.due)
    action, record = item.action, item.record
    if item.due is Due.DONE:  # the most recently marked first
        marked = action.reviewed_at.timestamp() if action.reviewed_at else 0.0
        return (rank, -marked, -record.agreed_on.toordinal(), record.case_code.casefold())
    due = action.due_on.toordinal() if action.due_on else dt.date.max.toordinal()
    return (rank, due, record.agreed_on.toordinal(), record.case_code.casefold())


def _dimension_name(profile: Profile, framework_id: str, version: int, dimension: str) -> tuple[str, str]:
    try:
        framework = profile.frameworks.get(framework_id, version)
        found = framework.dimension(dimension)
    except (FrameworkError, KeyError):
        return dimension, ""
    return f"{framework.component(found.component).label}: {found.label}", found.provenance_text


def parse_statuses(text: str) -> list[ActionStatus]:
    """``open``, ``kept``, ``not-kept`` / ``not_kept`` / ``not kept``, ``dropped``, comma-separated."""
    found = []
    for word in text.split(","):
        value = "_".join(word.strip().lower().replace("-", " ").replace("_", " ").split())
        try:
            found.append(ActionStatus(value))
        except ValueError:
            raise ValidationError(
                "A status is one of open, kept, not-kept or dropped (several with commas: open,not-kept)."
            ) from None
    return found


# -- marking and carrying forward ------------------------------------------------------------------------


def clean_note(note: str) -> str:
    note = multi_line(note).strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError(f"Keep the note to {MAX_NOTE_CHARS} characters or fewer.")
    return note


def marked(action: Action, status: ActionStatus, note: str | None, reviewed_in: uuid.UUID | None) -> Action:
    """``action`` marked ``status`` (or open again), in reflection ``reviewed_in`` if any; ``note`` None
    keeps the note it has. Marked open again, it is no longer reviewed anywhere; its note stays."""
    note = action.review_note if note is None else clean_note(note)
    if status is ActionStatus.OPEN:
        return replace(action, status=status, reviewed_in=None, reviewed_at=None, review_note=note)
    if status is action.status:  # only the note changes: where and when it was marked stay as they were
        return replace(action, review_note=note)
    return replace(action, status=status, reviewed_in=reviewed_in, reviewed_at=utc_now(), review_note=note)


def carried(action: Action, into_reflection_id: uuid.UUID, *, due_on: dt.date | None = None) -> Action:
    """A new open action with the words and dimension of ``action`` (not kept), agreed in ``into``."""
    if action.status is not ActionStatus.NOT_KEPT:
        raise ValidationError("Only an action not kept can be carried forward.")
    return Action(
        new_id(), action.case_id, into_reflection_id, action.text, action.dimension, due_on, carried_from=action.id
    )


def check_not_carried_into(actions: Sequence[Action], action: Action, into_reflection_id: uuid.UUID) -> None:
    if any(a.carried_from == action.id and a.reflection_id == into_reflection_id for a in actions):
        raise ValidationError("This action is already carried forward into that reflection.")


def reflection_in_progress(outlines: Sequence[ReflectionOutline], after: uuid.UUID) -> ReflectionOutline | None:
    """The case's newest reflection not signed yet that comes after reflection ``after``: where an action
    marked or carried forward from the actions list belongs."""
    order = {o.id: (o.session_date, o.created_at) for o in outlines}
    start = order.get(after)
    later = [o for o in outlines if not o.signed and o.id != after and (start is None or order[o.id] > start)]
    return max(later, key=lambda o: order[o.id]) if later else None


def review_action(profile: Profile, action_id: uuid.UUID, status: ActionStatus, note: str | None = None) -> Action:
    """Mark an action kept, not kept or dropped (or open again) from the actions list, with a note.

    It counts as reviewed in the case's reflection in progress when there is one (so that reflection's
    "Was I consistent?" shows it), else in none.
    """
    store = profile.store
    action = store.actions.get(action_id)
    in_progress = reflection_in_progress(store.reflections.outlines(action.case_id), action.reflection_id)
    reviewed = marked(action, status, note, None if in_progress is None else in_progress.id)
    store.actions.save(reviewed)
    return reviewed


def carry_forward(profile: Profile, action_id: uuid.UUID, *, due_on: dt.date | None = None) -> Action:
    """Carry a "not kept" action forward into its case's reflection in progress; the new open action is
    returned. ValidationError when the case has no reflection in progress to take it."""
    store = profile.store
    action = store.actions.get(action_id)
    in_progress = reflection_in_progress(store.reflections.outlines(action.case_id), action.reflection_id)
    if in_progress is None:
        raise ValidationError(
            "There is no reflection in progress on this case to carry it into. "
            "Start the case's next reflection, then carry it forward."
        )
    return carry_into(store, action, in_progress.id, due_on=due_on)


def carry_into(store: Store, action: Action, reflection_id: uuid.UUID, *, due_on: dt.date | None = None) -> Action:
    """The rule both ways of carrying forward share: never into a signed reflection, once per reflection."""
    action = store.actions.get(action.id)  # as stored: a screen may hold it from before it was marked
    if _signed(store, reflection_id):
        raise ValidationError("A signed reflection cannot take a new action. Carry it into a reflection in progress.")
    check_not_carried_into(store.actions.for_case(action.case_id), action, reflection_id)
    new = carried(action, reflection_id, due_on=due_on)
    store.actions.save(new)
    return new


def _signed(store: Store, reflection_id: uuid.UUID) -> bool:
    try:
        return store.reflections.get(reflection_id).signed
    except NotFoundError:
        raise ValidationError("That reflection no longer exists.") from None
