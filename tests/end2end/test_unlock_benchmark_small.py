"""The unlock benchmark in tests/perf, run once at a tiny size (cheap KDF, two cases) so it cannot rot."""

from __future__ import annotations

from tests.conftest import _fast_kdf
from tests.perf.test_unlock_benchmark import budget_rows, unlock_benchmark


def test_the_unlock_benchmark_runs_at_a_tiny_size(qtbot, tmp_path):
    took = unlock_benchmark(qtbot, tmp_path, kdf=_fast_kdf(), cases=2, runs=1)
    assert set(took) == {"kdf", "service", "gui", "first"} and all(seconds > 0 for seconds in took.values())
    assert [row[0] for row in budget_rows(took, took, (3, 30))] == [
        "unlock to the case list, 3 reflections",
        "unlock to the case list, 30 reflections",
        "unlock to the case list, many against few",
    ]
