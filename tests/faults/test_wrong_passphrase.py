"""Row 5: a wrong passphrase says so (not "damaged"), changes nothing, and repeated ones wait longer.

After 3 wrong passphrases the next attempt (even with the right one) is refused for 2 s, then 4 s,
8 s, ... up to 5 minutes. The count lives beside the store, so a restart (a new process) does not
reset it. Time is moved with ``_Attempts.clock``, never slept.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest

from psi_desktop.services.profile import (
    ATTEMPTS_FILE,
    ATTEMPTS_LOCK,
    MAX_DELAY_SECONDS,
    TooManyAttemptsError,
    _Attempts,
    unlock_profile,
)
from psi_desktop.storage.keys import KeyFile, WrongPassphraseError
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import run_cli, snapshot

WRONG = "correct horse battery stapler"


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def profile_with_cases(tmp_path: Path, make_profile) -> Path:
    directory = tmp_path / "profile"
    with make_profile(directory, demo=True) as profile:
        profile.cases.create("Ward 2 - B")
    return directory


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(1_900_000_000.0)
    monkeypatch.setattr(_Attempts, "clock", staticmethod(fake))
    return fake


def _assert_wrong_passphrase(directory: Path, passphrase: str = WRONG) -> None:
    with pytest.raises(WrongPassphraseError) as refused:
        unlock_profile(directory, passphrase)
    message = str(refused.value).lower()
    assert "passphrase" in message and "not right" in message, message
    assert "damaged" not in message


def test_wrong_passphrase_says_so_and_changes_nothing(profile_with_cases: Path, clock: FakeClock) -> None:
    before = snapshot(profile_with_cases)
    _assert_wrong_passphrase(profile_with_cases)
    after = snapshot(profile_with_cases)
    assert after.pop(ATTEMPTS_FILE), "the failed attempt was not counted"
    after.pop(ATTEMPTS_LOCK)  # the counter's lock: an empty file
    assert after == before  # store, key file, everything else: the same bytes
    with unlock_profile(profile_with_cases, PASSPHRASE) as profile:  # and the right one still works
        assert len(profile.cases.summaries()) == 2
    assert not (profile_with_cases / ATTEMPTS_FILE).exists(), "a successful unlock did not reset the count"


def test_repeated_wrong_passphrases_wait_longer_each_time(profile_with_cases: Path, clock: FakeClock) -> None:
    store_before = snapshot(profile_with_cases)
    for _ in range(3):
        _assert_wrong_passphrase(profile_with_cases)

    waits = []
    for expected in (2, 4, 8, 16, 32):
        clock.now += 0.25
        with pytest.raises(TooManyAttemptsError) as refused:
            unlock_profile(profile_with_cases, PASSPHRASE)  # refused even with the right passphrase
        assert refused.value.wait_seconds == expected
        assert f"Wait {refused.value.wait_seconds} seconds" in str(refused.value)
        waits.append(expected)
        clock.now += expected - 0.25 - 0.01
        with pytest.raises(TooManyAttemptsError):  # a hundredth of a second too early
            unlock_profile(profile_with_cases, PASSPHRASE)
        clock.now += 0.01
        _assert_wrong_passphrase(profile_with_cases)  # allowed now: and wrong again
    assert waits == [2, 4, 8, 16, 32]
    assert _Attempts.delay(40) == MAX_DELAY_SECONDS == 300

    clock.now += 64
    with unlock_profile(profile_with_cases, PASSPHRASE) as profile:
        assert len(profile.cases.summaries()) == 2
    for _ in range(3):  # the count starts again after a success
        _assert_wrong_passphrase(profile_with_cases)
    after = snapshot(profile_with_cases)
    after.pop(ATTEMPTS_FILE)
    after.pop(ATTEMPTS_LOCK)
    assert after == store_before


def test_the_count_survives_a_restart(profile_with_cases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six wrong passphrases, the last one just now; a new process with the right one must still wait."""
    fake = FakeClock(time.time() - 600)
    monkeypatch.setattr(_Attempts, "clock", staticmethod(fake))
    for step in (0, 0, 0, 2, 4):
        fake.now += step
        _assert_wrong_passphrase(profile_with_cases)
    fake.now = time.time()
    _assert_wrong_passphrase(profile_with_cases)  # the sixth, at the real time: a wait of 16 s starts now

    done = run_cli(profile_with_cases, "cases", passphrase=PASSPHRASE)  # a new process, the real clock
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    wait = re.search(r"Too many wrong tries\. Wait (\d+) seconds", done.stderr)
    assert wait, done.stderr
    assert 10 <= int(wait.group(1)) <= 16


def test_cli_with_a_wrong_passphrase_exits_2_with_one_plain_line(profile_with_cases: Path) -> None:
    before = snapshot(profile_with_cases, skip=("logs", ATTEMPTS_FILE, ATTEMPTS_LOCK))
    done = run_cli(profile_with_cases, "cases", passphrase="wrong")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "passphrase is not right" in lines[0] and "damaged" not in lines[0].lower(), lines[0]
    assert snapshot(profile_with_cases, skip=("logs", ATTEMPTS_FILE, ATTEMPTS_LOCK)) == before


def test_a_clock_two_hours_fast_then_corrected_costs_only_the_normal_wait(
    profile_with_cases: Path, clock: FakeClock
) -> None:
    """Row 20: three wrong tries while the clock is 2 h fast; once it is right, the wait is the usual 2 s."""
    real_now = clock.now
    clock.now = real_now + 2 * 3600
    for _ in range(3):
        _assert_wrong_passphrase(profile_with_cases)
    clock.now = real_now  # the clock is corrected
    with pytest.raises(TooManyAttemptsError) as refused:
        unlock_profile(profile_with_cases, PASSPHRASE)
    assert refused.value.wait_seconds == _Attempts.delay(3) == 2  # not 7,202 s
    clock.now += 1
    with pytest.raises(TooManyAttemptsError) as refused:
        unlock_profile(profile_with_cases, PASSPHRASE)
    assert refused.value.wait_seconds == 1, "the wait did not count down: the person would be locked out for good"
    clock.now += 1
    with unlock_profile(profile_with_cases, PASSPHRASE) as profile:
        assert len(profile.cases.summaries()) == 2


@pytest.mark.parametrize(
    "recorded",
    [
        {"failures": 40, "last_failure": "future"},  # many tries while the clock was days fast
        {"failures": 10**9, "last_failure": 1e308},  # an edited file
        {"failures": 10**9, "last_failure": "Infinity"},
    ],
)
def test_no_recorded_count_or_time_makes_the_wait_longer_than_the_cap(
    profile_with_cases: Path, clock: FakeClock, recorded: dict
) -> None:
    last = clock.now + 5 * 86400 if recorded["last_failure"] == "future" else recorded["last_failure"]
    raw = json.dumps({"failures": recorded["failures"], "last_failure": last}).replace('"Infinity"', "Infinity")
    (profile_with_cases / ATTEMPTS_FILE).write_text(raw, encoding="utf-8")
    with pytest.raises(TooManyAttemptsError) as refused:
        unlock_profile(profile_with_cases, PASSPHRASE)
    assert refused.value.wait_seconds == MAX_DELAY_SECONDS
    clock.now += MAX_DELAY_SECONDS
    with unlock_profile(profile_with_cases, PASSPHRASE) as profile:  # the cap has passed: it opens
        assert len(profile.cases.summaries()) == 2


def test_eight_wrong_tries_at_once_are_counted_one_by_one(
    profile_with_cases: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row 20: eight threads try a wrong passphrase together; the 4th and later must wait.

    Each try takes 0.2 s, as the real key derivation takes about a second: without a lock around the
    counter all eight would pass the check before the first failure is written down.
    """
    real_unlock = KeyFile.unlock

    def slow_unlock(self, passphrase):
        time.sleep(0.2)
        return real_unlock(self, passphrase)

    monkeypatch.setattr(KeyFile, "unlock", slow_unlock)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def try_wrong() -> None:
        start.wait()
        try:
            unlock_profile(profile_with_cases, WRONG).close()
            outcomes.append("opened")
        except WrongPassphraseError:
            outcomes.append("wrong")
        except TooManyAttemptsError:
            outcomes.append("wait")

    threads = [threading.Thread(target=try_wrong) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["wait"] * 5 + ["wrong"] * 3, outcomes
    # Every try is accounted for: three passphrases tested and counted, five refused without a test.
    doc = json.loads((profile_with_cases / ATTEMPTS_FILE).read_text(encoding="utf-8"))
    assert doc["failures"] == 3
