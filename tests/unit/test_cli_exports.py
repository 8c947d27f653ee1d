"""``psi-desktop export pdf`` and ``export chart`` in-process on the demo profile."""

from __future__ import annotations

import dataclasses

import pytest
from pypdf import PdfReader

from psi_desktop.cli import main
from tests.conftest import PASSPHRASE

DEMO = "Demo - Ward 3"


@pytest.fixture
def demo_dir(make_profile, tmp_path, monkeypatch):
    directory = tmp_path / "profile"
    make_profile(directory, demo=True).close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    return directory


def run(directory, *args: str) -> int:
    return main(["export", *args, "--data-dir", str(directory)])


@pytest.mark.parametrize("kind", ["note", "case", "portfolio"])
def test_export_pdf_each_kind(demo_dir, tmp_path, capsys, kind):
    out = tmp_path / f"{kind}.pdf"
    assert run(demo_dir, "pdf", "--kind", kind, "--case", DEMO, "--out", str(out)) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert DEMO in text


def test_note_of_a_chosen_reflection_on_letter(make_profile, tmp_path, capsys, monkeypatch):
    directory = tmp_path / "profile"
    profile = make_profile(directory, demo=True)
    first = profile.cases.reflections(profile.cases.find(DEMO).id)[0]
    profile.close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "first.pdf"
    args = ["pdf", "--kind", "note", "--reflection", str(first.id), "--page-size", "Letter", "--out", str(out)]
    assert run(directory, *args) == 0
    reader = PdfReader(out)
    assert first.signature.content_sha256 in " ".join(p.extract_text() for p in reader.pages)
    assert round(float(reader.pages[0].mediabox.width)) == 612


def test_a_case_report_leaves_drafts_out_unless_asked(demo_dir, tmp_path):
    out = tmp_path / "case.pdf"
    assert run(demo_dir, "pdf", "--kind", "case", "--case", DEMO, "--out", str(out)) == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "Drafts left out." in text and "DRAFT - not signed" not in text
    args = ["pdf", "--kind", "case", "--case", DEMO, "--include-drafts", "--force", "--out", str(out)]
    assert run(demo_dir, *args) == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "Includes drafts." in text and "17 November 2026 (draft)" in text and "DRAFT - not signed" in text


def test_portfolio_dates(demo_dir, tmp_path):
    out = tmp_path / "p.pdf"
    assert (
        run(demo_dir, "pdf", "--kind", "portfolio", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out))
        == 0
    )
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Supervision note 1: 13 October 2026" in text and "Supervision note 2" not in text
    assert "No reflective account is written yet" in text, "the command line prints what was written in the app"
    assert run(demo_dir, "pdf", "--kind", "portfolio", "--from", "1 Oct", "--out", str(out)) == 2


@pytest.mark.parametrize("kind", ["radar", "overlay", "multiples", "trends", "gaps"])
def test_export_chart_each_kind(demo_dir, tmp_path, kind):
    out = tmp_path / f"{kind}.png"
    assert run(demo_dir, "chart", "--case", DEMO, "--kind", kind, "--out", str(out)) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_chart_svg(demo_dir, tmp_path):
    out = tmp_path / "radar.svg"
    assert run(demo_dir, "chart", "--case", DEMO, "--kind", "radar", "--out", str(out)) == 0
    assert b"<svg" in out.read_bytes()[:2000]


def test_user_errors_exit_2(demo_dir, tmp_path, capsys):
    assert run(demo_dir, "pdf", "--kind", "case", "--out", str(tmp_path / "x.pdf")) == 2
    assert run(demo_dir, "pdf", "--kind", "note", "--case", "Nope", "--out", str(tmp_path / "x.pdf")) == 2
    assert run(demo_dir, "pdf", "--kind", "note", "--case", DEMO, "--out", str(tmp_path / "x.txt")) == 2
    assert run(demo_dir, "chart", "--case", DEMO, "--kind", "radar", "--out", str(tmp_path / "x.gif")) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*"))


@pytest.fixture
def identifying_dir(make_profile, tmp_path, monkeypatch):
    directory = tmp_path / "profile"
    profile = make_profile(directory, demo=True)
    latest = profile.cases.reflections(profile.cases.find(DEMO).id)[-1]
    answers = {**latest.answers, "context": "His NHS number is 943 476 5919."}
    profile.store.reflections.save(dataclasses.replace(latest, answers=answers))
    profile.close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    return directory


def test_strict_refuses_identifying_text(identifying_dir, tmp_path, capsys):
    out = tmp_path / "note.pdf"
    assert run(identifying_dir, "pdf", "--kind", "note", "--case", DEMO, "--strict", "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "an NHS number" in err and "answer to" in err
    assert "943" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile"]


def test_without_strict_it_warns_and_writes(identifying_dir, tmp_path, capsys):
    out = tmp_path / "note.pdf"
    assert run(identifying_dir, "pdf", "--kind", "note", "--case", DEMO, "--out", str(out)) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "an NHS number" in captured.err
    assert out.exists()
