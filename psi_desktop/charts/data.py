"""What charts are asked for and the numbers they plot; pure Python, so it loads without matplotlib."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import fmean

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NAN = math.nan


class ChartKind(StrEnum):
    RADAR = "radar"
    OVERLAY = "overlay"
    MULTIPLES = "multiples"
    TRENDS = "trends"
    GAPS = "gaps"
    PRACTICE = "practice"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def needs_many(self) -> bool:
        """Whether the chart takes a set of reflections (not just one, nor all cases)."""
        return self in (ChartKind.OVERLAY, ChartKind.MULTIPLES, ChartKind.TRENDS, ChartKind.GAPS)


_KIND_LABELS = {
    ChartKind.RADAR: "Radar of one reflection",
    ChartKind.OVERLAY: "Radar over time",
    ChartKind.MULTIPLES: "One radar per session",
    ChartKind.TRENDS: "Trends",
    ChartKind.GAPS: "Gaps between two perspectives",
    ChartKind.PRACTICE: "My practice, all cases",
}


class TrendBy(StrEnum):
    """One line per dimension, or one per component (the mean of its dimensions)."""

    DIMENSION = "dimension"
    COMPONENT = "component"


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """What to draw: the kind, the chosen reflections and perspectives, and the page of small multiples.

    ``reflection_ids`` are the chosen reflections (a radar draws the first); None means all of
    them (the newest rated, for a radar) and an empty tuple means none was chosen.
    For gaps, every pair of ``perspectives`` is compared (rules.GAP_PAIRS: first minus second).
    """

    kind: ChartKind
    reflection_ids: tuple[uuid.UUID, ...] | None = None
    perspectives: tuple[Perspective, ...] = (Perspective.PRACTITIONER, Perspective.SUPERVISOR, Perspective.SERVICE_USER)
    by: TrendBy = TrendBy.DIMENSION
    page: int = 0
    title: str | None = None


@dataclass(frozen=True, slots=True)
class MonthProfile:
    """One calendar month of a practitioner's own ratings, across every case."""

    month: dt.date  # the first day of the month
    dimension_means: Mapping[str, float | None]
    component_means: Mapping[str, float | None]
    reflections: int
    cases: int
    drafts: int = 0  # of ``reflections``, those not signed yet: the chart says so


@dataclass(frozen=True, slots=True)
class ChartData:
    """Everything a chart is drawn from: a case's reflections (oldest first) and the frameworks they use.

    ``framework`` is the newest reflection's framework (the axes of charts over time);
    ``months`` is filled for the "my practice" chart only.
    """

    framework: Framework
    reflections: tuple[Reflection, ...] = ()
    frameworks: Mapping[tuple[str, int], Framework] = field(default_factory=dict)
    months: tuple[MonthProfile, ...] = ()
    case_code: str = ""

    def framework_of(self, reflection: Reflection) -> Framework:
        return self.frameworks.get((reflection.framework_id, reflection.framework_version), self.framework)

    def chosen(self, ids: Sequence[uuid.UUID] | None) -> list[Reflection]:
        """The reflections with these ids (all when ``ids`` is None), oldest first."""
        if ids is None:
            return list(self.reflections)
        wanted = set(ids)
        return [r for r in self.reflections if r.id in wanted]


def day_label(value: dt.date) -> str:
    """``18 Aug 2026``, whatever the locale: how dates read on screen and in legends."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def month_label(value: dt.date) -> str:
    """``Aug 2026``."""
    return f"{_MONTHS[value.month - 1]} {value.year}"


def chart_gid(**parts: object) -> str:
    """The gid of a drawn artist, e.g. ``chart_gid(reflection=id, perspective="supervisor")``.

    Parts are ``name:value`` joined by spaces, so tests and tooltips can read back what a line is.
    """
    return " ".join(f"{name}:{value}" for name, value in parts.items())


def parse_gid(gid: str | None) -> dict[str, str]:
    """The parts of a ``chart_gid``; empty for None."""
    parts: dict[str, str] = {}
    for token in (gid or "").split():
        name, _, value = token.partition(":")
        parts[name] = value
    return parts


def in_date_order(reflections: Iterable[Reflection]) -> list[Reflection]:
    return sorted(reflections, key=lambda r: (r.session_date, r.created_at))


def is_draft(reflection: Reflection) -> bool:
    """Not signed yet, so it can still change: every chart that draws it says so."""
    return not reflection.signed


def session_label(reflection: Reflection) -> str:
    """A session as a key or a title names it: "13 Oct 2026", or "17 Nov 2026 (draft)"."""
    day = day_label(reflection.session_date)
    return f"{day} (draft)" if is_draft(reflection) else day


def rating(reflection: Reflection, perspective: Perspective, dimension_id: str) -> float:
    """The rating as a float, NaN where unrated: NaN breaks a line, where 0 would be a false low."""
    value = reflection.ratings_of(perspective).get(dimension_id)
    return NAN if value is None else float(value)


def component_mean(reflection: Reflection, perspective: Perspective, framework: Framework, component_id: str) -> float:
    """Mean of the component's rated dimensions; NaN when none of them is rated."""
    scores = reflection.ratings_of(perspective)
    rated = [scores[d.id] for d in framework.dimensions_of(component_id) if d.id in scores]
    return fmean(rated) if rated else NAN


def gap(reflection: Reflection, first: Perspective, second: Perspective, dimension_id: str) -> float:
    """``first`` minus ``second`` on one dimension; NaN unless both rated it."""
    return rating(reflection, first, dimension_id) - rating(reflection, second, dimension_id)


def monthly_profile(
    reflections: Iterable[Reflection], framework: Framework, perspective: Perspective = Perspective.PRACTITIONER
) -> list[MonthProfile]:
    """Month by month, the mean of every rating given from ``perspective``, across cases.

    A component's mean pools all its ratings in the month (each rating counts once). Months
    without a rated reflection are left out rather than shown as 0.
    """
    by_month: dict[dt.date, list[Reflection]] = {}
    for reflection in reflections:
        if reflection.ratings_of(perspective):
            by_month.setdefault(reflection.session_date.replace(day=1), []).append(reflection)
    months = []
    for month in sorted(by_month):
        group = by_month[month]
        pooled: dict[str, list[int]] = {d.id: [] for d in framework.dimensions}
        for reflection in group:
            for dim_id, value in reflection.ratings_of(perspective).items():
                if dim_id in pooled:
                    pooled[dim_id].append(value)
        dimension_means = {d: (fmean(v) if v else None) for d, v in pooled.items()}
        component_means = {}
        for component in framework.components:
            values = [v for d in framework.dimensions_of(component.id) for v in pooled[d.id]]
            component_means[component.id] = fmean(values) if values else None
        months.append(
            MonthProfile(
                month,
                dimension_means,
                component_means,
                len(group),
                len({r.case_id for r in group}),
                sum(is_draft(r) for r in group),
            )
        )
    return months


def format_value(value: float) -> str:
    """A rating or mean for a tooltip: "3", "2.3"."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def format_gap(value: float) -> str:
    """A signed gap: "+2", "0", "−1" (a real minus sign)."""
    if value > 0:
        return f"+{format_value(value)}"
    if value < 0:
        return f"\u2212{format_value(-value)}"
    return "0"


DEFAULT_PERSPECTIVES: Mapping[ChartKind, tuple[Perspective, ...]] = {
    ChartKind.RADAR: tuple(Perspective),
    ChartKind.OVERLAY: (Perspective.PRACTITIONER,),  # one perspective over time reads best
    ChartKind.MULTIPLES: tuple(Perspective),
    ChartKind.TRENDS: tuple(Perspective),
    ChartKind.GAPS: tuple(Perspective),  # staff against each other and against the person's view
    ChartKind.PRACTICE: (Perspective.PRACTITIONER,),
}
"""What each chart shows until someone chooses otherwise."""
