"""Rating rows of one perspective, the distress-impact choice, and the wellbeing rating, on any page."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from psi_desktop.domain.model import DistressImpact, Perspective
from psi_desktop.ui.choice_row import ChoiceRow
from psi_desktop.ui.rating_row import RatingRow, RatingScaleHeader
from psi_desktop.ui.walkthrough.page import StepPage

DISTRESS_CHOICES = (
    (DistressImpact.INCREASED, "Increased"),
    (DistressImpact.MAINTAINED, "Maintained"),
    (DistressImpact.ALLEVIATED, "Alleviated"),
    (DistressImpact.UNSURE, "Unsure"),
)
DISTRESS_QUESTIONS = {
    Perspective.PRACTITIONER: "From your view:",
    Perspective.SUPERVISOR: "From the supervisor's view, did this relationship maintain, increase or alleviate "
    "the person's distress?",
    Perspective.SERVICE_USER: "From their view, did this relationship maintain, increase or alleviate their distress?",
}
WELLBEING_QUESTION = "How far do you feel all right after this?"


def add_rating_rows(
    page: StepPage, parent: QWidget, layout: QVBoxLayout, dimensions: tuple[str, ...], perspective: Perspective
) -> None:
    """The scale's anchors, then a row per dimension (banded by component when there are several)."""
    framework, session = page.framework, page.session
    has_previous = session.previous is not None
    last = session.last_ratings(perspective) if has_previous else {}
    header = RatingScaleHeader(framework.question, framework.scale, parent)
    header.last_time.setVisible(has_previous)
    layout.addWidget(header)
    several = len({framework.dimension(d).component for d in dimensions}) > 1
    component = None
    scores = page.snapshot().reflection.ratings_of(perspective)
    for dimension_id in dimensions:
        dimension = framework.dimension(dimension_id)
        if several and dimension.component != component:
            component = dimension.component
            found = framework.component(component)
            band = QLabel(found.label, parent)
            band.setObjectName("component_band")
            band.setStyleSheet(
                f"QLabel#component_band {{ border: none; border-left: 4px solid {found.colour}; padding-left: 6px; "
                "font-weight: bold; margin-top: 6px; }"
            )
            layout.addWidget(band)
        row = RatingRow(
            dimension.label,
            dimension.meaning,
            framework.scale,
            parent,
            value=scores.get(dimension_id),
            last_time=last.get(dimension_id),
            show_last_time=has_previous,
        )
        row.set_read_only(page.read_only)
        row.rating_changed.connect(partial(_on_rating_changed, page, perspective, dimension_id))
        page.rating_rows[(perspective, dimension_id)] = row
        layout.addWidget(row)


def _on_rating_changed(page: StepPage, perspective: Perspective, dimension_id: str, score: int | None) -> None:
    page.host.edited(page.session.set_rating(perspective, dimension_id, score))


def distress_choice(page: StepPage, parent: QWidget, perspective: Perspective) -> ChoiceRow:
    """Did this relationship maintain, increase or alleviate the person's distress, from one perspective."""
    choice = ChoiceRow(
        DISTRESS_QUESTIONS[perspective],
        DISTRESS_CHOICES,
        parent,
        value=page.snapshot().reflection.distress_impact.get(perspective),
        bold=perspective is not Perspective.PRACTITIONER,
        inline=perspective is Perspective.PRACTITIONER,
    )
    choice.choice_changed.connect(partial(_on_distress_changed, page, perspective))
    choice.set_read_only(page.read_only)
    page.distress_choices[perspective] = choice
    return choice


def _on_distress_changed(page: StepPage, perspective: Perspective, impact: DistressImpact | None) -> None:
    page.host.edited(page.session.set_distress_impact(perspective, impact))


def add_wellbeing_row(page: StepPage, parent: QWidget, layout: QVBoxLayout) -> RatingRow:
    """The practitioner's own wellbeing on the same scale, with last time's faintly."""
    framework, previous = page.framework, page.session.previous
    header = RatingScaleHeader(WELLBEING_QUESTION, framework.scale, parent)
    header.last_time.setVisible(previous is not None)
    row = RatingRow(
        "Feeling all right",
        "",
        framework.scale,
        parent,
        value=page.snapshot().reflection.wellbeing,
        last_time=previous.wellbeing if previous is not None else None,
        show_last_time=previous is not None,
    )
    row.set_read_only(page.read_only)
    row.rating_changed.connect(lambda score: page.host.edited(page.session.set_wellbeing(score)))
    layout.addSpacing(8)
    layout.addWidget(header)
    layout.addWidget(row)
    return row
