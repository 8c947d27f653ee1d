"""The three PDF documents for the demo case, read back with pypdf (and pdffonts): content, safety, Unicode, speed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import unicodedata
import uuid

import pikepdf
import pytest
from pypdf import PdfReader

from psi_desktop.domain.model import Action, Amendment, Case, Reflection, ReflectionStatus
from psi_desktop.domain.nmc import QUESTIONS
from psi_desktop.services import exports

DEMO = "Demo - Ward 3"
HOSTILE = (
    '<b> <font name=x> <a href="javascript:alert(1)">x</a> <img src="/etc/passwd"/> &nbsp; '
    "bell\x00\x07 lone\ud800 flip\u202eflop "
)
STORED_HOSTILE = HOSTILE.replace("\ud800", "")  # the store refuses lone surrogates; the dialog's fields do not
HOSTILE_VISIBLE = '<b> <font name=x> <a href="javascript:alert(1)">x</a> <img src="/etc/passwd"/> &nbsp;'
LONG_WORD = "Ж" * 5000
UNICODE = {
    "greek": "Καλημέρα σας",
    "cyrillic": "Здравствуйте друзья",
    "combining": "e\u0301te\u0301 nai\u0308ve",
    "hebrew": "שלום עולם",
    "arabic": "مرحبا بالعالم",
    "emoji": "ok 😀 done",
}


def texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, profile.cases.reflections(case.id)


def assert_safe(path, images: int) -> None:
    raw = path.read_bytes()
    assert len(re.findall(rb"/Subtype\s*/Image", raw)) == images
    raw = re.sub(rb"stream\r?\n.*?endstream", b"", raw, flags=re.DOTALL)  # compressed data can hold any bytes
    for dangerous in (b"/URI", b"/Launch", b"/JavaScript", b"/JS", b"/Annot"):
        assert dangerous not in raw


def assert_fonts_embedded(path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    for row in rows:
        assert row.split()[-5] == "yes", listing


def assert_decorated(pages: list[str], case_code: str) -> None:
    for number, page in enumerate(pages, start=1):
        assert case_code in page
        assert "Confidential - supervision record" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "Generated " in page


# --- the documents --------------------------------------------------------------------------------


def test_signed_note_of_the_demo(demo, tmp_path):
    profile, _case, reflections = demo
    signed = reflections[-2]
    progress = []
    out = exports.export_note(profile, signed.id, tmp_path / "note.pdf", progress=lambda f, m: progress.append(f))

    pages = texts(out)
    text = flat(" ".join(pages))
    assert 2 <= len(pages) <= 8
    assert_decorated(pages, DEMO)
    for heading in ("Supervision note", "Context", "Power", "Safety", "Identity", "Ratings", "Sign-off"):
        assert heading in text
    assert flat(signed.answers["context"]) in text
    assert "Protective power" in text and "mean " in text
    assert signed.signature.content_sha256 in text
    assert "DRAFT" not in text
    assert progress[-1] == 1.0 and progress == sorted(progress)
    info = PdfReader(out).metadata
    assert info.title == f"Supervision note - {DEMO}"
    assert info.subject and info.author == signed.practitioner
    assert info.creator.startswith("PSI Desktop ")
    assert_safe(out, images=0)  # its radar is drawn in vector graphics
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.pdf", "profile"]


def test_draft_note_says_draft_on_every_page(demo, tmp_path):
    profile, _case, reflections = demo
    draft = reflections[-1]
    assert draft.status is ReflectionStatus.DRAFT
    pages = texts(exports.export_note(profile, draft.id, tmp_path / "draft.pdf"))
    assert len(pages) >= 2
    for page in pages:
        assert "DRAFT - not signed" in page


def test_restorative_answer_only_when_private_is_included(demo, tmp_path):
    profile, _case, reflections = demo
    reflection = next(r for r in reflections if r.answers.get("restorative.brought_up", "").strip())
    private = flat(reflection.answers["restorative.brought_up"])
    without = flat(" ".join(texts(exports.export_note(profile, reflection.id, tmp_path / "a.pdf"))))
    with_it = exports.export_note(profile, reflection.id, tmp_path / "b.pdf", include_private=True)
    assert private not in without
    assert private in flat(" ".join(texts(with_it)))


def test_case_report_of_the_demo(demo, tmp_path):
    profile, case, reflections = demo
    out = exports.export_case_report(profile, case.id, tmp_path / "case.pdf", page_size="Letter")

    reader = PdfReader(out)
    assert round(float(reader.pages[0].mediabox.width)) == 612  # US Letter
    pages = texts(out)
    text = flat(" ".join(pages))
    assert 3 <= len(pages) <= 12
    assert_decorated(pages, DEMO)
    for heading in ("Case report", "Radar over time", "Trends", "Reflections", "Action history"):
        assert heading in text
    for reflection in reflections:
        assert reflection.session_date.strftime("%B") in text  # the draft too: named as left out
        if reflection.signature:
            assert reflection.signature.content_sha256 in text
    assert "Action history" in text and "Not kept" in text
    assert_safe(out, images=4)  # radar over time, trends, impact on distress, gaps
    with pikepdf.open(out) as pdf:  # each chart whole, at 200 dpi of its size in inches
        sizes = sorted((int(i.Width), int(i.Height)) for page in pdf.pages for i in page.get_images().values())
    assert sizes == [(1320, 660), (1320, 1280), (1720, 1640), (1720, 1640)]
    assert PdfReader(out).metadata.title == f"Case report - {DEMO}"


def test_portfolio_of_the_demo(demo, tmp_path):
    """The whole pack; its order, forms and wording are read closely in test_portfolio_pack.py."""
    profile, case, reflections = demo
    draft = exports.portfolio_draft(profile, [case.id], dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    signed = [r for r in reflections[1:] if r.signed]
    assert [a.session_date for a in draft.accounts] == [r.session_date for r in signed]
    first = draft.accounts[0]
    assert not first.written and first.themes == list(reflections[1].code_themes), "nothing written for them"
    assert flat(reflections[1].answers["context"]) in flat(" ".join(p.text for p in first.starting["nature"]))
    draft.accounts[0].learned = "Written in the dialog: asking first works."
    draft.discussion = dataclasses.replace(
        draft.discussion,
        partner_name="C. Partner",
        nmc_pin="12A3456E",
        email="c.partner@example.org",
        professional_address="1 Hospital Road, Town",
        postcode="AB1 2CD",
        date=dt.date(2026, 12, 1),
        summary="We talked about the five accounts.",
    )
    out = exports.export_portfolio(profile, draft, tmp_path / "portfolio.pdf")

    pages = texts(out)
    text = flat(" ".join(pages))
    assert 10 <= len(pages) <= 60
    for number, page in enumerate(pages, start=1):
        assert "Confidential - supervision record" in page and f"Page {number} of {len(pages)}" in page
    for heading in ("Portfolio pack", "Contents", "My practice", "Reflective account 1", "Reflective discussion"):
        assert heading in text
    assert "Reflective account 2" not in text, "only the written account is printed"
    for name in ("nature", "learned", "changed"):
        assert text.count(flat(QUESTIONS[name])) == 1
    assert "Written in the dialog: asking first works." in text
    for field in ("C. Partner", "12A3456E", "c.partner@example.org", "AB1 2CD", "1 December 2026"):
        assert field in text
    assert reflections[0].signature.content_sha256 not in text  # before the period
    assert reflections[1].signature.content_sha256 in text
    assert "DRAFT - not signed" not in text, "the draft is left out of the pack"
    assert_safe(out, images=2)  # my practice and the radar over time; each note's radar is vector graphics
    assert_fonts_embedded(out)


def test_cancelled_export_leaves_nothing(demo, tmp_path):
    profile, case, _ = demo
    with pytest.raises(exports.ExportCancelled):
        exports.export_case_report(profile, case.id, tmp_path / "case.pdf", cancelled=lambda: True)
    calls = iter(range(1000))
    with pytest.raises(exports.ExportCancelled):  # cancelled during layout
        exports.export_case_report(profile, case.id, tmp_path / "case.pdf", cancelled=lambda: next(calls) > 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile"]


# --- hostile text and Unicode (RELIABILITY rows 13 and 15) -------------------------------------------


def hostile_case(profile, extra: str) -> tuple[Case, Reflection]:
    """A copy of the demo's newest signed reflection on a case with hostile text in every field."""
    demo_case = profile.cases.find(DEMO)
    source = profile.cases.reflections(demo_case.id)[-2]
    case = Case(uuid.uuid4(), code=f"<b>Ward & 3 {extra[:20]}", setting=STORED_HOSTILE + extra)
    profile.store.cases.add(case)
    answers = {key: f"{STORED_HOSTILE}{extra} {value}" for key, value in source.answers.items()}
    answers["power.where"] = f"Then: {LONG_WORD} end."
    reflection = dataclasses.replace(
        source,
        id=uuid.uuid4(),
        case_id=case.id,
        answers=answers,
        practitioner="<i>Dr</i> \x00X",
        supervisor="\u202eB",
        amendments=(
            Amendment(
                uuid.uuid4(), "<u>me</u>", dt.datetime(2026, 11, 20, tzinfo=dt.UTC), STORED_HOSTILE + extra, extra
            ),
        ),
    )
    profile.store.reflections.save(reflection)
    profile.store.actions.save(Action(uuid.uuid4(), case.id, reflection.id, STORED_HOSTILE + extra))
    return case, reflection


def test_hostile_text_in_every_field_of_every_document(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case, reflection = hostile_case(profile, "Καλημέρα")

    note = exports.export_note(profile, reflection.id, tmp_path / "note.pdf", include_private=True)
    report = exports.export_case_report(profile, case.id, tmp_path / "case.pdf")
    draft = exports.portfolio_draft(profile, [case.id])
    account = draft.accounts[0]
    account.nature = account.learned = account.changed = account.relevance = HOSTILE + LONG_WORD
    draft.discussion.registrant_name = draft.discussion.registrant_pin = HOSTILE
    draft.discussion.partner_name = draft.discussion.email = draft.discussion.postcode = HOSTILE
    draft.discussion.professional_address = draft.discussion.summary = HOSTILE
    portfolio = exports.export_portfolio(profile, draft, tmp_path / "portfolio.pdf")

    for out, images in ((note, 0), (report, 3), (portfolio, 2)):  # the notes' radars are vector graphics
        text = "".join(texts(out))
        assert HOSTILE_VISIBLE in flat(text), out.name
        assert "Καλημέρα" in text
        assert "<b>Ward & 3" in text
        assert_safe(out, images)
    note_text = flat("".join(texts(note)))
    assert "<i>Dr</i> X" in note_text and "<u>me</u>" in note_text
    assert "".join(texts(note)).count("Ж") == len(LONG_WORD)
    assert "".join(texts(portfolio)).count("Ж") >= 4 * len(LONG_WORD)


def test_unicode_reads_back_with_every_font_embedded(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    demo_case = profile.cases.find(DEMO)
    source = profile.cases.reflections(demo_case.id)[-2]
    answers = dict(source.answers)
    for index, (key, sample) in enumerate(UNICODE.items()):
        answers[list(answers)[index]] = f"{key}: {sample} first Trust"
    answers["context"] += "\n\nunicorn \U0001f984 here"
    reflection = dataclasses.replace(source, id=uuid.uuid4(), answers=answers)
    profile.store.reflections.save(reflection)

    out = exports.export_note(profile, reflection.id, tmp_path / "unicode.pdf")
    text = "".join(texts(out))
    for key in ("greek", "cyrillic"):
        assert UNICODE[key] in text
    assert "\ufb01" not in text and "\ufb06" not in text  # no ligatures in the text layer, even shaped
    assert text.count("first Trust") == len(UNICODE)
    # Hebrew and Arabic are shaped into visual order (Arabic as its joined presentation forms):
    # every letter comes back.
    for key in ("hebrew", "arabic"):
        letters = {ch for ch in UNICODE[key] if ch.isalpha()}
        assert letters <= set(unicodedata.normalize("NFKC", text)), key
    assert "\u0301" in text or "é" in text
    # A character DejaVu cannot draw (this unicorn; its smileys it can) prints as a visible
    # placeholder, and the export warns first.
    assert "unicorn \u25a1 here" in text
    gaps = [
        f for f in exports.check_identifiers(profile, "note", reflection_id=reflection.id) if f.kind == "unprintable"
    ]
    assert len(gaps) == 1 and "print as \u25a1" in str(gaps[0]) and "\U0001f984" not in str(gaps[0])
    assert_fonts_embedded(out)


def one_megabyte_answer(make_profile, tmp_path):
    """A demo profile with a reflection whose first answer is 1 MB of text: (profile, that reflection)."""
    profile = make_profile(tmp_path / "profile", demo=True)
    demo_case = profile.cases.find(DEMO)
    source = profile.cases.reflections(demo_case.id)[-2]
    sentence = "The ward round ran late and we talked about observation levels again. "
    big = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    reflection = dataclasses.replace(source, id=uuid.uuid4(), answers={**source.answers, "context": big})
    profile.store.reflections.save(reflection)
    return profile, reflection


def test_a_one_megabyte_answer_exports_whole(make_profile, tmp_path):
    """RELIABILITY row 14; its "under five seconds" is checked on demand (tests/perf/test_time_budgets.py)."""
    profile, reflection = one_megabyte_answer(make_profile, tmp_path)
    out = exports.export_note(profile, reflection.id, tmp_path / "big.pdf")
    pages = PdfReader(out).pages
    assert len(pages) > 100
    assert "observation levels" in pages[len(pages) // 2].extract_text()


# --- the identifiable-information check ------------------------------------------------------------


def test_identifiers_are_found_and_placed_without_quoting(demo, tmp_path):
    profile, case, reflections = demo
    reflection = dataclasses.replace(
        reflections[-1], answers={**reflections[-1].answers, "context": "NHS 943 476 5919, seen by Mrs Smith"}
    )
    profile.store.reflections.save(reflection)

    findings = exports.check_identifiers(profile, "note", [case.id])
    assert {f.label for f in findings} == {"an NHS number", "a title and a name"}
    for finding in findings:
        assert finding.where.startswith(f"{DEMO}, 17 Nov 2026, answer to ‘What happened?")
        assert "943" not in str(finding) and "Smith" not in str(finding)
    assert exports.check_identifiers(profile, "note", reflection_id=reflections[0].id) == []
    assert exports.check_identifiers(profile, "portfolio", [case.id]) == [], "the draft is not in the pack"
    draft = exports.portfolio_draft(profile, [case.id])
    draft.discussion.summary = "born on 3 March 1990"
    assert [f.label for f in exports.check_portfolio_draft(draft)].count("a date of birth") == 1
