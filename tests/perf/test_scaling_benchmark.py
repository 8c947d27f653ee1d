"""Scaling benchmark: the same work at 10 reflections and at many, on profiles made from synthetic bundles.

Run on demand: ``python -m pytest -m perf tests/perf/test_scaling_benchmark.py -s`` (10,000 reflections
over 200 cases; ``PSI_SCALE=cases,per_case`` changes it). Nothing here asserts a time: the figures and
their ratios to the same work at 10 reflections, measured in the same run, are printed beside the
budgets of issue 16 for a person to read. ``scaling_rows`` also runs at a tiny size in the default suite
(tests/unit/test_benchmarks_small.py), so it cannot rot.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from psi_desktop.services.bundles import import_bundle
from psi_desktop.services.profile import create_profile, recovery_key_shown
from tests.conftest import PASSPHRASE
from tests.perf.synthetic import write_bundle
from tests.perf.test_store_benchmark import timed

SMALL = (1, 10)
LARGE = tuple(int(n) for n in os.environ.get("PSI_SCALE", "200,50").split(","))


def made_profile(base: Path, cases: int, per_case: int):
    """A profile holding a synthetic bundle of this size; returns it open and the seconds the import took."""
    made = create_profile(base / "profile", PASSPHRASE)
    recovery_key_shown(base / "profile")
    bundle = write_bundle(base / "records.psi.json", cases, per_case)
    started = time.perf_counter()
    import_bundle(made.profile, bundle, None)
    return made.profile, time.perf_counter() - started


def cases_json(directory: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "psi_desktop", "--data-dir", str(directory), "cases", "--json"],
        env={**os.environ, "PSI_DESKTOP_PASSPHRASE": PASSPHRASE},
        check=True,
        capture_output=True,
    )


def measure(base: Path, cases: int, per_case: int, runs: int) -> dict[str, float]:
    profile, imported = made_profile(base, cases, per_case)
    biggest = max(profile.cases.summaries(), key=lambda s: s.reflection_count).case
    figures = {
        "import the bundle": imported,
        "case list (summaries)": timed(profile.cases.summaries, runs),
        "case page (reflections and actions of one case)": timed(
            lambda: (profile.cases.reflections(biggest.id), profile.cases.actions(biggest.id)), runs
        ),
        "full-text search": timed(lambda: profile.cases.search("ward round"), runs),
    }
    directory = profile.directory
    profile.close()
    figures["psi-desktop cases --json (whole process)"] = timed(lambda: cases_json(directory), runs)
    return figures


def scaling_rows(base: Path, small=SMALL, large=LARGE, runs: int = 5) -> list[tuple[str, float, float, float]]:
    """(what, seconds at the small size, seconds at the large size, large/small) for each figure."""
    (base / "small").mkdir()
    (base / "large").mkdir()
    few = measure(base / "small", *small, runs)
    many = measure(base / "large", *large, runs)
    return [(name, few[name], many[name], many[name] / few[name]) for name in few]


BUDGETS = {
    "psi-desktop cases --json (whole process)": "<= 1.5x",
    "case list (summaries)": "<= 200 ms",
    "case page (reflections and actions of one case)": "<= 200 ms (500 reflections)",
    "full-text search": "<= 50 ms",
    "import the bundle": "<= 15 s (10,000)",
}


@pytest.mark.perf
def test_the_same_work_at_10_reflections_and_at_many(tmp_path):
    rows = scaling_rows(tmp_path)
    small, large = SMALL[0] * SMALL[1], LARGE[0] * LARGE[1]
    print(f"\nscaling: {small} reflections against {large:,} ({LARGE[0]} cases), medians of 5")
    print(f"{'what':50} {'small ms':>9} {'large ms':>9} {'ratio':>7}  budget")
    for name, few, many, ratio in rows:
        print(f"{name:50} {few * 1000:9.0f} {many * 1000:9.0f} {ratio:6.1f}x  {BUDGETS[name]}")
    assert all(many > 0 for _name, _few, many, _ratio in rows)
