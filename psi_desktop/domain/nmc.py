"""The NMC's revalidation forms: their words, the accounts as the practitioner writes them, and the
starting points PSI Desktop offers from a signed reflection.

The wording follows the NMC's reflective accounts form and reflective discussion form and its
revalidation pages (nmc.org.uk/revalidation/requirements/written-reflective-accounts and
.../reflective-discussion). The Code's four theme labels are the framework's (resources/frameworks),
so they are written in one place; ``relevance_question`` puts them into the fourth question.

Starting points are prompts, never answers: they are shown beside each question for the practitioner
to read, and only what the practitioner writes (or copies in from their own answers) is printed.
They leave out the supervisor's name, the case code and the exact date, as the NMC asks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from psi_desktop.domain.framework import CodeTheme, Framework, PromptRole
from psi_desktop.domain.model import Action, ActionStatus, Perspective, Reflection
from psi_desktop.domain.rules import DISCUSSION_GAP, discussion_points

ACCOUNTS_ASKED = 5
YEARS = 3
ASKED = "The NMC asks for five written reflective accounts over the three years before you revalidate."

THEME_DASH = " \u2013 "
"""Between the themes in the fourth question, as the form prints them."""

ANSWERS = ("nature", "learned", "changed", "relevance")
"""The four answers of a reflective account, in the form's order (also their names in the store)."""

QUESTIONS = {
    "nature": "What was the nature of the CPD activity and/or practice-related feedback and/or event or "
    "experience in your practice?",
    "learned": "What did you learn from the CPD activity and/or feedback and/or event or experience in your practice?",
    "changed": "How did you change or improve your practice as a result?",
    "relevance": "How is this relevant to the Code?",
}
"""The form's questions, word for word; the fourth goes on with the themes (``relevance_question``)."""

ACCOUNT_INSTRUCTION = (
    "You must use this form to record five written reflective accounts on your CPD and/or practice-related "
    "feedback and/or an event or experience in your practice and how this relates to the Code. Please fill in a "
    "page for each of your reflective accounts, making sure you do not include any information that might "
    "identify a specific patient, service user, colleague or other individual."
)
DISCUSSION_INSTRUCTION = (
    "You must use this form to record a reflective discussion with another NMC registrant about your five written "
    "reflective accounts, and how they relate to the Code. Please make sure you do not include any information "
    "that might identify a specific patient, service user, colleague or other individual."
)
PARTNER_SIGNS = (
    "The NMC registrant with whom you had your reflective discussion signs this form, recording their name, "
    "NMC Pin, email, professional address and postcode, as well as the date you had the discussion."
)
DATA_PROTECTION = (
    "Please make sure you respect the fact that this form contains personal data about your reflective "
    "discussion partner, and that you uphold your obligations in relation to confidentiality and data protection."
)

# Which prompts' answers are the practitioner's own words for a question: by the role the framework
# file gives a prompt, so no id is named here; a framework without those roles offers fewer points.
OWN_WORDS = {
    "nature": (PromptRole.CONTEXT,),
    "learned": (PromptRole.HELPFUL,),
    "changed": (PromptRole.NEXT_TIME,),
}

_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def month(day: dt.date) -> str:
    """ "September 2026": how an account dates its session, enough and not identifying."""
    return f"{_MONTHS[day.month - 1]} {day.year}"


def relevance_question(theme_labels: Sequence[str]) -> str:
    """The fourth question as the form prints it, with the Code's themes."""
    return f"{QUESTIONS['relevance']} Select one or more themes: {THEME_DASH.join(theme_labels)}"


@dataclass(frozen=True, slots=True)
class StartingPoint:
    """A prompt drawn from the signed reflection, shown beside a question and never printed.

    ``own_words`` is True when ``text`` is the practitioner's own answer in the reflection, which
    they may copy into their account; the rest are PSI Desktop's summaries, to read and think with.
    """

    label: str
    text: str
    own_words: bool = False


@dataclass(slots=True)
class ReflectiveAccount:
    """One NMC reflective account: what the practitioner wrote, and the reflection it comes from.

    The four answers start empty; ``themes`` start as ``reflection_themes``, those ticked in the
    reflection itself. ``starting`` holds the prompts for each answer (by name in ANSWERS); they are
    never printed.
    """

    reflection_id: uuid.UUID
    case_code: str
    session_date: dt.date
    nature: str = ""
    learned: str = ""
    changed: str = ""
    relevance: str = ""
    themes: list[CodeTheme] = field(default_factory=list)
    reflection_themes: tuple[CodeTheme, ...] = ()
    starting: Mapping[str, tuple[StartingPoint, ...]] = field(default_factory=dict)

    def answer(self, name: str) -> str:
        if name not in ANSWERS:
            raise KeyError(name)
        text: str = getattr(self, name)
        return text

    @property
    def written(self) -> bool:
        """Whether the practitioner has written anything in it: only then is it printed."""
        return any(self.answer(name).strip() for name in ANSWERS)

    @property
    def untouched(self) -> bool:
        """Whether it is as it started: nothing written and the themes of the reflection ticked."""
        return not self.written and set(self.themes) == set(self.reflection_themes)


@dataclass(slots=True)
class ReflectiveDiscussion:
    """The NMC reflective discussion form: the registrant, their partner, when, and what it covered."""

    registrant_name: str = ""
    registrant_pin: str = ""
    partner_name: str = ""
    nmc_pin: str = ""
    email: str = ""
    professional_address: str = ""
    postcode: str = ""
    date: dt.date | None = None
    summary: str = ""


# --- summaries of a reflection's ratings ------------------------------------------------------------


def lowest_rated(ratings: Mapping[str, int], order: Sequence[str]) -> tuple[int, tuple[str, ...]] | None:
    """The lowest rating given and the dimensions (in ``order``) that got it; None if none is rated.

    Only the lowest: with ratings 2, 1, 2, 3 that is the one dimension rated 1, not all those at 2 or less.
    """
    rated = [d for d in order if d in ratings]
    if not rated:
        return None
    low = min(ratings[d] for d in rated)
    return low, tuple(d for d in rated if ratings[d] == low)


def _listing(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _rating(framework: Framework, value: int) -> str:
    try:
        return f"{value} ({framework.scale_label(value)})"
    except KeyError:
        return str(value)


def _label(framework: Framework, dimension_id: str) -> str:
    try:
        return framework.dimension(dimension_id).label
    except KeyError:
        return dimension_id


def _own_words(reflection: Reflection, framework: Framework, name: str) -> list[StartingPoint]:
    points = []
    for role in OWN_WORDS.get(name, ()):
        prompt = framework.prompt_with_role(role)
        answer = framework.answer_with_role(reflection.answers, role)
        if prompt is not None and answer:
            points.append(StartingPoint(f"Your answer to \u201c{prompt.text}\u201d", answer, True))
    return points


def _lowest_point(reflection: Reflection, framework: Framework) -> StartingPoint | None:
    found = lowest_rated(reflection.ratings_of(Perspective.PRACTITIONER), framework.dimension_ids)
    if found is None:
        return None
    value, dims = found
    rated = [d for d in framework.dimension_ids if d in reflection.ratings_of(Perspective.PRACTITIONER)]
    if len(dims) == len(rated) and len(rated) > 1:
        return StartingPoint(
            "Your ratings", f"You rated all {len(rated)} dimensions the same: {_rating(framework, value)}."
        )
    noun = "dimension" if len(dims) == 1 else "dimensions"
    labels = _listing([_label(framework, d) for d in dims])
    return StartingPoint(f"Your lowest-rated {noun}", f"{labels}, rated {_rating(framework, value)}.")


def _gaps_point(reflection: Reflection, framework: Framework) -> StartingPoint | None:
    if not (reflection.ratings_of(Perspective.PRACTITIONER) and reflection.ratings_of(Perspective.SUPERVISOR)):
        return None
    label = f"Dimensions where you and your supervisor differed by {DISCUSSION_GAP} or more"
    order = {d: i for i, d in enumerate(framework.dimension_ids)}
    gaps = sorted(discussion_points(reflection), key=lambda g: order.get(g.dimension, len(order)))
    if not gaps:
        return StartingPoint(label, f"None: you were within {DISCUSSION_GAP - 1} of each other on every dimension.")
    parts = [f"{_label(framework, g.dimension)} (you {g.first}, your supervisor {g.second})" for g in gaps]
    return StartingPoint(label, "; ".join(parts) + ".")


def _distress_point(reflection: Reflection) -> StartingPoint | None:
    impact = reflection.distress_impact.get(Perspective.PRACTITIONER)
    if impact is None:
        return None
    return StartingPoint("How you saw the impact on the person's distress", f"{impact.value.capitalize()}.")


def _actions_point(label: str, actions: Sequence[Action], with_status: bool) -> StartingPoint | None:
    if not actions:
        return None
    lines = [f"\u2022 {a.text.strip()}" + (f" ({a.status.label.lower()})" if with_status else "") for a in actions]
    return StartingPoint(label, "\n".join(lines))


def _themes_points(reflection: Reflection, framework: Framework) -> list[StartingPoint]:
    points = []
    if reflection.code_themes:
        labels = [framework.code_theme_label(t) for t in CodeTheme if t in reflection.code_themes]
        points.append(StartingPoint("Code themes ticked in your reflection", _listing(labels) + "."))
    lowest = lowest_rated(reflection.ratings_of(Perspective.PRACTITIONER), framework.dimension_ids)
    dims = set(lowest[1] if lowest else ()) | {g.dimension for g in discussion_points(reflection)}
    linked = []
    for theme in CodeTheme:
        names = [d.label for d in framework.dimensions if d.id in dims and d.code_theme is theme]
        if names:
            linked.append(f"{framework.code_theme_label(theme)} ({', '.join(names)})")
    if linked:
        points.append(
            StartingPoint(
                "Code themes the framework links to your lowest-rated dimensions and those you and your "
                "supervisor differed on (a suggestion)",
                "; ".join(linked) + ".",
            )
        )
    return points


def starting_points(
    reflection: Reflection, framework: Framework, agreed: Sequence[Action], reviewed: Sequence[Action]
) -> dict[str, tuple[StartingPoint, ...]]:
    """The prompts for each answer of the account of ``reflection`` (a signed one).

    ``agreed`` are the actions agreed in it, ``reviewed`` those from earlier sessions it reviewed.
    """
    kept = [a for a in reviewed if a.status is ActionStatus.KEPT]
    learned = [*_own_words(reflection, framework, "learned")]
    changed = [*_own_words(reflection, framework, "changed")]
    session = StartingPoint(
        "The session", f"Reflective clinical supervision in {month(reflection.session_date)}, using {framework.name}."
    )
    for point in (
        _gaps_point(reflection, framework),
        _lowest_point(reflection, framework),
        _distress_point(reflection),
    ):
        if point is not None:
            learned.append(point)
    for point in (
        _actions_point("Actions from the session before that you kept", kept, with_status=False),
        _actions_point("Actions agreed in this session, as they stand now", agreed, with_status=True),
    ):
        if point is not None:
            changed.append(point)
    return {
        "nature": (session, *_own_words(reflection, framework, "nature")),
        "learned": tuple(learned),
        "changed": tuple(changed),
        "relevance": tuple(_themes_points(reflection, framework)),
    }


def account_header(account: ReflectiveAccount, practitioner: str, *, linked: bool = False) -> list[tuple[str, str]]:
    """The rows printed under an account's title: no case code, supervisor or exact date unless ``linked``."""
    rows = [("Name", practitioner.strip() or "\u2013")]
    if linked:
        rows += [
            ("Case", account.case_code),
            ("Session date", f"{account.session_date.day} {month(account.session_date)}"),
        ]
    else:
        rows.append(("Month", month(account.session_date)))
    return rows
