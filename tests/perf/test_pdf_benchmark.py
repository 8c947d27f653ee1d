"""PDF benchmark (issue 16 item 5): the supervision note, a case report of 20 reflections and a portfolio of 50,
each beside a bare reportlab document of the same content, timed in the same run.

Run on demand: ``python -m pytest -m perf tests/perf/test_pdf_benchmark.py -s``. The machine is shared, so
no absolute time is asserted: ours and bare are interleaved, medians taken, and only ratios asserted.

The bare document is fair to the comparison: it holds the same words and the same charts, drawn the
cheapest plain way. Our document is laid out once untimed with its stories recorded (``_Recorder``); the
bare one prints every Paragraph of them (in tables and kept-together blocks too) as a plain paragraph of
its plain text, the running header and footer as plain strings, each radar as the same polygons, rings,
spokes and labels in plain reportlab shapes (no dashes, markers, fills or fitting), and each matplotlib
chart rendered at the same resolution straight to pixels and placed as an image. It is plain reportlab
with no PDF/A step, in the same font (DejaVu Sans, embedded) and with ASCII85 off as ours has it. Our
PDF/A step (make_archival: written by pikepdf, then validated) is clocked apart, so the report can say
how far it alone puts a budget out of reach.

``pdf_budget_rows`` turns the timings into the README's rows; ``pdf_benchmark`` also runs at a tiny size
in the default suite (tests/unit/test_benchmarks_small.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import math
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Table

from psi_desktop.charts.radar import rated_perspectives, rated_runs
from psi_desktop.charts.style import perspective_style
from psi_desktop.domain.model import Action, Case
from psi_desktop.reporting import case_report, layout, portfolio, supervision_note
from psi_desktop.reporting.fonts import BOLD, REGULAR
from psi_desktop.reporting.layout import CONFIDENTIAL, styles
from psi_desktop.services import exports

NOTE_BUDGET = 1.3
"""Issue 16 item 5: a note costs at most 1.3 times a bare reportlab document of the same content."""
PORTFOLIO_SECONDS = 5.0
"""Issue 16 item 5: a portfolio of 50 signed reflections in at most 5 s (it took 28 s when the issue was filed)."""
CALM_BARE_PORTFOLIO_S = 1.3
"""The bare portfolio of 50 on the 2-core development machine at its calmest (the median of seven runs'
medians, load 1 to 2: 1.18 to 1.41 s). So the 5 s budget is PORTFOLIO_SECONDS / CALM_BARE_PORTFOLIO_S
times the bare document, a ratio that holds on a busy machine too."""
PORTFOLIO_BUDGET = PORTFOLIO_SECONDS / CALM_BARE_PORTFOLIO_S
MAX_RATIO = 6.0
"""What the perf test asserts of every document: a regression guard. The note cannot meet its 1.3: its PDF/A
step alone (pikepdf writing and validating it) takes longer than the whole bare note (see the report)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Timing:
    """One document: our median seconds, the bare document's median seconds (interleaved), and our PDF."""

    name: str
    ours: float
    bare: float
    out: Path
    archival: float = 0.0  # of ours: the mean seconds of the PDF/A step (write, then validate what was written)

    @property
    def ratio(self) -> float:
        return self.ours / self.bare

    def __iter__(self) -> Iterator:  # (name, ours, bare, out), as the rows always were
        return iter((self.name, self.ours, self.bare, self.out))


def interleaved(ours: Callable[[], object], bare: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Medians of ``repeats`` runs each, in the order ours, bare, bare, ours, ... so neither always goes first."""
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    for index in range(repeats):
        order = (("ours", ours), ("bare", bare)) if index % 2 == 0 else (("bare", bare), ("ours", ours))
        for name, fn in order:
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return statistics.median(times["ours"]), statistics.median(times["bare"])


# --- recording what our document holds -------------------------------------------------------------


class _Recorder:
    """While active: each story the reporting modules lay out, each figure they rasterise, each radar they draw.

    Only wraps the names those modules call (build_pdf, chart_image, radar_drawing, and radar_figure where
    a radar is still a matplotlib figure); nothing is changed. A radar is the bare document's plain radar
    however ours draws it, so the bare document stays the same yardstick.
    """

    _MODULES = (supervision_note, case_report, portfolio)

    def __init__(self) -> None:
        self.stories: list[list[Flowable]] = []
        self.figures: dict[int, object] = {}  # id(Image) -> its matplotlib figure
        self.radars: dict[int, tuple] = {}  # id(Drawing or figure) -> (reflection, framework)

    @contextlib.contextmanager
    def active(self) -> Iterator[_Recorder]:
        saved = []

        def wrap(module, name, make):
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, make(getattr(module, name)))

        def build(real):
            def recorded(story, *args, **kwargs):
                self.stories.append(list(story))
                return real(story, *args, **kwargs)

            return recorded

        def image(real):
            def recorded(figure, *args, **kwargs):
                made = real(figure, *args, **kwargs)
                self.figures[id(made)] = figure
                return made

            return recorded

        def radar(real):
            def recorded(reflection, framework, *args, **kwargs):
                made = real(reflection, framework, *args, **kwargs)
                self.radars[id(made)] = (reflection, framework)
                return made

            return recorded

        for module in self._MODULES:
            wrap(module, "build_pdf", build)
            wrap(module, "chart_image", image)
            wrap(module, "radar_drawing", radar)
            wrap(module, "radar_figure", radar)
        try:
            yield self
        finally:
            for module, name, real in reversed(saved):
                setattr(module, name, real)


# --- the bare document ------------------------------------------------------------------------------


def plain_radar(reflection, framework, width: float, height: float) -> Drawing:
    """The radar's content in plain shapes: rings, spokes, a line per rated run, every label and legend name."""
    drawing = Drawing(width, height, initialFontName=REGULAR)
    cx, cy, radius = width / 2, height / 2 + 10, min(width, height) / 3
    count = len(framework.dimensions)
    low, high = framework.scale_min, framework.scale_max

    def at(rating, index, extra=0.0):
        theta = math.pi / 2 - 2 * math.pi * index / count
        rho = radius * (rating - low + 0.6) / (high - low + 0.6) + extra
        return cx + rho * math.cos(theta), cy + rho * math.sin(theta)

    for rating in range(low, high + 1):
        drawing.add(Circle(cx, cy, radius * (rating - low + 0.6) / (high - low + 0.6), fillColor=None))
    for index, dimension in enumerate(framework.dimensions):
        drawing.add(Line(*at(low, index), *at(high, index)))
        drawing.add(String(*at(high, index, 12), dimension.label, fontName=REGULAR, fontSize=10))
    for component in framework.components:
        first = framework.dimension_ids.index(framework.dimensions_of(component.id)[0].id)
        drawing.add(String(*at(high, first, 30), component.label, fontName=BOLD, fontSize=12))
    for place, perspective in enumerate(rated_perspectives(reflection)):
        ratings = reflection.ratings_of(perspective)
        values = [ratings.get(d.id) for d in framework.dimensions]
        style = perspective_style(perspective, reflection.service_user_source)
        for run in rated_runs(values):
            if len(run) > 1:
                points = [c for i in run for c in at(values[i % count], i % count)]
                drawing.add(PolyLine(points, strokeColor=colors.HexColor(style.colour)))
        drawing.add(String(10 + 140 * place, 4, style.label, fontName=REGULAR, fontSize=10))
    return drawing


class _Pixels(Flowable):
    """Pixels in memory placed as an image (reportlab deflates them)."""

    def __init__(self, picture, width: float, height: float) -> None:
        super().__init__()
        self.picture, self.width, self.height = ImageReader(picture), width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.picture, 0, 0, self.width, self.height)


def plain_chart(figure, width: float, height: float) -> Flowable:
    """A matplotlib chart the cheapest plain way: rendered at the same resolution straight to pixels, placed."""
    from PIL import Image as PILImage

    pixels = io.BytesIO()
    figure.savefig(pixels, format="rgba", dpi=layout.CHART_DPI, facecolor="white")
    across = round(figure.get_size_inches()[0] * layout.CHART_DPI)
    size = (across, len(pixels.getbuffer()) // (4 * across))
    return _Pixels(
        PILImage.frombuffer("RGBA", size, pixels.getbuffer(), "raw", "RGBA", 0, 1).convert("RGB"), width, height
    )


def _plain(flowable: Flowable, recorded: _Recorder, body) -> list[Flowable]:
    if isinstance(flowable, Paragraph):
        return [Paragraph(escape(flowable.getPlainText()), body)]
    if isinstance(flowable, Table):
        return [f for row in flowable._cellvalues for cell in row for f in _plain_cell(cell, recorded, body)]
    if isinstance(flowable, KeepTogether):
        return [f for inner in flowable._content for f in _plain(inner, recorded, body)]
    if id(flowable) in recorded.radars:
        return [plain_radar(*recorded.radars[id(flowable)], flowable.width, flowable.height)]
    if id(flowable) in recorded.figures:
        figure = recorded.figures[id(flowable)]
        if id(figure) in recorded.radars:  # a radar drawn as a picture: the same plain radar
            return [plain_radar(*recorded.radars[id(figure)], flowable.drawWidth, flowable.drawHeight)]
        return [plain_chart(figure, flowable.drawWidth, flowable.drawHeight)]
    return []  # marks, bookmarks, rules, spacers, page breaks: nothing to print


def _plain_cell(cell, recorded: _Recorder, body) -> list[Flowable]:
    if isinstance(cell, str):
        return [Paragraph(escape(cell), body)] if cell.strip() else []
    if isinstance(cell, list | tuple):
        return [f for inner in cell for f in _plain(inner, recorded, body)]
    return _plain(cell, recorded, body) if isinstance(cell, Flowable) else []


def bare_builder(recorded: _Recorder, out: Path, header: str) -> Callable[[], None]:
    """A function writing the bare document of the last story recorded (see the module docstring)."""
    story = recorded.stories[-1]
    body = styles()["body"]

    def page(canvas, doc) -> None:
        canvas.setFont(REGULAR, 9)
        canvas.drawString(60, 810, header)
        canvas.drawString(400, 810, CONFIDENTIAL)
        canvas.drawString(60, 30, f"Generated {dt.date.today():%d %B %Y} by PSI Desktop")
        canvas.drawString(480, 30, f"Page {doc.page}")

    def build() -> None:
        flowables = [f for item in story for f in _plain(item, recorded, body)]  # made new each time, as ours are
        useA85, rl_config.useA85 = rl_config.useA85, 0
        try:
            SimpleDocTemplate(str(out), initialFontName=REGULAR).build(flowables, onFirstPage=page, onLaterPages=page)
        finally:
            rl_config.useA85 = useA85

    return build


@contextlib.contextmanager
def _archival_clock() -> Iterator[list[float]]:
    """The seconds of each PDF/A step (layout.make_archival) while active: the part of ours bare reportlab has not."""
    spent: list[float] = []
    real = layout.make_archival

    def clocked(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    layout.make_archival = clocked
    try:
        yield spent
    finally:
        layout.make_archival = real


def bench_profile(make_profile, tmp_path, count: int):
    """The demo profile with a case of ``count`` signed reflections (copies of the demo's), each with an action."""
    profile = make_profile(tmp_path / "profile", demo=True)
    demo = profile.cases.find("Demo - Ward 3")
    signed = [r for r in profile.cases.reflections(demo.id) if r.signed]
    case = Case(uuid.uuid4(), code=f"Bench - {count}", setting="Benchmark")
    profile.store.cases.add(case)
    with profile.store.atomic():
        for index in range(count):
            source = signed[index % len(signed)]
            copy = dataclasses.replace(
                source,
                id=uuid.uuid4(),
                case_id=case.id,
                session_date=dt.date(2025, 1, 1) + dt.timedelta(days=7 * index),
            )
            profile.store.reflections.save(copy)
            profile.store.actions.save(Action(uuid.uuid4(), case.id, copy.id, f"Action {index}"))
    return profile, case


def pdf_benchmark(make_profile, tmp_path, portfolio: int = 50, report: int = 20, repeats: int = 5) -> list[Timing]:
    """The note, a case report of ``report`` and a portfolio of ``portfolio`` reflections, each beside its bare
    document: a Timing each (medians of ``repeats`` interleaved runs)."""
    profile, case = bench_profile(make_profile, tmp_path, portfolio)
    reflections = profile.cases.reflections(case.id)
    smaller = Case(uuid.uuid4(), code=f"Bench - {report}")
    profile.store.cases.add(smaller)
    with profile.store.atomic():
        for reflection in reflections[:report]:
            profile.store.reflections.save(dataclasses.replace(reflection, id=uuid.uuid4(), case_id=smaller.id))
    draft = exports.portfolio_draft(profile, [case.id])
    jobs = [
        ("note", lambda out: exports.export_note(profile, reflections[-1].id, out, force=True), case.code),
        (f"case report, {report}", lambda out: exports.export_case_report(profile, smaller.id, out, force=True), ""),
        (f"portfolio, {portfolio}", lambda out: exports.export_portfolio(profile, draft, out, force=True), case.code),
    ]
    timings = []
    for index, (name, export, header) in enumerate(jobs):
        out = tmp_path / f"ours-{index}.pdf"
        with _Recorder().active() as recorded:
            export(out)  # untimed: records what the document holds, and warms every cache both sides share
        bare = bare_builder(recorded, tmp_path / f"bare-{index}.pdf", header or smaller.code)
        bare()
        with _archival_clock() as clock:
            ours_s, bare_s = interleaved(lambda export=export, out=out: export(out), bare, repeats)
        timings.append(Timing(name, ours_s, bare_s, out, sum(clock) / repeats))
    return timings


BudgetRow = tuple[str, float, float | None, float, bool | None]


def pdf_budget_rows(timings: list[Timing]) -> list[BudgetRow]:
    """The README's rows, one a document: (name, measured, budget, ratio, met).

    ``measured`` is our median seconds (for the reader: a busy machine makes them longer); ``ratio`` is
    ours over the bare document's, measured in the same run; ``budget`` is the budget as such a ratio:
    1.3 for the note, the 5 s over the bare portfolio's calm time for the portfolio (PORTFOLIO_BUDGET),
    None for the case report, which has no budget of its own (nor a verdict: ``met`` is None).
    """
    budgets = {"note": NOTE_BUDGET, "portfolio": PORTFOLIO_BUDGET}
    rows: list[BudgetRow] = []
    for timing in timings:
        budget = next((b for prefix, b in budgets.items() if timing.name.startswith(prefix)), None)
        met = None if budget is None else timing.ratio <= budget
        rows.append((timing.name, timing.ours, budget, timing.ratio, met))
    return rows


def test_pdf_benchmark(make_profile, tmp_path, capsys):
    timings = pdf_benchmark(make_profile, tmp_path)
    with capsys.disabled():
        print("\nPDF benchmark (medians of 5, ours and bare interleaved)")
        for t in timings:
            print(
                f"  {t.name:18} ours {t.ours:6.2f} s (PDF/A step {t.archival:5.2f} s)   bare {t.bare:6.2f} s   "
                f"ratio {t.ratio:4.2f}, without the PDF/A step {(t.ours - t.archival) / t.bare:4.2f}"
            )
        print(f"  portfolio budget: {PORTFOLIO_SECONDS:.0f} s = {PORTFOLIO_BUDGET:.2f} x its bare document (calm)")
        for name, measured, budget, ratio, met in pdf_budget_rows(timings):
            limit = "-" if budget is None else f"{budget:.2f}x"
            print(f"  {name:18} {measured:6.2f} s   ours/bare {ratio:4.2f}x   budget {limit:>6}   met: {met}")
    assert max(t.ratio for t in timings) < MAX_RATIO
    portfolio = timings[-1]
    assert portfolio.ratio <= PORTFOLIO_BUDGET, f"the portfolio took {portfolio.ratio:.2f} times its bare document"
