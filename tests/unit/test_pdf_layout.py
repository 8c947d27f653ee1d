"""Page layout of the three documents of the demo case, read back: times in the local zone, tables kept whole."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from pypdf import PdfReader

from psi_desktop.reporting.layout import local_time, zone_name
from psi_desktop.services import exports

DEMO = "Demo - Ward 3"


def texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, profile.cases.reflections(case.id)


@pytest.fixture
def zone(monkeypatch):
    """``zone("Europe/London")`` makes that this computer's time zone for the test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


# --- times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "instant", "printed"),
    [
        ("Europe/London", "2026-08-18T15:10:00+00:00", "18 August 2026, 16:10 BST (UTC+01:00)"),
        ("Europe/London", "2026-12-01T15:10:00+00:00", "1 December 2026, 15:10 GMT"),
        ("America/New_York", "2026-08-18T02:30:00+00:00", "17 August 2026, 22:30 EDT (UTC-04:00)"),
        ("Asia/Kolkata", "2026-08-18T15:10:00+00:00", "18 August 2026, 20:40 IST (UTC+05:30)"),
        ("Asia/Dubai", "2026-08-18T15:10:00+00:00", "18 August 2026, 19:10 UTC+04:00"),
        ("UTC", "2026-08-18T15:10:00+00:00", "18 August 2026, 15:10 UTC"),
    ],
)
def test_a_time_is_printed_in_the_local_zone_which_is_named(zone, name, instant, printed):
    zone(name)
    moment = dt.datetime.fromisoformat(instant)
    assert local_time(moment) == printed
    assert zone_name(moment.astimezone()) in printed


def test_the_note_prints_signing_and_amendments_in_local_time(demo, zone, tmp_path):
    zone("Europe/London")
    profile, _case, reflections = demo
    signed = reflections[0]  # signed 2026-08-18T15:10:00Z, in British Summer Time
    assert signed.signature.signed_at == dt.datetime(2026, 8, 18, 15, 10, tzinfo=dt.UTC)
    amended = profile.reflections.amend(signed, "A. Practitioner", "A date was wrong", "The walk was on Monday.")
    made_at = amended.amendments[-1].made_at.astimezone()

    text = flat(" ".join(texts(exports.export_note(profile, signed.id, tmp_path / "note.pdf"))))
    assert "18 August 2026, 16:10 BST (UTC+01:00)" in text
    assert f"{made_at:%H:%M} {zone_name(made_at)}, A. Practitioner" in text
    assert " UTC," not in text and "15:10" not in text


def test_the_case_report_dates_a_signature_by_the_local_day(demo, zone, tmp_path):
    zone("Pacific/Auckland")  # 15:10 UTC on 18 August is the early hours of 19 August there
    profile, case, _reflections = demo
    text = flat(" ".join(texts(exports.export_case_report(profile, case.id, tmp_path / "case.pdf"))))
    assert "Signed by B. Supervisor on 19 August 2026" in text
    assert "Signed by B. Supervisor on 18 August 2026" not in text
