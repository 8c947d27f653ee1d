"""Shared test set-up: offscreen Qt, data dirs in tmp, and automatic markers."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

# Without a display Qt aborts the whole run; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest

TESTS = Path(__file__).parent

# As cli.main() and app.run() do: what the tests create in a profile is private to this user, so the
# check at open (storage/permissions.py) has nothing to fix. Tests of other umasks run a child process.
os.umask(0o077)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if TESTS / "ui" in path.parents or TESTS / "end2end" in path.parents:
            item.add_marker(pytest.mark.gui)
        if TESTS / "perf" in path.parents:
            item.add_marker(pytest.mark.perf)


class _ErrorRecords(logging.Handler):
    """Collects what the app logs at ERROR and above during one test (qutebrowser's logfail, in small)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(request: pytest.FixtureRequest):
    """A test that makes the app log an error fails, unless it is marked ``expect_log_errors`` (a fault test).

    An unexpected error in the log is a bug hiding behind a passing test.
    """
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    expected = request.node.get_closest_marker("expect_log_errors")
    unexpected = [r for r in handler.records if r.name.startswith("psi_desktop")]
    if unexpected and expected is None:
        lines = "; ".join(f"{r.name}: {r.getMessage()}" for r in unexpected[:5])
        pytest.fail(f"the app logged {len(unexpected)} unexpected error(s): {lines}", pytrace=False)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user dirs: home, XDG dirs and the data dir all point into tmp."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("PSI_DESKTOP_DATA_DIR", str(home / "profile"))


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def settle_layout(widget, passes: int = 50) -> None:
    """Let pending layout requests run until no visible widget under ``widget`` moves or resizes.

    A layout change reaches a scroll area's page a few event-loop passes later; a grab or a size check
    taken before then sees a state the screen shows for one frame at most.
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    def geometries() -> list:
        return [w.geometry() for w in [widget, *widget.findChildren(QWidget)] if w.isVisible()]

    before = geometries()
    for _ in range(passes):
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        after = geometries()
        if after == before:
            return
        before = after


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):
    """``screenshot(widget, name)`` saves a PNG into $PSI_SCREENSHOT_DIR when that is set, once the
    widget's layout has settled."""
    folder = os.environ.get("PSI_SCREENSHOT_DIR")

    def save(widget, name: str) -> Path | None:
        if not folder:
            return None
        settle_layout(widget)
        out = Path(folder) / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(out))
        return out

    return save


PASSPHRASE = "correct horse battery staple"


def _fast_kdf():
    from psi_desktop.storage.keys import KdfParams

    return KdfParams(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_kdf() -> Iterator[None]:
    """New passphrases in tests are wrapped with a cheap Argon2id cost (set once, as the app sets the real one)."""
    from psi_desktop.storage import keys

    keys.set_kdf_cost(_fast_kdf())
    try:
        yield
    finally:
        keys.set_kdf_cost(keys.REAL_KDF)


@pytest.fixture
def real_kdf() -> None:
    """The real Argon2id cost for this test (timing tests)."""
    from psi_desktop.storage import keys

    keys.set_kdf_cost(keys.REAL_KDF)


@pytest.fixture
def make_profile():
    """``make_profile(directory, demo=False)`` creates an encrypted profile (cheap KDF) and returns it open.

    The passphrase is ``tests.conftest.PASSPHRASE``; profiles still open at the end are closed. Its
    recovery key counts as shown (the set-up finished), unless ``recovery_shown=False``.
    """
    from psi_desktop.services.demo import add_demo_case
    from psi_desktop.services.profile import create_profile, recovery_key_shown

    opened = []

    def make(directory: Path, *, demo: bool = False, passphrase: str = PASSPHRASE, recovery_shown: bool = True):
        made = create_profile(directory, passphrase)
        if recovery_shown:
            recovery_key_shown(directory)
        if demo:
            add_demo_case(made.profile)
        opened.append(made.profile)
        return made.profile

    yield make
    for profile in opened:
        if not profile.closed:
            profile.close()
