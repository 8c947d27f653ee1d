"""Store benchmark: autosave-sized writes and the case list, as ratios to bare SQLCipher in the same run.

Run on demand: ``python -m pytest -m perf tests/perf -s``. Nothing here asserts a time: these
machines are noisy, so the figures are printed for a person to read. ``store_benchmark`` also runs
at a tiny size in the default suite (tests/unit/test_benchmarks_small.py), so it cannot rot.
"""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import time
import uuid
from dataclasses import replace
from pathlib import Path

from psi_desktop.domain.model import Case, Perspective, Reflection
from psi_desktop.frameworks import default_framework
from psi_desktop.storage import open_store
from psi_desktop.storage.sqlcipher import sqlite3  # the SQLCipher build the store uses

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


def bare_connection(path: Path, key: bytes) -> sqlite3.Connection:
    """A plain SQLCipher connection with the store's key and its durability settings, and nothing else."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def store_benchmark(tmp_path: Path, n: int = N, repeats: int = 3, list_repeats: int = 20) -> list[str]:
    """Save ``n`` reflections one by one, ``repeats`` times, and list the cases; returns the lines to print."""
    key = secrets.token_bytes(32)
    store = open_store(tmp_path / "store.db", key)
    case = Case(uuid.uuid4(), "Bench - 1")
    store.cases.add(case)
    reflections = [reflection_for(case, i) for i in range(n)]

    def ours():
        for r in reflections:
            store.reflections.save(replace(r, id=uuid.uuid4()))

    bare_db = bare_connection(tmp_path / "bare.db", key)
    bare_db.execute("CREATE TABLE answers (reflection_id TEXT, prompt_id TEXT, text TEXT)")

    def bare():
        for r in reflections:
            rid = str(uuid.uuid4())
            with bare_db:
                bare_db.executemany("INSERT INTO answers VALUES (?, ?, ?)", [(rid, p, t) for p, t in r.answers.items()])

    ours_s, bare_s = timed(ours, repeats), timed(bare, repeats)
    raw = bare_connection(tmp_path / "store.db", key)

    def bare_summaries():  # the same question, asked directly: what the case list costs above SQL
        return raw.execute(
            "SELECT c.id, (SELECT count(*) FROM reflections r WHERE r.case_id = c.id), "
            "(SELECT max(session_date) FROM reflections r WHERE r.case_id = c.id) FROM cases c"
        ).fetchall()

    list_s, bare_list_s = timed(store.cases.summaries, list_repeats), timed(bare_summaries, list_repeats)
    # What was timed did what it should: every save is there, and the bare query sees the same.
    assert len(store.reflections.for_case(case.id)) == repeats * n
    assert store.cases.summaries()[0].reflection_count == repeats * n
    assert bare_summaries()[0][1] == repeats * n
    assert bare_db.execute("SELECT count(DISTINCT reflection_id) FROM answers").fetchone()[0] == repeats * n
    store.close()
    bare_db.close()
    raw.close()
    return [
        f"save {n} reflections one by one: ours {ours_s * 1000:.0f} ms, bare SQLCipher {bare_s * 1000:.0f} ms, "
        f"ratio {ours_s / bare_s:.1f}x ({ours_s / n * 1000:.2f} ms per autosave)",
        f"case list: ours {list_s * 1000:.2f} ms, bare query {bare_list_s * 1000:.2f} ms, "
        f"ratio {list_s / bare_list_s:.1f}x",
    ]


def test_saving_reflections_against_bare_sqlcipher(tmp_path: Path):
    print("\n" + "\n".join(store_benchmark(tmp_path)))
