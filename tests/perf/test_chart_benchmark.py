"""Chart benchmark: build and draw each kind for 1, 10 and 100 reflections, beside a bare matplotlib
polar plot of the same data measured in the same run.

Run on demand: ``python -m pytest -m perf tests/perf -s``. Nothing here asserts a time: these
machines are noisy (PLATFORM.md: ±30%), so the figures are printed for a person to read. Each
benchmark also runs at a tiny size in the default suite (tests/unit/test_benchmarks_small.py).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import subprocess
import sys
import time
import uuid

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from psi_desktop.charts import hover
from psi_desktop.charts.data import ChartData, ChartKind, ChartRequest
from psi_desktop.charts.drawer import ChartDrawer
from psi_desktop.domain.model import Perspective, Reflection, ServiceUserSource
from psi_desktop.frameworks import default_framework

SIZES = (1, 10, 100)
KINDS = (ChartKind.RADAR, ChartKind.OVERLAY, ChartKind.MULTIPLES, ChartKind.TRENDS, ChartKind.GAPS)
FIGSIZE, DPI = (8.0, 6.0), 100
ALL = tuple(Perspective)


def timed(fn, repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def reflections(count: int) -> list[Reflection]:
    """Weekly sessions rated from three perspectives, with the odd unrated dimension."""
    framework = default_framework()
    made = []
    for i in range(count):
        ratings = {}
        for k, perspective in enumerate(Perspective):
            scores = {d: (i + j + k) % 5 for j, d in enumerate(framework.dimension_ids)}
            if (i + k) % 7 == 3:
                scores.pop(framework.dimension_ids[(i + k) % 9])
            ratings[perspective] = scores
        made.append(
            Reflection(
                id=uuid.uuid4(),
                case_id=uuid.UUID(int=1),
                framework_id="psi",
                framework_version=1,
                session_date=dt.date(2025, 1, 6) + dt.timedelta(weeks=i),
                ratings=ratings,
                service_user_source=ServiceUserSource.ESTIMATE if i % 2 else ServiceUserSource.TOLD_ME,
            )
        )
    return made


def bare_polar(data: ChartData, shown: list[Reflection]) -> None:
    """The same polygons on a plain matplotlib polar Axes: no frame, labels, legend or gaps."""
    dims = data.framework.dimension_ids
    thetas = [2 * math.pi * i / len(dims) for i in range(len(dims) + 1)]
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(projection="polar")
    for reflection in shown:
        for perspective in Perspective:
            scores = reflection.ratings_of(perspective)
            values = [scores.get(d, math.nan) for d in dims]
            ax.plot(thetas, [*values, values[0]], marker="o")
    fig.canvas.draw()


def build_and_draw(request: ChartRequest, data: ChartData) -> ChartDrawer:
    drawer = ChartDrawer(size=FIGSIZE, dpi=DPI)
    drawer.draw(request, data)
    drawer.figure.canvas.draw()
    return drawer


def chart_rows(sizes=SIZES, repeats: int | None = None) -> list[tuple]:
    """Each kind built and redrawn for each number of reflections, beside the bare plot: the rows to print."""
    rows = []
    for count in sizes:
        made = reflections(count)
        data = ChartData(framework=default_framework(), reflections=tuple(made))
        times = repeats or (5 if count < 100 else 3)
        bare_all = timed(lambda d=data, m=made: bare_polar(d, m), times)
        bare_one = timed(lambda d=data, m=made: bare_polar(d, m[-1:]), times)
        for kind in KINDS:
            request = ChartRequest(kind, perspectives=ALL)
            drawer = build_and_draw(request, data)
            assert drawer.figure.axes or drawer.message, kind  # a chart, or its empty state
            built = timed(lambda r=request, d=data: build_and_draw(r, d), times)
            # What a person does next: untick a perspective on the same chart.
            switched = ChartRequest(kind, perspectives=(Perspective.PRACTITIONER, Perspective.SUPERVISOR))

            def redraw(dr=drawer, r1=switched, r2=request, d=data):
                dr.draw(r1, d)
                dr.figure.canvas.draw()
                dr.draw(r2, d)
                dr.figure.canvas.draw()

            again = timed(redraw, times) / 2
            # A radar shows one reflection; the bare plot to compare it with does too.
            bare = bare_one if kind is ChartKind.RADAR else bare_all
            note = " (empty state)" if drawer.message else ""
            rows.append((count, kind.value, built, again, bare, note))
    return rows


def test_chart_kinds_against_a_bare_polar_plot():
    rows = chart_rows()
    print(
        f"\nchart build+draw at {FIGSIZE[0]:.0f}x{FIGSIZE[1]:.0f} in, {DPI} dpi "
        "(medians; bare = a polar plot of the same data)"
    )
    print(
        f"{'refl':>4}  {'kind':<9} {'ours ms':>8} {'redraw ms':>9} {'bare ms':>8} {'ours/bare':>9} {'redraw/bare':>11}"
    )
    for count, kind, built, again, bare, note in rows:
        print(
            f"{count:>4}  {kind:<9} {built * 1000:>8.0f} {again * 1000:>9.0f} {bare * 1000:>8.0f} "
            f"{built / bare:>8.1f}x {again / bare:>10.1f}x{note}"
        )


def hover_lookup(count: int = 100, repeats: int = 20) -> tuple[float, int]:
    """Median seconds to find the point under the mouse on an overlay of ``count`` reflections, and its lines."""
    data = ChartData(framework=default_framework(), reflections=tuple(reflections(count)))
    drawer = build_and_draw(ChartRequest(ChartKind.OVERLAY, perspectives=ALL), data)
    line = next(ln for ln in drawer.figure.axes[0].get_lines() if hover.texts_of(ln))
    x, y = line.get_transform().transform(line.get_xydata())[0]
    hits = []
    lookup = timed(lambda: hits.append(hover.point_at(drawer.figure, x, y)), repeats)
    registered = sum(1 for ln in drawer.figure.axes[0].get_lines() if hover.texts_of(ln))
    assert hits and all(hit is not None for hit in hits)
    return lookup, registered


def test_hover_lookup_on_the_busiest_chart():
    lookup, registered = hover_lookup()
    print(f"\nhover lookup, overlay of 100 reflections x 3 perspectives ({registered} lines): {lookup * 1000:.1f} ms")


def import_cost(runs: int = 3) -> float:
    """Median seconds to import the chart code (and matplotlib) in a fresh process."""
    code = "import time; t = time.perf_counter(); import psi_desktop.charts.drawer; print(time.perf_counter() - t)"
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    )


def test_import_cost_of_the_first_chart():
    """What the lazy import saves at start-up: importing the chart code in a fresh process."""
    print(f"\nimporting matplotlib and the chart modules in a fresh process: {import_cost() * 1000:.0f} ms")
