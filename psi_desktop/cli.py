"""The command line: the GUI by default, subcommands for headless work.

Exit codes: 0 done; 2 a problem the user can act on (one line on stderr, no traceback); 1 a bug.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from psi_desktop import __version__, paths
from psi_desktop.errors import UserFacingError
from psi_desktop.logs import configure_logging, log_path

log = logging.getLogger(__name__)

EXIT_OK, EXIT_BUG, EXIT_USER = 0, 1, 2
PASSPHRASE_ENV = "PSI_DESKTOP_PASSPHRASE"
BUNDLE_PASSPHRASE_ENV = "PSI_DESKTOP_BUNDLE_PASSPHRASE"
RECOVERY_KEY_ENV = "PSI_DESKTOP_RECOVERY_KEY"
DEMO_PASSPHRASE = "demo passphrase"
PERMISSIONS_LOGGER = "psi_desktop.storage.permissions"


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
    actions = commands.add_parser(
        "actions", parents=[data_dir], help="list every action: open, due this week, overdue, kept, not kept, dropped"
    )
    actions.add_argument("--json", action="store_true", help="print JSON instead of a table")
    actions.add_argument("--case", metavar="CODE", help="only this case's actions")
    actions.add_argument(
        "--status", metavar="S", help="only actions with this status: open, kept, not-kept or dropped (commas for more)"
    )
    backup = commands.add_parser("backup", parents=[data_dir], help="make a backup of the store now")
    backup.add_argument("--out", metavar="FILE", help="write it here instead of the profile's backups folder")
    backup.add_argument("--force", action="store_true", help="with --out: replace FILE if it already exists")
    restore = commands.add_parser("restore", parents=[data_dir], help="put a backup in place of the store")
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument(
        "--recovery-key",
        action="store_true",
        help="forgot the passphrase, or the key file is lost: ask for the recovery key and a new passphrase",
    )
    commands.add_parser("check", parents=[data_dir], help="integrity of the store and its backups")
    importing = commands.add_parser("import", parents=[data_dir], help="import a bundle (.psibundle or .psi.json)")
    importing.add_argument("file", metavar="FILE")
    importing.add_argument("--dry-run", action="store_true", help="show what would change, and change nothing")
    importing.add_argument(
        "--mine", action="store_true", help="your own records from another profile (an old laptop): file them as yours"
    )
    export = commands.add_parser("export", help="bundles, CSV, charts and PDFs")
    kinds = export.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    bundle = kinds.add_parser("bundle", parents=[data_dir], help="cases for another profile (encrypted by default)")
    bundle.add_argument("--out", metavar="FILE", required=True, help="FILE.psibundle, or FILE.psi.json with --plain")
    bundle.add_argument("--case", metavar="CODE", action="append", help="only this case (repeat for more)")
    bundle.add_argument("--plain", action="store_true", help="unencrypted JSON: anyone with the file can read it")
    bundle.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    csv_export = kinds.add_parser(
        "csv", parents=[data_dir], help="ratings, one row per reflection x perspective x dimension"
    )
    csv_export.add_argument("--out", metavar="FILE", required=True)
    csv_export.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    pdf = kinds.add_parser(
        "pdf",
        parents=[data_dir],
        help="a supervision note, case report, portfolio pack, person form or summary to share back",
    )
    pdf.add_argument("--kind", choices=("note", "case", "portfolio", "person-form", "summary"), required=True)
    pdf.add_argument("--out", metavar="FILE", required=True, help="FILE.pdf")
    pdf.add_argument("--case", metavar="CODE", action="append", help="the case (repeat for a portfolio of several)")
    pdf.add_argument("--reflection", metavar="ID", help="a note of this reflection (default: the case's latest)")
    pdf.add_argument("--from", dest="date_from", metavar="DATE", help="a portfolio from this date (YYYY-MM-DD)")
    pdf.add_argument("--to", dest="date_to", metavar="DATE", help="a portfolio up to this date (YYYY-MM-DD)")
    pdf.add_argument("--strict", action="store_true", help="refuse if anything looks identifying")
    pdf.add_argument("--include-private", action="store_true", help="include the private 'For me' answers")
    pdf.add_argument(
        "--include-drafts", action="store_true", help="a case report: include unsigned reflections, marked as drafts"
    )
    pdf.add_argument(
        "--talked-about",
        metavar="DIM_ID",
        nargs="+",
        action="extend",
        help="a summary: what we talked about, by dimension id (e.g. power.choice; default: none)",
    )
    pdf.add_argument(
        "--label",
        metavar="TEXT",
        default="",
        help="a person form or summary: the only name printed on it (a first name or initials; default: none)",
    )
    pdf.add_argument("--page-size", choices=("A4", "Letter"), default="A4")
    pdf.add_argument("--force", action="store_true", help="replace FILE if it already exists")
    chart = kinds.add_parser("chart", parents=[data_dir], help="a chart of a case as PNG or SVG")
    chart.add_argument("--case", metavar="CODE", required=True)
    chart.add_argument("--kind", choices=("radar", "overlay", "multiples", "trends", "gaps"), required=True)
    chart.add_argument("--out", metavar="FILE", required=True, help="FILE.png or FILE.svg")
    chart.add_argument("--reflection", metavar="ID", help="the radar's reflection (default: the newest rated)")
    chart.add_argument("--force", action="store_true", help="replace FILE (and FILE-2... for multiples) if they exist")
    verify = commands.add_parser(
        "verify", parents=[data_dir], help="check that a PDF's printed content hash matches its signed record"
    )
    verify.add_argument("file", metavar="FILE.pdf", help="a supervision note, case report or portfolio pack")
    verify.add_argument(
        "--bundle", metavar="B", help="check against this bundle (.psibundle or .psi.json) instead of the profile"
    )
    commands.add_parser("self-test", help="check that the store, charts and PDFs work, in a temporary profile")
    search = commands.add_parser(
        "search", parents=[data_dir], help="find words in answers, actions and amendments, newest first"
    )
    search.add_argument("words", metavar="WORDS", nargs="+", help='plain words; "in quotes" to find them together')
    search.add_argument("--case", metavar="CODE", help="only this case")
    search.add_argument("--from", dest="date_from", metavar="DATE", help="sessions from this date (YYYY-MM-DD)")
    search.add_argument("--to", dest="date_to", metavar="DATE", help="sessions up to this date (YYYY-MM-DD)")
    search.add_argument("--status", choices=("draft", "discussed", "signed"), help="only reflections in this state")
    search.add_argument(
        "--dimension", metavar="D", help="a dimension or component, by id or name (e.g. safety.trust, Trust, Safety)"
    )
    search.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def _day(text: str | None, flag: str) -> dt.date | None:
    """A --from / --to date typed as YYYY-MM-DD (None when not given); a plain message otherwise."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise UserFacingError(f"{flag} takes a date like 2026-09-01.") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    undecodable = _undecodable_argument(args)
    if undecodable:
        print(f"psi-desktop: {undecodable} is not valid UTF-8 text; type it again as plain text.", file=sys.stderr)
        return EXIT_USER
    try:
        directory = paths.data_dir(getattr(args, "data_dir", None))
    except UserFacingError as exc:
        print(f"psi-desktop: {exc}", file=sys.stderr)
        return EXIT_USER
    handler = {
        None: _cmd_gui,
        "demo": _cmd_demo,
        "init": _cmd_init,
        "cases": _cmd_cases,
        "actions": _cmd_actions,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
        "check": _cmd_check,
        "import": _cmd_import,
        "export": _cmd_export,
        "verify": _cmd_verify,
        "self-test": _cmd_self_test,
        "search": _cmd_search,
    }[args.command]
    old_umask = os.umask(0o077)  # whatever the session's umask, what PSI Desktop makes is the user's alone
    warnings = _warnings_to_stderr()
    try:
        with _writer_lock(args, directory):
            return handler(args, directory)
    except UserFacingError as exc:
        print(f"psi-desktop: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into a command that stopped reading (``psi-desktop cases | head``): not a bug.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if _is_busy(exc):
            from psi_desktop.errors import StoreBusyError

            print(f"psi-desktop: {StoreBusyError()}", file=sys.stderr)
            return EXIT_USER
        log.exception("Unexpected error in command %s", args.command or "gui")
        print(
            "psi-desktop: something went wrong inside PSI Desktop. Your records are safe. "
            f"Details for IT are in {log_path(directory)}",
            file=sys.stderr,
        )
        return EXIT_BUG
    finally:
        logging.getLogger(PERMISSIONS_LOGGER).removeHandler(warnings)
        os.umask(old_umask)


# Arguments that are file names may hold any bytes; the others are text (codes, ids, dates).
_TEXT_ARGUMENTS = {"case": "--case", "reflection": "--reflection", "date_from": "--from", "date_to": "--to"}


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """The flag of a text argument whose bytes are not UTF-8 (Python keeps them as lone surrogates)."""
    from psi_desktop.domain.text import is_unicode

    for dest, flag in _TEXT_ARGUMENTS.items():
        value = getattr(args, dest, None)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and not is_unicode(v) for v in values):
            return flag
    return None


def _writer_lock(args: argparse.Namespace, directory: Path):
    """The profile lock (the app's, too) for a command that writes to the profile; none for readers.

    ``restore`` takes it itself. A reader of a profile from before encryption converts it: a write.
    """
    if args.command in ("init", "backup") or (args.command == "import" and not args.dry_run):
        return _instance_lock(directory)
    if args.command in ("cases", "export", "verify", "search"):
        from psi_desktop.services.profile import ProfileState, profile_state

        if profile_state(directory) is ProfileState.PLAINTEXT:
            return _instance_lock(directory)
    return contextlib.nullcontext()


def _warnings_to_stderr() -> logging.Handler:
    """Warnings about the profile's file permissions, also as one line on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("psi-desktop: warning: %(message)s"))
    logging.getLogger(PERMISSIONS_LOGGER).addHandler(handler)
    return handler


def _is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for another writer (SQLITE_BUSY or SQLITE_LOCKED, by its code)."""
    from psi_desktop.services.profile import is_busy_error

    return is_busy_error(exc)


def _cmd_gui(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.app import run

    return run(directory)


def _cmd_demo(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.app import run
    from psi_desktop.services.demo import add_demo_case
    from psi_desktop.services.profile import create_profile, recovery_key_shown

    with tempfile.TemporaryDirectory(prefix="psi-desktop-demo-") as tmp:
        demo_dir = Path(tmp)
        with create_profile(demo_dir, DEMO_PASSPHRASE).profile as profile:
            add_demo_case(profile)
        recovery_key_shown(demo_dir)  # a throwaway profile: nobody needs its recovery key
        return run(demo_dir, title_note="demo - nothing here is kept", passphrase_hint=DEMO_PASSPHRASE)


def _cmd_init(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.demo import add_demo_case
    from psi_desktop.services.profile import ProfileState, profile_state

    state = profile_state(directory)
    if state is ProfileState.ENCRYPTED and not args.demo:
        raise UserFacingError(f"There is already a profile in {directory}. Nothing was changed.")
    with _unlocked(directory, create=True) as profile:
        if args.demo:
            case = add_demo_case(profile)
            print(f"Added the fictional demo case \u201c{case.code}\u201d.")
    return EXIT_OK


def _cmd_cases(args: argparse.Namespace, directory: Path) -> int:
    with _unlocked(directory) as profile:
        summaries = profile.cases.summaries()
        if args.json:
            outlines = profile.cases.outlines()
            out = [
                {
                    "id": str(s.case.id),
                    "code": s.case.code,
                    "open_actions": s.open_actions,
                    "reflections": [
                        {"id": str(r.id), "session_date": r.session_date.isoformat(), "status": r.status.value}
                        for r in outlines.get(s.case.id, [])
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


def _cmd_actions(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.errors import NotFoundError
    from psi_desktop.services.actions import action_board, parse_statuses

    statuses = parse_statuses(args.status) if args.status else None
    with _unlocked(directory) as profile:
        case_id = None
        if args.case:
            case = profile.cases.find(args.case)
            if case is None:
                raise NotFoundError("There is no case with that code. psi-desktop cases lists the codes.")
            case_id = case.id
        board = action_board(profile, case_id=case_id, statuses=statuses)
        if args.json:
            out = [
                {
                    "id": str(i.action.id),
                    "case": i.record.case_code,
                    "case_id": str(i.action.case_id),
                    "reflection_id": str(i.action.reflection_id),
                    "agreed_on": i.record.agreed_on.isoformat(),
                    "text": i.action.text,
                    "dimension": i.action.dimension,
                    "dimension_name": i.dimension_name or None,
                    "due_on": i.action.due_on.isoformat() if i.action.due_on else None,
                    "status": i.action.status.value,
                    "overdue": i.overdue,
                    "due_this_week": i.due_this_week,
                    "note": i.action.review_note,
                    "reviewed_in": str(i.action.reviewed_in) if i.action.reviewed_in else None,
                    "reviewed_at": i.action.reviewed_at.isoformat().replace("+00:00", "Z")
                    if i.action.reviewed_at
                    else None,
                    "carried_from": str(i.action.carried_from) if i.action.carried_from else None,
                    "carried_to": [str(c.action.id) for c in i.carried_to],
                }
                for i in board.items
            ]
            print(json.dumps(out, indent=2, ensure_ascii=False))
            return EXIT_OK
        if not board.items:
            print("No actions." if statuses is None and case_id is None else "No actions match.")
            return EXIT_OK
        print(
            f"{len(board.open_items)} open, {board.overdue_count} overdue, {board.this_week_count} due this week "
            f"(as of {board.today.isoformat()})"
        )
        rows = [("Status", "Case", "Agreed", "What", "Dimension", "Due", "Note")] + [
            (
                i.due.label or i.action.status.label,
                i.record.case_code,
                i.record.agreed_on.isoformat(),
                i.action.text,
                i.dimension_name or "-",
                i.action.due_on.isoformat() if i.action.due_on else "-",
                " ".join(i.action.review_note.split()),
            )
            for i in board.items
        ]
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return EXIT_OK


def _warn(findings: Sequence[object], *, strict: bool) -> None:
    """What looks identifying, a warning line each on stderr; with --strict, refused before anything is written."""
    for finding in findings:
        print(f"psi-desktop: warning: {finding}", file=sys.stderr)
    if findings and strict:
        raise UserFacingError(
            f"{len(findings)} place(s) look identifying (listed above); nothing was written. "
            "Fix them, or export without --strict."
        )


def _cmd_backup(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.backups import make_backup
    from psi_desktop.services.exports import check_output

    if args.out:
        check_output(args.out, directory, force=args.force)  # before unlocking: a refused path touches nothing
    with _unlocked(directory) as profile:
        key = profile.key
    # Not resolved: a link as --out is refused, never followed (storage.outputs).
    out = make_backup(directory, key, out=Path(os.path.abspath(args.out)) if args.out else None, force=args.force)
    print(f"Backup written to {out}")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.backups import restore_backup
    from psi_desktop.services.profile import recover_key, unlock_key

    with _instance_lock(directory):
        configure_logging(directory)
        if args.recovery_key:
            recovery = _passphrase("Recovery key: ", env=RECOVERY_KEY_ENV)
            key = recover_key(directory, recovery, _passphrase("New passphrase: ", confirm=True))
        else:
            key = unlock_key(directory, _passphrase())
        kept = restore_backup(directory, key, Path(args.file))
    print(f"Restored {Path(args.file).name}. The store it replaced is kept as {kept.name}.")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.backups import check_profile
    from psi_desktop.services.profile import unlock_key

    configure_logging(directory)
    results = check_profile(directory, unlock_key(directory, _passphrase()))
    for result in results:
        print(f"{'ok     ' if result.ok else 'DAMAGED'} {result.path}: {result.detail}")
    if not all(r.ok for r in results):
        raise UserFacingError("Some files failed their check; see above. Nothing was changed.")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.bundle_format import is_encrypted, open_bundle, read_file
    from psi_desktop.services.bundles import apply_import, plan_import
    from psi_desktop.services.profile import ProfileState, profile_state

    if profile_state(directory) is not ProfileState.MISSING:
        configure_logging(directory)  # a bundle refused, or a bug, while reading is logged there too
    path = Path(args.file)
    data = read_file(path)  # read once: a regular file only, never more than the size limit
    passphrase = _passphrase("Bundle passphrase: ", env=BUNDLE_PASSPHRASE_ENV) if is_encrypted(data) else None
    doc = open_bundle(data, passphrase)
    with _unlocked(directory) as profile:
        plan = plan_import(profile, doc, as_own=args.mine)
        print(f"{path.name}: {plan.summary()}")
        if plan.whose():
            print(f"  {plan.whose()}")
        for item in plan.items:
            if item.outcome.value == "renamed":
                print(f"  a case will be added as \u201c{item.new_code}\u201d: its code is taken here")
        if args.dry_run or not plan.changes_anything:
            print("Nothing was changed." if plan.changes_anything else "Everything in it is already here.")
            return EXIT_OK
        if sys.stdin.isatty() and input("Import it? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Nothing was changed.")
            return EXIT_OK
        apply_import(profile, plan, source=path.name)
        print("Imported.")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.exports import check_output

    # Not resolved: a link as --out is refused, never followed (storage.outputs).
    out = Path(os.path.abspath(args.out))
    check_output(out, directory, force=args.force)  # before unlocking: a refused path touches nothing
    if args.export_kind == "bundle":
        from psi_desktop.services.bundles import case_ids_for_codes, export_bundle

        with _unlocked(directory) as profile:
            ids = case_ids_for_codes(profile, args.case) if args.case else None
            if args.plain:
                print("Warning: a plain bundle is not encrypted; anyone with the file can read it.", file=sys.stderr)
                passphrase = None
            else:
                passphrase = _passphrase("Passphrase for the bundle: ", confirm=True, env=BUNDLE_PASSPHRASE_ENV)
            doc = export_bundle(profile, out, case_ids=ids, passphrase=passphrase, force=args.force)
        print(f"Wrote {len(doc['cases'])} case(s), {len(doc['reflections'])} reflection(s) to {out}")
        return EXIT_OK
    if args.export_kind == "csv":
        from psi_desktop.services.bundles import export_csv

        with _unlocked(directory) as profile:
            rows = export_csv(profile, out, force=args.force)
        print(f"Wrote {rows} row(s) to {out}")
        return EXIT_OK
    if args.export_kind == "pdf":
        return _export_pdf(args, out, directory)
    if args.export_kind == "chart":
        from psi_desktop.services.charts import export_chart

        with _unlocked(directory) as profile:
            written = export_chart(profile, args.case, args.kind, out, reflection_id=args.reflection, force=args.force)
        for path in written:
            print(f"Wrote {path}")
        return EXIT_OK
    raise AssertionError(args.export_kind)


def _export_pdf(args: argparse.Namespace, out: Path, directory: Path) -> int:
    import uuid

    from psi_desktop.errors import NotFoundError
    from psi_desktop.services import exports

    date_from, date_to = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    try:
        reflection_id = uuid.UUID(args.reflection) if args.reflection else None
    except ValueError:
        raise UserFacingError("That is not a reflection id; psi-desktop cases --json lists them.") from None
    _check_pdf_options(args)
    with _unlocked(directory) as profile:
        case_ids = []
        for code in args.case or ():
            case = profile.cases.find(code)
            if case is None:
                raise NotFoundError("There is no case with that code. psi-desktop cases lists the codes.")
            case_ids.append(case.id)
        if args.kind in ("person-form", "summary"):
            _export_for_the_person(args, out, profile, case_ids, reflection_id)
            print(f"Wrote {out}")
            return EXIT_OK
        findings = exports.check_identifiers(
            profile,
            args.kind,
            case_ids,
            reflection_id,
            date_from,
            date_to,
            args.include_private,
            include_drafts=args.include_drafts,
        )
        draft = None
        if args.kind == "portfolio":
            draft = exports.portfolio_draft(profile, case_ids, date_from, date_to, include_private=args.include_private)
            findings += exports.check_portfolio_draft(draft)
        _warn(findings, strict=args.strict)
        if args.kind == "note":
            ((_, reflection),) = exports.chosen_reflections(profile, "note", case_ids, reflection_id)
            exports.export_note(
                profile,
                reflection.id,
                out,
                include_private=args.include_private,
                page_size=args.page_size,
                force=args.force,
            )
        elif args.kind == "case":
            if len(case_ids) != 1:
                raise UserFacingError("A case report is of one case: give one --case CODE.")
            exports.export_case_report(
                profile,
                case_ids[0],
                out,
                include_drafts=args.include_drafts,
                page_size=args.page_size,
                force=args.force,
            )
        else:
            exports.export_portfolio(profile, draft, out, page_size=args.page_size, force=args.force)
    print(f"Wrote {out}")
    return EXIT_OK


def _check_pdf_options(args: argparse.Namespace) -> None:
    """Refuse options that do not belong to the kind of PDF (rather than ignore them unseen)."""
    kind = args.kind
    if args.talked_about and kind != "summary":
        raise UserFacingError("--talked-about is for --kind summary.")
    if args.label and kind not in ("person-form", "summary"):
        raise UserFacingError("--label is for --kind person-form or summary; the other PDFs print the case code.")
    if kind == "person-form" and (args.case or args.reflection):
        raise UserFacingError("A person form is blank and of no case: leave out --case and --reflection.")
    if kind in ("person-form", "summary"):
        if args.include_private:
            raise UserFacingError(
                "The private \u201cFor me\u201d answers are never on a paper for the person: "
                "leave out --include-private."
            )
        if args.include_drafts or args.date_from or args.date_to:
            raise UserFacingError("--include-drafts, --from and --to are for the other kinds of PDF.")


def _export_for_the_person(args: argparse.Namespace, out: Path, profile, case_ids, reflection_id) -> None:
    """The person form or the summary to share back, after the identifiable-information check."""
    from psi_desktop.services import exports

    if args.kind == "summary":
        reflection = exports.summary_reflection(profile, case_ids, reflection_id)
        topics = list(dict.fromkeys(args.talked_about or ()))
        findings = exports.check_summary(profile, reflection.id, topics, label=args.label)
    else:
        findings = exports.check_label(args.label)
    _warn(findings, strict=args.strict)
    if args.kind == "summary":
        if not reflection.signed:
            note = "the reflection is not signed yet, so the summary is marked as a draft"
            print(f"psi-desktop: note: {note}.", file=sys.stderr)
        exports.export_summary(
            profile, reflection.id, out, topics=topics, label=args.label, page_size=args.page_size, force=args.force
        )
    else:
        exports.export_person_form(profile, out, label=args.label, page_size=args.page_size, force=args.force)


def _cmd_verify(args: argparse.Namespace, directory: Path) -> int:
    """Exit 0 when every printed hash matches its record; 2, saying what does not, when one does not."""
    from psi_desktop.frameworks import load_frameworks
    from psi_desktop.services import verify
    from psi_desktop.services.bundle_format import is_encrypted, read_file
    from psi_desktop.services.profile import ProfileState, profile_state

    pdf = Path(args.file)
    if args.bundle:
        bundle = Path(args.bundle)
        data = read_file(bundle)
        passphrase = _passphrase("Bundle passphrase: ", env=BUNDLE_PASSPHRASE_ENV) if is_encrypted(data) else None
        frameworks = load_frameworks()
        reference = verify.bundle_reference(data, bundle.name, passphrase, frameworks)
        lines = verify.verify_printout(pdf, reference, frameworks)
    elif profile_state(directory) is ProfileState.MISSING:
        lines = verify.verify_printout(pdf, None, load_frameworks())  # only the record the PDF carries
    else:
        with _unlocked(directory) as profile:
            lines = verify.verify_printout(pdf, verify.profile_reference(profile), profile.frameworks)
    for line in lines:
        print(line)
    return EXIT_OK


def _passphrase(prompt: str = "Passphrase: ", *, confirm: bool = False, env: str | None = None) -> str:
    """From $PSI_DESKTOP_PASSPHRASE (for scripts; less safe), else typed at the terminal, never an argument."""
    env = env or PASSPHRASE_ENV
    new_bundle = confirm and env == BUNDLE_PASSPHRASE_ENV  # encrypting a bundle: the strength rule applies
    from_env = os.environ.get(env)
    if from_env is not None:
        if new_bundle:
            from psi_desktop.services.bundle_passphrase import bundle_passphrase_problem

            problem = bundle_passphrase_problem(from_env)
            if problem:
                raise UserFacingError(f"The passphrase in {env} was not used. {problem} Nothing was written.")
        return from_env
    if not sys.stdin.isatty():
        raise UserFacingError(f"A passphrase is needed: run this in a terminal, or set {env}.")
    first = getpass.getpass(prompt)
    if new_bundle:
        from psi_desktop.services.bundle_passphrase import check_bundle_passphrase

        check_bundle_passphrase(first)  # before "again": a weak one is not typed twice
        check_bundle_passphrase(first, getpass.getpass("Type it again: "))
    elif confirm:
        from psi_desktop.services.profile import check_new_passphrase

        check_new_passphrase(first, getpass.getpass("Type it again: "))
    return first


def _unlocked(directory: Path, *, create: bool = False):
    """The profile in ``directory``, unlocked; made (``create``) or encrypted first when needed."""
    from psi_desktop.services import profile as profiles
    from psi_desktop.services.profile import ProfileState, create_profile, profile_state, unlock_profile

    state = profile_state(directory)
    if state is ProfileState.MISSING and not create:
        raise UserFacingError(f"There is no PSI Desktop profile in {directory}. Create one with: psi-desktop init")
    configure_logging(directory)
    if state is ProfileState.ENCRYPTED:
        profile = unlock_profile(directory, _passphrase())
        if profiles.recovery_key_pending(directory):
            # Set up, then cut short before its recovery key was shown: that key is replaced and shown now.
            try:
                renewed = profiles.renew_recovery_key(directory, profile.key)
            except BaseException:
                profile.close()
                raise
            print(
                "This profile's recovery key was never shown, so it has a new one. The old one no longer works.",
                file=sys.stderr,
            )
            _print_recovery_key(renewed, sys.stderr)
            profiles.recovery_key_shown(directory)
        return profile
    if state is ProfileState.PLAINTEXT:
        print("This profile is not encrypted yet. Choose a passphrase to protect it.", file=sys.stderr)
    made = create_profile(directory, _passphrase("New passphrase: ", confirm=True))
    print(f"{'Encrypted the' if state is ProfileState.PLAINTEXT else 'Created a'} PSI Desktop profile in {directory}")
    _print_recovery_key(made.recovery_key, sys.stderr if state is ProfileState.PLAINTEXT else sys.stdout)
    profiles.recovery_key_shown(directory)
    return made.profile


def _print_recovery_key(recovery_key: str, out) -> None:
    print(
        "\nYour recovery key (shown once; store it somewhere safe, away from this laptop):\n\n"
        f"    {recovery_key}\n\nIt unlocks your records if you forget your passphrase.\n",
        file=out,
        flush=True,
    )


def _instance_lock(directory: Path):
    """The app's lock on the profile, without Qt: refused at once, exit 2, while another holds it."""
    from psi_desktop.services.profile import profile_lock

    return profile_lock(directory)


def _cmd_self_test(args: argparse.Namespace, directory: Path) -> int:
    from psi_desktop.services.selftest import run_self_test

    results = run_self_test()
    for check in results:
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    failed = [c for c in results if not c.ok]
    print("self-test passed" if not failed else f"self-test failed: {len(failed)} of {len(results)} checks")
    return EXIT_OK if not failed else EXIT_BUG


def _cmd_search(args: argparse.Namespace, directory: Path) -> int:
    """Hits newest first: the session, the case, where it is and a snippet with the matched words [in brackets]."""

    from psi_desktop.domain.model import ReflectionStatus
    from psi_desktop.domain.search import marked
    from psi_desktop.domain.text import is_unicode
    from psi_desktop.services import search

    if not all(is_unicode(w) for w in [*args.words, args.dimension or ""]):
        raise UserFacingError("The words to search for are not valid UTF-8 text; type them again as plain text.")

    date_from, date_to = _day(args.date_from, "--from"), _day(args.date_to, "--to")
    query = " ".join(args.words)
    with _unlocked(directory) as profile:
        case_id = search.case_for_code(profile, args.case) if args.case is not None else None
        dimension = search.find_dimension(profile, args.dimension).id if args.dimension is not None else None
        status = ReflectionStatus(args.status) if args.status else None
        result = search.search_reflections(
            profile, query, case_id=case_id, date_from=date_from, date_to=date_to, status=status, dimension=dimension
        )
    if not result.has_words:
        raise UserFacingError("Give at least one word to look for.")
    if args.json:
        out = [
            {
                "kind": hit.kind.value,
                "case": hit.case_code,
                "case_id": str(hit.case_id),
                "reflection_id": str(hit.reflection_id),
                "session_date": hit.session_date.isoformat(),
                "status": hit.status.value,
                "step": hit.step_id,
                "what": hit.what,
                {"answer": "prompt_id", "action": "action_id", "amendment": "amendment_id"}[hit.kind.value]: hit.record,
                "snippet": marked(hit.snippet),
            }
            for hit in result.hits
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
    for hit in [] if args.json else result.hits:
        what = hit.what if len(hit.what) <= 70 else hit.what[:68].rstrip() + "\u2026\u201d"
        print(f"{hit.session_date.isoformat()}  {hit.case_code} ({hit.status.label.lower()})  {hit.step_label}: {what}")
        print(f"    {marked(hit.snippet)}")
    used = [flag for flag, value in _search_filters(args) if value]
    if not result.hits:
        hint = f" Try again without {' or '.join(used)}." if used else ""
        print(f"No matches.{hint}", file=sys.stderr if args.json else sys.stdout)
    elif result.more:
        note = f"Showing the newest {len(result.hits)} matches; add a word or a filter to narrow them down."
        print(note, file=sys.stderr if args.json else sys.stdout)
    elif not args.json:
        print(f"{len(result.hits)} match{'' if len(result.hits) == 1 else 'es'}.")
    return EXIT_OK


def _search_filters(args: argparse.Namespace) -> list[tuple[str, object]]:
    return [
        ("--case", args.case),
        ("--from", args.date_from),
        ("--to", args.date_to),
        ("--status", args.status),
        ("--dimension", args.dimension),
    ]
