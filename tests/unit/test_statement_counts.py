"""No query per row (issue 16 item 3): what a list, a page or an export shows is loaded in a constant
number of SQL statements, counted on a real store at two sizes."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import contextmanager, redirect_stdout
from dataclasses import replace

from psi_desktop.domain.model import ActionStatus, Perspective
from psi_desktop.frameworks import default_framework
from psi_desktop.services.actions import action_board
from psi_desktop.services.bundles import build_document, ratings_csv

DIMS = default_framework().dimension_ids


def fill(profile, cases: int, per_case: int) -> None:
    for c in range(cases):
        case = profile.cases.create(f"Case {c:03d}", "")
        for n in range(per_case):
            draft = profile.reflections.start(case.id, session_date=dt.date(2026, 1, 1) + dt.timedelta(days=n))
            draft = profile.reflections.update(
                replace(
                    draft,
                    answers={"context": f"Session {n}."},
                    ratings={
                        Perspective.PRACTITIONER: {d: 2 for d in DIMS},
                        Perspective.SUPERVISOR: {d: 3 for d in DIMS},
                    },
                )
            )
            action = profile.reflections.add_action(
                draft, f"Action {n}", dimension=DIMS[n % len(DIMS)], due_on=dt.date(2026, 1, 1 + n)
            )
            if n % 3 == 2:
                profile.reflections.review_action(draft, action, ActionStatus.NOT_KEPT, "Not this time.")
            if n % 2:
                profile.reflections.sign(draft, "B. Supervisor")


@contextmanager
def counted(profile):
    statements: list[str] = []
    connection = profile.store.db.conn
    connection.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        connection.set_trace_callback(None)


def statements_for(profile) -> dict[str, int]:
    work = {
        "case list": lambda: profile.cases.summaries(),
        "case page": lambda: (
            profile.cases.reflection_outlines(profile.cases.find("Case 000").id),
            profile.cases.actions(profile.cases.find("Case 000").id),
        ),
        "cases --json": lambda: (profile.cases.summaries(), profile.cases.outlines()),
        "csv": lambda: ratings_csv(profile),
        "bundle export": lambda: build_document(profile),
        "actions view": lambda: action_board(profile, today=dt.date(2026, 1, 5)),
        "actions --case": lambda: action_board(profile, case_id=profile.cases.find("Case 000").id),
    }
    found = {}
    for name, job in work.items():
        with counted(profile) as statements:
            job()
        found[name] = len(statements)
    return found


def test_lists_pages_and_exports_take_the_same_statements_at_any_size(tmp_path, make_profile):
    small = make_profile(tmp_path / "small")
    fill(small, 2, 2)
    large = make_profile(tmp_path / "large")
    fill(large, 8, 8)
    few, many = statements_for(small), statements_for(large)
    assert few == many, (few, many)
    assert max(many.values()) <= 12, many


def test_cases_json_lists_every_reflection_from_the_outlines(tmp_path, make_profile, monkeypatch):
    from psi_desktop import cli
    from tests.conftest import PASSPHRASE

    profile = make_profile(tmp_path / "p")
    fill(profile, 2, 3)
    expected = {
        s.case.code: [
            (str(r.id), r.session_date.isoformat(), r.status.value) for r in profile.cases.reflections(s.case.id)
        ]
        for s in profile.cases.summaries()
    }
    profile.close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["--data-dir", str(tmp_path / "p"), "cases", "--json"]) == 0
    listed = {
        c["code"]: [(r["id"], r["session_date"], r["status"]) for r in c["reflections"]]
        for c in json.loads(out.getvalue())
    }
    assert listed == expected
