"""Cases through the service the UI and CLI share, on a real profile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psi_desktop.errors import ValidationError
from psi_desktop.services.demo import add_demo_case


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile")


def test_create_folds_white_space_and_refuses_empty_long_or_duplicate_codes(profile):
    case = profile.cases.create("  Ward 3   -  A ", " Acute\tinpatient ")
    assert (case.code, case.setting, case.opened_on) == ("Ward 3 - A", "Acute inpatient", dt.date.today())
    for bad, message in (("   ", "Enter a case code"), ("x" * 41, "40 characters"), ("WARD 3 - a", "already")):
        with pytest.raises(ValidationError, match=message):
            profile.cases.create(bad)
    assert [s.case.code for s in profile.cases.summaries()] == ["Ward 3 - A"]


def test_control_characters_are_spaces_in_codes_and_settings_and_a_typed_code_is_found_folded(profile):
    case = profile.cases.create("Ward\x00 3\x85-\x7fA", "Acute\x00\x9finpatient")
    assert (case.code, case.setting) == ("Ward 3 - A", "Acute inpatient")
    for typed in ("Ward 3 - A", "  ward  3 -\tA ", "Ward\x003 - A"):
        assert profile.cases.find(typed) == case, typed
    assert profile.cases.find("Ward 3 - A\udcff") is None  # not UTF-8: names no case, and is no error


def test_rename_archive_and_unarchive(profile):
    case = profile.cases.create("Ward 5 - K", "Community")
    other = profile.cases.create("Ward 6 - L")
    profile.cases.rename(case.id, "Ward 5 - M")
    with pytest.raises(ValidationError, match="already"):
        profile.cases.rename(other.id, "ward 5 - m")
    profile.cases.archive(case.id, on=dt.date(2026, 11, 1))
    assert [s.case.code for s in profile.cases.summaries(include_archived=False)] == ["Ward 6 - L"]
    archived = profile.cases.get(case.id)
    assert (archived.code, archived.archived, archived.closed_on) == ("Ward 5 - M", True, dt.date(2026, 11, 1))
    profile.cases.unarchive(case.id)
    assert not profile.cases.get(case.id).archived


def test_demo_case_tells_a_story_over_three_months(profile):
    case = add_demo_case(profile)
    reflections = profile.cases.reflections(case.id)
    assert case.code == "Demo - Ward 3"
    assert len(reflections) == 6
    assert [r.status.value for r in reflections] == ["signed"] * 5 + ["draft"]
    span = reflections[-1].session_date - reflections[0].session_date
    assert dt.timedelta(days=75) <= span <= dt.timedelta(days=100)
    trust = [r.ratings_of("practitioner").get("safety.trust") for r in reflections]
    assert trust[-1] > trust[0]
    assert len(profile.cases.actions(case.id)) >= 3
    with pytest.raises(ValidationError, match="already has the demo case"):
        add_demo_case(profile)
    assert profile.cases.search("observation")
