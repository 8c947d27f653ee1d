"""``psi-desktop verify FILE.pdf [--bundle B]`` through the real command line, on a real profile and real PDFs:
0 for an untouched signed note, 2 with a plain message when its attached record or its printed hash was changed."""

from __future__ import annotations

import json
import subprocess
import sys

import pikepdf
import pytest
from pypdf import PdfReader

from psi_desktop.cli import main
from psi_desktop.domain.documents import content_sha256
from psi_desktop.services import exports
from tests.conftest import PASSPHRASE

DEMO = "Demo - Ward 3"
BUNDLE_PASSPHRASE = "tangerine submarine velvet orchestra 9"


@pytest.fixture
def demo(make_profile, tmp_path, monkeypatch):
    """The demo profile's folder, its signed reflections, and a signed note without private answers, as a PDF."""
    directory = tmp_path / "profile"
    profile = make_profile(directory, demo=True)
    reflections = profile.cases.reflections(profile.cases.find(DEMO).id)
    signed = next(
        r for r in reflections if r.signed and r.wellbeing is None and not r.answers.get("restorative.brought_up")
    )
    note = exports.export_note(profile, signed.id, tmp_path / "note.pdf")
    profile.close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    return directory, reflections, signed, note


def verify(capsys, directory, *args: str) -> tuple[int, str, str]:
    code = main(["verify", *args, "--data-dir", str(directory)])
    out, err = capsys.readouterr()
    return code, out, err


def printed_text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def change_printed_hash(source, target, digest: str) -> str:
    """``source`` with the hash its pages print changed (two digits swapped), as an editor of the PDF would."""
    changed = digest[:10] + digest[11] + digest[10] + digest[12:]
    assert changed != digest
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            for stream in page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array) else [page.obj.Contents]:
                data = stream.read_bytes()
                if digest.encode() in data:
                    stream.write(data.replace(digest.encode(), changed.encode()))
        pdf.save(target)
    assert changed in printed_text(target) and digest not in printed_text(target)
    return changed


def change_attached_record(source, target, change) -> None:
    """``source`` with its attached record replaced by ``change(record)``."""
    with pikepdf.open(source) as pdf:
        ((_name, spec),) = pdf.attachments.items()
        record = json.loads(spec.get_file().read_bytes())
        change(record)
        spec.get_file().obj.write(json.dumps(record).encode("utf-8"))
        pdf.save(target)


def test_an_untouched_signed_note_is_verified_against_the_profile(demo, capsys):
    directory, _reflections, signed, note = demo
    code, out, err = verify(capsys, directory, str(note))
    assert code == 0, err
    digest = signed.signature.content_sha256
    assert f"The printed hash {digest[:12]}\u2026 matches the signed record in your profile: {DEMO}" in out
    assert "The record attached to this PDF matches too." in out
    assert err == ""


def test_a_changed_printed_hash_exits_2_with_a_plain_message(demo, capsys, tmp_path):
    directory, _reflections, signed, note = demo
    changed = change_printed_hash(note, tmp_path / "changed.pdf", signed.signature.content_sha256)
    code, out, err = verify(capsys, directory, str(tmp_path / "changed.pdf"))
    assert code == 2 and out == ""
    assert err == (
        f"psi-desktop: The hash printed on this PDF ({changed[:12]}\u2026) is not the hash of the record attached "
        "to it: the printed hash or the attached record was changed after the PDF was made.\n"
    )
    assert "Traceback" not in err


def test_a_changed_attached_record_exits_2(demo, capsys, tmp_path):
    directory, _reflections, _signed, note = demo

    def new_answer(record):
        record["reflections"][0]["answers"]["context"] = "Something else happened."

    change_attached_record(note, tmp_path / "changed.pdf", new_answer)
    code, _out, err = verify(capsys, directory, str(tmp_path / "changed.pdf"))
    assert code == 2
    assert "The record attached to this PDF was changed after it was signed" in err
    assert "Something else" not in err


def test_an_attached_record_changed_and_hashed_again_no_longer_matches_the_print(demo, capsys, tmp_path):
    directory, _reflections, _signed, note = demo

    def new_answer_new_hash(record):
        reflection = record["reflections"][0]
        reflection["answers"]["context"] = "Something else happened."
        reflection["signature"]["content_sha256"] = content_sha256(reflection)

    change_attached_record(note, tmp_path / "rehashed.pdf", new_answer_new_hash)
    code, _out, err = verify(capsys, directory, str(tmp_path / "rehashed.pdf"))
    assert code == 2
    assert "is not the hash of the record attached to it" in err


def test_a_note_whose_hash_and_record_were_both_rewritten_matches_nothing_in_the_profile(demo, capsys, tmp_path):
    """Forged consistently (a new answer, its hash in the record and on the page): only the profile can tell."""
    directory, _reflections, signed, note = demo
    forged = {}

    def rewrite(record):
        reflection = record["reflections"][0]
        reflection["answers"]["context"] = "Something else happened."
        forged["digest"] = reflection["signature"]["content_sha256"] = content_sha256(reflection)

    change_attached_record(note, tmp_path / "step.pdf", rewrite)
    with pikepdf.open(tmp_path / "step.pdf") as pdf:
        for page in pdf.pages:
            data = page.obj.Contents.read_bytes()
            page.obj.Contents.write(data.replace(signed.signature.content_sha256.encode(), forged["digest"].encode()))
        pdf.save(tmp_path / "forged.pdf")
    code, _out, err = verify(capsys, tmp_path / "no-profile", str(tmp_path / "forged.pdf"))
    assert code == 0  # the PDF agrees with itself; the message says that is all it shows
    code, _out, err = verify(capsys, directory, str(tmp_path / "forged.pdf"))
    assert code == 2
    assert "matches no signed record in your profile" in err


def test_verified_against_a_bundle_instead_of_the_profile(demo, capsys, tmp_path, monkeypatch):
    directory, _reflections, signed, note = demo
    monkeypatch.setenv("PSI_DESKTOP_BUNDLE_PASSPHRASE", BUNDLE_PASSPHRASE)
    bundle = tmp_path / "all.psibundle"
    assert main(["export", "bundle", "--out", str(bundle), "--data-dir", str(directory)]) == 0
    capsys.readouterr()
    nowhere = tmp_path / "no-profile"
    code, out, err = verify(capsys, nowhere, str(note), "--bundle", str(bundle))
    assert code == 0, err
    assert "matches the signed record in the bundle all.psibundle" in out

    other = tmp_path / "other.psi.json"
    assert main(["export", "bundle", "--plain", "--out", str(other), "--data-dir", str(directory)]) == 0
    capsys.readouterr()
    data = json.loads(other.read_text())
    data["reflections"] = [r for r in data["reflections"] if r["id"] != str(signed.id)]
    data["actions"] = [a for a in data["actions"] if a["reflection_id"] != str(signed.id)]
    data["actions"] = [a for a in data["actions"] if a.get("reviewed_in") != str(signed.id)]
    other.write_text(json.dumps(data))
    code, _out, err = verify(capsys, nowhere, str(note), "--bundle", str(other))
    assert code == 2
    assert "matches no signed record in the bundle other.psi.json" in err


def test_a_case_report_prints_every_signed_hash_and_each_is_verified(demo, capsys, tmp_path, make_profile):
    directory, reflections, _signed, _note = demo
    with_profile = main(
        [
            "export",
            "pdf",
            "--kind",
            "case",
            "--case",
            DEMO,
            "--out",
            str(tmp_path / "case.pdf"),
            "--data-dir",
            str(directory),
        ]
    )
    assert with_profile == 0
    capsys.readouterr()
    code, out, err = verify(capsys, directory, str(tmp_path / "case.pdf"))
    assert code == 0, err
    assert out.count("matches the signed record in your profile") == sum(1 for r in reflections if r.signed)
    code, _out, err = verify(capsys, tmp_path / "no-profile", str(tmp_path / "case.pdf"))
    assert code == 2 and "carries no record of its own" in err


def test_a_draft_and_a_file_that_is_not_a_pdf_exit_2(demo, capsys, tmp_path):
    directory, reflections, _signed, _note = demo
    draft = next(r for r in reflections if not r.signed)
    assert (
        main(
            [
                "export",
                "pdf",
                "--kind",
                "note",
                "--reflection",
                str(draft.id),
                "--out",
                str(tmp_path / "draft.pdf"),
                "--data-dir",
                str(directory),
            ]
        )
        == 0
    )
    capsys.readouterr()
    code, _out, err = verify(capsys, directory, str(tmp_path / "draft.pdf"))
    assert code == 2 and "prints no content hash" in err
    (tmp_path / "not.pdf").write_text("hello")
    code, _out, err = verify(capsys, directory, str(tmp_path / "not.pdf"))
    assert code == 2 and "is not a PDF that can be read" in err
    code, _out, err = verify(capsys, directory, str(tmp_path / "missing.pdf"))
    assert code == 2 and "is not a file" in err


def test_verify_as_a_process(demo, tmp_path):
    """The installed command's way in: ``python -m psi_desktop verify``, its exit code and its streams."""
    directory, _reflections, signed, note = demo
    command = [sys.executable, "-m", "psi_desktop", "--data-dir", str(directory), "verify"]
    done = subprocess.run([*command, str(note)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert signed.signature.content_sha256[:12] in done.stdout
    change_printed_hash(note, tmp_path / "changed.pdf", signed.signature.content_sha256)
    done = subprocess.run([*command, str(tmp_path / "changed.pdf")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("psi-desktop: The hash printed on this PDF") and "Traceback" not in done.stderr
