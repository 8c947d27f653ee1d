"""The supervision note PDF, built from real reflections and read back with pypdf and pdffonts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import uuid

import pytest
from pypdf import PdfReader

from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.domain.model import (
    DistressImpact,
    Perspective,
    Reflection,
    ReflectionStatus,
    ServiceUserSource,
    Signature,
)
from psi_desktop.frameworks import default_framework
from psi_desktop.reporting.supervision_note import build_supervision_note
from psi_desktop.reporting.text import MAX_CHUNK, paragraphs

PRACTITIONER, SUPERVISOR, SERVICE_USER = Perspective.PRACTITIONER, Perspective.SUPERVISOR, Perspective.SERVICE_USER
CASE = "Ward 3 - K"
CONTEXT = "Leave was cancelled on the morning of the trip."
RESTORATIVE = "It reminded me of my first ward."
GREEK = "Καλημέρα σας"
CYRILLIC = "Здравствуйте друзья"
LONG_WORD = "Ж" * 5000  # a letter used nowhere else in the note, so it can be counted
HOSTILE = (
    '<b> <font name=x> <a href="javascript:alert(1)">x</a> <img src="/etc/passwd"/> &nbsp; '
    "bell\x00\x07 lone\ud800 flip\u202eflop "
)


@pytest.fixture(scope="module")
def framework():
    return default_framework()


def make_reflection(framework, *, signed: bool, answers=None) -> Reflection:
    ids = framework.dimension_ids
    base = Reflection(
        id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        framework_id=framework.id,
        framework_version=framework.version,
        session_date=dt.date(2026, 10, 2),
        practitioner="A. Practitioner",
        supervisor="B. Supervisor",
        answers=answers
        or {
            "context": CONTEXT,
            "power.where": "The ward round decided.",
            "restorative.brought_up": RESTORATIVE,
        },
        ratings={
            PRACTITIONER: dict(zip(ids, [3, 2, 4, 3, 3, 4, 4, 3, 2], strict=True)),
            SUPERVISOR: dict(zip(ids, [2, 2, 3, 4, 2, 1, 3, 3, 2], strict=True)),
            SERVICE_USER: {dim: 1 for dim in ids[:7]},
        },
        service_user_source=ServiceUserSource.ESTIMATE,
        distress_impact={PRACTITIONER: DistressImpact.ALLEVIATED, SUPERVISOR: DistressImpact.MAINTAINED},
        wellbeing=2,
    )
    if not signed:
        return base
    signature = Signature("B. Supervisor", dt.datetime(2026, 10, 2, 15, 10, tzinfo=dt.UTC), reflection_sha256(base))
    return dataclasses.replace(base, status=ReflectionStatus.SIGNED, signature=signature)


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_signed_note_has_its_record_and_hash(framework, tmp_path):
    reflection = make_reflection(framework, signed=True)
    out = build_supervision_note(reflection, framework, CASE, tmp_path / "note.pdf")

    assert out == tmp_path / "note.pdf"
    pages = page_texts(out)
    text = flat(" ".join(pages))
    assert "Supervision note" in text
    assert CONTEXT in text
    assert "Protective power" in text
    assert "You rated Trust 4 Fully, your supervisor 1 A little." in text
    assert "Service user (your estimate)" in text
    assert reflection.signature.content_sha256 in text
    assert "DRAFT" not in text
    for number, page in enumerate(pages, start=1):
        assert CASE in page
        assert "Confidential - supervision record" in page
        assert f"Page {number} of {len(pages)}" in page
    info = PdfReader(out).metadata
    assert info.title.startswith("Supervision note")
    assert info.author == "A. Practitioner"
    assert info.creator.startswith("PSI Desktop ")
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left beside it


def test_a_draft_says_so_on_every_page(framework, tmp_path):
    reflection = make_reflection(framework, signed=False, answers={"context": "Long. " * 3000})
    out = build_supervision_note(reflection, framework, CASE, tmp_path / "draft.pdf")

    pages = page_texts(out)
    assert len(pages) > 1
    for page in pages:
        assert "DRAFT - not signed" in page
    assert "Not signed yet" in flat(" ".join(pages))


def test_the_restorative_answer_is_left_out_unless_chosen(framework, tmp_path):
    reflection = make_reflection(framework, signed=True)

    without = flat(" ".join(page_texts(build_supervision_note(reflection, framework, CASE, tmp_path / "a.pdf"))))
    with_it = build_supervision_note(reflection, framework, CASE, tmp_path / "b.pdf", include_restorative=True)

    assert RESTORATIVE not in without
    assert RESTORATIVE in flat(" ".join(page_texts(with_it)))


def test_hostile_text_is_printed_as_text(framework, tmp_path):
    answers = {
        "context": HOSTILE + GREEK,
        "power.where": f"{CYRILLIC}\n\nThen: {LONG_WORD} end.",
        "synthesis.helpful": "<email@example.org> was kept",
    }
    reflection = dataclasses.replace(
        make_reflection(framework, signed=False, answers=answers), practitioner="<i>Dr</i> \x00X", supervisor="\ud800"
    )
    out = build_supervision_note(reflection, framework, "<b>Ward & 3", tmp_path / "hostile.pdf")

    text = "".join(page_texts(out))
    words = flat(text)
    for visible in ('<b> <font name=x> <a href="javascript:alert(1)">x</a> <img src="/etc/passwd"/> &nbsp;', GREEK):
        assert visible in words
    assert CYRILLIC in words
    assert "<email@example.org> was kept" in words
    assert "<i>Dr</i> X" in words
    assert "<b>Ward & 3" in words
    assert text.count("Ж") == len(LONG_WORD)
    raw = out.read_bytes()
    for dangerous in (b"/URI", b"/Launch", b"/JavaScript", b"/JS", b"/Annot"):
        assert dangerous not in raw
    assert not re.findall(rb"/Subtype\s*/Image", raw)  # the radar is vector graphics; nothing from /etc


def test_paragraphs_are_escaped_and_short():
    chunks = paragraphs("a < b & c > d\nnext line\n\n\nsecond\x00\x1b paragraph\ud800\u202e")
    assert chunks == ["a &lt; b &amp; c &gt; d<br/>next line", "second paragraph"]

    long = paragraphs(("Sentence of text. " * 400) + "x" * 5000)
    assert all(len(chunk) <= MAX_CHUNK for chunk in long)
    assert "".join(long).replace(" ", "") == (("Sentenceoftext." * 400) + "x" * 5000)
    assert paragraphs(" \n\t ") == []


def test_every_font_is_embedded(framework, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    out = build_supervision_note(make_reflection(framework, signed=True), framework, CASE, tmp_path / "n.pdf")

    listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    for row in rows:
        # name, type (one or two words), encoding, then emb sub uni object generation
        assert row.split()[-5] == "yes", listing


def test_the_persons_own_view_is_a_discussion_point_and_their_words_are_quoted(framework, tmp_path):
    ids = framework.dimension_ids
    own = dataclasses.replace(
        make_reflection(framework, signed=False),
        ratings={
            PRACTITIONER: dict(zip(ids, [3, 2, 4, 3, 3, 4, 4, 3, 2], strict=True)),
            SERVICE_USER: dict(zip(ids, [3, 2, 4, 3, 3, 1, 4, 3, 2], strict=True)),
        },
        service_user_source=ServiceUserSource.SELF_RATED,
        service_user_words="Please knock before you come in.\n\nThank you for listening.",
    )
    text = flat(" ".join(page_texts(build_supervision_note(own, framework, CASE, tmp_path / "own.pdf"))))
    assert "You rated Trust 4 Fully; the person's own view (rated it themselves) is 1 A little." in text
    assert "Service user (rated it themselves)" in text
    assert "In the person's own words" in text
    assert "Please knock before you come in. Thank you for listening." in text
    # An estimate is the practitioner's own idea of their view: no discussion point is made of it as theirs.
    estimate = dataclasses.replace(own, service_user_source=ServiceUserSource.ESTIMATE, service_user_words="")
    text = flat(" ".join(page_texts(build_supervision_note(estimate, framework, CASE, tmp_path / "est.pdf"))))
    assert "the person's own view" not in text and "In the person's own words" not in text
