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
    budgets = charts.chart_budget_rows(repeats=1, count=5)  # five weeks: two months for my practice
    assert [r.name.split(":")[0] for r in budgets if r.name.endswith("first draw")] == [
        kind.value for kind in charts.BUDGET_KINDS
    ]
    assert all(r.measured > 0 and r.ratio > 0 and r.ratio_budget > 0 for r in budgets)


def test_the_pdf_benchmark_runs(make_profile, tmp_path):
    rows = pdfs.pdf_benchmark(make_profile, tmp_path, portfolio=2, report=1, repeats=1)
    assert [name for name, *_ in rows] == ["note", "case report, 1", "portfolio, 2"]
    for _name, ours, bare, out in rows:
        assert ours > 0 and bare > 0 and len(PdfReader(out).pages) >= 1
    table = pdfs.pdf_budget_rows(rows)
    assert [(name, budget) for name, _s, budget, _ratio, _met in table] == [
        ("note", pdfs.NOTE_BUDGET),
        ("case report, 1", None),
        ("portfolio, 2", pdfs.PORTFOLIO_BUDGET),
    ]
    assert all(ratio > 0 and (met is None) == (budget is None) for _n, _s, budget, ratio, met in table)


def test_the_scaling_benchmark_runs(tmp_path):
    from tests.perf import test_scaling_benchmark as scaling

    rows = scaling.scaling_rows(tmp_path, small=(1, 2), large=(2, 2), runs=1, long_case=3)
    assert sorted(name for name, *_ in rows) == sorted(scaling.BUDGETS)
    assert [row[0] for row in scaling.budget_rows(rows)] == [name for name, *_ in rows]
    assert all(few > 0 and many > 0 for _name, few, many, _ratio in rows)


def test_a_synthetic_bundle_imports_whole(make_profile, tmp_path):
    from psi_desktop.services.bundles import import_bundle
    from tests.perf.synthetic import write_bundle

    profile = make_profile(tmp_path / "p")
    import_bundle(profile, write_bundle(tmp_path / "s.psi.json", 3, 4, seed=7), None)
    summaries = profile.cases.summaries()
    assert [s.reflection_count for s in summaries] == [4, 4, 4]
    signed = [r for s in summaries for r in profile.cases.reflections(s.case.id) if r.signed]
    assert len(signed) == 6  # every other one, each with its true hash (the import checks it)
    again = write_bundle(tmp_path / "t.psi.json", 3, 4, seed=7)
    assert again.read_bytes() == (tmp_path / "s.psi.json").read_bytes()  # the same seed, the same bundle


def test_the_launch_benchmark_runs(make_profile, tmp_path):
    from tests.perf import test_launch_benchmark as launch

    make_profile(tmp_path / "p", demo=True).close()
    figures = launch.launch_figures(tmp_path / "p", runs=1)
    assert figures["at_first_paint"] == []  # the store's code, numpy and the charts load after the lock screen paints
    assert {"sqlite_utils", "psi_desktop.storage.store"} <= set(figures["after_warm_up"])  # ...and then they do
    assert figures["kinds_drawn"] == 6 and figures["charts_mb"] > 0 and figures["charts_peak_mb"] > 0
    assert [row[0] for row in launch.budget_rows(figures)] == [
        "launch to the painted lock screen",
        "memory in use, every chart kind drawn",
    ]
