"""A supervisor's profile holds several practitioners' records (issue 17 item 4): bundle format 3.

Two real practitioner profiles export to a real supervisor profile through the real bundle services;
the supervisor signs one draft and sends it back, and the practitioner's import replaces the draft
with the signed version, hash unchanged, the case still the practitioner's own.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.model import Perspective
from psi_desktop.errors import ValidationError
from psi_desktop.frameworks import default_framework
from psi_desktop.services import practitioners
from psi_desktop.services.bundle_format import FORMAT_VERSION, BundleError
from psi_desktop.services.bundles import Outcome, build_document, export_bundle, import_bundle, plan_import

DIMS = default_framework().dimension_ids


def practitioner(tmp_path: Path, make_profile, name: str, role: str, pin: str | None, code: str):
    """A practitioner's profile with their details, one case, one signed reflection and one draft."""
    profile = make_profile(tmp_path / name.replace(" ", "").replace(".", ""))
    practitioners.set_owner_details(profile, name, role, pin)
    case = profile.cases.create(code, "Acute inpatient")
    signed = profile.reflections.start(case.id, session_date=dt.date(2026, 9, 1), practitioner=name)
    ratings = {Perspective.PRACTITIONER: {d: 3 for d in DIMS}, Perspective.SUPERVISOR: {d: 1 for d in DIMS}}
    signed = profile.reflections.update(replace(signed, ratings=ratings, answers={"context": "A hard week."}))
    profile.reflections.sign(signed, "B. Supervisor")
    draft = profile.reflections.start(case.id, session_date=dt.date(2026, 10, 1), practitioner=name)
    draft = profile.reflections.update(replace(draft, ratings=ratings, answers={"context": "Better."}))
    return profile, case, draft


def whose(profile) -> dict[str, str | None]:
    """case code -> the practitioner's name (None: the owner's own), as the case list groups them."""
    return {s.case.code: None if s.practitioner is None else s.practitioner.name for s in profile.cases.summaries()}


def test_a_supervisor_holds_two_practitioners_cases_apart_and_signs_one_draft_back(tmp_path, make_profile):
    anna, anna_case, anna_draft = practitioner(
        tmp_path, make_profile, "Anna Jones", "Staff nurse", "12A3456B", "W3 - A"
    )
    ben, _, _ = practitioner(tmp_path, make_profile, "Ben Okafor", "Charge nurse", None, "W5 - K")
    supervisor = make_profile(tmp_path / "supervisor", demo=True)
    practitioners.set_owner_details(supervisor, "B. Supervisor", "Clinical nurse specialist")

    export_bundle(anna, tmp_path / "anna.psibundle", passphrase="a long bundle passphrase for anna")
    export_bundle(ben, tmp_path / "ben.psi.json")
    doc = json.loads((tmp_path / "ben.psi.json").read_text(encoding="utf-8"))
    assert doc["format_version"] == FORMAT_VERSION == 3
    ben_id = str(practitioners.owner(ben).id)
    assert doc["from"] == ben_id
    assert doc["practitioners"] == [{"id": ben_id, "name": "Ben Okafor", "role": "Charge nurse", "nmc_pin": None}]
    assert [c["practitioner_id"] for c in doc["cases"]] == [ben_id]

    plan = import_bundle(supervisor, tmp_path / "anna.psibundle", "a long bundle passphrase for anna")
    assert plan.whose() == "From Anna Jones (Staff nurse); 1 case filed under their name"
    import_bundle(supervisor, tmp_path / "ben.psi.json", None)
    assert whose(supervisor) == {"Demo - Ward 3": None, "W3 - A": "Anna Jones", "W5 - K": "Ben Okafor"}
    listed = practitioners.supervisees(supervisor)
    assert [(p.name, p.role, p.nmc_pin) for p in listed] == [
        ("Anna Jones", "Staff nurse", "12A3456B"),
        ("Ben Okafor", "Charge nurse", None),
    ]
    assert not plan_import(supervisor, doc).changes_anything, "importing the same bundle twice changes nothing"

    # The supervisor signs Anna's draft on their own profile and sends the case back.
    waiting = supervisor.reflections.get(anna_draft.id)
    signed = supervisor.reflections.sign(waiting, "B. Supervisor")
    export_bundle(supervisor, tmp_path / "back.psi.json", case_ids=[anna_case.id])
    back = json.loads((tmp_path / "back.psi.json").read_text(encoding="utf-8"))
    assert back["from"] == str(practitioners.owner(supervisor).id)
    assert [c["practitioner_id"] for c in back["cases"]] == [str(practitioners.owner(anna).id)]
    assert [p["name"] for p in back["practitioners"]] == ["B. Supervisor", "Anna Jones"]

    plan = import_bundle(anna, tmp_path / "back.psi.json", None)
    assert plan.count(Outcome.SUPERSEDES) == 1 and plan.whose() == "From B. Supervisor (Clinical nurse specialist)"
    mine = anna.reflections.get(anna_draft.id)
    assert mine.signed and mine.signature == signed.signature
    assert reflection_sha256(mine) == signed.signature.content_sha256
    assert whose(anna) == {"W3 - A": None}, "the case stays the practitioner's own"
    assert practitioners.supervisees(anna) == []
    # Anna's details in the supervisor's profile came from Anna; the supervisor's bundle does not change them.
    assert practitioners.owner(anna).name == "Anna Jones"


def test_older_bundle_versions_import_as_the_owners_own(tmp_path, make_profile):
    source, _, _ = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", None, "W3 - A")
    doc = build_document(source)
    for version in (1, 2):
        old = copy.deepcopy(doc)
        old["format_version"] = version
        del old["from"], old["practitioners"]
        for c in old["cases"]:
            del c["practitioner_id"]
        if version == 1:
            for framework in old["frameworks"]:
                for dimension in framework["dimensions"]:
                    dimension.pop("easy_read", None)
        target = make_profile(tmp_path / f"v{version}")
        practitioners.set_owner_details(target, "B. Supervisor", "")
        target_plan = plan_import(target, old)
        assert target_plan.whose() == "" and not target_plan.owners
        from psi_desktop.services.bundles import apply_import

        apply_import(target, target_plan)
        assert whose(target) == {"W3 - A": None}
        # A version-3 bundle naming the practitioner later files the case under them.
        import_bundle(target, _write(tmp_path / f"v3-{version}.psi.json", doc), None)
        assert whose(target) == {"W3 - A": "Anna Jones"}


def _write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_moving_to_a_new_laptop_the_owners_own_bundle_stays_their_own(tmp_path, make_profile):
    old_laptop, _, draft = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", None, "W3 - A")
    supervisor = make_profile(tmp_path / "supervisor")
    export_bundle(old_laptop, tmp_path / "anna.psi.json")
    import_bundle(supervisor, tmp_path / "anna.psi.json", None)
    supervisor.reflections.sign(supervisor.reflections.get(draft.id), "B. Supervisor")
    export_bundle(supervisor, tmp_path / "back.psi.json")

    new_laptop = make_profile(tmp_path / "new")
    plan = import_bundle(new_laptop, tmp_path / "anna.psi.json", None, as_own=True)
    assert plan.whose() == "From you: its cases are filed as your own"
    assert whose(new_laptop) == {"W3 - A": None}
    import_bundle(new_laptop, tmp_path / "back.psi.json", None)
    assert whose(new_laptop) == {"W3 - A": None} and new_laptop.reflections.get(draft.id).signed
    # Without as_own the old laptop's records would have been filed as someone else's.
    other = make_profile(tmp_path / "other")
    import_bundle(other, tmp_path / "anna.psi.json", None)
    assert whose(other) == {"W3 - A": "Anna Jones"}


def test_an_export_is_never_blocked_for_lack_of_the_owners_details(tmp_path, make_profile):
    profile = make_profile(tmp_path / "p", demo=True)
    doc = build_document(profile)
    assert doc["practitioners"] == [{"id": doc["from"], "name": "", "role": "", "nmc_pin": None}]
    target = make_profile(tmp_path / "t")
    plan = plan_import(target, doc)
    assert plan.whose() == "From an unnamed practitioner; 1 case filed under their name"


def test_the_owners_details_are_checked(tmp_path, make_profile):
    profile = make_profile(tmp_path / "p")
    assert (
        practitioners.set_owner_details(profile, "  Anna   Jones ", "Staff nurse", " 12a 3456b ").nmc_pin == "12A3456B"
    )
    assert practitioners.owner(profile).name == "Anna Jones"
    with pytest.raises(ValidationError, match="two digits, a letter"):
        practitioners.set_owner_details(profile, "Anna", "", "1234")
    with pytest.raises(ValidationError, match="80 characters"):
        practitioners.set_owner_details(profile, "A" * 81, "", None)
    assert practitioners.owner(profile).id == practitioners.owner(profile.reopen()).id, "a stable id"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(format_version=2), "practitioners: practitioners came in bundle format version 3"),
        (lambda d: d.pop("from"), "from: is missing: a bundle with practitioners names which of them it is from"),
        (lambda d: d.pop("practitioners"), "from: names a practitioner, but the bundle has no practitioners list"),
        (lambda d: d["practitioners"][0].update(nmc_pin="PIN"), "practitioners[0].nmc_pin: should be an NMC Pin"),
        (lambda d: d["practitioners"][0].update(name=7), "practitioners[0].name: should be text, not a number"),
        (lambda d: d["practitioners"][0].pop("role"), "practitioners[0].role: is missing"),
        (lambda d: d["practitioners"][0].update(email="a@b"), "practitioners[0].email: is not part of the bundle"),
        (lambda d: d.update(practitioners={}), "practitioners: should be a list, not an object"),
        (
            lambda d: d["cases"][0].update(practitioner_id=str(uuid.UUID(int=1))),
            "cases[0].practitioner_id: does not match a practitioner in this bundle",
        ),
    ],
)
def test_bad_values_in_the_new_fields_are_refused_with_clear_messages(tmp_path, make_profile, change, expected):
    source = make_profile(tmp_path / "s", demo=True)
    doc = build_document(source)
    change(doc)
    with pytest.raises(BundleError) as raised:
        plan_import(make_profile(tmp_path / "t"), doc)
    assert expected in str(raised.value), str(raised.value)


def test_the_monthly_gap_pools_each_months_sessions_that_both_rated(tmp_path, make_profile):
    from psi_desktop.charts.supervisees import monthly_gaps
    from psi_desktop.services.charts import supervisee_chart_data

    anna, case, _ = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", None, "W3 - A")
    # A second October session: practitioner 4, supervisor 0 on the first dimension, the second unrated.
    second = anna.reflections.start(case.id, session_date=dt.date(2026, 10, 20))
    ratings = {
        Perspective.PRACTITIONER: {DIMS[0]: 4, **{d: 2 for d in DIMS[2:]}},
        Perspective.SUPERVISOR: {DIMS[0]: 0, **{d: 2 for d in DIMS[2:]}},
    }
    anna.reflections.update(replace(second, ratings=ratings))
    supervisor = make_profile(tmp_path / "supervisor", demo=True)
    export_bundle(anna, tmp_path / "anna.psi.json")
    import_bundle(supervisor, tmp_path / "anna.psi.json", None)
    data = supervisee_chart_data(supervisor, practitioners.owner(anna).id)
    assert len(data.reflections) == 3, "the supervisee's three, not the supervisor's own demo case"
    assert len(supervisee_chart_data(supervisor).reflections) == 3
    september, october = monthly_gaps(data.reflections, data.framework)
    assert (september.sessions, september.drafts, september.means[DIMS[0]]) == (1, 0, 2.0)
    assert (october.sessions, october.drafts) == (2, 2)
    assert october.means[DIMS[0]] == 3.0, "(3 - 1 + 4 - 0) / 2"
    assert october.means[DIMS[1]] == 2.0, "only the session that rated it"
    assert october.means[DIMS[2]] == 1.0, "(2 + 0) / 2"


def test_the_command_line_says_whom_a_bundle_is_from_and_mine_files_it_as_yours(
    tmp_path, make_profile, capsys, monkeypatch
):
    from psi_desktop.cli import main
    from tests.conftest import PASSPHRASE

    anna, _, _ = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", None, "W3 - A")
    export_bundle(anna, tmp_path / "anna.psi.json")
    for directory in ("supervisor", "new-laptop"):
        make_profile(tmp_path / directory).close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    assert main(["--data-dir", str(tmp_path / "supervisor"), "import", str(tmp_path / "anna.psi.json")]) == 0
    assert "  From Anna Jones (Staff nurse); 1 case filed under their name\n" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "new-laptop"), "import", "--mine", str(tmp_path / "anna.psi.json")]) == 0
    assert "  From you: its cases are filed as your own\n" in capsys.readouterr().out


def test_a_practitioners_details_change_only_with_a_bundle_from_them(tmp_path, make_profile):
    anna, _, _ = practitioner(tmp_path, make_profile, "Anna Jones", "Staff nurse", None, "W3 - A")
    supervisor, other = make_profile(tmp_path / "supervisor"), make_profile(tmp_path / "other")
    export_bundle(anna, tmp_path / "first.psi.json")
    import_bundle(supervisor, tmp_path / "first.psi.json", None)
    import_bundle(other, tmp_path / "first.psi.json", None)
    practitioners.set_owner_details(anna, "Anna Jones", "Charge nurse", "12A3456B")
    export_bundle(anna, tmp_path / "second.psi.json")
    plan = plan_import(supervisor, json.loads((tmp_path / "second.psi.json").read_text(encoding="utf-8")))
    assert plan.changes_anything, "new details are a change"
    import_bundle(supervisor, tmp_path / "second.psi.json", None)
    (seen,) = practitioners.supervisees(supervisor)
    assert (seen.role, seen.nmc_pin) == ("Charge nurse", "12A3456B")
    # Another profile's copy of Anna's case (with her old details) does not undo them.
    export_bundle(other, tmp_path / "other.psi.json")
    import_bundle(supervisor, tmp_path / "other.psi.json", None)
    (seen,) = practitioners.supervisees(supervisor)
    assert (seen.role, seen.nmc_pin) == ("Charge nurse", "12A3456B")
