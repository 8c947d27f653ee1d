"""The command line: the GUI by default, subcommands for headless work.

Exit codes: 0 done; 2 a problem the user can act on (one line on stderr, no traceback); 1 a bug.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from psi_desktop import __version__, paths
from psi_desktop.errors import UserFacingError
from psi_desktop.logs import configure_logging, log_path

log = logging.getLogger(__name__)

EXIT_OK, EXIT_BUG, EXIT_USER = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help=f"use the profile in DIR (default: the OS user-data dir, or ${paths.DATA_DIR_ENV})",
    )
    parser = argparse.ArgumentParser(
        prog="psi-desktop",
        description="Reflective clinical supervision with the Power Safety Identity (PSI) model.",
        parents=[data_dir],
    )
    parser.add_argument("--version", action="version", version=f"psi-desktop {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("demo", parents=[data_dir], help="open the app on a throwaway profile with a fictional case")
    init = commands.add_parser("init", parents=[data_dir], help="create a profile")
    init.add_argument("--demo", action="store_true", help="also add the fictional demo case")
    cases = commands.add_parser("cases", parents=[data_dir], help="list cases")
    cases.add_argument("--json", action="store_true", help="print JSON instead of a table")
    commands.add_parser("self-test", help="check that the store, charts and PDFs work, in a temporary profile")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    directory = paths.data_dir(getattr(args, "data_dir", None))
    handler = {
        None: _cmd_gui,
        "demo": _cmd_demo,
        "init": _cmd_init,
        "cases": _cmd_cases,
        "self-test": _cmd_self_test,
    }[args.command]
    try:
        return handler(args, directory)
    except UserFacingError as exc:
        print(f"psi-desktop: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        return 130
    except Exception:
        log.exception("Unexpected error in command %s", args.command or "gui")
        print(
            "psi-desktop: something went wrong inside PSI Desktop. Your records are safe. "
            f"Details for IT are in {log_path(directory)}",
            file=sys.stderr,
        )
        return EXIT_BUG


def _cmd_gui(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.app import run

    return run(directory)


def _cmd_demo(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.app import run
    from psi_desktop.services.demo import add_demo_case
    from psi_desktop.services.profile import open_profile

    with tempfile.TemporaryDirectory(prefix="psi-desktop-demo-") as tmp:
        demo_dir = Path(tmp)
        with open_profile(demo_dir) as profile:
            add_demo_case(profile.store)
        return run(demo_dir, title_note="demo - nothing here is kept")


def _cmd_init(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.demo import add_demo_case
    from psi_desktop.services.profile import open_profile, profile_exists

    existed = profile_exists(directory)
    if existed and not args.demo:
        raise UserFacingError(f"There is already a profile in {directory}. Nothing was changed.")
    configure_logging(directory)
    with open_profile(directory) as profile:
        if not existed:
            print(f"Created a PSI Desktop profile in {directory}")
        if args.demo:
            case = add_demo_case(profile.store)
            print(f"Added the fictional demo case \u201c{case.code}\u201d.")
    return EXIT_OK


def _cmd_cases(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.profile import open_profile, profile_exists

    if not profile_exists(directory):
        raise UserFacingError(f"There is no PSI Desktop profile in {directory}. Create one with: psi-desktop init")
    configure_logging(directory)
    with open_profile(directory, create=False) as profile:
        summaries = profile.cases.summaries()
        if args.json:
            out = [
                {
                    "id": str(s.case.id),
                    "code": s.case.code,
                    "open_actions": s.open_actions,
                    "reflections": [
                        {"id": str(r.id), "session_date": r.session_date.isoformat(), "status": r.status.value}
                        for r in profile.cases.reflections(s.case.id)
                    ],
                }
                for s in summaries
            ]
            print(json.dumps(out, indent=2, ensure_ascii=False))
            return EXIT_OK
        if not summaries:
            print("No cases yet.")
            return EXIT_OK
        rows = [("Case", "Reflections", "Last session", "Open actions")] + [
            (
                s.case.code + (" (archived)" if s.case.archived else ""),
                str(s.reflection_count),
                s.last_session.isoformat() if s.last_session else "-",
                str(s.open_actions),
            )
            for s in summaries
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def _cmd_self_test(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.selftest import run_self_test

    results = run_self_test()
    for check in results:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    failed = [c for c in results if not c.ok]
    print("self-test passed" if not failed else f"self-test failed: {len(failed)} of {len(results)} checks")
    return EXIT_OK if not failed else EXIT_BUG
