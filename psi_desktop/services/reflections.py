"""Reflections: start a draft, fill it in, compare perspectives, agree actions, sign, amend.

Every rule lives here or in domain/; the walkthrough screens only render and forward.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.framework import CodeTheme, Framework
from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    Amendment,
    Perspective,
    Reflection,
    ReflectionStatus,
    Signature,
    new_id,
    utc_now,
)
from psi_desktop.domain.rules import discussion_points
from psi_desktop.domain.text import multi_line, one_line
from psi_desktop.domain.walkthrough import (
    DiscussionPoint,
    Step,
    StepState,
    discussion_questions,
    sign_blockers,
    step_state,
    walkthrough_steps,
)
from psi_desktop.errors import ValidationError
from psi_desktop.frameworks import FrameworkRegistry
from psi_desktop.services.actions import carry_into, marked
from psi_desktop.services.removals import blank_draft
from psi_desktop.storage import Store

MAX_ANSWER_CHARS = 1_000_000
MAX_NAME_CHARS = 80


@dataclass(frozen=True, slots=True)
class Surroundings:
    """What a reflection's screen shows from the rest of its case, read in one go."""

    previous: Reflection | None  # the case's reflection just before this one
    actions: tuple[Action, ...]  # agreed in this reflection
    to_review: tuple[Action, ...]  # agreed earlier, still open or reviewed in this one
    session_dates: Mapping[uuid.UUID, dt.date]  # of each of the case's reflections
    # Marked not kept at an earlier session and not carried forward since (or carried into this one).
    not_kept: tuple[Action, ...] = ()


class ReflectionService:
    def __init__(self, store: Store, frameworks: FrameworkRegistry) -> None:
        self._store = store
        self._frameworks = frameworks

    # -- reading -------------------------------------------------------------------------------

    def get(self, reflection_id: uuid.UUID) -> Reflection:
        return self._store.reflections.get(reflection_id)

    def framework_of(self, reflection: Reflection) -> Framework:
        return self._frameworks.get(reflection.framework_id, reflection.framework_version)

    def previous(self, reflection: Reflection) -> Reflection | None:
        """The case's reflection just before this one, for "last time" references."""
        return _previous(self._store.reflections.for_case(reflection.case_id), reflection)

    def last_ratings(self, reflection: Reflection, perspective: Perspective) -> dict[str, int]:
        """The ratings this perspective gave in the case's previous reflection, shown faintly as "last time"."""
        previous = self.previous(reflection)
        return {} if previous is None else dict(previous.ratings_of(perspective))

    def session_dates(self, case_id: uuid.UUID) -> dict[uuid.UUID, dt.date]:
        """The session date of each of the case's reflections, to say when an action was agreed."""
        return {r.id: r.session_date for r in self._store.reflections.for_case(case_id)}

    def surroundings(self, reflection: Reflection) -> Surroundings:
        """The previous reflection, this one's actions, those to review and the session dates, from one
        read of the case's reflections and one of its actions (instead of a read per question)."""
        reflections = self._store.reflections.for_case(reflection.case_id)
        actions = self._store.actions.for_case(reflection.case_id)
        return Surroundings(
            previous=_previous(reflections, reflection),
            actions=tuple(a for a in actions if a.reflection_id == reflection.id),
            to_review=tuple(_to_review(actions, reflections, reflection)),
            session_dates={r.id: r.session_date for r in reflections},
            not_kept=tuple(_not_kept_before(actions, reflections, reflection)),
        )

    # -- the walkthrough -----------------------------------------------------------------------

    def steps(self, reflection: Reflection) -> tuple[Step, ...]:
        return walkthrough_steps(self.framework_of(reflection))

    def progress(self, reflection: Reflection, around: Surroundings | None = None) -> dict[str, StepState]:
        """How far each step has got, by step id, for the progress list (``around`` saves reading the case)."""
        framework = self.framework_of(reflection)
        if around is None:
            actions, to_review = self.actions_of(reflection), self.actions_to_review(reflection)
        else:
            actions, to_review = list(around.actions), list(around.to_review)
        return {
            step.id: step_state(step, reflection, framework, actions=actions, to_review=to_review)
            for step in walkthrough_steps(framework)
        }

    def discussion_points(self, reflection: Reflection) -> list[DiscussionPoint]:
        """Dimensions where the perspectives differ by 2 or more, each as a question."""
        return discussion_questions(reflection, self.framework_of(reflection))

    def sign_blockers(self, reflection: Reflection) -> list[str]:
        """What stops the supervisor signing now; empty when it can be signed."""
        return sign_blockers(reflection, self.framework_of(reflection))

    def code_themes_for_review(self, reflection: Reflection) -> tuple[CodeTheme, ...]:
        """The themes to tick on the review step: those chosen, or else the suggested ones."""
        return tuple(reflection.code_themes) or self.suggested_code_themes(reflection)

    # -- drafting --------------------------------------------------------------------------------

    def start(
        self, case_id: uuid.UUID, *, session_date: dt.date | None = None, practitioner: str = "", supervisor: str = ""
    ) -> Reflection:
        """A new draft on the case, made with the latest PSI framework, already saved."""
        case = self._store.cases.get(case_id)
        if case.archived:
            raise ValidationError("This case is archived. Unarchive it to add a reflection.")
        framework = self._frameworks.latest("psi")
        reflection = Reflection(
            id=new_id(),
            case_id=case.id,
            framework_id=framework.id,
            framework_version=framework.version,
            session_date=session_date or dt.date.today(),
            practitioner=_name(practitioner),
            supervisor=_name(supervisor),
        )
        self._store.reflections.save(reflection)
        return reflection

    def start_next(self, case_id: uuid.UUID, *, session_date: dt.date | None = None) -> Reflection:
        """A new draft on the case, with the practitioner's and supervisor's names from its latest reflection.

        A draft of the case with nothing in it yet is that draft, opened again rather than another empty one
        made beside it (services/removals.py).
        """
        earlier = self._store.reflections.for_case(case_id)
        blank = blank_draft(self._store, earlier, self._store.actions.for_case(case_id))
        if (
            blank is not None
            and session_date in (None, blank.session_date)
            and not self._store.cases.get(case_id).archived
        ):
            return blank
        latest = earlier[-1] if earlier else None
        return self.start(
            case_id,
            session_date=session_date,
            practitioner=latest.practitioner if latest else "",
            supervisor=latest.supervisor if latest else "",
        )

    def update(self, reflection: Reflection) -> Reflection:
        """Check a changed draft against its framework and save it; returns what was saved.

        The status follows the content: "discussed" once the supervisor has rated, else "draft".
        """
        stored = self._store.reflections.get(reflection.id)
        if stored.signed:
            raise ValidationError("This reflection is signed and cannot be changed. Add an amendment instead.")
        _check(reflection, self.framework_of(reflection))
        status = ReflectionStatus.DISCUSSED if reflection.ratings_of(Perspective.SUPERVISOR) else ReflectionStatus.DRAFT
        saved = replace(
            reflection,
            answers={prompt: multi_line(text) for prompt, text in reflection.answers.items()},
            practitioner=_name(reflection.practitioner),
            supervisor=_name(reflection.supervisor),
            status=status,
            signature=None,
            updated_at=utc_now(),
            created_at=stored.created_at,
        )
        self._store.reflections.save(saved)
        return saved

    def suggested_code_themes(self, reflection: Reflection) -> tuple[CodeTheme, ...]:
        """NMC Code themes for the dimensions that most need attention, in the Code's order.

        Those the practitioner rated 2 or lower, or where the perspectives differ by 2 or more;
        if there are none, those of every rated dimension.
        """
        framework = self.framework_of(reflection)
        own = reflection.ratings_of(Perspective.PRACTITIONER)
        flagged = {d for d, score in own.items() if score <= 2} | {g.dimension for g in discussion_points(reflection)}
        chosen = flagged or set(own) | set(reflection.ratings_of(Perspective.SUPERVISOR))
        themes = {framework.dimension(d).code_theme for d in chosen}
        return tuple(t for t in CodeTheme if t in themes)

    # -- actions ---------------------------------------------------------------------------------

    def actions_of(self, reflection: Reflection) -> list[Action]:
        """The actions agreed in this reflection."""
        return [a for a in self._store.actions.for_case(reflection.case_id) if a.reflection_id == reflection.id]

    def actions_to_review(self, reflection: Reflection) -> list[Action]:
        """Actions agreed in earlier reflections that are still open, or were reviewed in this one."""
        return _to_review(
            self._store.actions.for_case(reflection.case_id),
            self._store.reflections.for_case(reflection.case_id),
            reflection,
        )

    def actions_looked_back_on(self, reflection: Reflection) -> list[Action]:
        """The actions agreed at earlier sessions that were still to be marked at this one, oldest first.

        Each was either marked in this reflection (its status is how) or left open here, whether or
        not a later session marked it: the evidence for "Was I consistent?" as it stood that day.
        """
        return _looked_back(
            self._store.actions.for_case(reflection.case_id),
            self._store.reflections.for_case(reflection.case_id),
            reflection,
        )

    def add_action(
        self, reflection: Reflection, text: str, *, dimension: str | None = None, due_on: dt.date | None = None
    ) -> Action:
        self._editable(reflection)
        text = one_line(text)
        if not text:
            raise ValidationError("Write what you will do differently, for example \u201cExplain changes first\u201d.")
        if dimension is not None:
            self.framework_of(reflection).dimension(dimension)
        action = Action(new_id(), reflection.case_id, reflection.id, text, dimension, due_on)
        self._store.actions.save(action)
        return action

    def remove_action(self, reflection: Reflection, action: Action) -> None:
        self._editable(reflection)
        if action.reflection_id != reflection.id:
            raise ValidationError("Only actions agreed in this reflection can be removed here.")
        self._store.actions.delete(action.id)

    def review_action(
        self, reflection: Reflection, action: Action, status: ActionStatus, note: str | None = None
    ) -> Action:
        """Mark an earlier action kept, not kept or dropped in this reflection (or open again), with an
        optional note on how it went (None keeps the note it has)."""
        self._editable(reflection)
        reviewed = marked(self._store.actions.get(action.id), status, note, reflection.id)
        self._store.actions.save(reviewed)
        return reviewed

    def carry_forward(self, reflection: Reflection, action: Action) -> Action:
        """Take an earlier action not kept up again in this reflection: a new open action linked to it."""
        self._editable(reflection)
        return carry_into(self._store, action, reflection.id)

    # -- signing and amending ------------------------------------------------------------------------

    def sign(self, reflection: Reflection, supervisor_name: str) -> Reflection:
        """The supervisor signs: the record is locked and its content hash stored."""
        name = _name(supervisor_name)
        if not name:
            raise ValidationError("Type the supervisor's name to sign.")
        stored = self._store.reflections.get(reflection.id)
        blockers = self.sign_blockers(stored if stored.signed else reflection)
        if blockers:
            raise ValidationError(" ".join(blockers))
        draft = self.update(replace(reflection, supervisor=reflection.supervisor or name))
        now = utc_now()
        signed = replace(
            draft,
            status=ReflectionStatus.SIGNED,
            signature=Signature(name, now, reflection_sha256(draft)),
            updated_at=now,
        )
        self._store.reflections.save(signed)
        return signed

    def amend(self, reflection: Reflection, author: str, reason: str, changes: str) -> Reflection:
        """Append an amendment to a signed reflection; the signed original stays as it was."""
        if not reflection.signed:
            raise ValidationError("Only a signed reflection takes amendments; change the draft itself.")
        author, reason, changes = _name(author), multi_line(reason).strip(), multi_line(changes).strip()
        if not (author and reason and changes):
            raise ValidationError("An amendment needs who made it, why, and what changed.")
        amendment = Amendment(new_id(), author, utc_now(), reason, changes)
        self._store.reflections.add_amendment(reflection.id, amendment)
        return self.get(reflection.id)

    def _editable(self, reflection: Reflection) -> None:
        if self._store.reflections.get(reflection.id).signed:
            raise ValidationError("This reflection is signed and cannot be changed. Add an amendment instead.")


def _previous(reflections: Sequence[Reflection], reflection: Reflection) -> Reflection | None:
    earlier = [
        r for r in reflections if (r.session_date, r.created_at) < (reflection.session_date, reflection.created_at)
    ]
    return earlier[-1] if earlier else None


def _to_review(actions: Sequence[Action], reflections: Sequence[Reflection], reflection: Reflection) -> list[Action]:
    earlier = {r.id for r in reflections} - {reflection.id}
    return [
        a
        for a in actions
        if a.reflection_id in earlier and (a.status is ActionStatus.OPEN or a.reviewed_in == reflection.id)
    ]


def _not_kept_before(
    actions: Sequence[Action], reflections: Sequence[Reflection], reflection: Reflection
) -> list[Action]:
    """Actions marked not kept at an earlier session and not taken up again since, except into this one:
    evidence that stays in view, and can still be carried forward here."""
    order = {r.id: (r.session_date, r.created_at) for r in reflections}
    here = order.get(reflection.id, (reflection.session_date, reflection.created_at))
    carried_elsewhere = {a.carried_from for a in actions if a.carried_from and a.reflection_id != reflection.id}
    return [
        a
        for a in actions
        if a.status is ActionStatus.NOT_KEPT
        and a.reviewed_in in order
        and order[a.reviewed_in] < here
        and a.id not in carried_elsewhere
    ]


def _looked_back(actions: Sequence[Action], reflections: Sequence[Reflection], reflection: Reflection) -> list[Action]:
    order = {r.id: (r.session_date, r.created_at) for r in reflections}
    here = order.get(reflection.id, (reflection.session_date, reflection.created_at))
    earlier = {rid for rid, when in order.items() if when < here}
    # Marked here, still open, or marked at a later session: all were still to be marked at this one.
    still_to_mark = {rid for rid, when in order.items() if when >= here}
    chosen = [
        a
        for a in actions
        if a.reflection_id in earlier and (a.status is ActionStatus.OPEN or a.reviewed_in in still_to_mark)
    ]
    return sorted(chosen, key=lambda a: order[a.reflection_id])


def _name(name: str) -> str:
    name = one_line(name)
    if len(name) > MAX_NAME_CHARS:
        raise ValidationError(f"Keep names to {MAX_NAME_CHARS} characters or fewer.")
    return name


def _check(reflection: Reflection, framework: Framework) -> None:
    """A draft that breaks its framework is a bug in the caller; say which part."""
    prompts, dimensions = set(framework.prompt_ids), set(framework.dimension_ids)
    unknown = [p for p in reflection.answers if p not in prompts]
    if unknown:
        raise ValidationError(f"Unknown prompt ids: {', '.join(sorted(unknown))}.")
    if any(len(text) > MAX_ANSWER_CHARS for text in reflection.answers.values()):
        raise ValidationError("An answer is longer than a million characters; split it up.")
    for perspective, scores in reflection.ratings.items():
        bad = [
            d for d, s in scores.items() if d not in dimensions or not framework.scale_min <= s <= framework.scale_max
        ]
        if bad:
            raise ValidationError(f"Ratings out of range for {perspective.value}: {', '.join(sorted(bad))}.")
    if reflection.wellbeing is not None and not framework.scale_min <= reflection.wellbeing <= framework.scale_max:
        raise ValidationError("The wellbeing rating must be on the 0-4 scale.")
