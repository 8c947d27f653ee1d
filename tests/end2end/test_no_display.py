"""Started with no display at all, the app says so in one plain line and exits 2 (issue 18 item 6),
where Qt would abort (exit 134) with advice about xcb libraries."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("command", [[], ["demo"]])
def test_no_display_gives_one_plain_line_and_exit_2(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    done = subprocess.run(
        [sys.executable, "-m", "psi_desktop", "--data-dir", str(tmp_path / "p"), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "no desktop" in lines[0] and "DISPLAY" in lines[0] and "xcb" not in lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("variables", "refused"),
    [
        ({}, True),
        ({"QT_QPA_PLATFORM": "offscreen"}, False),
        ({"DISPLAY": ":0"}, False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, False),
    ],
)
def test_only_no_display_and_no_named_platform_is_refused(monkeypatch, variables, refused):
    from psi_desktop.app import check_display
    from psi_desktop.errors import UserFacingError

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    if refused:
        with pytest.raises(UserFacingError, match="no desktop"):
            check_display()
    else:
        check_display()
