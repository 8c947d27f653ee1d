"""The person's own view, in their words: what hand-over mode and the person form ask, in easy read.

One wording for the screen and for paper. Like the easy-read statements in the framework file, it is
ours, not the paper's (provenance "proposed"): short sentences, everyday words, one idea each.
"""

from __future__ import annotations

from dataclasses import dataclass

from psi_desktop.domain.framework import Dimension, Framework, Provenance
from psi_desktop.domain.model import DistressImpact

PROVENANCE = Provenance.PROPOSED
"""Where the wording on this page comes from: written for PSI Desktop, not taken from the paper."""

TITLE = "How has it been with staff?"

CONSENT = (
    "These questions are about how staff have been with you lately.",
    "Your answers help staff think about how they work with you. They are not a test, and there "
    "are no right or wrong answers.",
    "The staff member who gave you this, and the person who supports them at work, will see your "
    "answers. They are kept safe and private.",
    "You can skip any question. You can stop at any time.",
)

ANSWER_HOW = "For each sentence, choose how true it is for you."

RATHER_NOT_SAY = "I'd rather not say"

CHANGE_QUESTION = "Since we last talked, have things got better, stayed the same or got worse for you?"


@dataclass(frozen=True, slots=True)
class ChangeChoice:
    """One answer to CHANGE_QUESTION and the distress impact it is recorded as."""

    label: str
    impact: DistressImpact


CHANGE_CHOICES = (
    ChangeChoice("Better", DistressImpact.ALLEVIATED),
    ChangeChoice("The same", DistressImpact.MAINTAINED),
    ChangeChoice("Worse", DistressImpact.INCREASED),
    ChangeChoice("Not sure", DistressImpact.UNSURE),
)

WORDS_QUESTION = "Anything you want staff to know?"
WORDS_HINT = "You can leave this empty."

THANKS = ("Thank you for your answers.", "Please give the laptop back to the staff member now.")


def statements(framework: Framework) -> tuple[Dimension, ...]:
    """The dimensions the person can rate themselves, in framework order (those with a statement)."""
    return tuple(d for d in framework.dimensions if d.easy_read is not None)


def change_label(impact: DistressImpact | None) -> str:
    """The person's own word for a recorded distress impact ("Better"), or "" if none fits."""
    for choice in CHANGE_CHOICES:
        if choice.impact is impact:
            return choice.label
    return ""
