"""Helpers shared by the fault tests: canaries, child processes, raw-byte scans and record factories.

Child processes run with ``PYTHONPATH`` set to the repository root, so they can import
``tests.conftest`` and the child scripts in this folder (``python -m tests.faults._saver``).
Nothing here prints canary text: pytest keeps captured output in memory, but a stray print could
end up in a file that a later scan searches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import stat
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]
FAULTS = Path(__file__).resolve().parent
CHILD_TIMEOUT = 60  # seconds; every subprocess gets a timeout

STORE = "psi-desktop.db"
KEY = "psi-desktop.key"

# Real prompt and dimension ids of the bundled PSI framework (version 1).
PROMPTS = ("context", "power.where", "safety.trust", "identity.person", "synthesis.next_time")
DIMENSIONS = ("power.protective", "power.choice", "safety.trust", "identity.personhood")

_WORDS = (
    "trust", "grew", "slowly", "after", "the", "ward", "round", "when", "I", "explained", "the", "change",
    "first", "and", "listened", "she", "said", "the", "door", "being", "locked", "felt", "like", "before",
    "we", "agreed", "to", "try", "again", "next", "week",
)  # fmt: skip


def new_canary() -> str:
    """A unique marker to plant wherever sensitive-looking text is written."""
    return f"CANARY-{uuid.uuid4().hex}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(directory: Path, *, skip: Iterable[str] = ()) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``directory`` (names in ``skip`` left out)."""
    skipped = set(skip)
    found = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if path.is_file() and not (skipped & set(rel.parts)):
            found[str(rel)] = sha256(path)
    return found


# -- child processes ----------------------------------------------------------------------------


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PSI_DESKTOP_PASSPHRASE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra or {})
    return env


def cli_command() -> list[str]:
    """The installed ``psi-desktop`` script of this venv (what users run), else ``python -m psi_desktop``."""
    script = Path(sys.executable).with_name("psi-desktop")
    return [str(script)] if script.exists() else [sys.executable, "-m", "psi_desktop"]


def run_cli(
    data_dir: Path, *args: str, passphrase: str | None = PASSPHRASE, timeout: float = CHILD_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """``psi-desktop --data-dir DIR ARGS`` with the passphrase in $PSI_DESKTOP_PASSPHRASE."""
    extra = {} if passphrase is None else {"PSI_DESKTOP_PASSPHRASE": passphrase}
    return subprocess.run(
        [*cli_command(), "--data-dir", str(data_dir), *args],
        env=child_env(extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        check=False,
    )


def run_module(module: str, *args: str, timeout: float = CHILD_TIMEOUT, env: dict[str, str] | None = None):
    """``python -m tests.faults.<module> ARGS``, output captured in memory."""
    return subprocess.run(
        [sys.executable, "-m", f"tests.faults.{module}", *args],
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        check=False,
    )


@dataclass
class Child:
    """A running child whose stdout lines are collected by a thread (so its pipe never fills)."""

    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, module: str, *args: str, env: dict[str, str] | None = None) -> Child:
        proc = subprocess.Popen(
            [sys.executable, "-m", f"tests.faults.{module}", *args],
            env=child_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        child = cls(proc)
        child._threads = [
            threading.Thread(target=child._read_stdout, daemon=True),
            threading.Thread(target=child._read_stderr, daemon=True),
        ]
        for thread in child._threads:
            thread.start()
        return child

    def _read_stdout(self) -> None:
        for raw in iter(self.proc.stdout.readline, b""):
            text = raw.decode("utf-8", "replace")
            # A line cut short by the kill was never acknowledged: keep it apart.
            (self.lines if text.endswith("\n") else self.partial).append(text.rstrip("\n"))

    def _read_stderr(self) -> None:
        self.stderr.append(self.proc.stderr.read().decode("utf-8", "replace"))

    def wait_for(self, text: str, timeout: float) -> bool:
        """True once a stdout line equals ``text``; False if the child ended or time ran out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.lines:
                return True
            if self.proc.poll() is not None:
                time.sleep(0.05)  # let the reader thread catch up
                return text in self.lines
            time.sleep(0.005)
        return False

    def kill(self) -> int:
        """SIGKILL (unless it already ended), then wait and drain the pipes. Returns the exit status."""
        if self.proc.poll() is None:
            self.proc.kill()
        status = self.proc.wait(timeout=CHILD_TIMEOUT)
        for thread in self._threads:
            thread.join(timeout=CHILD_TIMEOUT)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return status

    @property
    def error_output(self) -> str:
        return "".join(self.stderr)[-4000:]


# -- raw-byte scans -----------------------------------------------------------------------------


def encodings_of(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), text.encode("utf-16-be")]


def hits_in(data: bytes, needles: Iterable[bytes]) -> int:
    return sum(data.count(n) for n in needles)


def scan_files(paths: Iterable[Path], texts: Iterable[str | bytes]) -> dict[str, int]:
    """``{path: hits}`` for every readable file holding any of ``texts`` (UTF-8, UTF-16 LE or BE)."""
    needles: list[bytes] = []
    for text in texts:
        needles += [text] if isinstance(text, bytes) else encodings_of(text)
    found = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        hits = hits_in(data, needles)
        if hits:
            found[str(path)] = hits
    return found


def files_under(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def files_changed_since(directory: Path, since: float, *, max_bytes: int = 64 * 1024 * 1024) -> list[Path]:
    """Regular files under ``directory`` modified at or after ``since`` (for scanning the temp dir)."""
    found = []
    device = directory.stat().st_dev

    def same_device(path: str) -> bool:
        # Not into other file systems mounted below (a chroot's /proc under /tmp, say).
        try:
            st = os.lstat(path)
        except OSError:
            return False
        return stat.S_ISDIR(st.st_mode) and st.st_dev == device

    for root, dirs, names in os.walk(directory, onerror=lambda _exc: None):
        dirs[:] = [d for d in dirs if same_device(os.path.join(root, d))]
        for name in names:
            path = Path(root, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_mtime >= since and st.st_size <= max_bytes:
                found.append(path)
    return found


# -- stores -------------------------------------------------------------------------------------


def integrity(profile) -> list[str]:
    """The rows of a full ``PRAGMA integrity_check`` on an open profile (``["ok"]`` when intact)."""
    return [row[0] for row in profile.store.db.execute("PRAGMA integrity_check").fetchall()]


def foreign_key_problems(profile) -> list[tuple]:
    return profile.store.db.execute("PRAGMA foreign_key_check").fetchall()


def crash_copy(profile_dir: Path, target: Path) -> None:
    """Copy the store, its -wal and the key file as they are now (a power-cut image of an open store).

    The -shm is left out: it is rebuilt from the -wal on the next open, as after a reboot.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in (STORE, STORE + "-wal", KEY):
        if (profile_dir / name).exists():
            shutil.copyfile(profile_dir / name, target / name)


# -- records ------------------------------------------------------------------------------------


def sentence(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(_WORDS) for _ in range(words))


def make_reflection(case_id: uuid.UUID, rnd: random.Random, canary: str, *, answers: int = 3):
    """A draft reflection with ``answers`` answers (each carrying the canary), ratings and distress impacts."""
    from psi_desktop.domain.model import DistressImpact, Perspective, Reflection, TraumaEcho, utc_now

    now = utc_now()
    return Reflection(
        id=uuid.uuid4(),
        case_id=case_id,
        framework_id="psi",
        framework_version=1,
        session_date=dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(300)),
        practitioner="A. Practitioner",
        supervisor="B. Supervisor",
        answers={
            p: f"{sentence(rnd, rnd.randrange(5, 60))} {canary} {rnd.getrandbits(64):x}" for p in PROMPTS[:answers]
        },
        ratings={
            Perspective.PRACTITIONER: {d: rnd.randrange(5) for d in DIMENSIONS},
            Perspective.SUPERVISOR: {d: rnd.randrange(5) for d in DIMENSIONS[:2]},
        },
        trauma_echo=rnd.choice(list(TraumaEcho)),
        distress_impact={Perspective.PRACTITIONER: rnd.choice(list(DistressImpact))},
        wellbeing=rnd.randrange(5),
        created_at=now,
        updated_at=now,
    )
