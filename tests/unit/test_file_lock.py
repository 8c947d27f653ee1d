"""The OS file lock under the profile lock and the unlock-attempts lock (storage/locks.py)."""

from __future__ import annotations

import stat
import threading
import time

import pytest

from psi_desktop.storage.locks import LockBusyError, file_lock


def test_a_held_lock_keeps_out_another_holder_in_the_same_process_until_released(tmp_path):
    path = tmp_path / "profile.lock"
    outcome: list[object] = []

    def other(wait: float) -> None:
        started = time.monotonic()
        try:
            with file_lock(path, wait=wait):
                outcome.append("held")
        except LockBusyError:
            outcome.append(time.monotonic() - started)

    with file_lock(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        thread = threading.Thread(target=other, args=(0.3,))
        thread.start()
        thread.join()
        with pytest.raises(LockBusyError), file_lock(path):
            pass
    assert len(outcome) == 1 and isinstance(outcome[0], float) and outcome[0] >= 0.3
    other(0)
    assert outcome[-1] == "held"


def test_a_waiting_holder_gets_the_lock_when_it_is_released(tmp_path):
    path = tmp_path / "attempts.lock"
    got: list[float] = []

    def waiter() -> None:
        with file_lock(path, wait=5):
            got.append(time.monotonic())

    with file_lock(path):
        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.2)
        assert got == []
        released_at = time.monotonic()
    thread.join(timeout=10)
    assert got and got[0] >= released_at
