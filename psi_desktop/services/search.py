"""Search across reflections: the one search the app's search screen and ``psi-desktop search`` both use.

What is typed is taken as plain words (any punctuation is just text; see storage.search.fts_query).
Hits come newest session first, each saying what it is (an answer to which prompt, an action, an
amendment), with a snippet whose matched words are marked, and the walkthrough step that shows it.

Filters: a case; a date range (of the session date, both ends included); the reflection's status;
and a dimension. A **dimension** (say Trust, ``safety.trust``) keeps the answers to the prompts of
the step that rates its component (the Safety step's prompts) and the actions tagged with that
dimension; a **component** (Safety) keeps the same answers and the actions tagged with any of its
dimensions. Amendments belong to no dimension, so a dimension filter leaves them out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import ReflectionStatus
from psi_desktop.domain.search import HitKind, SearchScope, TextHit, step_of
from psi_desktop.domain.walkthrough import REVIEW, walkthrough_steps
from psi_desktop.errors import NotFoundError, ValidationError
from psi_desktop.frameworks import FrameworkError, FrameworkRegistry
from psi_desktop.storage.search import fts_query

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

LIMIT = 100
"""At most this many hits, the newest; SearchResult.more says when there were more."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One answer, action or amendment with the words in it."""

    kind: HitKind
    reflection_id: uuid.UUID
    case_id: uuid.UUID
    case_code: str
    session_date: dt.date
    status: ReflectionStatus
    what: str  # "Answer to \u201cIs there trust between us?\u201d", "Action", "Amendment"
    step_id: str  # the walkthrough step that shows it
    step_label: str  # that step's name: "Safety"
    record: str  # the prompt id of an answer; the id of an action or amendment
    snippet: str  # matched words between domain.search.MATCH_START and MATCH_END; see snippet_parts, marked


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: tuple[Hit, ...]
    more: bool  # there were more hits than LIMIT: these are the newest
    has_words: bool  # False when the query holds no word to look for (empty, or only punctuation)
    filtered: bool  # a filter was on


@dataclass(frozen=True, slots=True)
class DimensionChoice:
    """A dimension or a whole component, as a filter offers it."""

    id: str  # a dimension id, or a component id for the whole component
    label: str  # "Safety: Trust", or "Safety (all)"
    component: bool


def dimension_choices(profile: Profile) -> list[DimensionChoice]:
    """Each component of the current framework, followed by its dimensions, in framework order."""
    framework = profile.frameworks.latest("psi")
    choices = []
    for component in framework.components:
        choices.append(DimensionChoice(component.id, f"{component.label} (all)", True))
        for dimension in framework.dimensions_of(component.id):
            choices.append(DimensionChoice(dimension.id, f"{component.label}: {dimension.label}", False))
    return choices


def find_dimension(profile: Profile, text: str) -> DimensionChoice:
    """The dimension or component ``text`` names: by id (a dimension or a component) or by label ("Trust",
    "Safety"), in any case. ValidationError listing the ids when it names none."""
    wanted = " ".join(text.split()).casefold()
    framework = profile.frameworks.latest("psi")
    for choice in dimension_choices(profile):
        names = {choice.id.casefold()}
        if choice.component:
            names.add(framework.component(choice.id).label.casefold())
        else:
            names.add(framework.dimension(choice.id).label.casefold())
        if wanted in names:
            return choice
    ids = ", ".join(c.id for c in dimension_choices(profile))
    raise ValidationError(f"There is no dimension or component by that name. Use one of: {ids}.")


def search_reflections(
    profile: Profile,
    query: str,
    *,
    case_id: uuid.UUID | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: ReflectionStatus | None = None,
    dimension: str | None = None,
    limit: int = LIMIT,
) -> SearchResult:
    """Answers, actions and amendments holding every word of ``query``, newest session first.

    ``dimension`` is a dimension or component id (see find_dimension). Never raises for what the
    query holds; ValidationError for a "from" date after the "to" date or an unknown dimension,
    NotFoundError for a case that is gone.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationError("The \u201cfrom\u201d date is after the \u201cto\u201d date. Swap them, or change one.")
    if case_id is not None:
        profile.cases.get(case_id)  # NotFoundError when it is gone
    scope = SearchScope(case_id=case_id, date_from=date_from, date_to=date_to, status=status)
    if dimension is not None:
        scope = _with_dimension(scope, profile.frameworks, dimension)
    filtered = any(v is not None for v in (case_id, date_from, date_to, status, dimension))
    if fts_query(query) is None:
        return SearchResult((), False, False, filtered)
    found, more = profile.store.search.find(query, scope, limit)
    return SearchResult(tuple(_hits(profile.frameworks, found)), more, True, filtered)


def case_for_code(profile: Profile, code: str) -> uuid.UUID:
    """The id of the case ``code`` names; NotFoundError when there is none."""
    case = profile.cases.find(code)
    if case is None:
        raise NotFoundError("There is no case with that code. psi-desktop cases lists the codes.")
    return case.id


def _with_dimension(scope: SearchScope, frameworks: FrameworkRegistry, dimension: str) -> SearchScope:
    """The scope narrowed to a dimension or component id, over every framework the profile has."""
    prompts: set[str] = set()
    dimensions: set[str] = set()
    known = False
    for framework in frameworks:
        component = _component_of(framework, dimension)
        if component is None:
            continue
        known = True
        dimensions |= {d.id for d in framework.dimensions_of(component)} if dimension == component else {dimension}
        for step in walkthrough_steps(framework):
            if step.id == component:
                prompts |= set(step.prompts)
    if not known:
        raise ValidationError("There is no dimension or component by that name.")
    return SearchScope(
        case_id=scope.case_id,
        date_from=scope.date_from,
        date_to=scope.date_to,
        status=scope.status,
        prompts=frozenset(prompts),
        action_dimensions=frozenset(dimensions),
        amendments=False,
    )


def _component_of(framework: Framework, dimension: str) -> str | None:
    if any(c.id == dimension for c in framework.components):
        return dimension
    for d in framework.dimensions:
        if d.id == dimension:
            return d.component
    return None


def _hits(frameworks: FrameworkRegistry, found: Iterable[TextHit]) -> list[Hit]:
    steps: dict[tuple[str, int], dict[str, str]] = {}
    hits = []
    for text_hit in found:
        try:
            framework: Framework | None = frameworks.get(*text_hit.framework)
        except FrameworkError:
            framework = None  # kept by no bundle here: the hit still shows, and opens as the app can
        if framework is not None and framework.key not in steps:
            steps[framework.key] = {s.id: s.label for s in walkthrough_steps(framework)}
        step_id = step_of(framework, text_hit.kind, text_hit.record) if framework is not None else REVIEW
        labels = steps.get(text_hit.framework, {})
        hits.append(
            Hit(
                kind=text_hit.kind,
                reflection_id=text_hit.reflection_id,
                case_id=text_hit.case_id,
                case_code=text_hit.case_code,
                session_date=text_hit.session_date,
                status=text_hit.status,
                what=_what(framework, text_hit),
                step_id=step_id,
                step_label=labels.get(step_id, step_id.capitalize()),
                record=text_hit.record,
                snippet=text_hit.snippet,
            )
        )
    return hits


def _what(framework: Framework | None, hit: TextHit) -> str:
    if hit.kind is not HitKind.ANSWER:
        return hit.kind.label
    try:
        prompt = framework.prompt(hit.record) if framework is not None else None
    except KeyError:
        prompt = None
    return f"Answer to \u201c{prompt.text}\u201d" if prompt is not None else "Answer"
