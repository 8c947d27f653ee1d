"""The walkthrough of one reflection: its steps, how complete each is, edits, and what to talk about.

Pure rules over frozen records, so the screens only render them and forward what the user does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from psi_desktop.domain.framework import Framework, PromptMarker
from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    DistressImpact,
    Perspective,
    Reflection,
    ServiceUserSource,
)
from psi_desktop.domain.rules import DISCUSSION_GAP, perspective_gaps

CONTEXT = "context"
SERVICE_USER = "service_user"
SUPERVISOR = "supervisor"
ACTIONS = "actions"
RESTORATIVE = "restorative"
REVIEW = "review"


SECTION_INTROS = {
    "synthesis": "Putting it together: what difference did this relationship make, and what helped?",
}


class StepState(StrEnum):
    EMPTY = "empty"
    STARTED = "started"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"empty": "not started", "started": "started", "complete": "complete"}[self.value]


class StepKind(StrEnum):
    """What a step's screen holds, so screens are built from the step rather than from its id."""

    CONTEXT = "context"  # the session's date and names, then prompts
    PROMPTS = "prompts"  # prompts with their markers' structured answers, then any ratings of the step
    PERSON = "person"  # the person's view: where it comes from, ratings, distress
    SUPERVISOR = "supervisor"  # rated blind, compared once revealed
    REVIEW = "review"  # where things stand, what to talk about, themes, sign-off


@dataclass(frozen=True, slots=True)
class Step:
    """One screen of the walkthrough."""

    id: str
    label: str  # in the step list: "Power"
    title: str  # the heading: "Power \u2014 care rather than control"
    intro: str  # one or two sentences under the heading, or ""
    prompts: tuple[str, ...] = ()  # prompt ids answered here, in order
    dimensions: tuple[str, ...] = ()  # dimension ids rated here, in order
    perspective: Perspective | None = None  # whose ratings (and distress impact) this step sets
    optional: bool = False
    kind: StepKind = StepKind.PROMPTS


def walkthrough_steps(framework: Framework) -> tuple[Step, ...]:
    """Context, the three components, synthesis, the person's view, the supervisor's view, actions,
    "For me", review.

    The "what will I do differently?" prompt is answered on the Actions step, where it becomes
    actions; every other prompt stays in its own section's step.
    """
    actions_prompt = framework.prompt_with_marker(PromptMarker.ACTIONS)
    wellbeing_prompt = framework.prompt_with_marker(PromptMarker.WELLBEING)
    moved = {p.id for p in (actions_prompt, wellbeing_prompt) if p is not None}

    def prompts_of(section_id: str) -> tuple[str, ...]:
        return tuple(p.id for p in framework.prompts_of(section_id) if p.id not in moved)

    all_dimensions = framework.dimension_ids
    steps: list[Step] = [
        Step(
            CONTEXT,
            framework.section(CONTEXT).label if _has_section(framework, CONTEXT) else "Context",
            "Context",
            "The session, and the interaction or period you are reflecting on.",
            prompts_of(CONTEXT),
            kind=StepKind.CONTEXT,
        )
    ]
    for component in framework.components:
        steps.append(
            Step(
                component.id,
                component.label,
                f"{component.label} \u2014 {component.tagline}",
                "",
                prompts_of(component.id),
                tuple(d.id for d in framework.dimensions_of(component.id)),
                Perspective.PRACTITIONER,
            )
        )
    for section in framework.sections:
        if section.id in (CONTEXT, RESTORATIVE) or framework.component_for_section(section.id) is not None:
            continue
        intro = SECTION_INTROS.get(section.id, "")
        steps.append(Step(section.id, section.label, section.label, intro, prompts_of(section.id), (), None))
    steps += [
        Step(
            SERVICE_USER,
            "The person's view",
            "The person's view",
            "If the person told you how it was for them, or gave feedback, record it here with where it "
            "came from. If you are estimating their view, say so: it is marked as your estimate everywhere.",
            (),
            all_dimensions,
            Perspective.SERVICE_USER,
            optional=True,
            kind=StepKind.PERSON,
        ),
        Step(
            SUPERVISOR,
            "Supervisor's view",
            "Supervisor's view",
            "For the supervisor: rate the relationship as you see it. The practitioner's ratings stay hidden "
            "until you press Reveal.",
            (),
            all_dimensions,
            Perspective.SUPERVISOR,
            kind=StepKind.SUPERVISOR,
        ),
        Step(
            ACTIONS,
            "Actions",
            "Actions for next time",
            "Turn what you will do differently into actions. The next reflection on this case asks whether "
            "each was kept.",
            (actions_prompt.id,) if actions_prompt else (),
        ),
        Step(
            RESTORATIVE,
            framework.section(RESTORATIVE).label if _has_section(framework, RESTORATIVE) else "For me",
            "For me",
            "Private to you and your supervisor. It is left out of every export unless you choose to include it.",
            (wellbeing_prompt.id,) if wellbeing_prompt else (),
            optional=True,
        ),
        Step(REVIEW, "Review", "Review and sign off", "", kind=StepKind.REVIEW),
    ]
    return tuple(steps)


def _has_section(framework: Framework, section_id: str) -> bool:
    return any(s.id == section_id for s in framework.sections)


def step_state(
    step: Step,
    reflection: Reflection,
    framework: Framework,
    *,
    actions: Iterable[Action] = (),
    to_review: Iterable[Action] = (),
) -> StepState:
    """How far a step has got. ``actions`` are this reflection's, ``to_review`` earlier open ones."""
    answered = any(reflection.answers.get(p, "").strip() for p in step.prompts)
    if step.id == REVIEW:
        return StepState.COMPLETE if reflection.signed else StepState.EMPTY
    if step.id == CONTEXT:
        return StepState.COMPLETE if answered else StepState.EMPTY
    if step.id == ACTIONS:
        if list(actions):
            return StepState.COMPLETE
        return StepState.STARTED if answered else StepState.EMPTY
    if step.id == RESTORATIVE:
        if reflection.wellbeing is not None:
            return StepState.COMPLETE
        return StepState.STARTED if answered else StepState.EMPTY
    if step.perspective is not None:
        scores = reflection.ratings_of(step.perspective)
        rated = [d for d in step.dimensions if d in scores]
        asks_about_actions = any(framework.prompt(p).marker is PromptMarker.OPEN_ACTIONS for p in step.prompts)
        reviews = list(to_review) if asks_about_actions else []
        reviewed = [a for a in reviews if a.status is not ActionStatus.OPEN]
        complete = len(rated) == len(step.dimensions) and len(reviewed) == len(reviews)
        if step.perspective is Perspective.SERVICE_USER:
            complete = complete and reflection.service_user_source is not None
        if complete:
            return StepState.COMPLETE
        extra = step.perspective in reflection.distress_impact or (
            step.perspective is Perspective.SERVICE_USER and reflection.service_user_source is not None
        )
        return StepState.STARTED if rated or answered or reviewed or extra else StepState.EMPTY
    # Synthesis and any later unrated section: the practitioner's view of the distress is the core.
    has_distress = any(framework.prompt(p).marker is PromptMarker.DISTRESS_IMPACT for p in step.prompts)
    if has_distress and Perspective.PRACTITIONER in reflection.distress_impact:
        return StepState.COMPLETE
    if not has_distress and answered:
        return StepState.COMPLETE
    return StepState.STARTED if answered else StepState.EMPTY


# -- edits ---------------------------------------------------------------------------------------


def with_answer(reflection: Reflection, prompt_id: str, text: str) -> Reflection:
    """The reflection with this answer; an empty answer is no answer."""
    answers = dict(reflection.answers)
    if text.strip():
        answers[prompt_id] = text
    else:
        answers.pop(prompt_id, None)
    return replace(reflection, answers=answers)


def with_answers(reflection: Reflection, texts: Mapping[str, str]) -> Reflection:
    for prompt_id, text in texts.items():
        reflection = with_answer(reflection, prompt_id, text)
    return reflection


def with_rating(reflection: Reflection, perspective: Perspective, dimension: str, score: int | None) -> Reflection:
    """The reflection with this rating set, or cleared when ``score`` is None."""
    ratings = {p: dict(s) for p, s in reflection.ratings.items()}
    scores = ratings.setdefault(perspective, {})
    if score is None:
        scores.pop(dimension, None)
    else:
        scores[dimension] = score
    return replace(reflection, ratings={p: s for p, s in ratings.items() if s})


def with_distress_impact(reflection: Reflection, perspective: Perspective, impact: DistressImpact | None) -> Reflection:
    impacts = dict(reflection.distress_impact)
    if impact is None:
        impacts.pop(perspective, None)
    else:
        impacts[perspective] = impact
    return replace(reflection, distress_impact=impacts)


# -- comparing perspectives ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiscussionPoint:
    """A dimension where two perspectives differ by DISCUSSION_GAP or more, put as a question."""

    dimension: str
    first: Perspective
    second: Perspective
    first_score: int
    second_score: int
    question: str


def discussion_questions(reflection: Reflection, framework: Framework) -> list[DiscussionPoint]:
    """Where the practitioner and the supervisor differ, then the practitioner and the person's view,
    each as a question to talk about, in framework order."""
    points: list[DiscussionPoint] = []
    source = reflection.service_user_source
    for other in (Perspective.SUPERVISOR, Perspective.SERVICE_USER):
        gaps = {g.dimension: g for g in perspective_gaps(reflection, Perspective.PRACTITIONER, other)}
        for dimension in framework.dimensions:
            gap = gaps.get(dimension.id)
            if gap is None or abs(gap.difference) < DISCUSSION_GAP:
                continue
            if other is Perspective.SUPERVISOR:
                question = (
                    f"You rated {dimension.label} {gap.first}, your supervisor {gap.second} "
                    "\u2014 what do you each see?"
                )
            else:
                # No source recorded (None) reads as the plain default.
                sources: dict[ServiceUserSource | None, str] = {
                    ServiceUserSource.TOLD_ME: "the person told you",
                    ServiceUserSource.FEEDBACK_FORM: "their feedback form says",
                    ServiceUserSource.ESTIMATE: "your estimate of their view is",
                    ServiceUserSource.SELF_RATED: "they rated it themselves",
                }
                whose = sources.get(source, "the person's view is")
                question = (
                    f"You rated {dimension.label} {gap.first}; {whose} {gap.second} "
                    "\u2014 what might explain the difference?"
                )
            points.append(
                DiscussionPoint(dimension.id, Perspective.PRACTITIONER, other, gap.first, gap.second, question)
            )
    return points


def sign_blockers(reflection: Reflection, framework: Framework) -> list[str]:
    """What must be done before the supervisor can sign; empty when it is ready."""
    if reflection.signed:
        return ["This reflection is already signed."]
    own = reflection.ratings_of(Perspective.PRACTITIONER)
    missing = [d.label for d in framework.dimensions if d.id not in own]
    if missing:
        return ["Rate every dimension from your own view before signing: " + ", ".join(missing) + "."]
    return []
