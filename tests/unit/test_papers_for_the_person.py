"""The person form and the summary to share back (issue 15 items 3 and 4), read back from real PDFs.

The person form: every question in the shared easy-read wording, large print (nothing under 14 pt,
the body 16 pt or more), tick boxes 1 cm across, no case code, dimension name or id, and the line for
staff. The summary: one page; the chosen topics, the actions and the person's own view, and never
the supervisor's or the practitioner's ratings, an answer to a prompt (the private "For me" ones
above all), a name in the record or the case code; an estimate is never shown as their view.
Canary text is planted in everything that must stay out.
"""

from __future__ import annotations

import dataclasses
import math
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from psi_desktop.cli import main
from psi_desktop.domain import person_paper, person_view
from psi_desktop.domain.framework import PromptMarker
from psi_desktop.domain.model import DistressImpact, Perspective, ServiceUserSource
from psi_desktop.errors import UserFacingError, ValidationError
from psi_desktop.services import exports
from tests.conftest import PASSPHRASE

CODE = "Ward 9 - K"
DOI = "10.1111/papt.12218"
NHS = "943 476 5919"  # a valid NHS number (modulus 11)
ACTIONS = (
    "Explain the reason for a room search before it starts.",
    "Come back at the time I said, or send word why not.",
    "Ask which two things matter most before ward round.",
)
WORDS = "I liked that you listened.\n\nPlease knock before coming in."


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def in_order(path: Path) -> str:
    """The text as drawn, page by page (pypdf): pdftotext may read a page's last lines out of order."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def _times(a, b):
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def printed_sizes(path: Path) -> Counter:
    """The size in points of every run of printed text, weighted by its characters."""
    sizes: Counter = Counter()
    for page in PdfReader(path).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                m = _times(tm, cm)
                sizes[round(size * math.hypot(m[2], m[3]), 1)] += len(text.strip())

        page.extract_text(visitor_text=visit)
    return sizes


def squares(path: Path) -> list[float]:
    """The side of every square drawn on the pages (the tick boxes), in points."""
    reader = PdfReader(path)
    found = []
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"re":
                w, h = float(operands[2]), float(operands[3])
                if abs(w - h) < 0.01:
                    found.append(w)
    return found


# --- a reflection with canaries in everything the summary must leave out ---------------------------


@pytest.fixture
def profile(make_profile, tmp_path):
    return make_profile(tmp_path / "profile")


def filled(profile, *, source=ServiceUserSource.SELF_RATED, sign=True, actions=ACTIONS, words=WORDS):
    """A reflection with every answer, all three perspectives rated apart, and canaries."""
    import datetime as dt

    case = profile.cases.find(CODE) or profile.cases.create(CODE, "CANARY-SETTING")
    reflection = profile.reflections.start(
        case.id, session_date=dt.date(2026, 10, 13), practitioner="CANARY-PRACTITIONER", supervisor="CANARY-SUPERVISOR"
    )
    framework = profile.reflections.framework_of(reflection)
    wellbeing = framework.prompt_with_marker(PromptMarker.WELLBEING)
    answers = {
        p.id: (f"CANARY-FOR-ME {NHS}" if p.section == wellbeing.section else f"CANARY-ANSWER-{p.id}")
        for p in framework.prompts
    }
    ids = framework.dimension_ids
    reflection = profile.reflections.update(
        dataclasses.replace(
            reflection,
            answers=answers,
            ratings={
                Perspective.PRACTITIONER: dict.fromkeys(ids, 1),  # "A little"
                Perspective.SUPERVISOR: dict.fromkeys(ids, 0),  # "Not at all"
                Perspective.SERVICE_USER: {**dict.fromkeys(ids, 4), ids[1]: 3},  # "Fully", one "Mostly"
            },
            service_user_source=source,
            service_user_words=words,
            distress_impact={
                Perspective.PRACTITIONER: DistressImpact.INCREASED,  # "Worse"
                Perspective.SUPERVISOR: DistressImpact.MAINTAINED,  # "The same"
                Perspective.SERVICE_USER: DistressImpact.ALLEVIATED,  # "Better"
            },
            wellbeing=2,
        )
    )
    for text in actions:
        profile.reflections.add_action(reflection, text)
    if sign:
        reflection = profile.reflections.sign(reflection, "CANARY-SUPERVISOR")
    return reflection


def summary(profile, reflection, tmp_path, topics=(), name="s.pdf", **kwargs) -> tuple[Path, str]:
    out = exports.export_summary(profile, reflection.id, tmp_path / name, topics=list(topics), **kwargs)
    return out, pdftotext(out)


LEFT_OUT = (
    "CANARY-FOR-ME",
    "CANARY-ANSWER",
    "CANARY-PRACTITIONER",
    "CANARY-SUPERVISOR",
    "CANARY-SETTING",
    CODE,
    "Not at all",  # the supervisor's ratings
    "A little",  # the practitioner's
    "Worse",  # the practitioner's distress impact
    "The same",  # the supervisor's
    "Voice and choice",  # a dimension's own label: not the person's words
    "power.choice",
)


# --- the summary -------------------------------------------------------------------------------------


def test_the_summary_prints_the_chosen_topics_the_actions_and_the_persons_own_view(profile, tmp_path):
    reflection = filled(profile)
    framework = profile.reflections.framework_of(reflection)
    out, text = summary(profile, reflection, tmp_path, ["power.choice", "identity.equality"], label="K")
    assert page_count(out) == 1
    assert person_paper.SUMMARY_TITLE in text and "For: K" in text
    assert "the supervision on 13 October 2026" in text
    assert person_paper.TOPICS["power.choice"] in text and person_paper.TOPICS["identity.equality"] in text
    assert text.count("Whether") == 2, "only the topics chosen"
    for action in ACTIONS:
        assert action in text
    assert person_paper.YOU_TOLD_US in text and person_paper.source_intro(ServiceUserSource.SELF_RATED) in text
    statements = " ".join(text.replace(" Fully ", " ").replace(" Mostly ", " ").split())  # the table's answers
    for dimension in person_view.statements(framework):
        assert f"\u201c{dimension.easy_read.text}\u201d" in statements
    assert text.count("Fully") == 8 and text.count("Mostly") == 1, "their answers, in the scale's words"
    assert f"{person_view.CHANGE_QUESTION} {person_paper.YOUR_ANSWER}: Better" in text
    assert "\u201cI liked that you listened. Please knock before coming in.\u201d" in text
    assert person_paper.TOPICS_PROPOSED in text and text.count(DOI) == 1
    assert "DRAFT" not in text and person_paper.DRAFT_NOTE not in text


@pytest.mark.parametrize("source", [ServiceUserSource.SELF_RATED, ServiceUserSource.ESTIMATE, None])
def test_the_summary_never_prints_ratings_answers_names_or_the_case_code(profile, tmp_path, source):
    reflection = filled(profile, source=source)
    framework = profile.reflections.framework_of(reflection)
    _, text = summary(profile, reflection, tmp_path, framework.dimension_ids, label="K")
    for canary in LEFT_OUT:
        assert canary not in text, canary


@pytest.mark.parametrize("source", [ServiceUserSource.ESTIMATE, None])
def test_an_estimate_or_a_view_of_unknown_source_is_never_what_you_told_us(profile, tmp_path, source):
    reflection = filled(profile, source=source)
    content = exports.summary_content(profile, reflection.id, ["power.choice"])
    assert (content.told_us, content.change, content.words, content.has_own_view) == ((), "", "", False)
    _, text = summary(profile, reflection, tmp_path, ["power.choice"])
    assert person_paper.YOU_TOLD_US not in text
    for theirs in ("Fully", "Mostly", "Better", "knock before coming in", person_view.CHANGE_QUESTION):
        assert theirs not in text, theirs
    assert ACTIONS[0] in text and person_paper.TOPICS["power.choice"] in text


@pytest.mark.parametrize(
    ("source", "intro"),
    [
        (ServiceUserSource.TOLD_ME, "This is what you told staff."),
        (ServiceUserSource.FEEDBACK_FORM, "This is what you said on your feedback form."),
    ],
)
def test_their_own_view_says_how_it_was_given(profile, tmp_path, source, intro):
    _, text = summary(profile, filled(profile, source=source), tmp_path)
    assert intro in text and "Fully" in text


def test_without_topics_or_actions_the_summary_says_so_and_prints_no_empty_section(profile, tmp_path):
    _, text = summary(profile, filled(profile, actions=()), tmp_path)
    assert person_paper.TALKED_ABOUT not in text
    assert f"{person_paper.STAFF_WILL} {person_paper.NOTHING_AGREED}" in text


def test_a_drafts_summary_is_marked_as_a_draft(profile, tmp_path):
    reflection = filled(profile, sign=False)
    out, text = summary(profile, reflection, tmp_path, ["safety.trust"])
    assert "DRAFT - not signed" in text and person_paper.DRAFT_NOTE in text
    assert page_count(out) == 1


def test_nine_topics_and_several_actions_fit_on_one_page_in_full(profile, tmp_path):
    reflection = filled(profile, actions=(*ACTIONS, *ACTIONS[:2]))
    framework = profile.reflections.framework_of(reflection)
    for page_size in ("A4", "Letter"):
        out, text = summary(
            profile, reflection, tmp_path, framework.dimension_ids, f"{page_size}.pdf", page_size=page_size
        )
        assert page_count(out) == 1, page_size
        assert all(person_paper.TOPICS[d] in text for d in framework.dimension_ids)
        assert text.count(ACTIONS[0]) == 2 and "shortened" not in text


def test_too_much_for_one_page_is_shortened_honestly(profile, tmp_path):
    long_actions = tuple(f"Action {n}: " + "explain the reason first and write it down. " * 8 for n in range(9))
    reflection = filled(profile, actions=long_actions, words="I want to say this. " * 150)
    framework = profile.reflections.framework_of(reflection)
    for page_size in ("A4", "Letter"):
        out, text = summary(
            profile, reflection, tmp_path, framework.dimension_ids, f"{page_size}.pdf", page_size=page_size
        )
        assert page_count(out) == 1, page_size
        assert "Some of this is shortened to fit on one page. Staff have it in full." in text
        assert "\u2026" in text and all(person_paper.TOPICS[d] in text for d in framework.dimension_ids)
        assert sizes_at_least(printed_sizes(out), 8)


def sizes_at_least(sizes: Counter, smallest: float) -> bool:
    return min(sizes) >= smallest


def test_the_summarys_type_is_plain_and_readable(profile, tmp_path):
    out, _ = summary(profile, filled(profile), tmp_path, ["power.choice"])
    sizes = printed_sizes(out)
    body = sizes.most_common(1)[0][0]
    assert body >= 12, sizes
    assert min(sizes) >= 8, sizes


def test_the_identifiable_check_covers_what_the_summary_prints_and_nothing_else(profile):
    # The private answers hold an NHS number: they are never printed, so they are not flagged.
    reflection = filled(profile, actions=("Ask Dr Patel to explain the leave.",), words=f"My number is {NHS}.")
    found = [str(f) for f in exports.check_summary(profile, reflection.id, ["power.choice"], label="Mrs Kaur")]
    assert found == [
        "the name or initials to print: looks like a title and a name",
        "action 1: looks like a title and a name",
        "the person's own words: looks like an NHS number",
    ]
    assert not any(NHS in f or "Patel" in f or "Kaur" in f for f in found), "where, never the text itself"
    estimate = filled(profile, source=ServiceUserSource.ESTIMATE, actions=(), words=f"My number is {NHS}.")
    assert exports.check_summary(profile, estimate.id) == [], "words not printed are not flagged"


def test_an_unknown_topic_is_refused_naming_the_topics(profile, tmp_path):
    reflection = filled(profile)
    with pytest.raises(ValidationError, match=r"There is no topic power\.nope\. The topics are: power\.protective"):
        exports.export_summary(profile, reflection.id, tmp_path / "s.pdf", topics=["power.nope"])
    assert not (tmp_path / "s.pdf").exists()


def test_neither_paper_is_written_into_the_profile_folder(profile):
    reflection = filled(profile)
    for export in (
        lambda out: exports.export_person_form(profile, out),
        lambda out: exports.export_summary(profile, reflection.id, out),
    ):
        with pytest.raises(UserFacingError, match="own data folder"):
            export(profile.directory / "paper.pdf")
    assert not (profile.directory / "paper.pdf").exists()


# --- the person form ---------------------------------------------------------------------------------


@pytest.fixture
def form(profile, tmp_path):
    def make(label: str = "", page_size: str = "A4") -> Path:
        return exports.export_person_form(profile, tmp_path / f"form-{page_size}.pdf", label=label, page_size=page_size)

    return make


def test_the_person_form_prints_every_question_in_the_shared_wording(profile, form):
    framework = profile.frameworks.latest("psi")
    out = form(label="Sam")
    text = in_order(out)
    assert text.startswith(f"{person_view.TITLE} For: Sam")
    for line in (*person_view.CONSENT, person_view.ANSWER_HOW, person_view.CHANGE_QUESTION):
        assert line in text, line
    statements = person_view.statements(framework)
    assert len(statements) == 9
    for number, dimension in enumerate(statements, start=1):
        anchors = " ".join(point.label for point in framework.scale)
        assert f"{number}. {dimension.easy_read.text} {anchors} {person_view.RATHER_NOT_SAY}" in text
    assert text.count(person_view.RATHER_NOT_SAY) == 9
    choices = " ".join(choice.label for choice in person_view.CHANGE_CHOICES)
    assert f"{person_view.CHANGE_QUESTION} {choices}" in text
    assert f"{person_view.WORDS_QUESTION} {person_view.WORDS_HINT}" in text
    assert person_view.THANKS[0] in text and person_paper.FORM_THANKS in text
    assert "give the laptop back" not in text, "paper is given back, not a laptop"


def test_the_person_form_tells_staff_how_to_record_it_and_where_the_sentences_come_from(form):
    text = pdftotext(form())
    assert f"{person_paper.FOR_STAFF} {person_paper.TYPE_IN}" in text and "\u201cFeedback form\u201d" in text
    assert person_paper.STATEMENTS_PROPOSED in text
    assert "Sentences 2 and 3 are about dimensions PSI Desktop added" in text  # Voice and choice, Transparency
    assert text.count(DOI) == 1 and "not a validated measure" in text
    # The staff page comes last, after the thanks.
    assert text.index(person_paper.FORM_THANKS) < text.index(person_paper.FOR_STAFF)


def test_the_person_form_names_no_case_and_no_dimension(profile, form):
    profile.cases.create(CODE)
    framework = profile.frameworks.latest("psi")
    text = pdftotext(form())
    assert CODE not in text and "For:" not in text, "without a label, no name at all"
    for dimension in framework.dimensions:
        assert dimension.id not in text
        assert dimension.label not in text, dimension.label
    for component in framework.components:
        assert f"{component.label} " not in text.replace("Power Safety Identity", ""), component.label
    assert "Confidential - supervision record" not in text


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_person_form_is_in_large_print_with_boxes_to_tick_by_hand(form, page_size):
    out = form(label="Sam", page_size=page_size)
    sizes = printed_sizes(out)
    assert min(sizes) >= 14, sizes
    body = sizes.most_common(1)[0][0]
    assert body >= 16, sizes
    boxes = [side for side in squares(out) if side >= 28]
    assert len(boxes) == 9 * 6 + 4, "five anchors and 'rather not say' per statement, four change choices"
    assert min(boxes) >= 28.3, "1 cm across"
    assert page_count(out) <= 6


def test_the_label_is_checked(profile):
    assert [str(f) for f in exports.check_label("Mr Smith")] == [
        "the name or initials to print: looks like a title and a name"
    ]
    assert exports.check_label("Sam") == [] and exports.check_label("") == []


# --- the command line --------------------------------------------------------------------------------


@pytest.fixture
def directory(make_profile, tmp_path, monkeypatch):
    profile = make_profile(tmp_path / "profile")
    reflection = filled(profile)
    profile.close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    return tmp_path / "profile", reflection


def run(directory: Path, *args: str) -> int:
    return main(["export", "pdf", *args, "--data-dir", str(directory)])


def test_the_command_line_makes_both_papers(directory, tmp_path, capsys):
    directory, reflection = directory
    form_pdf, summary_pdf = tmp_path / "form.pdf", tmp_path / "summary.pdf"
    assert run(directory, "--kind", "person-form", "--label", "Sam", "--out", str(form_pdf)) == 0
    assert person_view.TITLE in pdftotext(form_pdf)
    args = ["--kind", "summary", "--case", CODE, "--talked-about", "power.choice", "safety.trust", "--label", "K"]
    assert run(directory, *args, "--out", str(summary_pdf)) == 0
    assert f"Wrote {summary_pdf}" in capsys.readouterr().out
    text = pdftotext(summary_pdf)
    assert person_paper.TOPICS["power.choice"] in text and person_paper.TOPICS["safety.trust"] in text
    for canary in LEFT_OUT:
        assert canary not in text, canary
    # --reflection chooses the reflection, and repeated --talked-about add up.
    args = ["--kind", "summary", "--reflection", str(reflection.id), "--talked-about", "power.choice"]
    args += ["--talked-about", "identity.equality", "--force"]
    assert run(directory, *args, "--out", str(summary_pdf)) == 0
    assert person_paper.TOPICS["identity.equality"] in pdftotext(summary_pdf)


def test_the_command_line_warns_or_refuses_what_looks_identifying(directory, tmp_path, capsys):
    directory, _ = directory
    for kind in (["--kind", "person-form"], ["--kind", "summary", "--case", CODE]):
        out = tmp_path / f"{kind[1]}.pdf"
        assert run(directory, *kind, "--label", "Mr Smith", "--strict", "--out", str(out)) == 2
        err = capsys.readouterr().err
        assert "the name or initials to print: looks like a title and a name" in err and "Smith" not in err
        assert not out.exists()
        assert run(directory, *kind, "--label", "Mr Smith", "--out", str(out)) == 0
        assert "warning" in capsys.readouterr().err and out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--kind", "note", "--case", CODE, "--talked-about", "power.choice"],
        ["--kind", "note", "--case", CODE, "--label", "K"],
        ["--kind", "summary", "--case", CODE, "--include-private"],
        ["--kind", "person-form", "--case", CODE],
        ["--kind", "summary", "--case", CODE, "--talked-about", "power.nope"],
        ["--kind", "summary"],
    ],
)
def test_the_command_line_refuses_options_that_do_not_belong(directory, tmp_path, capsys, args):
    directory, _ = directory
    assert run(directory, *args, "--out", str(tmp_path / "x.pdf")) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_line_refuses_the_profile_folder(directory, capsys):
    directory, _ = directory
    assert run(directory, "--kind", "person-form", "--out", str(directory / "form.pdf")) == 2
    assert "own data folder" in capsys.readouterr().err
    assert not (directory / "form.pdf").exists()


def test_each_topic_is_its_statement_put_to_the_person(profile):
    """The summary's topics say what the person form's statements say, in the second person; a statement
    changed in the framework file without its topic fails here."""
    import re

    swaps = {"I": "you", "me": "you", "my": "your", "am": "are"}
    framework = profile.frameworks.latest("psi")
    assert set(person_paper.TOPICS) == set(framework.dimension_ids)
    for dimension in framework.dimensions:
        statement = dimension.easy_read.text.rstrip(".")
        turned = re.sub(r"\b(I|me|my|am)\b", lambda m: swaps[m.group(1)], statement)
        expected = "Whether " + (turned if turned.startswith("you") else turned[0].lower() + turned[1:])
        assert person_paper.TOPICS[dimension.id] == expected, dimension.id
