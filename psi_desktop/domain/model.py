"""Cases, reflections and actions: the records PSI Desktop keeps."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from psi_desktop.domain.framework import CodeTheme


class Perspective(StrEnum):
    PRACTITIONER = "practitioner"
    SUPERVISOR = "supervisor"
    SERVICE_USER = "service_user"

    @property
    def label(self) -> str:
        return _PERSPECTIVE_LABELS[self]


_PERSPECTIVE_LABELS = {
    Perspective.PRACTITIONER: "Practitioner",
    Perspective.SUPERVISOR: "Supervisor",
    Perspective.SERVICE_USER: "Service user",
}


class ReflectionStatus(StrEnum):
    DRAFT = "draft"
    DISCUSSED = "discussed"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    NOT_KEPT = "not_kept"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DistressImpact(StrEnum):
    """The paper's central outcome: did the relationship increase, maintain or alleviate distress?"""

    INCREASED = "increased"
    MAINTAINED = "maintained"
    ALLEVIATED = "alleviated"
    UNSURE = "unsure"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TraumaEcho(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class ServiceUserSource(StrEnum):
    TOLD_ME = "told_me"
    FEEDBACK_FORM = "feedback_form"
    ESTIMATE = "estimate"
    SELF_RATED = "self_rated"  # the person rated it themselves, in hand-over mode

    @property
    def label(self) -> str:
        """Where the service user's view came from, as a perspective's name says it: "your estimate"."""
        return _SOURCE_LABELS[self]

    @property
    def own_view(self) -> bool:
        """Whether ratings with this source are the person's own view (everything but an estimate)."""
        return self is not ServiceUserSource.ESTIMATE


_SOURCE_LABELS = {
    ServiceUserSource.TOLD_ME: "they told me",
    ServiceUserSource.FEEDBACK_FORM: "feedback form",
    ServiceUserSource.ESTIMATE: "your estimate",
    ServiceUserSource.SELF_RATED: "rated it themselves",
}


def perspective_name(
    perspective: Perspective, source: ServiceUserSource | None = None, *, with_source: bool = False
) -> str:
    """The one name of a perspective, on every screen and every page.

    An estimate of the service user's view always says so: "Service user (your estimate)", so
    nobody takes it for what the person said. ``with_source`` also names where their own view
    came from ("Service user (they told me)"), for a table of one reflection; left out, their own
    view is plain "Service user" (a line or column that pools several sources).
    """
    if perspective is not Perspective.SERVICE_USER or source is None:
        return perspective.label
    if source is ServiceUserSource.ESTIMATE or with_source:
        return f"{perspective.label} ({source.label})"
    return perspective.label


def is_estimate(perspective: Perspective, source: ServiceUserSource | None) -> bool:
    """Whether ratings from ``perspective`` with this source are an estimate of someone else's view."""
    return perspective is Perspective.SERVICE_USER and source is ServiceUserSource.ESTIMATE


Ratings = Mapping[Perspective, Mapping[str, int]]


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def utc_now() -> dt.datetime:
    """Now, in UTC, to the second (records and bundles carry whole seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Case:
    """A relationship with one service user, under a pseudonymised code such as "Ward 3 - A"."""

    id: uuid.UUID
    code: str
    setting: str = ""
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    notes: str = ""

    @property
    def archived(self) -> bool:
        return self.closed_on is not None


@dataclass(frozen=True, slots=True)
class Signature:
    signed_by: str
    signed_at: dt.datetime
    content_sha256: str


@dataclass(frozen=True, slots=True)
class Amendment:
    """A change made after signing: appended, never edited; the signed original stays."""

    id: uuid.UUID
    author: str
    made_at: dt.datetime
    reason: str
    changes: str


@dataclass(frozen=True, slots=True)
class Reflection:
    """One supervision reflection on a case, made with one framework version."""

    id: uuid.UUID
    case_id: uuid.UUID
    framework_id: str
    framework_version: int
    session_date: dt.date
    practitioner: str = ""
    supervisor: str = ""
    answers: Mapping[str, str] = field(default_factory=dict)
    ratings: Ratings = field(default_factory=dict)
    service_user_source: ServiceUserSource | None = None
    # What the person wrote for staff in hand-over mode ("Anything you want staff to know?"), as typed.
    service_user_words: str = ""
    trauma_echo: TraumaEcho | None = None
    distress_impact: Mapping[Perspective, DistressImpact] = field(default_factory=dict)
    code_themes: tuple[CodeTheme, ...] = ()
    wellbeing: int | None = None
    status: ReflectionStatus = ReflectionStatus.DRAFT
    signature: Signature | None = None
    amendments: tuple[Amendment, ...] = ()
    created_at: dt.datetime = field(default_factory=utc_now)
    updated_at: dt.datetime = field(default_factory=utc_now)

    @property
    def signed(self) -> bool:
        return self.status is ReflectionStatus.SIGNED

    def ratings_of(self, perspective: Perspective) -> Mapping[str, int]:
        return self.ratings.get(perspective, {})


@dataclass(frozen=True, slots=True)
class Action:
    """Something agreed in supervision: "what will I do differently at the next contact?"."""

    id: uuid.UUID
    case_id: uuid.UUID
    reflection_id: uuid.UUID
    text: str
    dimension: str | None = None
    due_on: dt.date | None = None
    status: ActionStatus = ActionStatus.OPEN
    reviewed_in: uuid.UUID | None = None
    # How it went, in the reviewer's words (optional), and when it was marked kept, not kept or dropped.
    review_note: str = ""
    reviewed_at: dt.datetime | None = None
    # The action not kept that this one takes up again ("carried forward"), if any.
    carried_from: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case with the figures the case list shows."""

    case: Case
    reflection_count: int
    last_session: dt.date | None
    open_actions: int
    overdue_actions: int = 0  # open and due before the day the summaries were made for
    practitioner: Practitioner | None = None  # whose case it is; None: the profile owner's own


@dataclass(frozen=True, slots=True)
class ReflectionOutline:
    """A reflection as a list names it, without its content: its date, status, signature and when it was saved."""

    id: uuid.UUID
    case_id: uuid.UUID
    session_date: dt.date
    status: ReflectionStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    amendment_count: int = 0

    @property
    def signed(self) -> bool:
        return self.status is ReflectionStatus.SIGNED


@dataclass(frozen=True, slots=True)
class SearchHit:
    reflection_id: uuid.UUID
    case_id: uuid.UUID
    case_code: str
    session_date: dt.date
    prompt_id: str
    snippet: str


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """An action with where it stands: its case, the reflection that agreed it and the one that reviewed it."""

    action: Action
    case_code: str
    case_archived: bool
    agreed_on: dt.date  # the session date of the reflection that agreed it
    framework_id: str  # of that reflection, to name the action's dimension
    framework_version: int
    reviewed_on: dt.date | None = None  # the session date of the reflection it was marked in, if any


@dataclass(frozen=True, slots=True)
class Practitioner:
    """Someone whose records a profile holds: its owner, or a supervisee whose bundle came in.

    ``id`` is stable across bundles: a record that comes back signed is filed under the same person.
    ``name`` may be empty (a practitioner who has not given it); ``nmc_pin`` is optional.
    """

    id: uuid.UUID
    name: str = ""
    role: str = ""
    nmc_pin: str | None = None

    @property
    def label(self) -> str:
        """How lists name them: "A. Practitioner (Staff nurse)", or "An unnamed practitioner"."""
        name = self.name or "An unnamed practitioner"
        return f"{name} ({self.role})" if self.role else name
