"""What the person form and the summary to share back say that the screen does not, in plain words.

The questions themselves come from domain.person_view, one wording for the screen and for paper;
here is only what paper needs besides (tick a box, give the form back, what supervision is) and the
summary's topics: each dimension put as something "we talked about", in the person's words. Like
the easy-read statements, all of it is ours, not the paper's (provenance "proposed").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from psi_desktop.domain import person_view
from psi_desktop.domain.framework import Dimension, Framework, Provenance
from psi_desktop.domain.model import Action, Perspective, Reflection, ServiceUserSource

PROVENANCE = Provenance.PROPOSED
"""Where the wording on this page comes from: written for PSI Desktop, not taken from the paper."""

# --- the person form ------------------------------------------------------------------------------

FOR_LINE = "For:"
"""Before the label the practitioner chose (a first name, initials), when they chose one."""
DATE_LINE = "Today's date:"
TICK_ONE = "Tick one box for each sentence."
FORM_THANKS = "Please give this form back to the staff member who gave it to you."
"""In place of hand-over mode's "Please give the laptop back…"."""
FOR_STAFF = "For staff"
TYPE_IN = (
    "Type these answers into PSI Desktop as the person's own view: choose \u201cFeedback form\u201d as where "
    "the view comes from. The sentences are in the same order as in PSI Desktop."
)
TYPED_IN_LINE = "Typed into PSI Desktop on:"
STATEMENTS_PROPOSED = "These sentences were written for PSI Desktop (proposed); they are not from the study."

# --- the summary to share back --------------------------------------------------------------------

SUMMARY_TITLE = "After supervision: a summary for you"
WHAT_SUPERVISION_IS = (
    "Staff meet regularly with someone who supports them at work, to think about how they work with "
    "people and how to do it better. This is called supervision."
)
TALKED_ABOUT = "What we talked about"
STAFF_WILL = "What staff will do differently"
NOTHING_AGREED = "Nothing new was agreed this time."
YOU_TOLD_US = "What you told us"
THE_SENTENCE = "The sentence"
YOUR_ANSWER = "Your answer"
YOUR_WORDS = "In your own words:"
THANK_YOU = "Thank you for telling us what you think."
DRAFT_NOTE = "This is a draft: what staff will do may still change."
TOPICS_PROPOSED = "The sentences on this page were written for PSI Desktop (proposed); they are not from the study."

_SOURCE_INTROS = {
    ServiceUserSource.SELF_RATED: "You answered these questions yourself. This is what you said.",
    ServiceUserSource.FEEDBACK_FORM: "This is what you said on your feedback form.",
    ServiceUserSource.TOLD_ME: "This is what you told staff.",
}

TOPICS: dict[str, str] = {
    "power.protective": "Whether staff used their power to protect you, not to control you",
    "power.choice": "Whether you had a real say in decisions about you",
    "power.transparency": "Whether staff told you honestly about the rules and the reasons for them",
    "safety.consistency": "Whether staff did what they told you they would do",
    "safety.felt_safe": "Whether you felt safe with staff",
    "safety.trust": "Whether you could trust staff",
    "identity.personhood": "Whether staff treated you as a person, not a number",
    "identity.equality": "Whether staff treated you as an equal",
    "identity.positive_self": "Whether staff helped you feel good about who you are",
}
"""Each dimension of the PSI framework as a topic, in the person's words (from its easy-read statement)."""


def session_line(day_text: str) -> str:
    """E.g. "This page tells you about the supervision on 13 October 2026."."""
    return f"This page tells you about the supervision on {day_text}."


def topic(dimension: Dimension) -> str:
    """What we talked about, for one dimension: its topic, else its easy-read statement, else its label."""
    if dimension.id in TOPICS:
        return TOPICS[dimension.id]
    if dimension.easy_read is not None:
        return f"The sentence \u201c{dimension.easy_read.text}\u201d"
    return dimension.label


def own_view(reflection: Reflection) -> bool:
    """Whether the reflection holds the person's own view (never an estimate, never an unknown source)."""
    source = reflection.service_user_source
    return source is not None and source.own_view


def source_intro(source: ServiceUserSource) -> str:
    """How "What you told us" begins, by where the person's view came from ("" for an estimate)."""
    return _SOURCE_INTROS.get(source, "")


# --- what the summary prints -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryContent:
    """What the summary to share back prints, and nothing more: reporting.share_back lays it out."""

    session_date: dt.date
    topics: tuple[str, ...]  # the chosen topics' wording, in framework order
    actions: tuple[str, ...]  # the actions' text, as written
    told_us: tuple[tuple[str, str], ...] = ()  # (statement, their answer in the scale's words)
    change: str = ""  # their answer to the change question ("Better"), or ""
    words: str = ""  # their own words, as written
    source_intro: str = ""  # how "What you told us" begins; "" when there is no own view
    label: str = ""
    draft: bool = False

    @property
    def has_own_view(self) -> bool:
        return bool(self.source_intro) and bool(self.told_us or self.change or self.words.strip())


def summary_content(
    reflection: Reflection,
    framework: Framework,
    actions: Sequence[Action],
    topic_ids: Sequence[str],
    *,
    label: str = "",
) -> SummaryContent:
    """Everything the summary will print, taken from the reflection (and nothing else of it).

    ``topic_ids`` are dimension ids; the person's view is taken only when it is their own (not an
    estimate, and not of an unknown source).
    """
    chosen = set(topic_ids)
    topics = tuple(topic(d) for d in framework.dimensions if d.id in chosen)
    told_us: tuple[tuple[str, str], ...] = ()
    change = words = intro = ""
    source = reflection.service_user_source
    if source is not None and own_view(reflection):
        theirs = reflection.ratings_of(Perspective.SERVICE_USER)
        told_us = tuple(
            (d.easy_read.text, _anchor(framework, theirs[d.id]))
            for d in person_view.statements(framework)
            if d.easy_read is not None and d.id in theirs
        )
        change = person_view.change_label(reflection.distress_impact.get(Perspective.SERVICE_USER))
        words = reflection.service_user_words
        intro = source_intro(source)
    return SummaryContent(
        session_date=reflection.session_date,
        topics=topics,
        actions=tuple(a.text for a in actions),
        told_us=told_us,
        change=change,
        words=words,
        source_intro=intro,
        label=" ".join(label.split())[:60],
        draft=not reflection.signed,
    )


def _anchor(framework: Framework, value: int) -> str:
    try:
        return framework.scale_label(value)
    except KeyError:
        return str(value)
