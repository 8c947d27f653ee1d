"""Every budget of issue 16 in one table: ``python -m pytest -m perf tests/perf/test_budget_table.py -s``.

Launch, unlock, lists, search, autosave and import at 10 and at 10,000 reflections (``PSI_SCALE``),
charts and PDFs, each beside its bare baseline or its small size measured in this same run. The
table is printed in Markdown, as the README shows it; ``PSI_BUDGET_TABLE=FILE`` writes it there too.
It takes several minutes (a 10,000-reflection profile is imported, with the real key derivation).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.perf import test_chart_benchmark as charts
from tests.perf import test_launch_benchmark as launch
from tests.perf import test_pdf_benchmark as pdfs
from tests.perf import test_scaling_benchmark as scaling
from tests.perf import test_unlock_benchmark as unlock

Row = tuple[str, str, str, float, bool]


def markdown(rows: list[Row]) -> str:
    lines = ["| what | measured | budget | ratio | met |", "|---|---|---|---|---|"]
    for what, measured, budget, ratio, met in rows:
        lines.append(f"| {what} | {measured} | {budget} | {ratio:.2f} | {'yes' if met else '**no**'} |")
    return "\n".join(lines)


@pytest.mark.perf
def test_every_budget_in_one_table(qtbot, make_profile, tmp_path: Path, real_kdf):
    make_profile(tmp_path / "launch", demo=True).close()
    rows: list[Row] = list(launch.budget_rows(launch.launch_figures(tmp_path / "launch")))
    (tmp_path / "scale").mkdir()
    scale = scaling.scaling_rows(tmp_path / "scale")
    sizes = (scaling.SMALL[0] * scaling.SMALL[1], scaling.LARGE[0] * scaling.LARGE[1] + scaling.LONG_CASE)
    few = unlock.unlock_figures(qtbot, tmp_path / "scale" / "small" / "profile")
    many = unlock.unlock_figures(qtbot, tmp_path / "scale" / "large" / "profile")
    rows += unlock.budget_rows(few, many, sizes)
    rows += scaling.budget_rows(scale)
    rows += [
        (r.name, f"{r.measured:.0f} ms", f"{r.budget:.0f} ms here = {r.ratio_budget:.1f}x bare", r.ratio, r.met)
        for r in charts.chart_budget_rows()
    ]
    (tmp_path / "pdfs").mkdir()
    for name, seconds, budget, ratio, met in pdfs.pdf_budget_rows(pdfs.pdf_benchmark(make_profile, tmp_path / "pdfs")):
        if budget is not None:  # the case report has no budget of its own
            seconds_budget = f" (= {pdfs.PORTFOLIO_SECONDS:.0f} s)" if name.startswith("portfolio") else ""
            limit = f"{budget:.2f}x bare{seconds_budget}"
            rows.append((f"PDF: {name}", f"{seconds:.2f} s", limit, ratio, bool(met)))
    table = markdown(rows)
    print("\n" + table)
    if os.environ.get("PSI_BUDGET_TABLE"):
        Path(os.environ["PSI_BUDGET_TABLE"]).write_text(table + "\n", encoding="utf-8")
    assert rows and all(ratio > 0 for *_rest, ratio, _met in rows)
