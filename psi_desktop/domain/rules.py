"""Pure rules over reflections: component means and gaps between perspectives."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Perspective, Reflection

DISCUSSION_GAP = 2
"""Ratings that differ by this much or more between perspectives are worth talking about."""

GAP_PAIRS = (
    (Perspective.PRACTITIONER, Perspective.SUPERVISOR),
    (Perspective.PRACTITIONER, Perspective.SERVICE_USER),
    (Perspective.SUPERVISOR, Perspective.SERVICE_USER),
)
"""The gaps worth seeing: between the staff, and between each of them and the service user's view."""


def component_means(reflection: Reflection, framework: Framework) -> dict[Perspective, dict[str, float | None]]:
    """Mean rating of each component, per perspective; None where nothing in it was rated."""
    means: dict[Perspective, dict[str, float | None]] = {}
    for perspective in Perspective:
        scores = reflection.ratings_of(perspective)
        means[perspective] = {}
        for component in framework.components:
            rated = [scores[d.id] for d in framework.dimensions_of(component.id) if d.id in scores]
            means[perspective][component.id] = fmean(rated) if rated else None
    return means


@dataclass(frozen=True, slots=True)
class Gap:
    dimension: str
    first: int
    second: int

    @property
    def difference(self) -> int:
        return self.first - self.second


def perspective_gaps(
    reflection: Reflection,
    first: Perspective = Perspective.PRACTITIONER,
    second: Perspective = Perspective.SUPERVISOR,
) -> list[Gap]:
    """``first`` minus ``second`` for every dimension both rated, in the reflection's rating order."""
    a, b = reflection.ratings_of(first), reflection.ratings_of(second)
    return [Gap(dim, a[dim], b[dim]) for dim in a if dim in b]


def discussion_points(
    reflection: Reflection,
    first: Perspective = Perspective.PRACTITIONER,
    second: Perspective = Perspective.SUPERVISOR,
) -> list[Gap]:
    """The dimensions where the two perspectives differ by DISCUSSION_GAP or more."""
    return [g for g in perspective_gaps(reflection, first, second) if abs(g.difference) >= DISCUSSION_GAP]


def own_view_points(reflection: Reflection) -> list[Gap]:
    """Where the person's own view (not an estimate of it) and the practitioner's ratings are DISCUSSION_GAP
    or more apart: practitioner minus person. Empty when the person's view is an estimate or not recorded."""
    source = reflection.service_user_source
    if source is None or not source.own_view:
        return []
    return discussion_points(reflection, Perspective.PRACTITIONER, Perspective.SERVICE_USER)
