"""Whose records a profile holds: the owner's details ("Your details"), and the practitioners
whose bundles came in (a supervisor's supervisees)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psi_desktop.domain.model import Action, ActionStatus, Practitioner, ReflectionOutline
from psi_desktop.domain.text import is_unicode, one_line
from psi_desktop.errors import ValidationError
from psi_desktop.services.drafts import REGISTRANT

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

MAX_NAME_LENGTH = 80
MAX_ROLE_LENGTH = 80
NMC_PIN = re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]")
"""An NMC Pin: two digits, a letter, four digits and a letter, such as 12A3456B."""


def clean_pin(pin: str | None) -> str | None:
    """An NMC Pin as stored (upper case, no spaces), None when empty; refused when it is not one."""
    if pin is None:
        return None
    pin = "".join(pin.split()).upper()
    if not pin:
        return None
    if not NMC_PIN.fullmatch(pin):
        raise ValidationError("An NMC Pin is two digits, a letter, four digits and a letter, such as 12A3456B.")
    return pin


def _clean(text: str, limit: int, what: str) -> str:
    text = one_line(text) if is_unicode(text) else ""
    if len(text) > limit:
        raise ValidationError(f"Keep {what} to {limit} characters or fewer.")
    return text


def owner(profile: Profile) -> Practitioner:
    """The profile's owner; name and role are empty until they are given."""
    return profile.store.practitioners.owner()


def set_owner_details(profile: Profile, name: str, role: str, nmc_pin: str | None = None) -> Practitioner:
    """Keep the owner's name, role and optional NMC Pin: bundles name who they are from with them."""
    return profile.store.practitioners.set_owner(
        _clean(name, MAX_NAME_LENGTH, "your name"), _clean(role, MAX_ROLE_LENGTH, "your role"), clean_pin(nmc_pin)
    )


def supervisees(profile: Profile) -> list[Practitioner]:
    """Every practitioner whose cases are in this profile besides the owner, by name."""
    return profile.store.practitioners.others()


# -- a supervisor's view: the figures for each supervisee ---------------------------------------------


@dataclass(frozen=True, slots=True)
class SuperviseeFigures:
    """What the Supervisees screen says about one practitioner whose bundles came in.

    ``sessions_by_month``: (first day of the month, signed, not signed yet) for every month with a
    session, oldest first. ``waiting``: reflections not signed yet (drafts and discussed ones): what
    waits for the supervisor. ``overdue``: open actions due before ``today``.
    """

    practitioner: Practitioner
    cases: int
    sessions: int
    waiting: int
    open_actions: int
    overdue: int
    sessions_by_month: tuple[tuple[dt.date, int, int], ...]
    last_session: dt.date | None


def supervisee_figures(profile: Profile, today: dt.date | None = None) -> list[SuperviseeFigures]:
    """For each supervisee, by name: cases, sessions (per month), drafts waiting, open and overdue actions.

    Three statements whatever the number of records: the case list, the reflection outlines, the actions.
    """
    today = today or dt.date.today()
    store = profile.store
    whose: dict[uuid.UUID, Practitioner] = {}
    for summary in store.cases.summaries():
        if summary.practitioner is not None:
            whose[summary.case.id] = summary.practitioner
    people = {p.id: p for p in whose.values()}
    outlines: dict[uuid.UUID, list[ReflectionOutline]] = {pid: [] for pid in people}
    for outline in store.reflections.outlines() if whose else []:
        if outline.case_id in whose:
            outlines[whose[outline.case_id].id].append(outline)
    actions: dict[uuid.UUID, list[Action]] = {pid: [] for pid in people}
    for action in store.actions.for_cases(list(whose)) if whose else []:
        actions[whose[action.case_id].id].append(action)
    figures = []
    for pid, person in people.items():
        months: dict[dt.date, list[int]] = {}
        for outline in outlines[pid]:
            counts = months.setdefault(outline.session_date.replace(day=1), [0, 0])
            counts[0 if outline.signed else 1] += 1
        open_ = [a for a in actions[pid] if a.status is ActionStatus.OPEN]
        figures.append(
            SuperviseeFigures(
                practitioner=person,
                cases=sum(1 for p in whose.values() if p.id == pid),
                sessions=len(outlines[pid]),
                waiting=sum(1 for o in outlines[pid] if not o.signed),
                open_actions=len(open_),
                overdue=sum(1 for a in open_ if a.due_on is not None and a.due_on < today),
                sessions_by_month=tuple((m, s, d) for m, (s, d) in sorted(months.items())),
                last_session=max((o.session_date for o in outlines[pid]), default=None),
            )
        )
    return sorted(figures, key=lambda f: (f.practitioner.name.casefold(), str(f.practitioner.id)))


def supervisee_case_ids(profile: Profile, practitioner_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """The cases of one supervisee (of every supervisee when None)."""
    return [
        s.case.id
        for s in profile.store.cases.summaries()
        if s.practitioner is not None and (practitioner_id is None or s.practitioner.id == practitioner_id)
    ]


def details_to_offer(profile: Profile) -> tuple[str, str, str]:
    """(name, role, NMC Pin) for the "Your details" dialog: the owner's, or else what the portfolio
    pack already keeps as the practitioner's own name and Pin."""
    me = owner(profile)
    kept = profile.store.drafts.get(REGISTRANT, "me") or {}
    name = me.name or (kept.get("registrant_name") if isinstance(kept.get("registrant_name"), str) else "") or ""
    pin = me.nmc_pin or (kept.get("registrant_pin") if isinstance(kept.get("registrant_pin"), str) else "") or ""
    return name, me.role, pin
