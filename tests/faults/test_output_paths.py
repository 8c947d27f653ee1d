"""Row 17: an output path is never a file of a profile; outputs are 0600 and renamed into place.

Every command that writes a file (``backup --out``, ``export csv|bundle|pdf|chart``) is pointed at
each file of a real profile (the store, its -wal and -shm while a connection holds them open, the
key file, a backup, the lock, settings, the log) directly and through a link planted outside the
profile: each is refused with exit 2 and one plain line, and not one byte of any profile file
changes. The services refuse the same paths when called as the GUI calls them. An unrelated file is
kept unless --force is given; what is written is 0600 under umask 000; a failed write leaves no
temporary file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
from pathlib import Path

import pytest

from psi_desktop.cli import main
from psi_desktop.errors import UserFacingError
from psi_desktop.services import exports
from psi_desktop.services.backups import make_backup
from psi_desktop.services.bundles import export_bundle, export_csv
from psi_desktop.services.charts import export_chart
from psi_desktop.storage.outputs import OutputExistsError, OutputRefusedError, output_file, write_output
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import KEY, STORE, run_cli, sha256, snapshot

DEMO = "Demo - Ward 3"
PROFILE_FILES = (
    STORE,
    STORE + "-wal",
    STORE + "-shm",
    KEY,
    "backups/BACKUP",  # replaced by the real backup's name
    "psi-desktop.lock",
    "settings.ini",
    "logs/psi-desktop.log",
    "unlock-attempts.json",
)
# Every command that writes a file, with the arguments it needs besides --out.
COMMANDS = {
    "backup": ("backup",),
    "csv": ("export", "csv"),
    "bundle": ("export", "bundle", "--plain"),
    "pdf-note": ("export", "pdf", "--kind", "note", "--case", DEMO),
    "pdf-case": ("export", "pdf", "--kind", "case", "--case", DEMO),
    "pdf-portfolio": ("export", "pdf", "--kind", "portfolio"),
    **{f"chart-{k}": ("export", "chart", "--case", DEMO, "--kind", k) for k in ("radar", "overlay", "trends", "gaps")},
    "chart-multiples": ("export", "chart", "--case", DEMO, "--kind", "multiples"),
}
SUFFIX = {"backup": ".db", "csv": ".csv", "bundle": ".psi.json"} | {
    name: ".pdf" if name.startswith("pdf") else ".png" for name in COMMANDS if name.startswith(("pdf", "chart"))
}


@pytest.fixture
def live(tmp_path, make_profile, monkeypatch):
    """A demo profile held open (so its -wal and -shm exist), with every file a profile can hold."""
    directory = tmp_path / "profile"
    profile = make_profile(directory, demo=True)
    backup = make_backup(directory, profile.key)
    (directory / "psi-desktop.lock").write_text("12345\npsi-desktop\nhost\n")
    (directory / "settings.ini").write_text("[window]\ngeometry=1\n")
    (directory / "logs").mkdir(exist_ok=True)
    (directory / "logs" / "psi-desktop.log").write_text("2026-12-01 INFO psi_desktop: started\n")
    (directory / "unlock-attempts.json").write_text('{"failures": 0}')
    for name in (STORE + "-wal", STORE + "-shm"):
        assert (directory / name).stat().st_size > 0, f"{name} should be there while the store is open"
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("PSI_DESKTOP_BUNDLE_PASSPHRASE", "a bundle passphrase")
    profile.backup_name = backup.name
    return profile


def targets(directory: Path, backup_name: str) -> list[Path]:
    return [directory / name.replace("BACKUP", backup_name) for name in PROFILE_FILES]


def cli(directory: Path, *args: str) -> int:
    return main([*args, "--data-dir", str(directory)])


def one_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert captured.out == ""
    return lines[0]


@pytest.mark.parametrize("command", list(COMMANDS))
def test_out_onto_each_profile_file_or_a_link_to_it_is_refused_and_changes_nothing(live, tmp_path, capsys, command):
    directory = live.directory
    before = snapshot(directory)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dir_link = tmp_path / "profile-link"
    dir_link.symlink_to(directory, target_is_directory=True)
    for target in targets(directory, live.backup_name):
        assert target.is_file(), target
        link = elsewhere / f"looks-harmless-{target.name}{SUFFIX[command]}"
        link.symlink_to(target)
        through_folder_link = dir_link / target.relative_to(directory)
        for out, expected in (
            (target, "PSI Desktop's own data folder"),
            (link, "(a link)"),
            (through_folder_link, "PSI Desktop's own data folder"),
        ):
            assert cli(directory, *COMMANDS[command], "--out", str(out)) == 2, out
            line = one_line(capsys)
            assert expected in line and "nothing was written" in line, line
            for force in ((), ("--force",)):  # --force replaces a file of your own, never one of the profile's
                assert cli(directory, *COMMANDS[command], "--out", str(out), *force) == 2
                assert expected in one_line(capsys)
        assert snapshot(directory) == before, f"{command} --out {target.name} changed the profile"
        assert link.is_symlink()
    # A new file inside the profile folder, or any folder holding a profile, is refused as well.
    other = tmp_path / "another-profile"
    other.mkdir()
    (other / KEY).write_bytes(b"someone else's key file")
    for out in (directory / f"new{SUFFIX[command]}", directory / "backups" / f"new{SUFFIX[command]}", other / "x"):
        assert cli(directory, *COMMANDS[command], "--out", str(out)) == 2
        assert "PSI Desktop's own data folder" in one_line(capsys)
        assert not out.exists()
    assert snapshot(directory) == before
    assert sorted(p.name for p in elsewhere.iterdir() if not p.is_symlink()) == [], "a temporary file was left"


def test_the_command_line_refuses_the_key_file_as_users_run_it(live):
    """The issue's own examples, through the installed ``psi-desktop`` in a child process."""
    directory = live.directory
    before = snapshot(directory)
    for args in (("backup", "--out", str(directory / KEY)), ("export", "csv", "--out", str(directory / STORE))):
        done = run_cli(directory, *args)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1 and "PSI Desktop's own data folder" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert snapshot(directory) == before


def _services(profile):
    """Every service that writes a file, as the dialogs and the CLI call them: ``{name: (suffix, call)}``."""
    reflection = profile.cases.reflections(profile.cases.find(DEMO).id)[-1]
    case = profile.cases.find(DEMO)
    return {
        "backup": (".db", lambda out, force: make_backup(profile.directory, profile.key, out=out, force=force)),
        "csv": (".csv", lambda out, force: export_csv(profile, out, force=force)),
        "bundle": (".psi.json", lambda out, force: export_bundle(profile, out, force=force)),
        "note": (".pdf", lambda out, force: exports.export_note(profile, reflection.id, out, force=force)),
        "case": (".pdf", lambda out, force: exports.export_case_report(profile, case.id, out, force=force)),
        "portfolio": (
            ".pdf",
            lambda out, force: exports.export_portfolio(profile, exports.portfolio_draft(profile), out, force=force),
        ),
        "chart": (".png", lambda out, force: export_chart(profile, DEMO, "multiples", out, force=force)),
    }


def test_the_services_refuse_profile_paths_whatever_calls_them(live, tmp_path):
    directory = live.directory
    before = snapshot(directory)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for target in targets(directory, live.backup_name):
        for name, (suffix, call) in _services(live).items():
            link = elsewhere / f"to-{target.name}-for-{name}{suffix}"
            link.symlink_to(target)
            beside = target.with_name(target.name + suffix)  # a new file, but in the profile's folder
            for force in (False, True):
                with pytest.raises(UserFacingError):  # the profile's file itself (some by their suffix first)
                    call(target, force)
                for out, words in ((link, "(a link)"), (beside, "PSI Desktop's own data folder")):
                    with pytest.raises(OutputRefusedError, match=re.escape(words)):
                        call(out, force)
            assert not beside.exists()
            assert snapshot(directory) == before, f"{name} onto {target.name} changed the profile"
    assert [p for p in elsewhere.iterdir() if not p.is_symlink()] == []


def test_a_link_with_the_right_suffix_is_still_refused(live, tmp_path):
    key = live.directory / KEY
    link = tmp_path / "cases.psi.json"
    link.symlink_to(key)
    before = sha256(key)
    with pytest.raises(OutputRefusedError, match=r"\(a link\)"):
        export_bundle(live, link, force=True)
    assert sha256(key) == before and link.is_symlink()


@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("command", ["backup", "csv", "bundle", "pdf-note", "chart-radar", "chart-multiples"])
def test_an_existing_file_is_kept_without_force_and_replaced_with_it_as_0600(live, tmp_path, capsys, command):
    out = tmp_path / "mine" / f"export{SUFFIX[command]}"
    out.parent.mkdir()
    out.write_bytes(b"my own file, not to be lost")
    if command == "chart-multiples":  # its second page goes to export-2.png: checked before anything is written
        out.unlink()
        second = out.with_name("export-2.png")
        second.write_bytes(b"my own file, not to be lost")
        for day in range(1, 13):  # more than one page of small multiples
            live.reflections.start(live.cases.find(DEMO).id, session_date=dt.date(2026, 12, day))
    mine = out if command != "chart-multiples" else second
    assert cli(live.directory, *COMMANDS[command], "--out", str(out)) == 2
    line = one_line(capsys)
    assert f"{mine.name} already exists" in line and "--force" in line, line
    assert mine.read_bytes() == b"my own file, not to be lost"
    assert sorted(p.name for p in out.parent.iterdir()) == [mine.name], "nothing else was written"
    with umask(0o000):
        assert cli(live.directory, *COMMANDS[command], "--out", str(out), "--force") == 0, capsys.readouterr().err
    capsys.readouterr()
    assert mine.read_bytes() != b"my own file, not to be lost"
    written = sorted(out.parent.iterdir())
    assert [p.name for p in written if p.name.startswith(".")] == [], "a temporary file was left"
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is {oct(path.stat().st_mode)}"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_output_is_0600_under_umask_000(live, tmp_path, capsys, command):
    out = tmp_path / "new" / f"out{SUFFIX[command]}"
    out.parent.mkdir()
    with umask(0o000):
        assert cli(live.directory, *COMMANDS[command], "--out", str(out)) == 0, capsys.readouterr().err
    written = list(out.parent.iterdir())
    assert out in written
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is {oct(path.stat().st_mode)}"


def test_a_folder_or_a_missing_folder_is_refused(live, tmp_path, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert cli(live.directory, "export", "csv", "--out", str(folder)) == 2
    assert "is a folder" in one_line(capsys)
    assert cli(live.directory, "export", "csv", "--out", str(tmp_path / "nowhere" / "x.csv")) == 2
    assert "does not exist" in one_line(capsys)
    assert list(folder.iterdir()) == []


def test_a_failed_write_leaves_no_temporary_file_and_the_old_file_untouched(live, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "report.pdf"
    old.write_bytes(b"the report from last week")

    with pytest.raises(RuntimeError), output_file(old, live.directory, force=True) as temp:
        temp.write_bytes(b"half a file")
        raise RuntimeError("the producer failed")
    with pytest.raises(exports.ExportCancelled):
        exports.export_case_report(live, live.cases.find(DEMO).id, old, force=True, cancelled=lambda: True)
    with pytest.raises(UserFacingError):  # a wrong key: the copy cannot be made
        make_backup(live.directory, bytes(32), out=folder / "copy.db")
    assert sorted(p.name for p in folder.iterdir()) == ["report.pdf"]
    assert old.read_bytes() == b"the report from last week"


def test_a_link_planted_after_the_check_is_not_written_through(live, tmp_path):
    """Checked again just before the rename: a link put at the name while the producer ran is refused."""
    key = live.directory / KEY
    before = sha256(key)
    out = tmp_path / "notes.csv"
    with pytest.raises(OutputRefusedError, match=r"\(a link\)"), output_file(out, live.directory) as temp:
        temp.write_bytes(b"a,b\n")
        out.symlink_to(key)
    assert sha256(key) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_write_output_replaces_only_when_asked(live, tmp_path):
    out = tmp_path / "ratings.csv"
    assert write_output(out, b"first\n", live.directory) == out
    with pytest.raises(OutputExistsError):
        write_output(out, b"second\n", live.directory)
    assert out.read_bytes() == b"first\n"
    write_output(out, b"second\n", live.directory, force=True)
    assert out.read_bytes() == b"second\n"
