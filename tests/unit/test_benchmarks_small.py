"""Each benchmark in tests/perf, run once at a tiny size so that it cannot rot (the timings are not read).

The unlock benchmark needs Qt widgets; its tiny run is tests/end2end/test_unlock_benchmark_small.py.
"""

from __future__ import annotations

from pypdf import PdfReader

from tests.perf import test_chart_benchmark as charts
from tests.perf import test_pdf_benchmark as pdfs
from tests.perf import test_store_benchmark as store


def test_the_store_benchmark_runs(tmp_path):
    lines = store.store_benchmark(tmp_path, n=3, repeats=1, list_repeats=1)
    assert lines[0].startswith("save 3 reflections one by one") and lines[1].startswith("case list")


def test_the_chart_benchmarks_run():
    rows = charts.chart_rows(sizes=(2,), repeats=1)
    assert [kind for _count, kind, *_ in rows] == [kind.value for kind in charts.KINDS]
    lookup, registered = charts.hover_lookup(count=2, repeats=1)
    assert registered >= 3 and lookup > 0
    assert charts.import_cost(runs=1) > 0


def test_the_pdf_benchmark_runs(make_profile, tmp_path):
    rows = pdfs.pdf_benchmark(make_profile, tmp_path, portfolio=2, report=1, repeats=1)
    assert [name for name, *_ in rows] == ["note", "case report, 1", "portfolio, 2"]
    for _name, ours, bare, out in rows:
        assert ours > 0 and bare > 0 and len(PdfReader(out).pages) >= 1
