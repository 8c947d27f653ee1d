"""Issue #13 item 2: errors sorted by their codes, and bugs that stay bugs all the way to exit 1."""

from __future__ import annotations

import errno
import uuid
from pathlib import Path

import pytest

from psi_desktop import cli
from psi_desktop.logs import log_path
from psi_desktop.storage import errors
from psi_desktop.storage.sqlcipher import sqlite3
from tests.conftest import PASSPHRASE


def _sqlite_error(message: str, code: int | None) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    if code is not None:
        exc.sqlite_errorcode = code
    return exc


def test_full_comes_only_from_sqlite_full_or_the_os_saying_no_space(tmp_path: Path):
    assert errors.is_full_error(_sqlite_error("whatever it says", 13))
    assert errors.is_full_error(_sqlite_error("whatever it says", 13 | (1 << 8)))  # an extended code
    assert errors.is_full_error(OSError(errno.ENOSPC, "No space left on device"))
    # Words in a message never decide it: these are not a full disk.
    assert not errors.is_full_error(_sqlite_error("no such table: fulltext_notes", 1))
    assert not errors.is_full_error(_sqlite_error("database or disk is full", None))
    assert not errors.is_full_error(OSError(errno.EACCES, "disk full"))
    # An I/O error is full only where there is measurably no room.
    assert not errors.is_full_error(_sqlite_error("disk I/O error", 10 | (3 << 8)), tmp_path)
    assert errors.is_disk_error(_sqlite_error("disk I/O error", 10 | (3 << 8)))


def test_busy_read_only_and_damage_by_code():
    assert errors.is_busy_error(_sqlite_error("x", 5)) and errors.is_busy_error(_sqlite_error("x", 6 | (1 << 8)))
    assert not errors.is_busy_error(_sqlite_error("database is locked", None))
    assert errors.is_read_only_error(_sqlite_error("x", 8)) and errors.is_read_only_error(OSError(errno.EROFS, "x"))
    assert not errors.is_read_only_error(_sqlite_error("attempt to write a readonly database", 1))
    assert errors.is_damage_error(_sqlite_error("x", 26)) and errors.is_damage_error(_sqlite_error("x", 11))


@pytest.mark.expect_log_errors
def test_an_unknown_sqlite_error_under_an_export_is_a_bug_exit_1_with_its_traceback_in_the_log(
    make_profile, tmp_path: Path, monkeypatch, capsys
):
    profile = make_profile(tmp_path / "profile", demo=True)
    directory = profile.directory
    profile.close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    from psi_desktop.reporting import supervision_note

    canary = f"CANARY-{uuid.uuid4().hex}"  # made at run time: the log shows source lines, never messages
    message = f"no such table: fulltext_notes {canary}"

    def broken(*args, **kwargs):
        raise _sqlite_error(message, 1)

    monkeypatch.setattr(supervision_note, "build_supervision_note", broken)
    out = tmp_path / "note.pdf"
    code = cli.main(["--data-dir", str(directory), "export", "pdf", "--kind", "note", "--case", "Demo - Ward 3",
                     "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1, err
    assert "something went wrong" in err and "full" not in err.lower()
    logged = log_path(directory).read_text(encoding="utf-8")
    assert "Traceback" in logged and "broken" in logged and "OperationalError (message not logged)" in logged
    assert canary not in logged
    assert not out.exists() and not list(tmp_path.glob(".note*"))


@pytest.mark.expect_log_errors
@pytest.mark.parametrize("code", [13, 10 | (3 << 8)])
def test_a_write_that_fails_by_code_is_told_by_its_code(make_profile, tmp_path: Path, code: int):
    """A full disk says full; an I/O error with room to spare says it is a disk error, not full."""
    from psi_desktop.storage.repositories import StoreFullError, writing

    profile = make_profile(tmp_path / "profile")
    with pytest.raises(Exception) as raised, writing(profile.store.db):
        raise _sqlite_error("database or disk is full", code)
    if code == 13:
        assert isinstance(raised.value, StoreFullError)
    else:
        assert not isinstance(raised.value, StoreFullError) and "disk reported an error" in str(raised.value)


@pytest.mark.expect_log_errors  # the inner run's errors reach this process's log too
def test_an_error_logged_by_the_app_fails_the_test_that_caused_it(pytester):
    """The guard in tests/conftest.py works: a test whose code logs an unexpected error fails."""
    pytester.makeconftest((Path(__file__).parents[1] / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(
        """
        import logging
        import pytest

        def test_quiet():
            logging.getLogger("psi_desktop.x").warning("only a warning")

        def test_logs_an_error():
            logging.getLogger("psi_desktop.x").error("something broke")

        @pytest.mark.expect_log_errors
        def test_expects_it():
            logging.getLogger("psi_desktop.x").error("a fault the test made")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "markers=expect_log_errors: x")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_logs_an_error*", "*unexpected error(s)*something broke*"])
