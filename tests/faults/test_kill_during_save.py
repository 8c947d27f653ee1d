"""Row 1: kill -9 at random moments while saving.

A child process (tests/faults/_saver.py) unlocks the profile and saves cases, new reflections,
edits, signatures and amendments in a loop through the real repositories, acknowledging each save
on stdout only after it has returned. The parent SIGKILLs it at random moments (before, during and
after open; during saves and checkpoints), then reopens the store and checks:

- ``PRAGMA integrity_check`` is ok and ``foreign_key_check`` finds nothing;
- every acknowledged record is there with exactly the content that was acknowledged;
- the one save in flight at the kill landed entirely or not at all (never a mix of old and new);
- nothing else is there.

Half the time the check runs on a copy, so the next child starts from the killed one's -wal (crash
recovery); otherwise on the real folder (reopen, recover, checkpoint on close).

The default run makes ``PSI_FAULT_KILLS`` kills (24). The slow tier makes 200:
``pytest tests/faults -m slow``. ``PSI_FAULT_SEED`` replays a run; the
seed is printed and is in every failure message.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from psi_desktop.domain.documents import case_document, reflection_document
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import Child, crash_copy, foreign_key_problems, integrity, new_canary

DEFAULT_KILLS = int(os.environ.get("PSI_FAULT_KILLS", "24"))
SLOW_KILLS = 200


@dataclass
class Expected:
    """What the store must hold: acknowledged (or verified-landed) records, by id."""

    reflections: dict[str, dict] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    acks: int = 0
    kills_mid_save: int = 0
    landed_in_flight: int = 0


def _replay(lines: list[str], expected: Expected) -> dict | None:
    """Apply the acknowledged saves; return the save in flight at the kill (begun, not acknowledged)."""
    in_flight = None
    for line in lines:
        message = json.loads(line)
        if message["ev"] == "begin":
            in_flight = message
        elif message["ev"] == "ack":
            assert in_flight is not None and in_flight["kind"] == message["kind"]
            if message["kind"] == "case":
                expected.cases[message["doc"]["id"]] = message["doc"]
            else:
                assert in_flight["doc"]["id"] == message["id"]
                expected.reflections[message["id"]] = in_flight["doc"]
            expected.acks += 1
            in_flight = None
    return in_flight


def _verify(directory: Path, expected: Expected, in_flight: dict | None, *, context: str, sample: int | None) -> None:
    """Open the store the way the app does and check it against ``expected``; fold in what landed."""
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert integrity(profile) == ["ok"], context
        assert foreign_key_problems(profile) == [], context
        store = profile.store
        stored_reflections = {r[0] for r in store.db.execute("SELECT id FROM reflections")}
        stored_cases = {r[0]: r[1] for r in store.db.execute("SELECT id, code FROM cases")}

        flight_id = in_flight["doc"]["id"] if in_flight and in_flight["kind"] == "reflection" else None
        missing = set(expected.reflections) - stored_reflections
        assert not missing, f"{context}: {len(missing)} acknowledged reflections lost"
        extra = stored_reflections - set(expected.reflections) - {flight_id}
        assert not extra, f"{context}: {len(extra)} reflections nobody saved"
        assert not set(expected.cases) - set(stored_cases), f"{context}: acknowledged cases lost"

        to_check = list(expected.reflections)
        if sample is not None and len(to_check) > sample:
            to_check = random.Random(context).sample(to_check, sample)
        if flight_id and flight_id not in to_check and flight_id in stored_reflections:
            to_check.append(flight_id)
        for rid in to_check:
            got = reflection_document(store.reflections.get(uuid.UUID(rid)))
            if rid == flight_id:
                allowed = [in_flight["doc"]] + ([expected.reflections[rid]] if rid in expected.reflections else [])
                assert got in allowed, f"{context}: the reflection saved at the kill is half old, half new"
                if got == in_flight["doc"]:
                    expected.reflections[rid] = got
                    expected.landed_in_flight += 1
            else:
                assert got == expected.reflections[rid], f"{context}: acknowledged reflection changed"
        for cid, doc in expected.cases.items():
            assert case_document(store.cases.get(uuid.UUID(cid))) == doc, f"{context}: acknowledged case changed"

        if in_flight and in_flight["kind"] == "case":
            extra_cases = set(stored_cases) - set(expected.cases)
            assert {stored_cases[c] for c in extra_cases} <= {in_flight["code"]}, f"{context}: unknown cases"
            for cid in extra_cases:
                case = store.cases.get(uuid.UUID(cid))
                assert case.setting == in_flight["setting"], f"{context}: case saved at the kill is incomplete"
                expected.cases[cid] = case_document(case)
                expected.landed_in_flight += 1
        else:
            assert set(stored_cases) == set(expected.cases), f"{context}: cases nobody saved"


def _kill_loop(tmp_path: Path, make_profile, kills: int, *, sample: int | None) -> None:
    seed = int(os.environ.get("PSI_FAULT_SEED") or random.randrange(2**32))
    print(f"kill-during-save seed={seed} kills={kills}")
    rnd = random.Random(seed)
    canary = new_canary()
    directory = tmp_path / "profile"
    with make_profile(directory) as profile:
        first = profile.cases.create("Ward 3 - A", "Acute inpatient")
        expected = Expected(cases={str(first.id): case_document(first)})

    for kill in range(1, kills + 1):
        context = f"seed={seed} kill={kill}"
        autocheckpoint = rnd.choice([0, 0, 20])
        child = Child.start("_saver", str(directory), str(rnd.randrange(2**31)), canary, str(autocheckpoint))
        try:
            if rnd.random() < 0.15:
                # Anywhere from start-up through open (WAL recovery, quick_check) into the first saves.
                time.sleep(rnd.uniform(0.0, 0.4))
            else:
                assert child.wait_for('{"ev": "ready"}', timeout=30), f"{context}: child failed\n{child.error_output}"
                time.sleep(rnd.uniform(0.0, 0.25))
        finally:
            status = child.kill()
        assert status == -signal.SIGKILL, f"{context}: child ended by itself ({status})\n{child.error_output}"
        in_flight = _replay(child.lines, expected)
        expected.kills_mid_save += in_flight is not None

        full = sample is None or kill % 20 == 0 or kill == kills
        if rnd.random() < 0.5:
            # Check a copy, so the next child starts from this one's -wal.
            copy = tmp_path / "copy"
            shutil.rmtree(copy, ignore_errors=True)
            crash_copy(directory, copy)
            _verify(copy, expected, in_flight, context=context, sample=None if full else sample)
        else:
            _verify(directory, expected, in_flight, context=context, sample=None if full else sample)

    print(
        f"kills={kills} acknowledged saves={expected.acks} kills mid-save={expected.kills_mid_save} "
        f"in-flight saves that landed={expected.landed_in_flight} reflections={len(expected.reflections)}"
    )
    # The test means something only if the children got to save, and some kills cut a save short.
    assert expected.acks >= kills, f"seed={seed}: the children hardly saved anything ({expected.acks})"
    assert expected.kills_mid_save >= 1, f"seed={seed}: no kill landed during a save"


def test_kill_9_while_saving_loses_no_acknowledged_save(tmp_path: Path, make_profile) -> None:
    _kill_loop(tmp_path, make_profile, DEFAULT_KILLS, sample=None)


@pytest.mark.slow
def test_kill_9_while_saving_many_times(tmp_path: Path, make_profile) -> None:
    _kill_loop(tmp_path, make_profile, SLOW_KILLS, sample=200)
