"""Child process for test_read_only: use a profile as an unprivileged user who may not write to it.

    python -m tests.faults._readonly_child WARM_DIR PROFILE_DIR INSTALL_DIR

Root ignores file modes, so this child drops to uid/gid 65534 (nobody) before touching PROFILE_DIR.
It must import everything first: this interpreter and its standard library live under /root, which
nobody cannot read. So, still as root, it runs the same commands once on WARM_DIR (a writable copy)
to load every module they import lazily. Then, as nobody, it runs ``psi-desktop cases`` (cli.main,
with its stdout and stderr captured) and creates a case through the services, and prints one JSON
line with what happened.

Files the app reads at run time (resources/frameworks) are not loaded by the warm-up, so the child
reads them from INSTALL_DIR (a copy laid out as a PyInstaller bundle: INSTALL_DIR/psi_desktop/
resources), never from this checkout: that may sit under /root, where nobody cannot read it (a
fresh Debian's /root/project), which no real user's install does. A test that wants an install
this user cannot read passes an INSTALL_DIR only root can enter.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
import uuid
from pathlib import Path

import psi_desktop.cli as cli
from psi_desktop import paths
from psi_desktop.errors import UserFacingError
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE

NOBODY = 65534


def _cli(directory: Path) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(["--data-dir", str(directory), "cases"])
        except BaseException:
            traceback.print_exc()
            rc = "raised"
    return {"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _create_case(directory: Path) -> dict:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            with unlock_profile(directory, PASSPHRASE) as profile:
                profile.cases.create(f"New {uuid.uuid4().hex[:8]}")
            outcome = {"created": True}
        except UserFacingError as exc:
            outcome = {"error": [k.__name__ for k in type(exc).__mro__], "message": str(exc)}
        except BaseException as exc:
            outcome = {"bug": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    outcome["stderr"] = err.getvalue()
    return outcome


def main() -> None:
    warm, directory, install = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    sys._MEIPASS = str(install)  # type: ignore[attr-defined]
    paths.__file__ = str(install / "psi_desktop" / "paths.py")  # every place resources are looked for
    os.environ["PSI_DESKTOP_PASSPHRASE"] = PASSPHRASE
    warm_cli, warm_case = _cli(warm), _create_case(warm)
    if warm_cli["rc"] != 0 or not warm_case.get("created"):
        print(json.dumps({"skip": f"the warm-up as root failed: {warm_cli} {warm_case}"}))
        return
    try:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    except OSError as exc:
        print(json.dumps({"skip": f"cannot drop to uid {NOBODY}: {exc}"}))
        return
    result = {
        "uid": os.geteuid(),
        "dir_writable": os.access(directory, os.W_OK),
        "store_writable": os.access(directory / "psi-desktop.db", os.W_OK),
        "store_readable": os.access(directory / "psi-desktop.db", os.R_OK),
        "cli": _cli(directory),
        "service": _create_case(directory),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
