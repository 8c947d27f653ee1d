"""Issue 16 item 2 with RELIABILITY.md row 4: unlocking in the app reads only the store's first pages, the
full check runs next, and a store it finds damaged is never written to (nor before the check has passed)."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from psi_desktop.errors import StoreDamagedError
from psi_desktop.services.demo import add_demo_case
from psi_desktop.services.profile import create_profile, unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import STORE, make_reflection, new_canary, sha256

PAGE = 4096

pytestmark = pytest.mark.expect_log_errors  # the damage found is logged, as it should be


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """A closed profile with the demo case and 30 more reflections, with no free pages."""
    directory = tmp_path / "profile"
    rnd = random.Random(5)
    with create_profile(directory, PASSPHRASE).profile as profile:
        add_demo_case(profile)
        case = profile.cases.create("Ward 7 - C", "")
        for _ in range(30):
            profile.store.reflections.save(make_reflection(case.id, rnd, new_canary()))
        profile.store.db.execute("VACUUM")
    return directory


def damage_a_late_page(directory: Path) -> None:
    """Bytes flipped in a page in the middle: one the first pages and the schema do not lead to."""
    store = directory / STORE
    data = bytearray(store.read_bytes())
    middle = len(data) // PAGE // 2
    for offset in (100, 900, 2000):
        data[middle * PAGE + offset] ^= 0x5A
    store.write_bytes(bytes(data))


def test_a_damaged_page_is_found_after_unlock_and_nothing_more_is_written(directory):
    damage_a_late_page(directory)
    before = sha256(directory / STORE)
    with pytest.raises(StoreDamagedError):
        unlock_profile(directory, PASSPHRASE).close()  # the command line's full check at open refuses it
    profile = unlock_profile(directory, PASSPHRASE, deferred_check=True)  # the app: quick to the case list
    try:
        assert profile.check_store() is False
        with pytest.raises(StoreDamagedError, match="writes nothing more"):
            profile.cases.create("Ward 8 - D", "")
        other = profile.detached_copy().open()  # another thread's connection is refused as well
        with pytest.raises(StoreDamagedError):
            other.cases.create("Ward 9 - E", "")
        other.close()
    finally:
        profile.close()
    assert sha256(directory / STORE) == before, "the damaged store is left as it was"


def test_a_write_waits_for_the_check_and_goes_ahead_once_it_passes(directory):
    profile = unlock_profile(directory, PASSPHRASE, deferred_check=True)
    try:
        other = profile.detached_copy()
        written = threading.Event()

        def write() -> None:
            with other.open() as own:
                own.cases.create("Ward 8 - D", "")
            written.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert not written.wait(0.5), "no write before the check has passed"
        assert profile.check_store() is True
        assert written.wait(10)
        writer.join()
        assert profile.cases.find("Ward 8 - D") is not None
    finally:
        profile.close()


def test_a_store_that_needs_migrating_is_checked_in_full_before_it_is_migrated(directory, tmp_path):
    """Migrations write: a deferred check is not deferred for them (the fixture stores need migrating)."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "store-v1", old)
    from tests.conftest import PASSPHRASE as FIXTURE_PASSPHRASE

    profile = unlock_profile(old, FIXTURE_PASSPHRASE, deferred_check=True)
    try:
        profile.cases.create("Ward 8 - D", "")  # no wait: it was checked in full before migrating
    finally:
        profile.close()


def test_with_any_one_page_damaged_the_quick_open_says_damaged_or_the_check_after_does(directory):
    """Unlocking in the app reads a few pages (the schema, the frameworks kept): damage in one of them
    is a plain StoreDamagedError, never another error; damage anywhere else the check after unlock finds."""
    store = directory / STORE
    original = store.read_bytes()
    at_open = after = 0
    for page in range(len(original) // PAGE):
        data = bytearray(original)
        data[page * PAGE + 100] ^= 0x5A
        store.write_bytes(bytes(data))
        try:
            profile = unlock_profile(directory, PASSPHRASE, deferred_check=True)
        except StoreDamagedError:
            at_open += 1
            continue
        try:
            assert profile.check_store() is False, f"page {page}: the damage went unseen"
            after += 1
        finally:
            profile.close()
    assert at_open and after  # both ways were taken
