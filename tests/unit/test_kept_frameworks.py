"""A framework carried by a bundle: checked by the loader, kept in the profile, and everything made with it usable."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from psi_desktop.cli import main
from psi_desktop.domain.documents import content_sha256
from psi_desktop.frameworks import FrameworkError, default_framework, framework_to_data, parse_framework
from psi_desktop.services.bundles import apply_import, build_document, plan_import
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import snapshot

DEMO = "Demo - Ward 3"
VOICE = {
    "id": "power.voice_heard",
    "component": "power",
    "label": "Voice heard in the ward round",
    "meaning": "what the person said was heard where decisions were made",
    "provenance": "proposed",
    "provenance_note": "ward trial",
    "code_theme": "prioritise_people",
}
VOICE_PROMPT = {
    "id": "power.voice_heard",
    "section": "power",
    "text": "Was the person's own account heard in the ward round?",
    "provenance": "proposed",
    "provenance_note": "ward trial",
    "why": "Decisions made where the person is not heard shift power away from them.",
    "marker": None,
}


@pytest.fixture(autouse=True)
def _passphrase(monkeypatch):
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)


def cli(directory: Path, *args: str) -> int:
    return main(["--data-dir", str(directory), *args])


def foreign_bundle(tmp_path: Path, make_profile, *, framework_id: str = "psi", version: int = 2) -> tuple[Path, dict]:
    """The demo case as made with a framework this build does not have: an extra dimension and prompt."""
    source = make_profile(tmp_path / "source", demo=True)
    doc = build_document(source)
    source.close()
    framework = doc["frameworks"][0]
    framework.update(id=framework_id, version=version, name=f"PSI with voice ({framework_id} {version})")
    framework["dimensions"].insert(3, copy.deepcopy(VOICE))  # after the other power dimensions
    framework["prompts"].insert(5, copy.deepcopy(VOICE_PROMPT))
    for reflection in doc["reflections"]:
        reflection["framework"] = {"id": framework_id, "version": version}
        reflection["ratings"]["practitioner"][VOICE["id"]] = 1
        reflection["answers"][VOICE_PROMPT["id"]] = "Not really: the round was over before J. arrived."
        if reflection["signature"]:
            reflection["signature"]["content_sha256"] = content_sha256(reflection)
    path = tmp_path / "foreign.psi.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, doc


def pdf_text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize(("framework_id", "version"), [("psi", 2), ("psi-local", 1)])
def test_a_bundles_framework_is_kept_and_its_records_export_and_travel_on(
    tmp_path: Path, make_profile, capsys, framework_id: str, version: int
):
    bundle, doc = foreign_bundle(tmp_path, make_profile, framework_id=framework_id, version=version)
    target = tmp_path / "target"
    make_profile(target).close()

    assert cli(target, "import", str(bundle)) == 0
    out = capsys.readouterr().out
    assert "1 framework new to this profile, kept with the records" in out and "Imported." in out

    assert cli(target, "export", "csv", "--out", str(tmp_path / "ratings.csv")) == 0
    rows = list(csv.DictReader((tmp_path / "ratings.csv").open(encoding="utf-8")))
    voice = [r for r in rows if r["dimension"] == VOICE["id"] and r["perspective"] == "practitioner"]
    assert len(voice) == len(doc["reflections"])
    assert {(r["framework_id"], r["framework_version"], r["dimension_label"], r["score"]) for r in voice} == {
        (framework_id, str(version), VOICE["label"], "1")
    }

    assert cli(target, "export", "bundle", "--plain", "--out", str(tmp_path / "again.psi.json")) == 0
    again = json.loads((tmp_path / "again.psi.json").read_text(encoding="utf-8"))
    assert again["frameworks"] == doc["frameworks"]  # provenance and all, as it came
    assert again["reflections"] == doc["reflections"]

    for kind in ("note", "case"):
        out_pdf = tmp_path / f"{kind}.pdf"
        assert cli(target, "export", "pdf", "--kind", kind, "--case", DEMO, "--out", str(out_pdf)) == 0
        assert f"PSI with voice ({framework_id} {version}), version {version}" in pdf_text(out_pdf)
    note = " ".join(pdf_text(tmp_path / "note.pdf").split())
    assert f"{VOICE_PROMPT['text']} (proposed, ward trial)" in note
    assert f"{VOICE['label']} (proposed, ward trial)" in note  # beside it in the ratings table

    third = tmp_path / "third"
    make_profile(third).close()
    assert cli(third, "import", str(tmp_path / "again.psi.json")) == 0
    assert cli(third, "export", "csv", "--out", str(tmp_path / "third.csv")) == 0
    assert (tmp_path / "third.csv").read_text(encoding="utf-8") == (tmp_path / "ratings.csv").read_text(
        encoding="utf-8"
    )

    with unlock_profile(target, PASSPHRASE) as profile:  # kept in the store, not only for one command
        kept = profile.frameworks.get(framework_id, version)
        assert framework_to_data(kept) == doc["frameworks"][0]
        assert not profile.frameworks.is_built_in(kept.key)
        assert profile.frameworks.latest("psi") == default_framework()  # new reflections use the build's own
        case = profile.cases.find(DEMO)
        fresh = profile.reflections.start(case.id)
        assert (fresh.framework_id, fresh.framework_version) == default_framework().key
        profile.cases.archive(case.id)  # what the app offers in place of deleting a case
        assert profile.cases.summaries(include_archived=False) == []


def test_importing_again_keeps_the_framework_an_older_build_left_out(tmp_path: Path, make_profile, capsys):
    bundle, doc = foreign_bundle(tmp_path, make_profile)
    target = tmp_path / "target"
    profile = make_profile(target)
    plan = plan_import(profile, doc)
    plan.new_frameworks.clear()  # as a build before this one imported it: the records, not their framework
    apply_import(profile, plan)
    profile.close()
    assert cli(target, "export", "csv", "--out", str(tmp_path / "ratings.csv")) == 2
    assert "import again the bundle it came in" in capsys.readouterr().err

    assert cli(target, "import", str(bundle)) == 0
    assert "1 framework new to this profile" in capsys.readouterr().out
    assert cli(target, "export", "csv", "--out", str(tmp_path / "ratings.csv")) == 0
    assert cli(target, "import", str(bundle)) == 0
    assert "Everything in it is already here." in capsys.readouterr().out


def refused(tmp_path: Path, make_profile, capsys, doc: dict) -> str:
    """Import ``doc`` through the CLI; it must exit 2 with the profile byte for byte as it was."""
    target = tmp_path / "target"
    make_profile(target, demo=True).close()
    path = tmp_path / "bad.psi.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    skip = ("logs", "psi-desktop.lock", "unlock-attempts.lock")  # empty lock files: no content
    before = snapshot(target, skip=skip)
    capsys.readouterr()
    assert cli(target, "import", str(path)) == 2
    assert snapshot(target, skip=skip) == before
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "Traceback" not in err
    return err


def test_a_framework_that_fails_the_loaders_checks_refuses_the_import_with_every_path(
    tmp_path: Path, make_profile, capsys
):
    _, doc = foreign_bundle(tmp_path, make_profile)
    framework = doc["frameworks"][0]
    del framework["dimensions"][3]["label"]
    framework["scale"][2]["value"] = 7
    framework["prompts"][0]["provenance"] = "folklore"
    framework["colour"] = "blue"
    framework["dimensions"][0]["component"] = "safety"  # its arc on the radar would be split in two
    err = refused(tmp_path, make_profile, capsys, doc)
    for line in (
        "frameworks[0].dimensions[4].component: list the 'safety' dimensions together (the last one was dimensions[0])",
        "frameworks[0].dimensions[3].label: missing",
        "frameworks[0].scale[2].value: expected 2, found 7",
        "frameworks[0].prompts[0].provenance: expected one of paper, proposed; found the text 'folklore'",
        "frameworks[0].colour: unknown key",
    ):
        assert any(shown.startswith(f"  {line}") for shown in err.splitlines()), err


def test_a_changed_definition_under_a_built_in_id_and_version_is_refused(tmp_path: Path, make_profile, capsys):
    _, doc = foreign_bundle(tmp_path, make_profile, framework_id="psi", version=1)
    err = refused(tmp_path, make_profile, capsys, doc)
    assert "frameworks[0]: is not the psi version 1 that this build has; give a changed framework a new version" in err


def test_a_framework_twice_in_a_bundle_or_with_a_scale_the_store_cannot_keep_is_refused(
    tmp_path: Path, make_profile, capsys
):
    _, doc = foreign_bundle(tmp_path, make_profile)
    doc["frameworks"].append(copy.deepcopy(doc["frameworks"][0]))
    wide = copy.deepcopy(doc["frameworks"][0])
    wide.update(id="psi-wide", scale=[*wide["scale"], {"value": 5, "label": "Always"}])
    doc["frameworks"].append(wide)
    err = refused(tmp_path, make_profile, capsys, doc)
    assert "frameworks[1]: psi version 2 is already in this bundle as frameworks[0]" in err
    assert "frameworks[2].scale: goes up to 5; PSI Desktop keeps ratings from 0 to 4" in err


def test_a_different_definition_of_a_kept_framework_is_refused(tmp_path: Path, make_profile, capsys):
    bundle, doc = foreign_bundle(tmp_path, make_profile)
    target = tmp_path / "target"
    make_profile(target).close()
    assert cli(target, "import", str(bundle)) == 0
    doc["frameworks"][0]["dimensions"][4]["label"] = "Heard"
    changed = tmp_path / "changed.psi.json"
    changed.write_text(json.dumps(doc), encoding="utf-8")
    capsys.readouterr()
    assert cli(target, "import", str(changed)) == 2
    assert "is not the psi version 2 that this profile already keeps from an earlier bundle" in capsys.readouterr().err


def test_a_built_in_framework_wins_over_a_kept_one_with_its_id_and_version(tmp_path: Path, make_profile):
    directory = tmp_path / "profile"
    profile = make_profile(directory)
    data = framework_to_data(default_framework())
    data["name"] = "Not the real PSI"
    profile.store.frameworks.add(parse_framework(data), "an older build")  # as a build without psi 1 kept it
    profile.close()
    with unlock_profile(directory, PASSPHRASE) as reopened:
        assert reopened.frameworks.get("psi", 1) == default_framework()
        assert [f.name for f in reopened.store.frameworks.all()] == ["Not the real PSI"]


def test_the_registry_keeps_once_and_refuses_a_second_definition():
    from psi_desktop.frameworks import load_frameworks

    registry = load_frameworks()
    data = framework_to_data(default_framework())
    data["version"] = 2
    registry.keep(parse_framework(data))
    registry.keep(parse_framework(data))  # the same definition again: nothing to do
    assert len(registry) == 2 and registry.get("psi", 2).version == 2
    data["question"] = "Something else?"
    with pytest.raises(FrameworkError, match="already here with another definition"):
        registry.keep(parse_framework(data))


def test_a_kept_framework_is_never_changed_or_removed_in_the_store(make_profile, tmp_path: Path):
    from psi_desktop.storage.sqlcipher import sqlite3

    profile = make_profile(tmp_path / "profile")
    data = framework_to_data(default_framework())
    data["id"] = "psi-local"
    profile.store.frameworks.add(parse_framework(data), "x.psibundle")
    for sql in ("UPDATE frameworks SET definition = '{}'", "DELETE FROM frameworks"):
        with pytest.raises(sqlite3.IntegrityError, match="read-only"):
            profile.store.db.execute(sql)
    assert [f.id for f in profile.store.frameworks.all()] == ["psi-local"]
