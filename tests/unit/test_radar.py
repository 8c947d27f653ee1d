"""The radar Figure: what it draws, read back from its artists (not from pixels)."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import uuid

import pytest

from psi_desktop.charts.radar import (
    EMPTY_TEXT,
    perspective_gid,
    radar_figure,
    rated_runs,
    save_figure,
)
from psi_desktop.domain.model import Perspective, Reflection, ServiceUserSource
from psi_desktop.frameworks import default_framework

PRACTITIONER, SUPERVISOR, SERVICE_USER = Perspective.PRACTITIONER, Perspective.SUPERVISOR, Perspective.SERVICE_USER


@pytest.fixture(scope="module")
def framework():
    return default_framework()


def reflection(ratings, source=None) -> Reflection:
    return Reflection(
        id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        framework_id="psi",
        framework_version=1,
        session_date=dt.date(2026, 10, 2),
        practitioner="A. Practitioner",
        supervisor="B. Supervisor",
        ratings=ratings,
        service_user_source=source,
    )


def rate(framework, scores) -> dict[str, int]:
    return dict(zip(framework.dimension_ids, scores, strict=True))


def lines_of(fig, perspective):
    return [line for line in fig.axes[0].get_lines() if line.get_gid() == perspective_gid(perspective)]


def vertices(fig, perspective, count) -> dict[int, float]:
    """{dimension index: radius} of every vertex drawn for the perspective."""
    step = 2 * math.pi / count
    points = {}
    for line in lines_of(fig, perspective):
        thetas, radii = line.get_data()
        for theta, radius in zip(thetas, radii, strict=True):
            points[round(theta / step) % count] = float(radius)
    return points


def all_texts(fig) -> list[str]:
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
    for legend in fig.legends:
        texts += [t.get_text() for t in legend.get_texts()]
    return texts


def test_each_perspective_is_drawn_with_its_ratings_in_framework_order(framework):
    scores = {PRACTITIONER: [3, 2, 4, 3, 3, 2, 4, 3, 2], SUPERVISOR: [2, 2, 3, 4, 2, 1, 3, 3, 0]}
    fig = radar_figure(reflection({p: rate(framework, s) for p, s in scores.items()}), framework)

    for perspective, expected in scores.items():
        lines = lines_of(fig, perspective)
        assert len(lines) == 1  # all nine rated: one closed polygon
        thetas, radii = lines[0].get_data()
        assert list(radii) == [*expected, expected[0]]
        assert thetas[-1] == pytest.approx(thetas[0] + 2 * math.pi)
    assert lines_of(fig, SERVICE_USER) == []
    legend = all_texts(fig)
    assert "Practitioner" in legend
    assert "Supervisor" in legend


def test_only_the_chosen_perspectives_are_drawn(framework):
    ratings = {PRACTITIONER: rate(framework, [3] * 9), SUPERVISOR: rate(framework, [2] * 9)}
    fig = radar_figure(reflection(ratings), framework, perspectives=[SUPERVISOR])
    assert lines_of(fig, PRACTITIONER) == []
    assert vertices(fig, SUPERVISOR, 9) == dict.fromkeys(range(9), 2.0)


def test_an_unrated_dimension_is_a_gap_not_a_zero(framework):
    ids = framework.dimension_ids
    ratings = {dim: 3 for dim in ids if dim != ids[4]}
    fig = radar_figure(reflection({PRACTITIONER: ratings}), framework)

    points = vertices(fig, PRACTITIONER, 9)
    assert 4 not in points  # no vertex at the unrated angle
    assert points == {i: 3.0 for i in range(9) if i != 4}
    for line in lines_of(fig, PRACTITIONER):
        thetas, _ = line.get_data()
        # Each run steps one axis at a time, so no segment jumps across the gap.
        steps = [round((b - a) / (2 * math.pi / 9)) for a, b in itertools.pairwise(thetas)]
        assert all(step == 1 for step in steps)
    # The ring is not closed through the gap: one run from axis 5 round to axis 3.
    assert [len(line.get_xdata()) for line in lines_of(fig, PRACTITIONER)] == [8]
    assert not any(patch.get_gid() == f"{perspective_gid(PRACTITIONER)}:fill" for patch in fig.axes[0].patches)


def test_isolated_ratings_are_single_markers():
    assert rated_runs([1, None, 2, None, None, 3, 3, None, 4]) == [[2], [5, 6], [8, 9]]
    assert rated_runs([None] * 9) == []
    assert rated_runs([0] * 3) == [[0, 1, 2, 3]]


def test_a_service_user_estimate_is_dashed_hollow_and_labelled(framework):
    ratings = {PRACTITIONER: rate(framework, [3] * 9), SERVICE_USER: rate(framework, [1] * 9)}
    fig = radar_figure(reflection(ratings, ServiceUserSource.ESTIMATE), framework)

    (line,) = lines_of(fig, SERVICE_USER)
    assert line.get_linestyle() == "--"
    assert line.get_markerfacecolor() == "white"
    assert line.get_label() == "Service user (your estimate)"
    assert "Service user (your estimate)" in all_texts(fig)
    (practitioner,) = lines_of(fig, PRACTITIONER)
    assert practitioner.get_linestyle() == "-"


def test_service_user_feedback_is_dotted_and_not_called_an_estimate(framework):
    ratings = {SERVICE_USER: rate(framework, [2] * 9)}
    fig = radar_figure(reflection(ratings, ServiceUserSource.FEEDBACK_FORM), framework)
    (line,) = lines_of(fig, SERVICE_USER)
    assert line.get_linestyle() == ":"
    assert not any("estimate" in text for text in all_texts(fig))


def test_a_service_user_who_rated_it_themselves_is_solid_filled_and_named(framework):
    ratings = {PRACTITIONER: rate(framework, [3] * 9), SERVICE_USER: rate(framework, [1] * 9)}
    fig = radar_figure(reflection(ratings, ServiceUserSource.SELF_RATED), framework)
    (line,) = lines_of(fig, SERVICE_USER)
    assert line.get_linestyle() == "-"
    assert line.get_marker() == "^" and line.get_markerfacecolor() != "white"
    assert line.get_label() == "Service user (rated it themselves)"
    assert "Service user (rated it themselves)" in all_texts(fig)
    assert not any("estimate" in text for text in all_texts(fig))


def test_nothing_rated_shows_the_empty_state(framework):
    fig = radar_figure(reflection({PRACTITIONER: {}}), framework)
    assert EMPTY_TEXT in all_texts(fig)
    assert not fig.legends
    assert all(not (line.get_gid() or "").startswith("perspective:") for line in fig.axes[0].get_lines())


def test_the_rim_names_every_dimension_and_component(framework):
    fig = radar_figure(reflection({}), framework)
    texts = " ".join(all_texts(fig)).replace("\n", " ")
    for item in (*framework.dimensions, *framework.components):
        assert item.label in texts


def test_save_figure_writes_png_and_svg(framework, tmp_path):
    fig = radar_figure(reflection({PRACTITIONER: rate(framework, [2] * 9)}), framework)

    png = save_figure(fig, tmp_path / "radar.png")
    svg = save_figure(fig, tmp_path / "radar.SVG")

    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg.read_bytes()[:1000]
    with pytest.raises(ValueError):
        save_figure(fig, tmp_path / "radar.jpg")
