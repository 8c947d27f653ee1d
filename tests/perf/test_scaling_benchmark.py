"""Scaling benchmark: the same work at 10 reflections and at many, on profiles made from synthetic bundles.

Run on demand: ``python -m pytest -m perf tests/perf/test_scaling_benchmark.py -s`` (10,000 reflections
over 200 cases; ``PSI_SCALE=cases,per_case`` changes it). Nothing here asserts a time: the figures and
their ratios to the same work at 10 reflections, measured in the same run, are printed beside the
budgets of issue 16 for a person to read. ``scaling_rows`` also runs at a tiny size in the default suite
(tests/unit/test_benchmarks_small.py), so it cannot rot.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from psi_desktop.services.bundles import import_bundle
from psi_desktop.services.profile import create_profile, recovery_key_shown
from psi_desktop.services.reflection_session import ReflectionSession
from psi_desktop.services.search import search_reflections
from tests.conftest import PASSPHRASE
from tests.perf.synthetic import RARE_WORD, write_bundle
from tests.perf.test_store_benchmark import timed

SMALL = (1, 10)
LARGE = tuple(int(n) for n in os.environ.get("PSI_SCALE", "200,50").split(","))
LONG_CASE = 500


def made_profile(base: Path, cases: int, per_case: int, long_case: int = 0):
    """A profile holding a synthetic bundle of this size (and a case of ``long_case`` more reflections,
    when given); returns it open and the seconds the first bundle's import took."""
    made = create_profile(base / "profile", PASSPHRASE)
    recovery_key_shown(base / "profile")
    bundle = write_bundle(base / "records.psi.json", cases, per_case)
    started = time.perf_counter()
    import_bundle(made.profile, bundle, None)
    imported = time.perf_counter() - started
    if long_case:
        import_bundle(made.profile, write_bundle(base / "long.psi.json", 1, long_case, seed=1, prefix="Long"), None)
    return made.profile, imported


def cases_json(directory: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "psi_desktop", "--data-dir", str(directory), "cases", "--json"],
        env={**os.environ, "PSI_DESKTOP_PASSPHRASE": PASSPHRASE},
        check=True,
        capture_output=True,
    )


def autosave_p95(profile, case_id, saves: int = 60) -> float:
    """The 95th percentile of typing into an answer and saving it, as the walkthrough's autosave does."""
    session = ReflectionSession(profile.reflections, profile.reflections.start(case_id), drafts=profile.drafts)
    prompt = profile.frameworks.latest("psi").prompt_ids[0]
    took = []
    for n in range(saves):
        session.set_answer(prompt, "The person said the ward round felt rushed. " * (1 + n % 5) + str(n))
        started = time.perf_counter()
        session.save()
        took.append(time.perf_counter() - started)
    return statistics.quantiles(took, n=20)[-1]


def measure(base: Path, cases: int, per_case: int, runs: int, long_case: int = 0) -> dict[str, float]:
    profile, imported = made_profile(base, cases, per_case, long_case)
    biggest = max(profile.cases.summaries(), key=lambda s: s.reflection_count).case
    figures = {
        "import the bundle": imported,
        "case list (summaries)": timed(profile.cases.summaries, runs),
        "case page (reflections and actions of the biggest case)": timed(
            lambda: (profile.cases.reflection_outlines(biggest.id), profile.cases.actions(biggest.id)), runs
        ),
        # The search Ctrl+F and psi-desktop search run: answers, actions and amendments, with their snippets.
        "full-text search, a word in few answers": timed(lambda: search_reflections(profile, RARE_WORD), runs),
        "full-text search, words in most answers": timed(lambda: search_reflections(profile, "ward round"), runs),
        "full-text search in the biggest case, words in most answers": timed(
            lambda: search_reflections(profile, "ward round", case_id=biggest.id), runs
        ),
        "autosave, 95th percentile": autosave_p95(profile, biggest.id),
    }
    directory = profile.directory
    profile.close()
    figures["psi-desktop cases --json (whole process)"] = timed(lambda: cases_json(directory), runs)
    return figures


def scaling_rows(
    base: Path, small=SMALL, large=LARGE, runs: int = 5, long_case: int = LONG_CASE
) -> list[tuple[str, float, float, float]]:
    """(what, seconds at the small size, seconds at the large size, large/small) for each figure; the
    large profile also has a case of ``long_case`` reflections, for the case page."""
    (base / "small").mkdir()
    (base / "large").mkdir()
    few = measure(base / "small", *small, runs)
    many = measure(base / "large", *large, runs, long_case)
    return [(name, few[name], many[name], many[name] / few[name]) for name in few]


BUDGETS = {
    # what: (budget, seconds at the large size or None, ratio to the small size or None)
    "import the bundle": ("<= 15 s for 10,000 reflections", 15.0, None),
    "case list (summaries)": ("<= 200 ms", 0.2, None),
    "case page (reflections and actions of the biggest case)": ("<= 200 ms with 500 reflections", 0.2, None),
    "full-text search, a word in few answers": ("<= 50 ms", 0.05, None),
    "full-text search, words in most answers": ("<= 50 ms", 0.05, None),
    "full-text search in the biggest case, words in most answers": ("<= 50 ms", 0.05, None),
    "autosave, 95th percentile": ("<= 20 ms", 0.02, None),
    "psi-desktop cases --json (whole process)": ("<= 1.5x the same at 10", None, 1.5),
}


def budget_rows(rows) -> list[tuple[str, str, str, float, bool]]:
    """(what, measured, budget, ratio, met) for the README's table, from ``scaling_rows``."""
    table = []
    for name, few, many, ratio in rows:
        budget, most, most_ratio = BUDGETS[name]
        met = (most is None or many <= most) and (most_ratio is None or ratio <= most_ratio)
        measured = f"{many * 1000:.0f} ms at {LARGE[0] * LARGE[1]:,} ({few * 1000:.0f} ms at {SMALL[0] * SMALL[1]})"
        table.append((name, measured, budget, ratio, met))
    return table


@pytest.mark.perf
def test_the_same_work_at_10_reflections_and_at_many(tmp_path):
    rows = scaling_rows(tmp_path)
    small, large = SMALL[0] * SMALL[1], LARGE[0] * LARGE[1]
    print(f"\nscaling: {small} reflections against {large:,} ({LARGE[0]} cases), medians of 5")
    for name, measured, budget, ratio, met in budget_rows(rows):
        print(f"{name:58} {measured:32} {ratio:6.1f}x  {budget}{'' if met else '  NOT MET'}")
    assert all(many > 0 for _name, _few, many, _ratio in rows)
