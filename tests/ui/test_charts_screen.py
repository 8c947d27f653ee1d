"""The Charts view on a real demo profile: choosing reflections, kinds and perspectives; hover; export."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from psi_desktop.charts.data import ChartKind, TrendBy, chart_gid, day_label, parse_gid
from psi_desktop.domain.model import Perspective
from psi_desktop.ui.charts_screen import BUSY_TEXT, HOVER_HINT, ChartsScreen

PRACTITIONER, SUPERVISOR, SERVICE_USER = Perspective.PRACTITIONER, Perspective.SUPERVISOR, Perspective.SERVICE_USER


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


@pytest.fixture
def case(profile):
    return profile.cases.find("Demo - Ward 3")


@pytest.fixture
def screen(session_of, qtbot, profile, case):
    widget = ChartsScreen(session_of(profile), case.id)
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.canvas is not None and widget.stack.currentWidget() is widget.canvas, timeout=20000)
    return widget


def polygon_perspectives(screen) -> set[str]:
    """The perspectives drawn on the (first) radar, read from the lines' gids."""
    return {
        parse_gid(line.get_gid())["perspective"]
        for line in screen.figure.axes[0].get_lines()
        if "perspective" in parse_gid(line.get_gid())
    }


def reflections_drawn(screen) -> set[str]:
    return {
        parse_gid(line.get_gid())["reflection"]
        for line in screen.figure.axes[0].get_lines()
        if "reflection" in parse_gid(line.get_gid())
    }


def tick(screen, reflection_id, checked: bool = True) -> None:
    for row in range(screen.reflection_list.count()):
        item = screen.reflection_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == str(reflection_id):
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            return
    raise AssertionError("no such reflection in the list")


def test_importing_the_screen_does_not_import_matplotlib():
    code = "import sys, psi_desktop.ui.charts_screen; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


def test_a_busy_label_shows_until_the_first_chart_is_drawn(session_of, qtbot, profile, case, screenshot):
    widget = ChartsScreen(session_of(profile), case.id)
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    assert widget.canvas is None  # nothing drawn before it is shown
    widget.show()
    assert widget.stack.currentIndex() == 0
    assert widget.busy_label.text() == BUSY_TEXT
    qtbot.waitUntil(lambda: widget.canvas is not None, timeout=20000)
    assert widget.stack.currentWidget() is widget.canvas


def test_the_radar_follows_the_chosen_reflection_and_perspectives(qtbot, screen, profile, case, screenshot):
    reflections = profile.cases.reflections(case.id)
    newest = reflections[-1]  # a draft with only the practitioner's ratings
    assert screen.request().kind is ChartKind.RADAR
    assert polygon_perspectives(screen) == {"practitioner"}

    estimate = next(r for r in reflections if r.service_user_source and r.service_user_source.value == "estimate")
    tick(screen, estimate.id)
    qtbot.waitUntil(lambda: polygon_perspectives(screen) == {"practitioner", "supervisor", "service_user"})
    checked = [
        screen.reflection_list.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(screen.reflection_list.count())
        if screen.reflection_list.item(row).checkState() == Qt.CheckState.Checked
    ]
    assert checked == [str(estimate.id)]  # one reflection at a time on a radar
    assert str(newest.id) not in checked
    frame = screen.figure.axes[0]
    screenshot(screen, "charts-radar")

    screen.perspective_boxes[SUPERVISOR].setChecked(False)
    qtbot.waitUntil(lambda: polygon_perspectives(screen) == {"practitioner", "service_user"})
    assert screen.figure.axes[0] is frame  # the frame stayed: only the polygons were redrawn
    radii = {
        parse_gid(line.get_gid())["perspective"]: list(line.get_ydata())
        for line in frame.get_lines()
        if line.get_gid() == "perspective:service_user"
    }
    expected = [estimate.ratings_of(SERVICE_USER)[d] for d in profile.frameworks.get("psi", 1).dimension_ids]
    assert radii["service_user"] == [*expected, expected[0]]


def test_the_overlay_follows_the_ticked_reflections(qtbot, screen, profile, case, screenshot):
    reflections = profile.cases.reflections(case.id)
    screen.choose(ChartKind.OVERLAY)
    qtbot.waitUntil(lambda: len(reflections_drawn(screen)) == len(reflections))
    screenshot(screen, "charts-overlay")

    tick(screen, reflections[0].id, False)
    tick(screen, reflections[2].id, False)
    wanted = {str(r.id) for i, r in enumerate(reflections) if i not in (0, 2)}
    qtbot.waitUntil(lambda: reflections_drawn(screen) == wanted)
    legend = [t.get_text() for t in screen.figure.legends[0].get_texts()]
    # The last one is a draft: its key says so.
    assert legend == [
        day_label(r.session_date) + ("" if r.signed else " (draft)")
        for i, r in enumerate(reflections)
        if i not in (0, 2)
    ]
    assert legend[-1].endswith(" (draft)")

    screen.perspective_boxes[SUPERVISOR].setChecked(True)
    qtbot.waitUntil(lambda: "supervisor" in polygon_perspectives(screen))

    screen.none_button.click()
    qtbot.waitUntil(lambda: screen.drawer.message is not None)
    assert "Tick one or more reflections" in screen.drawer.message


def test_trends_follow_perspectives_and_hovering_a_point_says_what_it_is(qtbot, screen, profile, case, screenshot):
    reflections = profile.cases.reflections(case.id)
    screen.choose(ChartKind.TRENDS, by=TrendBy.DIMENSION, perspectives=[PRACTITIONER])
    qtbot.waitUntil(lambda: len(screen.figure.axes) == 9)

    def trust_lines():
        ax = next(a for a in screen.figure.axes if a.get_gid() == chart_gid(dimension="safety.trust"))
        # The draft's dotted upright line aside: only the perspectives' lines.
        return {line.get_gid(): line for line in ax.get_lines() if line.get_gid().startswith("dimension:")}

    qtbot.waitUntil(lambda: set(trust_lines()) == {"dimension:safety.trust perspective:practitioner"})
    screen.perspective_boxes[SUPERVISOR].setChecked(True)
    qtbot.waitUntil(lambda: "dimension:safety.trust perspective:supervisor" in trust_lines())
    screenshot(screen, "charts-trends")

    screen.canvas.draw()
    line = trust_lines()["dimension:safety.trust perspective:practitioner"]
    x, y = line.get_transform().transform(line.get_xydata())[0]
    ratio = screen.canvas.device_pixel_ratio or 1
    moved = []
    screen.canvas.mpl_connect("motion_notify_event", moved.append)
    qtbot.mouseMove(screen.canvas, QPoint(round(x / ratio), round(screen.canvas.height() - y / ratio)))
    first = reflections[0]
    expected = f"Trust · Practitioner · {first.ratings_of(PRACTITIONER)['safety.trust']}"
    try:
        qtbot.waitUntil(lambda: bool(moved), timeout=20_000)
    except qtbot.TimeoutError:
        # Offscreen Qt with a scale factor (200%) drops synthetic moves; send matplotlib's own event.
        from matplotlib.backend_bases import MouseEvent

        MouseEvent("motion_notify_event", screen.canvas, x, y)._process()
    qtbot.waitUntil(lambda: expected in screen.point_label.text(), timeout=20_000)
    assert day_label(first.session_date) in screen.point_label.text()


def test_refresh_after_a_saved_reflection_redraws(qtbot, screen, profile, case):
    screen.choose(ChartKind.OVERLAY)
    before = len(profile.cases.reflections(case.id))
    qtbot.waitUntil(lambda: len(reflections_drawn(screen)) == before)
    draft = profile.reflections.start(case.id)
    framework = profile.reflections.framework_of(draft)
    from dataclasses import replace

    profile.reflections.update(replace(draft, ratings={PRACTITIONER: dict.fromkeys(framework.dimension_ids, 4)}))
    screen.refresh()
    qtbot.waitUntil(lambda: str(draft.id) in reflections_drawn(screen))
    assert screen.reflection_list.count() == before + 1


def test_every_kind_draws_and_my_practice_needs_no_ticks(qtbot, screen):
    for index in range(screen.kind_combo.count()):
        screen.kind_combo.setCurrentIndex(index)
        qtbot.waitUntil(lambda: not screen._dirty)
        assert screen.figure.axes, screen.kind_combo.currentText()
    assert not screen.reflection_list.isEnabled()  # my practice: every case


def test_small_multiples_page_through_many_reflections(qtbot, screen, profile, case):
    for day in range(1, 10):
        profile.reflections.start(case.id, session_date=__import__("datetime").date(2026, 12, day))
    screen.refresh()
    screen.choose(ChartKind.MULTIPLES)
    qtbot.waitUntil(lambda: screen.pager.isVisible())
    assert screen.page_label.text() == "Page 1 of 2"
    assert len(screen.figure.axes) == 12
    screen.next_button.click()
    qtbot.waitUntil(lambda: screen.page_label.text() == "Page 2 of 2")
    assert len(screen.figure.axes) == 3
    assert not screen.next_button.isEnabled()


def test_export_writes_the_chart_shown(qtbot, screen, tmp_path, monkeypatch):
    screen.choose(ChartKind.TRENDS, by=TrendBy.COMPONENT)
    qtbot.waitUntil(lambda: len(screen.figure.axes) == 3)
    out = tmp_path / "trends"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "SVG drawing (*.svg)"))
    with qtbot.waitSignal(screen.chart_exported, timeout=20000) as signal:
        screen.export_button.click()
    assert signal.args == [str(out.with_suffix(".svg"))]
    assert b"<svg" in out.with_suffix(".svg").read_bytes()[:1000]
    assert screen.export_button.isEnabled()
    assert screen.point_label.text() == "Saved trends.svg." or HOVER_HINT
