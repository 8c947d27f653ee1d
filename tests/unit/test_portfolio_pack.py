"""The portfolio pack of the demo case read back as an NMC confirmer would: in order, with a contents
page whose numbers are right, bookmarks, accounts only from signed reflections and only in the
practitioner's words, nothing identifying on the NMC forms, and the discussion form the NMC asks for."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid

import pytest
from pypdf import PdfReader

from psi_desktop.domain.nmc import ACCOUNT_INSTRUCTION, DATA_PROTECTION, DISCUSSION_INSTRUCTION, QUESTIONS
from psi_desktop.services import exports
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE
from tests.unit.test_pdf_outline import outline

DEMO = "Demo - Ward 3"
LEARNED = "That being consistent matters more to the person than being there all the time."
CHANGED = "I write on the board when I will come back, and hand it over if I cannot."
LATER = "I learned that a debrief at a time the person chooses helps after a hold."


def flat(text: str) -> str:
    return " ".join(text.split())


def pages_of(path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


def contents(path) -> list[tuple[str, int]]:
    """The contents page (page 2) as (title, page number) in order."""
    # Each number is a form XObject drawn in its place; pypdf starts some lines read after one with a space.
    lines = [line.strip() for line in PdfReader(path).pages[1].extract_text().splitlines()]
    return [(lines[i], int(lines[i + 1])) for i in range(len(lines) - 1) if re.fullmatch(r"\d+", lines[i + 1])]


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, profile.cases.reflections(case.id)


def written_draft(profile, case, **options) -> exports.PortfolioDraft:
    """The demo's pack with two of its five accounts written, as the practitioner would in the dialog."""
    draft = exports.portfolio_draft(profile, [case.id], **options)
    draft.accounts[1].learned = LEARNED
    draft.accounts[1].changed = CHANGED
    draft.accounts[3].learned = LATER
    d = draft.discussion
    d.registrant_pin, d.partner_name, d.nmc_pin = "98B7654C", "C. Partner", "12A3456E"
    d.email, d.professional_address, d.postcode = "c.partner@example.org", "1 Hospital Road, Town", "AB1 2CD"
    d.summary = "We talked about consistency."
    return draft


def account_pages(pages: list[str]) -> list[str]:
    return [p for p in pages if "NMC reflective accounts form" in p]


# --- order, contents, bookmarks ------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_cover_contents_forms_then_notes_with_contents_numbers_where_sections_start(demo, tmp_path, page_size):
    profile, case, reflections = demo
    out = exports.export_portfolio(profile, written_draft(profile, case), tmp_path / "pack.pdf", page_size=page_size)
    pages = pages_of(out)
    assert "Portfolio pack" in pages[0]
    assert pages[1].startswith("Contents")
    listed = contents(out)
    titles = [title for title, _ in listed]
    signed = [r for r in reflections if r.signed]
    assert titles == [
        "NMC revalidation forms",
        "Reflective account 1, September 2026",
        "Reflective account 2, October 2026",
        "Reflective discussion form",
        "My practice",
        "Supporting supervision notes",
        *(
            f"Supervision note {n}: {r.session_date.day} {r.session_date:%B %Y}, {DEMO}"
            for n, r in enumerate(signed, 1)
        ),
    ]
    numbers = dict(listed)
    assert numbers["NMC revalidation forms"] == numbers["Reflective account 1, September 2026"] == 3
    for title, number in listed[1:]:
        heading = title.split(",")[0] if title.startswith("Reflective account") else title
        assert heading in pages[number - 1], f"{title!r} is not on page {number}"
    assert [n for _, n in listed] == sorted(n for _, n in listed), "forms first, then my practice, then the notes"

    marks = outline(out)
    top = [(title, number) for depth, title, number in marks if depth == 0]
    assert top == [(t, numbers[t]) for t in ("NMC revalidation forms", "My practice", "Supporting supervision notes")]
    assert [(t, n) for d, t, n in marks if d == 1] == listed[1:4] + listed[6:], "each form and note, at its page"
    note_sections = [t for d, t, _ in marks if d == 2]
    assert note_sections.count("Ratings") == len(signed) and note_sections.count("Sign-off") == len(signed)


def test_each_account_names_the_page_its_supporting_note_starts_on(demo, tmp_path):
    """A number that points forward, to a note printed after the accounts, filled in as the one layout ends."""
    profile, case, _ = demo
    pages = pages_of(exports.export_portfolio(profile, written_draft(profile, case), tmp_path / "pack.pdf"))
    refs = [re.search(r"Supporting record Supervision note (\d+) in this pack, page (\d+)", p) for p in pages]
    found = [(int(m[1]), int(m[2])) for m in refs if m]
    assert [note for note, _ in found] == [2, 4], "the two written accounts, each with its own note"
    for note, number in found:
        assert number > pages.index(next(p for p in pages if f"note {note} in this pack" in p)) + 1, "forward"
        assert f"Supervision note {note}:" in pages[number - 1][:300], f"note {note} does not start on page {number}"


# --- accounts: signed only, the practitioner's words only -----------------------------------------------


def test_only_signed_reflections_and_only_written_accounts_are_in_the_pack(demo, tmp_path):
    profile, case, reflections = demo
    draft = written_draft(profile, case)
    assert len(draft.accounts) == 5 and draft.unsigned == 1, "the demo's sixth reflection is a draft"
    out = exports.export_portfolio(profile, draft, tmp_path / "pack.pdf")
    pages = pages_of(out)
    text = " ".join(pages)
    assert "DRAFT" not in text
    assert "17 November 2026" not in text, "the draft's session is nowhere in the pack"
    assert "Signed reflections 5 (1 not signed yet in the period: not included)" in pages[0]
    assert (
        "Reflective accounts 2 written. The NMC asks for five written reflective accounts over the three years "
        "before you revalidate." in pages[0]
    )
    accounts = account_pages(pages)
    assert [p.split("Reflective account ")[1][:1] for p in accounts] == ["1", "2"]
    assert LEARNED in accounts[0] and CHANGED in accounts[0] and LATER in accounts[1]
    for question in (QUESTIONS["nature"], QUESTIONS["learned"], QUESTIONS["changed"], QUESTIONS["relevance"]):
        assert text.count(question) == 2

    unsigned = [r for r in reflections if not r.signed]
    draft.reflection_ids.append(unsigned[0].id)
    with pytest.raises(exports.ValidationError, match="Only signed reflections"):
        exports.export_portfolio(profile, draft, tmp_path / "with-draft.pdf")


def test_nothing_the_app_drafted_is_printed_as_the_practitioners_words(demo, tmp_path):
    profile, case, _ = demo
    draft = written_draft(profile, case)
    starting = [p for a in draft.accounts for points in a.starting.values() for p in points]
    assert any(p.label.startswith("Your lowest-rated") for p in starting)
    out = exports.export_portfolio(profile, draft, tmp_path / "pack.pdf")
    forms = " ".join(account_pages(pages_of(out)))
    for point in starting:
        if not point.own_words:
            assert flat(point.text) not in forms, point.label
        assert flat(point.label) not in forms
    for drafted in ("I rated myself lowest", "which we talked through", "My supervisor and I", "Actions I agreed"):
        assert drafted not in forms
    # An answer left empty in a written account is lines to write on, not words.
    assert "________" in forms


# --- nothing identifying on the NMC forms ---------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_no_supervisor_case_code_or_full_date_on_an_account_and_the_instruction_on_each_form(demo, tmp_path, page_size):
    profile, case, reflections = demo
    out = exports.export_portfolio(profile, written_draft(profile, case), tmp_path / "pack.pdf", page_size=page_size)
    pages = pages_of(out)
    accounts = account_pages(pages)
    discussion = [p for p in pages if "Reflective discussion form" in p and "Brief summary" in p]
    assert len(accounts) == 2 and len(discussion) == 1
    signed = [r for r in reflections if r.signed]
    for page, reflection in zip(accounts, (signed[1], signed[3]), strict=True):
        assert "B. Supervisor" not in page and reflection.supervisor not in page
        assert DEMO not in page and "Ward" not in page
        day = reflection.session_date
        assert f"{day.day} {day:%B %Y}" not in page and day.isoformat() not in page
        assert f"Month {day:%B %Y}" in page
        assert flat(ACCOUNT_INSTRUCTION) in page
    assert flat(DISCUSSION_INSTRUCTION) in discussion[0]

    linked = exports.export_portfolio(
        profile, written_draft(profile, case, linked=True), tmp_path / "linked.pdf", page_size=page_size
    )
    first = account_pages(pages_of(linked))[0]
    assert f"Case {DEMO}" in first and "Session date 1 September 2026" in first
    assert "B. Supervisor" not in first, "the supervisor is never named on an account"


def test_the_check_reads_exactly_the_printed_forms_and_never_blames_the_user_for_app_text(demo, tmp_path):
    profile, _, reflections = demo
    case = profile.cases.create("Ward 9", "Acute inpatient")
    for source in reflections[1:3]:  # two signed reflections, copied to a case of their own
        profile.store.reflections.save(
            dataclasses.replace(
                source,
                id=uuid.uuid4(),
                case_id=case.id,
                practitioner="Dr Jones",
                supervisor="Mr Smith",
                answers={**source.answers, "context": "Seen with Mrs Patel on the ward."},
            )
        )
    draft = exports.portfolio_draft(profile, [case.id])
    assert draft.practitioner == "Dr Jones"
    assert exports.check_portfolio_draft(draft) == [], "nothing written, nothing printed, nothing to flag"
    own = next(p for p in draft.accounts[0].starting["nature"] if p.own_words)
    assert "Mrs Patel" in own.text, "a starting point may quote the reflection; it is not printed"

    draft.accounts[0].nature = own.text  # the practitioner copies their own words in
    draft.accounts[1].learned = "Nothing identifying here."
    findings = exports.check_portfolio_draft(draft)
    assert [(f.where, f.label) for f in findings] == [
        (
            "reflective account 1, your answer to \u2018What was the nature of the CPD activity and/or pr…\u2019",
            "a title and a name",
        ),
    ]
    assert "Patel" not in str(findings[0])

    profile.cases.rename(case.id, "Mr Brown - bay 2")  # a case code that looks like a name
    linked = exports.portfolio_draft(profile, [case.id], linked=True)
    linked.accounts[1].learned = "Nothing identifying here."
    assert [(f.where, f.label) for f in exports.check_portfolio_draft(linked)] == [
        ("reflective account 1, the case code PSI Desktop prints at its top (rename the case)", "a title and a name")
    ], "only the written account is printed, so only it is read"
    unlinked = exports.portfolio_draft(profile, [case.id])
    unlinked.accounts[1].learned = "Nothing identifying here."
    assert exports.check_portfolio_draft(unlinked) == []


# --- the reflective discussion form -------------------------------------------------------------------


def test_the_discussion_form_has_both_registrants_a_date_by_each_signature_and_the_data_protection_note(demo, tmp_path):
    profile, case, _ = demo
    draft = written_draft(profile, case)
    out = exports.export_portfolio(profile, draft, tmp_path / "pack.pdf")
    (page,) = [p for p in pages_of(out) if "Brief summary of your discussion" in p]
    assert "Your details Name A. Practitioner NMC Pin 98B7654C" in page
    for field in ("Name C. Partner", "NMC Pin 12A3456E", "Email c.partner@example.org", "Postcode AB1 2CD"):
        assert field in page
    assert re.search(r"Date of discussion _{10,}", page), "no date is printed that nobody chose"
    assert re.search(r"Signature of the NMC registrant you had the discussion with _+ Date _+", page)
    assert re.search(r"Your signature _+ Date _+", page)
    assert flat(DATA_PROTECTION) in page
    assert "this pack holds 2 written reflective accounts" in page

    draft.discussion.date = dt.date(2026, 12, 1)
    dated = exports.export_portfolio(profile, draft, tmp_path / "dated.pdf")
    assert "Date of discussion 1 December 2026" in " ".join(pages_of(dated))


# --- kept in the profile --------------------------------------------------------------------------------


def test_what_is_written_survives_closing_and_reopening_the_profile(demo, tmp_path):
    profile, case, _ = demo
    draft = written_draft(profile, case)
    draft.accounts[1].themes = []
    kept = profile.drafts.save_portfolio_edits(draft)
    assert kept == {draft.accounts[1].reflection_id, draft.accounts[3].reflection_id}
    directory = profile.directory
    profile.close()

    reopened = unlock_profile(directory, PASSPHRASE)
    try:
        again = exports.portfolio_draft(reopened, [case.id])
        assert again.accounts[1].learned == LEARNED and again.accounts[1].changed == CHANGED
        assert again.accounts[1].themes == []
        assert again.accounts[3].learned == LATER
        assert [a.written for a in again.accounts] == [False, True, False, True, False]
        assert again.discussion.partner_name == "C. Partner" and again.discussion.registrant_pin == "98B7654C"
        assert again.accounts[0].themes == list(again.accounts[0].reflection_themes), "untouched: as it started"
    finally:
        reopened.close()


def test_bookmarks_move_nothing_on_the_page(demo, tmp_path, monkeypatch):
    """The pack laid out with its bookmarks is the pack laid out without them, page for page."""
    from psi_desktop.reporting import outline as outline_module
    from psi_desktop.reporting import portfolio

    profile, case, _ = demo
    with_marks = pages_of(exports.export_portfolio(profile, written_draft(profile, case), tmp_path / "with.pdf"))
    monkeypatch.setattr(
        portfolio, "anchored", lambda story: [f for f in story if not isinstance(f, outline_module.Bookmark)]
    )
    without = pages_of(exports.export_portfolio(profile, written_draft(profile, case), tmp_path / "without.pdf"))
    assert len(with_marks) == len(without)
    # Only the page numbers taken from the bookmarks differ: the contents and each account's supporting record.
    ref = re.compile(r"Supporting record( Supervision note \d+ in this pack, page \d+)?")
    assert [ref.sub("", p) for p in with_marks[2:]] == [ref.sub("", p) for p in without[2:]]


# --- progress and Cancel -------------------------------------------------------------------------------


def test_the_pack_tells_how_far_it_has_got_and_cancel_stops_it_at_any_step(demo, tmp_path):
    """The export dialog's bar and Cancel rest on these hooks: progress only moves on; a cancel while the
    notes are written or while the pages are laid out leaves no file, and the next export still works."""
    profile, case, _ = demo
    seen: list[tuple[float, str]] = []
    out = exports.export_portfolio(
        profile, written_draft(profile, case), tmp_path / "pack.pdf", progress=lambda f, m: seen.append((f, m))
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] < 0.1 and fractions[-1] == 1.0
    messages = " ".join(m for _, m in seen)
    assert "Adding supervision note 5 of 5" in messages and "Laying out page" in messages
    assert sum(f > 0.5 for f in fractions) >= 5, "the layout, most of the time, moves the bar too"

    for after in (3, 400):  # while the notes are written; while the pages are laid out
        calls = iter(range(100_000))
        steps: list[str] = []
        with pytest.raises(exports.ExportCancelled):
            exports.export_portfolio(
                profile,
                written_draft(profile, case),
                tmp_path / "cancelled.pdf",
                progress=lambda f, m, steps=steps: steps.append(m),
                cancelled=lambda calls=calls, after=after: next(calls) >= after,
            )
        assert ("Laying out page" in " ".join(steps)) == (after == 400)
        assert not (tmp_path / "cancelled.pdf").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.pdf", "profile"], "no part file left"
    assert len(PdfReader(out).pages) >= 10
