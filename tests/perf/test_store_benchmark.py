"""Store benchmark: autosave-sized writes and the case list, as ratios to bare sqlite3 in the same run.

Run on demand: ``python -m pytest -m perf tests/perf -s``. Nothing here asserts a time: these
machines are noisy, so the figures are printed for a person to read.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import time
import uuid
from dataclasses import replace
from pathlib import Path

from psi_desktop.domain.model import Case, Perspective, Reflection
from psi_desktop.frameworks import default_framework
from psi_desktop.storage import open_store

N = 200


def timed(fn, repeats: int = 5) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def reflection_for(case: Case, i: int) -> Reflection:
    framework = default_framework()
    return Reflection(
        id=uuid.uuid4(),
        case_id=case.id,
        framework_id="psi",
        framework_version=1,
        session_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        answers={p: f"Answer {i} to {p}: " + "words " * 40 for p in framework.prompt_ids},
        ratings={Perspective.PRACTITIONER: {d: i % 5 for d in framework.dimension_ids}},
    )


def test_saving_reflections_against_bare_sqlite(tmp_path: Path):
    store = open_store(tmp_path / "store.db")
    case = Case(uuid.uuid4(), "Bench - 1")
    store.cases.add(case)
    reflections = [reflection_for(case, i) for i in range(N)]

    def ours():
        for r in reflections:
            store.reflections.save(replace(r, id=uuid.uuid4()))

    bare_db = sqlite3.connect(tmp_path / "bare.db")
    bare_db.execute("PRAGMA journal_mode = WAL")
    bare_db.execute("PRAGMA synchronous = FULL")
    bare_db.execute("CREATE TABLE answers (reflection_id TEXT, prompt_id TEXT, text TEXT)")

    def bare():
        for r in reflections:
            rid = str(uuid.uuid4())
            with bare_db:
                bare_db.executemany("INSERT INTO answers VALUES (?, ?, ?)", [(rid, p, t) for p, t in r.answers.items()])

    ours_s, bare_s = timed(ours, 3), timed(bare, 3)
    print(
        f"\nsave {N} reflections one by one: ours {ours_s * 1000:.0f} ms, bare {bare_s * 1000:.0f} ms, "
        f"ratio {ours_s / bare_s:.1f}x ({ours_s / N * 1000:.2f} ms per autosave)"
    )

    def summaries():
        return store.cases.summaries()

    raw = sqlite3.connect(tmp_path / "store.db")

    def bare_summaries():
        return raw.execute(
            "SELECT c.id, count(r.id), max(r.session_date) FROM cases c "
            "LEFT JOIN reflections r ON r.case_id = c.id GROUP BY c.id"
        ).fetchall()

    list_s, bare_list_s = timed(summaries, 20), timed(bare_summaries, 20)
    print(
        f"case list: ours {list_s * 1000:.2f} ms, bare query {bare_list_s * 1000:.2f} ms, "
        f"ratio {list_s / bare_list_s:.1f}x"
    )
    assert len(store.reflections.for_case(case.id)) == 3 * N
    assert store.cases.summaries()[0].reflection_count == 3 * N
    store.close()
    bare_db.close()
    raw.close()
