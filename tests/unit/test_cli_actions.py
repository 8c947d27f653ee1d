"""``psi-desktop actions [--json] [--case CODE] [--status S]`` on a real profile."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stderr, redirect_stdout

from psi_desktop import cli
from psi_desktop.domain.model import ActionStatus
from psi_desktop.services.actions import review_action
from tests.conftest import PASSPHRASE


def made(tmp_path, make_profile):
    today = dt.date.today()  # the command counts from the computer's date
    profile = make_profile(tmp_path / "p")
    ward3 = profile.cases.create("Ward 3 - A")
    first = profile.reflections.start(ward3.id, session_date=today - dt.timedelta(days=14))
    late = profile.reflections.add_action(first, "Explain leave changes first", due_on=today - dt.timedelta(days=1))
    profile.reflections.add_action(first, "Knock and wait", due_on=today + dt.timedelta(days=2))
    ward5 = profile.cases.create("Ward 5 - K")
    other = profile.reflections.start(ward5.id, session_date=today - dt.timedelta(days=30))
    kept = profile.reflections.add_action(other, "Come back at two", dimension="safety.consistency")
    review_action(profile, kept.id, ActionStatus.NOT_KEPT, "The ward was short-staffed.")
    profile.close()
    return tmp_path / "p", late


def run(directory, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--data-dir", str(directory), "actions", *args])
    return code, out.getvalue(), err.getvalue()


def test_actions_as_a_table_and_as_json_with_overdue_flags(tmp_path, make_profile, monkeypatch):
    directory, late = made(tmp_path, make_profile)
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)

    code, out, _err = run(directory)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2 open, 1 overdue, 1 due this week")
    assert lines[1].split()[:3] == ["Status", "Case", "Agreed"]
    assert lines[2].startswith("Overdue ") and "Explain leave changes first" in lines[2]
    assert lines[3].startswith("Due this week ") and "Knock and wait" in lines[3]
    assert lines[4].startswith("Not kept ") and "Safety: Consistency" in lines[4]
    assert lines[4].rstrip().endswith("The ward was short-staffed.")

    code, out, _err = run(directory, "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(a["case"], a["text"], a["status"], a["overdue"], a["due_this_week"]) for a in listed] == [
        ("Ward 3 - A", "Explain leave changes first", "open", True, False),
        ("Ward 3 - A", "Knock and wait", "open", False, True),
        ("Ward 5 - K", "Come back at two", "not_kept", False, False),
    ]
    assert listed[0]["id"] == str(late.id) and listed[0]["due_on"] == late.due_on.isoformat()
    assert listed[2]["note"] == "The ward was short-staffed." and listed[2]["dimension"] == "safety.consistency"
    assert listed[2]["reviewed_at"].endswith("Z") and listed[2]["carried_to"] == []

    code, out, _err = run(directory, "--json", "--case", "ward 5 - k", "--status", "not-kept")
    assert [a["text"] for a in json.loads(out)] == ["Come back at two"]
    code, out, _err = run(directory, "--status", "kept")
    assert (code, out) == (0, "No actions match.\n")


def test_an_unknown_case_or_status_is_a_plain_message(tmp_path, make_profile, monkeypatch):
    directory, _late = made(tmp_path, make_profile)
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    code, out, err = run(directory, "--case", "Nobody")
    assert (code, out) == (2, "") and "no case with that code" in err and "Nobody" not in err
    code, out, err = run(directory, "--status", "finished")
    assert code == 2 and "open, kept, not-kept or dropped" in err
