"""PDF benchmark: the supervision note, a case report of 20 reflections and a portfolio of 50, each
beside a bare reportlab document of the same text and the same chart images, in the same run.

Run on demand: ``python -m pytest -m perf tests/perf/test_pdf_benchmark.py -s``. No absolute time
is asserted (these machines are noisy); only a generous ratio against the bare document.
``pdf_benchmark`` also runs at a tiny size in the default suite (tests/unit/test_benchmarks_small.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import statistics
import time
import uuid

from reportlab.platypus import Image, Paragraph, SimpleDocTemplate

from psi_desktop.domain.model import Action, Case
from psi_desktop.reporting.fonts import REGULAR
from psi_desktop.reporting.layout import styles
from psi_desktop.reporting.text import paragraphs
from psi_desktop.services import exports

MAX_RATIO = 6.0
"""Our documents (charts, tables, running headers, page N of M, checks) may cost this much more than bare text."""


def timed(fn, repeats: int = 2) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def bare(out, reflections, charts: int) -> None:
    """The same answers as plain Paragraphs and ``charts`` radar images drawn with matplotlib."""
    from psi_desktop.charts.figures import figure_png
    from psi_desktop.charts.radar import radar_figure
    from psi_desktop.frameworks import default_framework

    body = styles()["body"]
    story = []
    framework = default_framework()
    for index, reflection in enumerate(reflections):
        for answer in reflection.answers.values():
            story += [Paragraph(chunk, body) for chunk in paragraphs(answer)]
        if index < charts:
            png = figure_png(radar_figure(reflection, framework, size=(5.8, 5.0)), dpi=200)
            story.append(Image(io.BytesIO(png), width=5.8 * 72, height=5 * 72))
    SimpleDocTemplate(str(out), initialFontName=REGULAR).build(story)


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


def pdf_benchmark(make_profile, tmp_path, portfolio: int = 50, report: int = 20, repeats: int = 2) -> list[tuple]:
    """The note, a case report of ``report`` and a portfolio of ``portfolio`` reflections, each beside bare
    reportlab: rows of (name, ours seconds, bare seconds, the PDF made)."""
    profile, case = bench_profile(make_profile, tmp_path, portfolio)
    reflections = profile.cases.reflections(case.id)
    smaller = Case(uuid.uuid4(), code=f"Bench - {report}")
    profile.store.cases.add(smaller)
    with profile.store.atomic():
        for reflection in reflections[:report]:
            profile.store.reflections.save(dataclasses.replace(reflection, id=uuid.uuid4(), case_id=smaller.id))
    draft = exports.portfolio_draft(profile, [case.id])

    jobs = [
        (
            "note",
            tmp_path / "note.pdf",
            lambda: exports.export_note(profile, reflections[-1].id, tmp_path / "note.pdf", force=True),
            lambda: bare(tmp_path / "bare-note.pdf", reflections[-1:], 1),
        ),
        (
            f"case report, {report}",
            tmp_path / "case.pdf",
            lambda: exports.export_case_report(profile, smaller.id, tmp_path / "case.pdf", force=True),
            lambda: bare(tmp_path / "bare-case.pdf", reflections[:report], 2),
        ),
        (
            f"portfolio, {portfolio}",
            tmp_path / "portfolio.pdf",
            lambda: exports.export_portfolio(profile, draft, tmp_path / "portfolio.pdf", force=True),
            lambda: bare(tmp_path / "bare-portfolio.pdf", reflections, portfolio + 2),
        ),
    ]
    return [(name, timed(ours, repeats), timed(baseline, repeats), out) for name, out, ours, baseline in jobs]


def test_pdf_benchmark(make_profile, tmp_path, capsys):
    rows = pdf_benchmark(make_profile, tmp_path)
    with capsys.disabled():
        print("\nPDF benchmark (median of 2)")
        for name, ours_s, bare_s, _out in rows:
            print(f"  {name:16} ours {ours_s:6.2f} s   bare reportlab {bare_s:6.2f} s   ratio {ours_s / bare_s:4.1f}")
    assert max(ours_s / bare_s for _name, ours_s, bare_s, _out in rows) < MAX_RATIO
