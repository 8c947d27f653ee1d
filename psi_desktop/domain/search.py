"""Search across reflections: what a hit is, what a search is narrowed to, and where a hit sits in the walkthrough.

The store finds the words (storage.search); the rules here say what each hit is and which step of the
walkthrough holds it, so the app can open the reflection there.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import ReflectionStatus
from psi_desktop.domain.walkthrough import ACTIONS, REVIEW, walkthrough_steps

MATCH_START = "\x02"
MATCH_END = "\x03"
"""Around each matched word in a snippet: control characters, which no stored text holds (domain.text)."""


class HitKind(StrEnum):
    ANSWER = "answer"
    ACTION = "action"
    AMENDMENT = "amendment"

    @property
    def label(self) -> str:
        return {"answer": "Answer", "action": "Action", "amendment": "Amendment"}[self.value]


@dataclass(frozen=True, slots=True)
class SearchScope:
    """What a search looks in, beside its words: every field None (or True) looks everywhere.

    ``prompts`` keeps answers to these prompts only, ``action_dimensions`` actions tagged with these
    dimensions only, and ``amendments`` False leaves amendments out (the service sets these three for
    a dimension; see services.search).
    """

    case_id: uuid.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: ReflectionStatus | None = None
    prompts: frozenset[str] | None = None
    action_dimensions: frozenset[str] | None = None
    amendments: bool = True


@dataclass(frozen=True, slots=True)
class TextHit:
    """Words found in one answer, action or amendment, as the store gives it.

    ``record`` is the prompt id of an answer, the id of an action or amendment. ``snippet`` is the
    text around the match, each matched word between MATCH_START and MATCH_END.
    """

    kind: HitKind
    reflection_id: uuid.UUID
    case_id: uuid.UUID
    case_code: str
    session_date: dt.date
    created_at: str  # the reflection's, as stored: sessions of one day are told apart by it
    status: ReflectionStatus
    framework: tuple[str, int]
    record: str
    snippet: str
    rowid: int  # the order it was written in, among its kind


def newest_first(hits: Iterable[TextHit]) -> list[TextHit]:
    """Newest session first; within one reflection answers, then actions, then amendments, each as written."""
    kinds = list(HitKind)
    ordered = sorted(hits, key=lambda h: (kinds.index(h.kind), h.rowid))
    ordered.sort(key=lambda h: (h.session_date, h.created_at, str(h.reflection_id)), reverse=True)
    return ordered


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """(text, matched) pieces of a snippet, in order: for a screen to show the matched words bold."""
    parts: list[tuple[str, bool]] = []
    for n, piece in enumerate(snippet.split(MATCH_START)):
        if n == 0:
            matched, rest = "", piece
        else:
            matched, _, rest = piece.partition(MATCH_END)
        if matched:
            parts.append((matched, True))
        if rest:
            parts.append((rest, False))
    return parts


def marked(snippet: str, start: str = "[", end: str = "]") -> str:
    """The snippet with each matched word between ``start`` and ``end``, e.g. for a terminal."""
    return "".join(f"{start}{text}{end}" if matched else text for text, matched in snippet_parts(snippet))


def plain(snippet: str) -> str:
    return snippet.replace(MATCH_START, "").replace(MATCH_END, "")


def step_of(framework: Framework, kind: HitKind, record: str) -> str:
    """The id of the walkthrough step that shows this answer, action or amendment.

    An answer is on the step that asks its prompt (the "what will I do differently?" prompt on
    Actions, as the walkthrough places it); an action on Actions; an amendment on Review, beside the
    signature. An answer to a prompt no step asks (a framework changed) opens at Review.
    """
    if kind is HitKind.ACTION:
        return ACTIONS
    if kind is HitKind.ANSWER:
        for step in walkthrough_steps(framework):
            if record in step.prompts:
                return step.id
    return REVIEW
