"""Archival PDFs, read back: PDF/A structure (XMP, sRGB output intent, fonts, nothing forbidden), qpdf
--check, a signed note's attached record, and the marks of a document with the private "For me" answers."""

from __future__ import annotations

import dataclasses
import json
import logging
import subprocess

import pikepdf
import pytest
from pikepdf import pdfa
from pypdf import PdfReader

from psi_desktop.domain.documents import reflection_document
from psi_desktop.reporting.archival import LANGUAGE, make_archival
from psi_desktop.reporting.layout import PRIVATE_MARK, build_pdf, styles
from psi_desktop.services import exports
from psi_desktop.services.bundles import plan_import
from tests.unit.test_reports import UNICODE

DEMO = "Demo - Ward 3"
PRIVATE_PROMPT = "restorative.brought_up"


def texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, profile.cases.reflections(case.id)


def without_private(reflections):
    """The demo's first signed reflection with nothing in its "For me" section."""
    return next(r for r in reflections if r.signed and r.wellbeing is None and not r.answers.get(PRIVATE_PROMPT))


def with_private(reflections):
    return next(r for r in reflections if r.signed and r.answers.get(PRIVATE_PROMPT, "").strip())


def export(kind: str, demo, tmp_path, page_size: str = "A4", **options):
    profile, case, reflections = demo
    out = tmp_path / f"{kind}-{page_size}.pdf"
    if kind == "note":
        return exports.export_note(profile, without_private(reflections).id, out, page_size=page_size, **options)
    if kind == "case":
        return exports.export_case_report(profile, case.id, out, page_size=page_size)
    draft = exports.portfolio_draft(profile, [case.id], **options)
    return exports.export_portfolio(profile, draft, out, page_size=page_size)


def qpdf_check(path) -> None:
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def fonts_of(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            yield from font.get("/DescendantFonts", [font])


# --- PDF/A ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
@pytest.mark.parametrize(("kind", "part"), [("note", "3"), ("case", "2"), ("portfolio", "2")])
def test_every_document_is_pdfa_with_its_metadata_and_an_srgb_output_intent(demo, tmp_path, kind, part, page_size):
    out = export(kind, demo, tmp_path, page_size)
    qpdf_check(out)
    report = pdfa.validate_written(out, f"{part}b")  # pikepdf's PDF/A validator: an allowlist of what conforms
    assert report.passed, [str(f) for f in report.findings]
    info = PdfReader(out).metadata
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == (part, "B")
        assert meta["dc:title"] == info.title and info.title.startswith(
            ("Supervision note", "Case report", "Portfolio")
        )
        assert meta["dc:description"] == info.subject and info.subject
        assert meta["dc:creator"] == ["A. Practitioner"] == [info.author]
        assert meta["dc:language"] == {LANGUAGE} or meta["dc:language"] == [LANGUAGE]
        assert meta["xmp:CreatorTool"] == info.creator and info.creator.startswith("PSI Desktop ")
        assert str(pdf.Root.Lang) == LANGUAGE

        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1
        icc = intent.DestOutputProfile
        assert int(icc.N) == 3
        profile = icc.read_bytes()
        assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "  # an ICC profile of an RGB space
        assert "sRGB" in str(intent.OutputConditionIdentifier)

        assert not pdf.is_encrypted and "/Encrypt" not in pdf.trailer
        names = pdf.Root.get("/Names", {})
        assert "/JavaScript" not in names and "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        fonts = list(fonts_of(pdf))
        assert fonts
        for font in fonts:
            assert "/FontFile2" in font.FontDescriptor, font.BaseFont  # every font embedded
        assert ("/EmbeddedFiles" in names) is (kind == "note")


def test_text_of_every_script_and_a_draft_mark_still_make_pdfa(demo, tmp_path):
    profile, _case, reflections = demo
    draft = next(r for r in reflections if not r.signed)
    answers = {**draft.answers, **dict(zip(("context", "power.where", "safety.trust"), UNICODE.values(), strict=False))}
    answers["identity.person"] = " · ".join(UNICODE.values())
    profile.reflections.update(dataclasses.replace(draft, answers=answers))
    out = exports.export_note(profile, draft.id, tmp_path / "unicode.pdf", page_size="Letter")
    qpdf_check(out)
    report = pdfa.validate_written(out, "2b")
    assert report.passed, [str(f) for f in report.findings]
    assert UNICODE["greek"] in flat(" ".join(texts(out)))


def test_a_pdf_that_fails_its_pdfa_check_is_written_without_the_claim(tmp_path, caplog):
    from reportlab.platypus import Paragraph

    out = build_pdf([Paragraph("Hello.", styles()["body"])], tmp_path / "plain.pdf", title="T", author="A", subject="S")
    with pikepdf.open(out, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Trans = pikepdf.Dictionary(S=pikepdf.Name.Dissolve)  # a page transition PDF/A's list lacks
        pdf.save()
    with caplog.at_level(logging.WARNING):
        assert make_archival(out, title="T", author="A", subject="S") is False
    assert "without the PDF/A-2b claim" in caplog.text
    with pikepdf.open(out) as pdf:
        meta = pdf.open_metadata()
        assert "pdfaid:part" not in meta and "pdfaid:conformance" not in meta
        assert meta["dc:title"] == "T"
    assert not pdfa.validate_written(out, "2b").passed
    qpdf_check(out)


# --- the record a signed note carries --------------------------------------------------------------


def attachments(path) -> dict[str, dict]:
    """Each attached file by name: its bytes, MIME type, relationship, and whether it is in the catalog's /AF."""
    with pikepdf.open(path) as pdf:
        associated = {af.objgen for af in pdf.Root.get("/AF", [])}
        return {
            name: {
                "data": spec.get_file().read_bytes(),
                "mime": str(spec.get_file().mime_type),
                "relationship": str(spec.obj.get("/AFRelationship")),
                "associated": spec.obj.objgen in associated,
            }
            for name, spec in pdf.attachments.items()
        }


def test_a_signed_note_carries_its_own_record_which_imports_again(demo, tmp_path, make_profile):
    profile, _case, reflections = demo
    signed = without_private(reflections)
    out = export("note", demo, tmp_path)
    ((name, attached),) = attachments(out).items()
    assert name == f"supervision-record-{signed.session_date.isoformat()}.psi.json"
    assert attached["mime"] == "application/json"
    assert attached["relationship"] == "/Data" and attached["associated"]  # a PDF/A-3 associated file
    document = json.loads(attached["data"])
    assert document["format"] == "psi-desktop-bundle"
    (reflection,) = document["reflections"]
    assert reflection == reflection_document(signed)
    assert [c["code"] for c in document["cases"]] == [DEMO] and document["actions"] == []
    assert f"attached to this PDF as {name}" in flat(" ".join(texts(out)))

    assert plan_import(profile, document).changes_anything is False
    elsewhere = make_profile(tmp_path / "elsewhere")
    plan = plan_import(elsewhere, document)
    assert plan.summary() == "1 case to add; 1 reflection to add"


def test_a_record_with_private_answers_is_attached_only_to_a_note_that_prints_them(demo, tmp_path):
    profile, _case, reflections = demo
    reflection = with_private(reflections)
    private_text = reflection.answers[PRIVATE_PROMPT]

    shared = exports.export_note(profile, reflection.id, tmp_path / "shared.pdf")
    assert attachments(shared) == {}
    text = flat(" ".join(texts(shared)))
    assert "The signed record is not attached to this PDF: it holds the private" in text
    assert flat(private_text) not in text
    assert private_text.encode("utf-8") not in shared.read_bytes()

    private = exports.export_note(profile, reflection.id, tmp_path / "private.pdf", include_private=True)
    ((_name, attached),) = attachments(private).items()
    assert json.loads(attached["data"])["reflections"][0]["answers"][PRIVATE_PROMPT] == private_text


def test_a_draft_note_carries_no_record(demo, tmp_path):
    profile, _case, reflections = demo
    draft = next(r for r in reflections if not r.signed)
    out = exports.export_note(profile, draft.id, tmp_path / "draft.pdf")
    assert attachments(out) == {}
    assert "attached" not in flat(" ".join(texts(out)))
    assert pdfa.validate_written(out, "2b").passed


# --- private, marked as private -------------------------------------------------------------------


def private_metadata(path) -> tuple[bool, bool, bool]:
    """Whether the title, the subject and the keywords (DocInfo and XMP alike) say "private"."""
    info = PdfReader(path).metadata
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert (meta["dc:title"], meta["dc:description"], meta["pdf:Keywords"]) == (
            info.title,
            info.subject,
            info["/Keywords"],
        )
    return (
        info.title.endswith("(private)"),
        "private \u201cFor me\u201d" in info.subject,
        PRIVATE_MARK in info["/Keywords"],
    )


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_a_note_with_the_private_answers_says_so_on_every_page_and_in_its_metadata(demo, tmp_path, page_size):
    profile, _case, reflections = demo
    reflection = with_private(reflections)
    private = exports.export_note(profile, reflection.id, tmp_path / "p.pdf", include_private=True, page_size=page_size)
    pages = texts(private)
    assert len(pages) >= 3
    for page in pages:
        assert PRIVATE_MARK in page
    assert "Private: this note includes the \u201cFor me\u201d answers" in flat(pages[0])
    assert private_metadata(private) == (True, True, True)

    shared = exports.export_note(profile, reflection.id, tmp_path / "s.pdf", page_size=page_size)
    assert not any("PRIVATE" in page or "Private:" in page for page in texts(shared))
    assert private_metadata(shared) == (False, False, False)


def test_a_pack_with_the_private_answers_says_so_on_its_cover_every_page_and_in_its_metadata(demo, tmp_path):
    private = export("portfolio", demo, tmp_path, "Letter", include_private=True)
    pages = texts(private)
    for page in pages:
        assert PRIVATE_MARK in page
    assert "Private: this pack includes the \u201cFor me\u201d answers" in flat(pages[0])
    assert private_metadata(private) == (True, True, True)

    shared = export("portfolio", demo, tmp_path, "A4")
    assert not any(PRIVATE_MARK in page for page in texts(shared))
    assert private_metadata(shared) == (False, False, False)


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_line_about_the_record_is_on_the_page_of_the_sign_off(demo, tmp_path, page_size):
    profile, _case, reflections = demo
    for number, reflection in enumerate(r for r in reflections if r.signed):
        out = exports.export_note(profile, reflection.id, tmp_path / f"{number}.pdf", page_size=page_size)
        pages = [flat(page) for page in texts(out)]
        (record_page,) = [n for n, page in enumerate(pages) if "The signed record is" in page]
        assert "Sign-off" in pages[record_page] and reflection.signature.content_sha256 in pages[record_page]
