"""Charts over time, read back from their artists (not pixels): overlay, small multiples, trends, gaps,
my practice, hover texts and the drawer that redraws only what changed."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import matplotlib.dates as mdates
import numpy
import pytest

from psi_desktop.charts import hover
from psi_desktop.charts.data import (
    ChartData,
    ChartKind,
    ChartRequest,
    TrendBy,
    chart_gid,
    day_label,
    monthly_profile,
    parse_gid,
)
from psi_desktop.charts.drawer import NONE_CHOSEN, ChartDrawer, chart_figure
from psi_desktop.charts.figures import message_of
from psi_desktop.charts.gaps import CHOOSE_TWO, gaps_figure
from psi_desktop.charts.multiples import NOT_RATED, PAGE_GID, grid_shape, multiples_figure, page_count
from psi_desktop.charts.overlay import NO_REFLECTIONS, overlay_figure
from psi_desktop.charts.practice import NO_MONTHS, practice_figure
from psi_desktop.charts.style import overlay_strengths
from psi_desktop.charts.trends import draft_ids, trends_figure
from psi_desktop.domain.model import Perspective, Reflection, ReflectionStatus, ServiceUserSource
from psi_desktop.frameworks import default_framework

PRACTITIONER, SUPERVISOR, SERVICE_USER = Perspective.PRACTITIONER, Perspective.SUPERVISOR, Perspective.SERVICE_USER
CASE = uuid.uuid4()


@pytest.fixture(scope="module")
def framework():
    return default_framework()


def rate(framework, scores) -> dict[str, int]:
    """Scores in framework order; None leaves a dimension unrated."""
    return {d: s for d, s in zip(framework.dimension_ids, scores, strict=True) if s is not None}


def reflection(framework, day: dt.date, ratings=None, *, source=None, case=CASE) -> Reflection:
    return Reflection(
        id=uuid.uuid4(),
        case_id=case,
        framework_id=framework.id,
        framework_version=framework.version,
        session_date=day,
        ratings={p: rate(framework, s) for p, s in (ratings or {}).items()},
        service_user_source=source,
        status=ReflectionStatus.SIGNED,
    )


@pytest.fixture
def sessions(framework):
    """Four sessions over three months; the third has an unrated dimension and a service-user estimate."""
    return [
        reflection(framework, dt.date(2026, 8, 18), {PRACTITIONER: [1] * 9, SUPERVISOR: [2] * 9}),
        reflection(framework, dt.date(2026, 9, 1), {PRACTITIONER: [2] * 9, SUPERVISOR: [0, 1, 2, 3, 4, 0, 1, 2, 3]}),
        reflection(
            framework,
            dt.date(2026, 10, 13),
            {PRACTITIONER: [3, 3, 3, 3, None, 3, 3, 3, 3], SERVICE_USER: [1] * 9},
            source=ServiceUserSource.ESTIMATE,
        ),
        reflection(
            framework,
            dt.date(2026, 11, 3),
            {PRACTITIONER: [4] * 9, SUPERVISOR: [4, 4, 4, 4, 4, 1, 4, 4, 4], SERVICE_USER: [2] * 9},
            source=ServiceUserSource.TOLD_ME,
        ),
    ]


def lines(fig, **wanted) -> list:
    """Every line on the figure whose gid has all the ``wanted`` parts."""
    found = []
    for ax in fig.axes:
        for line in ax.get_lines():
            parts = parse_gid(line.get_gid())
            if all(parts.get(k) == str(v) for k, v in wanted.items()):
                found.append(line)
    return found


def polar_vertices(line_list, count=9) -> dict[int, float]:
    step = 2 * math.pi / count
    points = {}
    for line in line_list:
        for theta, radius in zip(*line.get_data(), strict=True):
            points[round(theta / step) % count] = float(radius)
    return points


def gap_line(fig, dimension: str):
    """The gap line of a dimension (not its discussion marks)."""
    (line,) = [ln for ln in lines(fig, dimension=dimension) if "mark" not in parse_gid(ln.get_gid())]
    return line


def legend_texts(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def as_dates(line) -> list[dt.date]:
    return [d if isinstance(d, dt.date) else mdates.num2date(d).date() for d in line.get_xdata()]


def same(values, expected) -> bool:
    """Equal, with NaN equal to NaN (a gap where expected says None)."""
    got = [float(v) for v in values]
    want = [math.nan if e is None else float(e) for e in expected]
    return len(got) == len(want) and all(
        (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(got, want, strict=True)
    )


# -- overlay -----------------------------------------------------------------------------------------


def test_overlay_draws_every_reflection_with_its_ratings(framework, sessions):
    fig = overlay_figure(sessions, framework, [PRACTITIONER, SUPERVISOR])
    for session in sessions:
        for perspective in (PRACTITIONER, SUPERVISOR):
            drawn = lines(fig, reflection=session.id, perspective=perspective.value)
            scores = session.ratings_of(perspective)
            expected = {i: float(scores[d]) for i, d in enumerate(framework.dimension_ids) if d in scores}
            assert polar_vertices(drawn) == expected


def test_overlay_is_faint_for_older_sessions_and_strong_for_the_newest(framework, sessions):
    shuffled = [sessions[2], sessions[0], sessions[3], sessions[1]]
    fig = overlay_figure(shuffled, framework)
    alphas = [lines(fig, reflection=s.id, perspective="practitioner")[0].get_alpha() for s in sessions]
    widths = [lines(fig, reflection=s.id, perspective="practitioner")[0].get_linewidth() for s in sessions]
    assert alphas == sorted(alphas) and len(set(alphas)) == len(alphas)
    assert alphas[-1] == 1.0
    assert widths == sorted(widths)  # thickness changes too, so the order survives greyscale
    assert legend_texts(fig) == ["18 Aug 2026", "1 Sep 2026", "13 Oct 2026", "3 Nov 2026"]
    assert legend_texts(fig) == [day_label(s.session_date) for s in sessions]


def test_overlay_keeps_gaps_and_draws_the_estimate_dashed(framework, sessions):
    fig = overlay_figure(sessions, framework, [PRACTITIONER, SERVICE_USER])
    third = lines(fig, reflection=sessions[2].id, perspective="practitioner")
    assert 4 not in polar_vertices(third)  # unrated: no vertex, and no 0 either
    (estimate,) = lines(fig, reflection=sessions[2].id, perspective="service_user")
    (told,) = lines(fig, reflection=sessions[3].id, perspective="service_user")
    assert estimate.get_linestyle() == "--" and estimate.get_markerfacecolor() == "white"
    assert told.get_linestyle() == ":"
    assert "Service user (your estimate)" in legend_texts(fig)


def test_overlay_legend_of_many_sessions_keeps_the_first_and_last(framework):
    many = [
        reflection(framework, dt.date(2026, 1, 1) + dt.timedelta(days=7 * i), {PRACTITIONER: [2] * 9})
        for i in range(30)
    ]
    fig = overlay_figure(many, framework)
    dates = legend_texts(fig)
    assert len(dates) == 10
    assert dates[0] == day_label(many[0].session_date) and dates[-1] == day_label(many[-1].session_date)
    assert "10 of 30" in fig.legends[0].get_title().get_text()


def test_overlay_empty_states(framework, sessions):
    assert message_of(overlay_figure([], framework)) == NO_REFLECTIONS
    assert "at least one perspective" in message_of(overlay_figure(sessions, framework, []))
    unrated = [reflection(framework, dt.date(2026, 1, 1))]
    assert "Nothing is rated" in message_of(overlay_figure(unrated, framework))


def test_overlay_strengths_rise_from_faint_to_full():
    assert overlay_strengths(1) == [(1.0, 2.4)]
    strengths = overlay_strengths(5)
    assert strengths[0][0] < 0.5 and strengths[-1][0] == 1.0


# -- small multiples ---------------------------------------------------------------------------------


def test_small_multiples_one_radar_per_session_in_date_order(framework, sessions):
    fig = multiples_figure(list(reversed(sessions)), framework)
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes] == [day_label(s.session_date) for s in sessions]
    assert [parse_gid(ax.get_gid())["reflection"] for ax in fig.axes] == [str(s.id) for s in sessions]
    second = fig.axes[1]
    drawn = [line for line in second.get_lines() if line.get_gid() == "perspective:supervisor"]
    assert polar_vertices(drawn) == {i: float(v) for i, v in enumerate([0, 1, 2, 3, 4, 0, 1, 2, 3])}
    estimate = [line for line in fig.axes[2].get_lines() if line.get_gid() == "perspective:service_user"]
    assert estimate[0].get_linestyle() == "--"


def test_small_multiples_are_paged(framework):
    many = [
        reflection(framework, dt.date(2026, 1, 1) + dt.timedelta(days=i), {PRACTITIONER: [i % 5] * 9})
        for i in range(30)
    ]
    assert page_count(30) == 3
    pages = [multiples_figure(many, framework, page=p) for p in range(3)]
    assert [len(fig.axes) for fig in pages] == [12, 12, 6]
    assert pages[2].axes[0].get_title() == day_label(many[24].session_date)
    footer = [t.get_text() for t in pages[2].texts if t.get_gid() == PAGE_GID]
    assert footer == ["Page 3 of 3 · sessions 25–30 of 30"]
    assert grid_shape(6) == (2, 3) and grid_shape(12) == (3, 4) and grid_shape(2) == (1, 2)


def test_small_multiples_say_when_a_session_is_not_rated(framework):
    fig = multiples_figure([reflection(framework, dt.date(2026, 1, 1))], framework)
    assert NOT_RATED in [t.get_text() for t in fig.axes[0].texts]


# -- trends ------------------------------------------------------------------------------------------


def test_trends_are_drawn_over_the_real_session_dates(framework, sessions):
    fig = trends_figure(sessions, framework, [PRACTITIONER, SUPERVISOR])
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 9
    for dim_index, dim_id in enumerate(framework.dimension_ids):
        (own,) = lines(fig, dimension=dim_id, perspective="practitioner")
        assert as_dates(own) == [s.session_date for s in sessions]
        assert same(own.get_ydata(), [s.ratings_of(PRACTITIONER).get(dim_id) for s in sessions])
        (theirs,) = lines(fig, dimension=dim_id, perspective="supervisor")
        assert same(theirs.get_ydata(), [s.ratings_of(SUPERVISOR).get(dim_id) for s in sessions])
        assert dim_index >= 0


def test_an_unrated_dimension_is_a_gap_in_the_trend_not_a_zero(framework, sessions):
    unrated = framework.dimension_ids[4]
    (own,) = lines(trends_figure(sessions, framework, [PRACTITIONER]), dimension=unrated, perspective="practitioner")
    y = numpy.asarray(own.get_ydata(), dtype=float)
    assert math.isnan(y[2])  # NaN breaks the line; matplotlib draws nothing there
    assert 0 not in y[~numpy.isnan(y)]


def test_a_service_user_estimate_is_its_own_dashed_line(framework, sessions):
    fig = trends_figure(sessions, framework, [SERVICE_USER])
    dim = framework.dimension_ids[0]
    (estimate,) = lines(fig, dimension=dim, perspective="service_user", source="estimate")
    told = [
        line
        for line in lines(fig, dimension=dim, perspective="service_user")
        if "source" not in parse_gid(line.get_gid())
    ]
    assert estimate.get_linestyle() == "--" and estimate.get_markerfacecolor() == "white"
    assert same(estimate.get_ydata(), [None, None, 1, None])
    assert same(told[0].get_ydata(), [None, None, None, 2])
    assert told[0].get_linestyle() == ":"
    assert "Service user (your estimate)" in legend_texts(fig)


def test_trends_by_component_plot_the_mean_of_rated_dimensions(framework, sessions):
    fig = trends_figure(sessions, framework, [PRACTITIONER, SUPERVISOR], by=TrendBy.COMPONENT)
    assert len(fig.axes) == 3
    (safety,) = lines(fig, component="safety", perspective="practitioner")
    # The third session left one Safety dimension unrated: the mean of the other two.
    assert same(safety.get_ydata(), [1, 2, 3, 4])
    (supervisor,) = lines(fig, component="safety", perspective="supervisor")
    assert same(supervisor.get_ydata(), [2, (3 + 4 + 0) / 3, None, (4 + 4 + 1) / 3])
    assert as_dates(supervisor) == [s.session_date for s in sessions]


def test_a_trend_of_one_reflection_says_it_needs_two(framework, sessions):
    fig = trends_figure(sessions[:1], framework)
    assert message_of(fig) == (
        "A trend needs at least two reflections. There is one here, from 18 Aug 2026; the radar shows it on its own."
    )
    assert not fig.axes
    assert "No reflections" in message_of(trends_figure([], framework))


# -- gaps --------------------------------------------------------------------------------------------


def test_gaps_are_practitioner_minus_supervisor_over_time(framework, sessions):
    fig = gaps_figure(sessions, framework)
    for dim_id in framework.dimension_ids:
        line = gap_line(fig, dim_id)
        assert as_dates(line) == [s.session_date for s in sessions]
        expected = []
        for s in sessions:
            a, b = s.ratings_of(PRACTITIONER).get(dim_id), s.ratings_of(SUPERVISOR).get(dim_id)
            expected.append(None if a is None or b is None else a - b)
        assert same(line.get_ydata(), expected)
    # The third session has no supervisor: a gap in every line.
    assert all(math.isnan(gap_line(fig, d).get_ydata()[2]) for d in framework.dimension_ids)


def test_gaps_of_two_or_more_are_marked_for_discussion(framework, sessions):
    fig = gaps_figure(sessions, framework)
    trust = framework.dimension_ids[5]
    (marks,) = lines(fig, dimension=trust, mark="discussion")
    assert as_dates(marks) == [dt.date(2026, 9, 1), dt.date(2026, 11, 3)]
    assert list(marks.get_ydata()) == [2, 3]
    assert not lines(fig, dimension=framework.dimension_ids[2], mark="discussion")  # 0, 0, -, 0


def test_gap_empty_states(framework, sessions):
    assert message_of(gaps_figure(sessions, framework, (PRACTITIONER,))) == CHOOSE_TWO
    only_mine = [reflection(framework, dt.date(2026, 1, d), {PRACTITIONER: [2] * 9}) for d in (1, 8)]
    assert "both the practitioner and the supervisor" in message_of(gaps_figure(only_mine, framework))
    assert "needs at least two" in message_of(gaps_figure(sessions[:1], framework))


def test_gaps_show_staff_against_each_other_and_against_the_persons_own_view(framework, sessions):
    fig = gaps_figure(sessions, framework, (PRACTITIONER, SUPERVISOR, SERVICE_USER))
    dim = framework.dimension_ids[5]  # trust: practitioner 4, supervisor 1, the person 2 on 3 Nov
    own = [ln for ln in lines(fig, dimension=dim) if not {"mark", "source"} & set(parse_gid(ln.get_gid()))]
    by_pair = {parse_gid(ln.get_gid())["pair"]: ln for ln in own}
    assert set(by_pair) == {"practitioner-supervisor", "practitioner-service_user", "supervisor-service_user"}
    assert same(by_pair["practitioner-service_user"].get_ydata(), [None, None, None, 4 - 2])
    assert same(by_pair["supervisor-service_user"].get_ydata(), [None, None, None, 1 - 2])
    # 2 apart from the person: a discussion mark on the practitioner-person line, none on supervisor-person.
    assert lines(fig, dimension=dim, pair="practitioner-service_user", mark="discussion")
    assert not lines(fig, dimension=dim, pair="supervisor-service_user", mark="discussion")
    texts = legend_texts(fig)
    for name in ("Practitioner minus supervisor", "Practitioner minus service user", "Supervisor minus service user"):
        assert name in texts
    # Each pair has its own colour and marker, so they are told apart without colour too.
    assert len({ln.get_marker() for ln in own}) == 3
    assert "Supervisor minus service user (your estimate)" not in texts  # no supervisor on the estimate's day


def test_gaps_to_an_estimate_are_a_line_of_their_own_named_as_one(framework, sessions):
    fig = gaps_figure(sessions, framework, (PRACTITIONER, SERVICE_USER))
    dim = framework.dimension_ids[0]
    (own,) = [
        ln
        for ln in lines(fig, dimension=dim)
        if "mark" not in parse_gid(ln.get_gid()) and "source" not in parse_gid(ln.get_gid())
    ]
    (estimated,) = lines(fig, dimension=dim, source="estimate")
    # 13 Oct is the estimate, 3 Nov what the person said: each on its own line, never joined.
    assert same(estimated.get_ydata(), [None, None, 3 - 1, None])
    assert same(own.get_ydata(), [None, None, None, 4 - 2])
    assert "Practitioner minus service user (your estimate)" in legend_texts(fig)
    assert "Practitioner minus service user" in legend_texts(fig)
    assert "your estimate" in hover.texts_of(estimated)[2] and "your estimate" not in hover.texts_of(own)[3]


# -- drafts ------------------------------------------------------------------------------------------


def test_every_chart_over_time_marks_a_draft(framework, sessions):
    from dataclasses import replace

    draft = replace(sessions[-1], status=ReflectionStatus.DRAFT)
    with_draft = [*sessions[:-1], draft]
    overlay = overlay_figure(with_draft, framework)
    assert legend_texts(overlay)[-1] == "3 Nov 2026 (draft)"
    assert legend_texts(overlay_figure(sessions, framework))[-1] == "3 Nov 2026"
    multiples = multiples_figure(with_draft, framework)
    assert [ax.get_title() for ax in multiples.axes][-1] == "3 Nov 2026 (draft)"
    for fig in (trends_figure(with_draft, framework), gaps_figure(with_draft, framework)):
        marks = draft_marks(fig)
        assert len(marks) == len(framework.dimension_ids)  # an upright line in every panel
        assert all(ids == [str(draft.id)] and days == [draft.session_date] for ids, days in marks)
        assert any(t.startswith("Dotted upright line: a draft, not signed (3 Nov 2026)") for t in legend_texts(fig))
    trends = trends_figure(with_draft, framework)
    (line,) = lines(trends, dimension=framework.dimension_ids[0], perspective="practitioner")
    assert hover.texts_of(line)[-1].endswith("3 Nov 2026 (draft)")
    assert not draft_marks(trends_figure(sessions, framework))
    # Two drafts: both in each panel's one collection, in date order, each drawn from the bottom to the top.
    two = [replace(sessions[0], status=ReflectionStatus.DRAFT), *sessions[1:-1], draft]
    marks = draft_marks(trends_figure(two, framework))
    assert marks == [([str(two[0].id), str(draft.id)], [two[0].session_date, draft.session_date])] * 9
    ax = trends_figure(two, framework).axes[0]
    (collection,) = [c for c in ax.collections if draft_ids(c)]
    assert [list(segment[:, 1]) for segment in collection.get_segments()] == [[0, 1], [0, 1]]
    assert collection.get_transform() == ax.get_xaxis_transform()


def draft_marks(fig) -> list[tuple[list[str], list[dt.date]]]:
    """(draft ids, dates) of each panel's dotted draft lines."""
    found = []
    for ax in fig.axes:
        for collection in ax.collections:
            if draft_ids(collection):
                days = [mdates.num2date(segment[0][0]).date() for segment in collection.get_segments()]
                found.append((draft_ids(collection), days))
    return found


def test_distress_over_time_per_perspective_with_the_estimate_apart(framework, sessions):
    from dataclasses import replace

    from psi_desktop.charts.distress import LEVELS, NOTHING_RECORDED, distress_figure
    from psi_desktop.domain.model import DistressImpact

    a, m, i = DistressImpact.ALLEVIATED, DistressImpact.MAINTAINED, DistressImpact.INCREASED
    recorded = [
        replace(sessions[0], distress_impact={PRACTITIONER: m, SUPERVISOR: i}),
        replace(sessions[1], distress_impact={PRACTITIONER: a}),
        replace(sessions[2], distress_impact={PRACTITIONER: i, SERVICE_USER: i}),  # an estimate
        replace(sessions[3], distress_impact={PRACTITIONER: a, SERVICE_USER: a}),  # they told me
    ]
    fig = distress_figure(recorded)
    keys = [
        (parse_gid(ln.get_gid())["perspective"], parse_gid(ln.get_gid()).get("source"))
        for ln in lines(fig, chart="distress")
    ]
    assert keys == [("practitioner", None), ("supervisor", None), ("service_user", None), ("service_user", "estimate")]

    def levels(**wanted):
        (line,) = lines(fig, chart="distress", **wanted)
        nudged = [None if math.isnan(v) else round(v) for v in line.get_ydata()]
        return nudged

    assert levels(perspective="practitioner") == [LEVELS[m], LEVELS[a], LEVELS[i], LEVELS[a]]
    assert levels(perspective="supervisor") == [LEVELS[i], None, None, None]
    assert levels(perspective="service_user", source="estimate") == [None, None, LEVELS[i], None]
    assert legend_texts(fig)[:4] == ["Practitioner", "Supervisor", "Service user", "Service user (your estimate)"]
    assert message_of(distress_figure(sessions)) == NOTHING_RECORDED


# -- my practice -------------------------------------------------------------------------------------


def test_my_practice_pools_every_case_month_by_month(framework):
    other = uuid.uuid4()
    reflections = [
        reflection(framework, dt.date(2026, 8, 3), {PRACTITIONER: [1] * 9}),
        reflection(framework, dt.date(2026, 8, 20), {PRACTITIONER: [3] * 6 + [None] * 3}, case=other),
        reflection(framework, dt.date(2026, 10, 5), {PRACTITIONER: [4] * 9, SUPERVISOR: [0] * 9}),
        reflection(framework, dt.date(2026, 10, 6), {SUPERVISOR: [0] * 9}),  # not the practitioner's own
    ]
    months = monthly_profile(reflections, framework)
    assert [m.month for m in months] == [dt.date(2026, 8, 1), dt.date(2026, 10, 1)]
    assert [(m.reflections, m.cases) for m in months] == [(2, 2), (1, 1)]
    august = months[0]
    assert august.dimension_means["power.protective"] == 2.0
    assert august.dimension_means["identity.equality"] == 1.0  # rated in one of the two
    assert august.component_means["identity"] == 1.0
    assert august.component_means["power"] == 2.0

    fig = practice_figure(months, framework)
    (identity,) = lines(fig, component="identity")
    assert as_dates(identity) == [dt.date(2026, 8, 1), dt.date(2026, 10, 1)]
    assert same(identity.get_ydata(), [1.0, 4.0])
    by_dimension = practice_figure(months, framework, by=TrendBy.DIMENSION)
    assert len(lines(by_dimension)) >= 9


def test_my_practice_says_how_many_drafts_a_month_pools(framework):
    from dataclasses import replace

    signed = reflection(framework, dt.date(2026, 8, 3), {PRACTITIONER: [1] * 9})
    draft = replace(reflection(framework, dt.date(2026, 8, 9), {PRACTITIONER: [3] * 9}), status=ReflectionStatus.DRAFT)
    later = reflection(framework, dt.date(2026, 9, 3), {PRACTITIONER: [2] * 9})
    months = monthly_profile([signed, draft, later], framework)
    assert [m.drafts for m in months] == [1, 0]
    fig = practice_figure(months, framework)
    bars = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "2 (1 draft)" in bars and "1" in bars
    (identity,) = lines(fig, component="identity")
    assert "2 reflections (1 draft)" in hover.texts_of(identity)[0]
    by_dimension = practice_figure(months, framework, by=TrendBy.DIMENSION)
    assert "3 reflections, 1 of them drafts, not signed" in legend_texts(by_dimension)[0]


def test_my_practice_empty_states(framework):
    assert message_of(practice_figure([], framework)) == NO_MONTHS
    one = monthly_profile([reflection(framework, dt.date(2026, 8, 3), {PRACTITIONER: [1] * 9})], framework)
    assert "Aug 2026" in message_of(practice_figure(one, framework))


# -- hover -------------------------------------------------------------------------------------------


def display_point(line, index):
    line.figure.canvas.draw()
    return line.get_transform().transform(line.get_xydata())[index]


def test_hovering_a_trend_point_names_dimension_perspective_value_and_date(framework, sessions):
    fig = trends_figure(sessions, framework, [PRACTITIONER, SUPERVISOR])
    (line,) = lines(fig, dimension="safety.trust", perspective="supervisor")
    x, y = display_point(line, 1)
    hit = hover.point_at(fig, x + 2, y - 2)
    assert hit is not None
    assert hit.text == "Trust · Supervisor · 0 Not at all · 1 Sep 2026"
    assert hover.point_at(fig, 1, 1) is None


def test_hovering_a_shared_vertex_names_every_perspective_there(framework, sessions):
    from psi_desktop.charts.radar import radar_figure

    fig = radar_figure(sessions[3], framework)
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "perspective:practitioner"]
    x, y = display_point(line, 0)
    hit = hover.point_at(fig, x, y)
    assert hit.text.splitlines() == [
        "Protective power · Practitioner · 4 Fully · 3 Nov 2026",
        "Protective power · Supervisor · 4 Fully · 3 Nov 2026",
    ]


def test_hover_texts_skip_unrated_vertices(framework, sessions):
    fig = gaps_figure(sessions, framework)
    line = gap_line(fig, "safety.trust")
    texts = hover.texts_of(line)
    assert texts[2] is None
    assert texts[1] == "Trust · 1 Sep 2026 · Practitioner 2, supervisor 0 · gap +2, worth talking about"


# -- the drawer --------------------------------------------------------------------------------------


def test_switching_reflections_or_perspectives_keeps_the_frame(framework, sessions):
    data = ChartData(framework=framework, reflections=tuple(sessions))
    drawer = ChartDrawer()
    assert drawer.draw(ChartRequest(ChartKind.RADAR, (sessions[0].id,)), data) == "built"
    frame = drawer.figure.axes[0]
    assert drawer.draw(ChartRequest(ChartKind.RADAR, (sessions[3].id,), (SUPERVISOR,)), data) == "updated"
    assert drawer.figure.axes == [frame]
    assert {line.get_gid() for line in frame.get_lines() if line.get_gid().startswith("perspective")} == {
        "perspective:supervisor"
    }

    assert drawer.draw(ChartRequest(ChartKind.TRENDS, None, (PRACTITIONER,)), data) == "built"
    panels = list(drawer.figure.axes)
    assert (
        drawer.draw(ChartRequest(ChartKind.TRENDS, (sessions[0].id, sessions[1].id), (SUPERVISOR,)), data) == "updated"
    )
    assert drawer.figure.axes == panels
    (line,) = lines(drawer.figure, dimension="power.protective")
    assert as_dates(line) == [sessions[0].session_date, sessions[1].session_date]

    # One reflection left: the trend's empty state replaces the panels.
    assert drawer.draw(ChartRequest(ChartKind.TRENDS, (sessions[0].id,), (SUPERVISOR,)), data) == "built"
    assert "needs at least two" in drawer.message
    assert drawer.draw(ChartRequest(ChartKind.OVERLAY, ()), data) == "built"
    assert drawer.message == NONE_CHOSEN


def test_every_kind_has_a_fixed_export_size(framework, sessions):
    data = ChartData(
        framework=framework, reflections=tuple(sessions), months=tuple(monthly_profile(sessions, framework))
    )
    for kind in ChartKind:
        fig = chart_figure(ChartRequest(kind, title="Ward 3 - K"), data)
        assert tuple(fig.get_size_inches()) in {(7, 7.4), (8, 8.6), (11, 8.5), (10, 7)}
        assert fig.get_suptitle() == "Ward 3 - K"
        assert message_of(fig) is None, kind


def test_gids_round_trip():
    rid = uuid.uuid4()
    assert parse_gid(chart_gid(reflection=rid, perspective="supervisor")) == {
        "reflection": str(rid),
        "perspective": "supervisor",
    }
    assert parse_gid(None) == {}


def test_a_legend_too_wide_for_its_figure_ends_in_one_column(framework):
    from matplotlib.lines import Line2D

    from psi_desktop.charts.figures import new_figure
    from psi_desktop.charts.radar import fitting_legend

    fig = new_figure((2, 2), 100)
    handles = [Line2D([], [], label=f"A rather long legend entry number {i}") for i in range(5)]
    legend = fitting_legend(fig, handles)
    assert legend._ncols == 1


def test_small_multiples_redraw_only_polygons_when_perspectives_change(framework, sessions):
    data = ChartData(framework=framework, reflections=tuple(sessions))
    drawer = ChartDrawer()
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, None, (PRACTITIONER,)), data) == "built"
    frames = list(drawer.figure.axes)
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, None, (SUPERVISOR,)), data) == "updated"
    assert drawer.figure.axes == frames
    assert {ln.get_gid() for ax in frames for ln in ax.get_lines() if "perspective" in ln.get_gid()} == {
        "perspective:supervisor"
    }
    # Other reflections on the page: the frames drawn so far move into the new page, re-titled.
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, (sessions[2].id,), (SUPERVISOR,)), data) == "updated"
    assert drawer.figure.axes == frames[:1]
    assert frames[0].get_title() == "13 Oct 2026" and parse_gid(frames[0].get_gid()) == {
        "reflection": str(sessions[2].id)
    }
    assert NOT_RATED in [t.get_text() for t in frames[0].texts]  # no supervisor that day
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, None, (PRACTITIONER,)), data) == "updated"
    assert drawer.figure.axes[:1] == frames[:1] and len(drawer.figure.axes) == 4
    assert [ax.get_title() for ax in drawer.figure.axes] == [day_label(s.session_date) for s in sessions]
    assert NOT_RATED not in [t.get_text() for t in frames[0].texts]


def test_small_multiples_move_their_frames_to_another_page(framework):
    from dataclasses import replace

    many = [
        reflection(framework, dt.date(2026, 1, 1) + dt.timedelta(days=i), {PRACTITIONER: [i % 5] * 9})
        for i in range(30)
    ]
    data = ChartData(framework=framework, reflections=tuple(many))
    drawer = ChartDrawer(size=(11, 8.5))
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, None, (PRACTITIONER,)), data) == "built"
    frames = list(drawer.figure.axes)
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, None, (PRACTITIONER,), page=2), data) == "updated"
    fig = drawer.figure
    assert fig.axes == frames[:6]
    assert [ax.get_title() for ax in fig.axes] == [day_label(r.session_date) for r in many[24:]]
    assert [t.get_text() for t in fig.texts if t.get_gid() == PAGE_GID] == ["Page 3 of 3 · sessions 25–30 of 30"]
    fresh = multiples_figure(many, framework, [PRACTITIONER], page=2)
    assert numpy.abs(placed(fig)[:6] - placed(fresh)[:6]).max() < 1.0  # still the first page's grid
    # A reflection made with another framework in a frame's place: built afresh.
    other = replace(framework, version=framework.version + 1)
    moved = replace(many[24], framework_version=other.version)
    data = ChartData(framework=framework, reflections=(*many[:24], moved, *many[25:]), frameworks={other.key: other})
    assert drawer.draw(ChartRequest(ChartKind.MULTIPLES, None, (PRACTITIONER,), page=2), data) == "built"
    assert not set(drawer.figure.axes) & set(frames)


# -- layout ------------------------------------------------------------------------------------------


def placed(fig) -> numpy.ndarray:
    """Where every axes and legend sits, in pixels."""
    fig.canvas.draw()
    boxes = [ax.get_window_extent().bounds for ax in fig.axes] + [lg.get_window_extent().bounds for lg in fig.legends]
    return numpy.array(boxes)


@pytest.mark.parametrize(
    "kind", [ChartKind.RADAR, ChartKind.OVERLAY, ChartKind.MULTIPLES, ChartKind.TRENDS, ChartKind.GAPS]
)
def test_a_chart_redrawn_after_a_selection_change_is_laid_out_as_if_drawn_afresh(framework, sessions, kind):
    """The layout is skipped when nothing it measures changed; what it would do is what a new figure gets.

    Except that a legend grown shorter (a perspective unticked) keeps the room it had: the charts stay
    where they were, rather than jump, and the legend sits below them."""
    data = ChartData(framework=framework, reflections=tuple(sessions))
    ids = [s.id for s in sessions]
    changes = [
        ChartRequest(kind, None, (PRACTITIONER, SUPERVISOR, SERVICE_USER)),
        ChartRequest(kind, None, (PRACTITIONER, SUPERVISOR)),
        ChartRequest(kind, tuple(ids[1:]), (PRACTITIONER, SERVICE_USER)),
        ChartRequest(kind, tuple(ids[:2]), (SUPERVISOR, PRACTITIONER)),
        ChartRequest(kind, None, (PRACTITIONER, SUPERVISOR, SERVICE_USER)),
    ]
    drawer = ChartDrawer(size=(8, 6))
    laid_out = None  # the last draw that was laid out afresh
    for request in changes:
        drawer.draw(request, data)
        fresh = ChartDrawer(size=(8, 6))
        fresh.draw(request, data)
        assert drawer.message is None and fresh.message is None
        here, there = placed(drawer.figure), placed(fresh.figure)
        axes = len(drawer.figure.axes)
        # Constrained layout run again from where it left off lands up to half a pixel from a fresh run.
        if numpy.abs(here - there).max() < 1.0:
            laid_out = here
            continue
        (legend,), (fresh_legend,) = here[axes:], there[axes:]
        assert laid_out is not None and legend[3] < laid_out[axes:][0][3], ("a legend shorter than laid out", request)
        assert numpy.abs(here[:axes] - laid_out[:axes]).max() < 1.0, request
        assert legend[1] + legend[3] <= here[:axes, 1].min(), "the legend stays below the charts"
        assert legend[3] == pytest.approx(fresh_legend[3]), "and is the legend a new figure gets"


def test_the_layout_runs_again_only_when_what_it_measures_changes(framework, sessions, monkeypatch):
    from psi_desktop.charts import figures

    runs = []
    real = figures.ConstrainedLayoutEngine.execute
    monkeypatch.setattr(figures.ConstrainedLayoutEngine, "execute", lambda self, fig: runs.append(1) or real(self, fig))
    data = ChartData(framework=framework, reflections=tuple(sessions))
    drawer = ChartDrawer(size=(8, 6))

    def layouts(request) -> int:
        runs.clear()
        drawer.draw(request, data)
        drawer.figure.canvas.draw()
        return len(runs)

    assert layouts(ChartRequest(ChartKind.RADAR, (sessions[3].id,), (PRACTITIONER, SUPERVISOR))) == 1
    # Another reflection and fewer perspectives: a legend of one row either way, the same layout.
    assert layouts(ChartRequest(ChartKind.RADAR, (sessions[1].id,), (SUPERVISOR,))) == 0
    drawer.figure.set_size_inches(6, 5)
    assert layouts(ChartRequest(ChartKind.RADAR, (sessions[1].id,), (SUPERVISOR,))) == 1
    assert layouts(ChartRequest(ChartKind.TRENDS, None, (PRACTITIONER,))) == 1
    assert layouts(ChartRequest(ChartKind.TRENDS, None, (SUPERVISOR,))) == 0
    # Other sessions, other dates under the panels: measured again.
    assert layouts(ChartRequest(ChartKind.TRENDS, (sessions[0].id, sessions[1].id), (SUPERVISOR,))) == 1
    # A legend of another height: measured again.
    many = ChartRequest(ChartKind.OVERLAY, None, (PRACTITIONER, SUPERVISOR, SERVICE_USER))
    assert layouts(ChartRequest(ChartKind.OVERLAY, None, (PRACTITIONER,))) == 1
    assert layouts(many) == 1
    assert layouts(many) == 0
    # A shorter legend fits the room the taller one was given: the charts stay where they are.
    assert layouts(ChartRequest(ChartKind.OVERLAY, None, (PRACTITIONER,))) == 0
    assert layouts(many) == 0


@pytest.mark.parametrize("kind", [ChartKind.TRENDS, ChartKind.GAPS])
def test_dates_that_move_along_the_time_axis_need_no_new_layout(framework, monkeypatch, kind):
    """Weekly sessions, the first one left out: the same month labels sit further along, none sticks out
    past an end, so the panels stay where a fresh figure puts them without measuring them again."""
    from psi_desktop.charts import figures

    weekly = [
        reflection(
            framework, dt.date(2025, 1, 6) + dt.timedelta(weeks=i), {PRACTITIONER: [i % 5] * 9, SUPERVISOR: [2] * 9}
        )
        for i in range(10)
    ]
    data = ChartData(framework=framework, reflections=tuple(weekly))
    drawer = ChartDrawer(size=(8, 6))
    drawer.draw(ChartRequest(kind, None, (PRACTITIONER, SUPERVISOR)), data)
    drawer.figure.canvas.draw()
    runs = []
    real = figures.ConstrainedLayoutEngine.execute
    monkeypatch.setattr(figures.ConstrainedLayoutEngine, "execute", lambda self, fig: runs.append(1) or real(self, fig))
    later = ChartRequest(kind, tuple(r.id for r in weekly[1:]), (PRACTITIONER, SUPERVISOR))
    assert drawer.draw(later, data) == "updated"
    here = placed(drawer.figure)
    assert runs == []
    fresh = ChartDrawer(size=(8, 6))
    fresh.draw(later, data)
    assert numpy.abs(here - placed(fresh.figure)).max() < 1.0


def test_a_legend_takes_as_few_rows_as_fit_and_skips_what_is_far_too_wide(monkeypatch):
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from psi_desktop.charts.figures import new_figure
    from psi_desktop.charts.radar import fitting_legend

    def every_count(fig, handles) -> int:
        """The old way: build the legend at each number of columns in turn until one fits."""
        columns = len(handles)
        while True:
            legend = fig.legend(
                handles=handles,
                ncol=columns,
                loc="outside lower center",
                frameon=False,
                handlelength=4.6,
                columnspacing=1.6,
            )
            fits = legend.get_window_extent(fig.canvas.get_renderer()).width <= 0.98 * fig.bbox.width
            legend.remove()
            if columns == 1 or fits:
                return columns
            rows = -(-len(handles) // columns) + 1
            columns = min(columns - 1, -(-len(handles) // rows))

    built = []
    real = Figure.legend
    monkeypatch.setattr(Figure, "legend", lambda self, *a, **k: built.append(1) or real(self, *a, **k))
    for width in (3, 6, 9):
        fig = new_figure((width, 4), 100)
        for count in (1, 2, 5, 14):
            handles = [Line2D([], [], label=f"{'Session ' * (i % 3 + 1)}{i}") for i in range(count)]
            expected = every_count(fig, handles)
            built.clear()
            legend = fitting_legend(fig, handles)
            assert legend._ncols == expected, (width, count)
            legend.remove()
            assert len(built) <= 3
