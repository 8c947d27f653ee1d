"""Row 12: a bundle's content in one canonical form, checked in linear time; bad CLI text arguments.

Every value that is not in the form the app itself writes (UUIDs lower case with hyphens, calendar
dates as YYYY-MM-DD, real UTC instants, text as typed) is refused by ``psi-desktop import`` on a real
file: exit 2, a line naming its JSON path, and not one byte of the profile changed. A signed record's
hash is checked on the form it will be exported in. Checking 50,000 bad records costs about ten
times 5,000 (linear, not quadratic). A ``--case`` that is not UTF-8 is exit 2 for every command that
takes one, and a typed code with doubled spaces names the same case in each of them.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from psi_desktop.cli import main
from psi_desktop.domain.documents import NOT_HASHED
from psi_desktop.services import bundle_format
from psi_desktop.services.bundles import build_document, plan_import, read_bundle
from psi_desktop.services.demo import add_demo_case
from psi_desktop.services.profile import create_profile, recovery_key_shown
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import CHILD_TIMEOUT, ROOT, child_env, cli_command, snapshot

DEMO = "Demo - Ward 3"
VOLATILE = ("psi-desktop.lock", "unlock-attempts.json", "unlock-attempts.lock", "logs")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DRAFT = 5  # the demo's one unsigned reflection, moved to a second case in ``base_doc``


def new_profile(directory: Path, *, demo: bool = False) -> Path:
    """A closed profile (cheap KDF) whose set-up is finished, so opening it writes nothing."""
    with create_profile(directory, PASSPHRASE).profile as profile:
        if demo:
            add_demo_case(profile)
    recovery_key_shown(directory)
    return directory


@pytest.fixture(scope="module")
def base_doc(tmp_path_factory) -> dict:
    """The demo bundle, its draft reflection moved to a second case: valid, so a test's one change is the fault."""
    with create_profile(tmp_path_factory.mktemp("source") / "p", PASSPHRASE).profile as source:
        add_demo_case(source)
        doc = build_document(source)
    assert doc["reflections"][DRAFT]["status"] == "draft"
    other = {**doc["cases"][0], "id": str(uuid.uuid4()), "code": "Ward 5 - B", "notes": ""}
    doc["cases"].append(other)
    doc["reflections"][DRAFT]["case_id"] = other["id"]
    return doc


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Path:
    """A profile that every refused bundle must leave byte-identical (so the tests can share it)."""
    return new_profile(tmp_path_factory.mktemp("target") / "profile")


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch):
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)


def write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc), encoding="ascii")  # \\u escapes: a lone surrogate reaches the importer
    return path


def import_refused(target: Path, bundle: Path, capsys) -> list[str]:
    """``psi-desktop import`` refuses it with exit 2 and changes nothing; returns its stderr lines."""
    before = snapshot(target, skip=VOLATILE)
    code = main(["--data-dir", str(target), "import", str(bundle)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert snapshot(target, skip=VOLATILE) == before
    return err.splitlines()


def digest(reflection: dict) -> str:
    content = {k: v for k, v in reflection.items() if k not in NOT_HASHED}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_base_bundle_imports(base_doc, tmp_path, capsys):
    fresh = new_profile(tmp_path / "fresh")
    assert main(["--data-dir", str(fresh), "import", str(write(tmp_path / "ok.psi.json", base_doc))]) == 0
    assert "Imported." in capsys.readouterr().out


def _set(path: str, value):
    """A change to one value, by a JSON path such as ``reflections[5].answers.context``."""

    def change(doc: dict) -> None:
        node, parts = doc, path.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = value

    return change


def _uuid(index: int, spell):
    return lambda doc: doc["actions"][index].__setitem__("id", spell(doc["actions"][index]["id"]))


def _second_spelling(doc: dict) -> None:
    twin = copy.deepcopy(doc["reflections"][DRAFT])
    twin["id"] = "urn:uuid:" + twin["id"]
    doc["reflections"].append(twin)


def _to_other_case(key: str, index: int):
    return lambda doc: doc["actions"][index].__setitem__(key, doc["reflections"][DRAFT]["id"])


def _upper_practitioner(doc: dict) -> None:
    """The owner's id in capitals everywhere it is named: consistent, but not the one form."""
    upper = doc["from"].upper()
    doc["from"] = doc["practitioners"][0]["id"] = upper
    for case in doc["cases"]:
        case["practitioner_id"] = upper


# Lone surrogates are refused earlier, while the JSON is read (tests/faults/test_bad_bundle_files.py).
# (what is wrong, the change, the path the refusal names)
CASES = [
    ("uuid as urn", _uuid(6, lambda u: "urn:uuid:" + u), "actions[6].id"),
    ("uuid in braces", _uuid(6, lambda u: "{" + u + "}"), "actions[6].id"),
    ("uuid upper case", _uuid(6, str.upper), "actions[6].id"),
    ("uuid without hyphens", _uuid(6, lambda u: u.replace("-", "")), "actions[6].id"),
    ("one uuid spelt two ways", _second_spelling, "reflections[6].id"),
    ("week date", _set(f"reflections[{DRAFT}].session_date", "2026-W40-5"), f"reflections[{DRAFT}].session_date"),
    ("basic date", _set(f"reflections[{DRAFT}].session_date", "20261117"), f"reflections[{DRAFT}].session_date"),
    ("ordinal date", _set(f"reflections[{DRAFT}].session_date", "2026-321"), f"reflections[{DRAFT}].session_date"),
    ("no such day", _set(f"reflections[{DRAFT}].session_date", "2026-02-30"), f"reflections[{DRAFT}].session_date"),
    (
        "arabic-indic date",
        _set(f"reflections[{DRAFT}].session_date", "2026-11-17".translate(ARABIC_INDIC)),
        f"reflections[{DRAFT}].session_date",
    ),
    ("week date on a case", _set("cases[1].opened_on", "2026-W40-5"), "cases[1].opened_on"),
    ("week date on an action", _set("actions[6].due_on", "2026-W40-5"), "actions[6].due_on"),
    ("unreal instant", _set(f"reflections[{DRAFT}].created_at", "2026-99-99T99:99:99Z"), "created_at"),
    (
        "arabic-indic instant",
        _set(f"reflections[{DRAFT}].created_at", "2026-10-02T15:10:00".translate(ARABIC_INDIC) + "Z"),
        f"reflections[{DRAFT}].created_at",
    ),
    ("instant with an offset", _set("exported_at", "2026-10-02T15:10:00+00:00"), "exported_at"),
    ("leap second", _set("reflections[0].signature.signed_at", "2026-10-02T23:59:60Z"), "signature.signed_at"),
    ("NUL in a code", _set("cases[0].code", "Demo\x00 - Ward 3"), "cases[0].code"),
    ("tab in a code", _set("cases[0].code", "Demo\t- Ward 3"), "cases[0].code"),
    ("doubled space in a code", _set("cases[0].code", "Demo  - Ward 3"), "cases[0].code"),
    ("leading space in a code", _set("cases[0].code", " Demo - Ward 3"), "cases[0].code"),
    ("NUL in a setting", _set("cases[0].setting", "Acute\x00inpatient"), "cases[0].setting"),
    ("C1 control in a setting", _set("cases[0].setting", "Acute\x85inpatient"), "cases[0].setting"),
    ("NUL in notes", _set("cases[1].notes", "a\x00b"), "cases[1].notes"),
    ("tab in a name", _set(f"reflections[{DRAFT}].practitioner", "A.\tPractitioner"), "practitioner"),
    ("NUL in a signer", _set("reflections[0].signature.signed_by", "B.\x00Supervisor"), "signature.signed_by"),
    ("NUL in an answer", _set(f"reflections[{DRAFT}].answers.context", "a\x00b"), "answers.context"),
    ("carriage return in an answer", _set(f"reflections[{DRAFT}].answers.context", "a\r\nb"), "answers.context"),
    ("doubled space in an action", _set("actions[6].text", "Explain  first"), "actions[6].text"),
    ("action on another case's reflection", _to_other_case("reflection_id", 3), "actions[3].reflection_id"),
    ("reviewed in another case's reflection", _to_other_case("reviewed_in", 0), "actions[0].reviewed_in"),
    ("NUL in a practitioner's name", _set("practitioners[0].name", "A.\x00Practitioner"), "practitioners[0].name"),
    ("doubled space in a role", _set("practitioners[0].role", "Staff  nurse"), "practitioners[0].role"),
    ("NMC Pin in lower case", _set("practitioners[0].nmc_pin", "12a3456b"), "practitioners[0].nmc_pin"),
    ("NMC Pin cut short", _set("practitioners[0].nmc_pin", "12A345B"), "practitioners[0].nmc_pin"),
    ("NMC Pin as a number", _set("practitioners[0].nmc_pin", 123456), "practitioners[0].nmc_pin"),
    ("practitioner id upper case", _upper_practitioner, "practitioners[0].id"),
    ("from nobody in the bundle", _set("from", "0c3bcc00-1a4f-4824-b5e4-3644d21d2f42"), "from"),
    (
        "a case of nobody in the bundle",
        _set("cases[1].practitioner_id", str(uuid.UUID(int=7))),
        "cases[1].practitioner_id",
    ),
    (
        "a practitioner listed twice",
        lambda doc: doc["practitioners"].append(doc["practitioners"][0]),
        "practitioners[1].id",
    ),
]


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_value_not_in_canonical_form_is_refused_with_its_path(base_doc, target, tmp_path, capsys, change, path):
    doc = copy.deepcopy(base_doc)
    change(doc)
    lines = import_refused(target, write(tmp_path / "bad.psi.json", doc), capsys)
    assert lines[0] == "psi-desktop: This bundle has 1 problem(s), so nothing was imported:", lines
    assert len(lines) == 2 and path in lines[1], lines
    assert lines[1].isascii()  # printable whatever the terminal's encoding


def test_a_signed_record_is_checked_in_the_form_it_will_be_exported_in(base_doc, target, tmp_path, capsys):
    # Without "wellbeing" the record means the same (it is exported as null), so the hash it was
    # signed with still holds; a hash of the shortened object does not, as every profile would
    # refuse the record once re-exported.
    doc = copy.deepcopy(base_doc)
    signed = doc["reflections"][1]
    assert signed["status"] == "signed" and signed["wellbeing"] is None
    del signed["wellbeing"]
    fresh = new_profile(tmp_path / "fresh")
    assert main(["--data-dir", str(fresh), "import", str(write(tmp_path / "same.psi.json", doc))]) == 0

    signed["signature"]["content_sha256"] = digest(signed)
    lines = import_refused(target, write(tmp_path / "bad.psi.json", doc), capsys)
    assert lines[1].strip() == (
        "reflections[1].signature.content_sha256: does not match the content: it was changed after signing"
    )


# -- bounded work ---------------------------------------------------------------------------------------


BAD = "0" * 64


def _bad_signed(template: dict, n: int) -> dict:
    """``template`` with ``n`` small signed reflections, every one invalid: a wrong hash, and bad fields on half."""
    doc = {**template, "reflections": [], "actions": []}
    case_id = template["cases"][0]["id"]
    for i in range(n):
        bad_fields = i % 2 == 1
        doc["reflections"].append(
            {
                "id": str(uuid.uuid4()).upper() if bad_fields else str(uuid.uuid4()),
                "case_id": case_id,
                "framework": {"id": "psi", "version": 1},
                "session_date": "2026-W40-5" if bad_fields else "2026-10-02",
                "practitioner": "A.\x00Practitioner" if bad_fields else "A. Practitioner",
                "supervisor": "B. Supervisor",
                "answers": {"context": "Trust grew."},
                "ratings": {"practitioner": {"power.protective": 3}, "supervisor": {"power.protective": 2}},
                "service_user_source": None,
                "trauma_echo": "unsure",
                "distress_impact": {},
                "code_themes": ["prioritise_people"],
                "wellbeing": None,
                "status": "signed",
                "signature": {
                    "signed_by": "B. Supervisor",
                    "signed_at": "2026-10-02T15:10:00Z",
                    "content_sha256": "0" * 64,
                },
                "amendments": [],
                "created_at": "2026-10-02T14:05:00Z",
                "updated_at": "2026-10-02T15:10:00Z",
            }
        )
    return doc


def check_seconds(doc: dict, profile, runs: int) -> tuple[float, bundle_format.BundleError]:
    """The best of ``runs`` checks of a read document (reading is bounded apart), the collector paused for all."""
    best, error = float("inf"), None
    was_on = gc.isenabled()  # off once the app has workers (ui/workers.py collects on the UI thread)
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            started = time.perf_counter()
            with pytest.raises(bundle_format.BundleError) as raised:
                plan_import(profile, doc)
            best, error = min(best, time.perf_counter() - started), raised.value
    finally:
        if was_on:
            gc.enable()
    return best, error


def test_checking_bad_records_takes_time_linear_in_their_number(base_doc, tmp_path):
    small = read_bundle(write(tmp_path / "small.psi.json", _bad_signed(base_doc, 5_000)), None)
    large = read_bundle(write(tmp_path / "large.psi.json", _bad_signed(base_doc, 50_000)), None)
    with create_profile(tmp_path / "p", PASSPHRASE).profile as profile:
        small_s, _ = check_seconds(small, profile, runs=5)
        large_s, error = check_seconds(large, profile, runs=2)
    # Ten times the records: about ten times the time (a quadratic check took a hundred times).
    assert large_s < 15 * small_s, (small_s, large_s)
    # All 50,000 are refused (the hash of each good-looking one, three faults on each of the others),
    # but only MAX_PROBLEMS are listed: the rest are counted.
    assert error.problems.total == 25_000 + 3 * 25_000
    assert len(error.problems) == bundle_format.MAX_PROBLEMS
    assert str(error).startswith("This bundle has 100000 problem(s)")
    assert str(error).endswith(f"\u2026 and {100_000 - bundle_format.MAX_PROBLEMS} more")


# -- command-line arguments ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory) -> Path:
    return new_profile(tmp_path_factory.mktemp("demo") / "profile", demo=True)


CASE_COMMANDS = {
    "pdf": (["export", "pdf", "--kind", "case"], ".pdf"),
    "bundle": (["export", "bundle", "--plain"], ".psi.json"),
    "chart": (["export", "chart", "--kind", "radar"], ".png"),
}


@pytest.mark.parametrize("command", CASE_COMMANDS)
def test_a_case_code_that_is_not_utf8_is_exit_2_with_one_line(demo_profile, tmp_path, command):
    args, suffix = CASE_COMMANDS[command]
    before = snapshot(demo_profile, skip=VOLATILE)
    argv = [*(os.fsencode(a) for a in cli_command()), b"--data-dir", os.fsencode(demo_profile)]
    argv += [a.encode() for a in args] + [b"--case", b"Demo \xff", b"--out", os.fsencode(tmp_path / f"x{suffix}")]
    done = subprocess.run(
        argv,
        env=child_env({"PSI_DESKTOP_PASSPHRASE": PASSPHRASE}),
        capture_output=True,
        timeout=CHILD_TIMEOUT,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        check=False,
    )
    err = done.stderr.decode("utf-8", "replace").splitlines()
    assert done.returncode == 2, err
    assert err == ["psi-desktop: --case is not valid UTF-8 text; type it again as plain text."]
    assert not (tmp_path / f"x{suffix}").exists()
    assert snapshot(demo_profile, skip=VOLATILE) == before


@pytest.mark.parametrize("command", CASE_COMMANDS)
def test_a_typed_code_with_doubled_spaces_names_the_same_case_everywhere(demo_profile, tmp_path, capsys, command):
    args, suffix = CASE_COMMANDS[command]
    out = tmp_path / f"out{suffix}"
    typed = "  Demo  -\tWard 3 "
    assert main(["--data-dir", str(demo_profile), *args, "--case", typed, "--out", str(out)]) == 0, capsys.readouterr()
    assert out.stat().st_size > 0
    if command == "bundle":
        assert [c["code"] for c in json.loads(out.read_text(encoding="utf-8"))["cases"]] == [DEMO]
