"""Honest paper (issue 14): every document cites the paper once, marks where each prompt and dimension
comes from, names an estimate as one, marks or leaves out drafts; the case report's distress, gaps and
action history and the note's last-time actions and sign-off, read back from real PDFs of the demo case.

Expected values are worked out here from the demo's own bundle file, not by the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from statistics import fmean

import pytest
from pypdf import PdfReader

from psi_desktop.domain.model import DistressImpact, Perspective, ServiceUserSource
from psi_desktop.frameworks import default_framework
from psi_desktop.services import exports
from psi_desktop.services.demo import demo_document

DEMO = "Demo - Ward 3"
DOI = "10.1111/papt.12218"
NOT_VALIDATED = "PSI Desktop is a reflective aid built from the paper's model, not a validated measure."
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
LABELS = {"told_me": "they told me", "feedback_form": "feedback form", "estimate": "your estimate"}


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(path) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(path).pages))


def layout_lines(path) -> list[str]:
    """pdftotext -layout, one table row a line, runs of spaces made one."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]


def long_day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def mark(item) -> str:
    """The provenance mark as the issue asks for it: "from the paper" or "proposed", with its note."""
    return f"{item.provenance.label}, {item.provenance_note}" if item.provenance_note else item.provenance.label


@pytest.fixture
def demo(make_profile, tmp_path):
    profile = make_profile(tmp_path / "profile", demo=True)
    case = profile.cases.find(DEMO)
    return profile, case, demo_document()


@pytest.fixture(scope="module")
def framework():
    return default_framework()


def cited_once(text: str) -> None:
    assert text.count(DOI) == 1
    assert text.count("Psychology and Psychotherapy: Theory, Research and Practice 2020;93(2):367-386") == 1
    assert "Like a human being, I was an equal, I wasn't just a patient" in text
    assert text.count(NOT_VALIDATED) == 1


# --- the supervision note --------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_note_cites_the_paper_once_and_marks_every_prompt_and_dimension(demo, framework, tmp_path, page_size):
    profile, _case, doc = demo
    first = doc["reflections"][0]
    out = exports.export_note(profile, profile.reflections.get(first["id"]).id, tmp_path / "n.pdf", page_size=page_size)
    text = pdf_text(out)
    cited_once(text)
    for prompt in framework.prompts:
        if prompt.section == "restorative":
            assert prompt.text not in text  # private unless chosen
            continue
        assert f"{flat(prompt.text)} ({mark(prompt)})" in text, prompt.id
    for dimension in framework.dimensions:  # in the ratings table, beside the label
        assert f"{dimension.label} ({mark(dimension)})" in text, dimension.id


def test_the_note_lists_last_times_actions_as_marked_in_this_session(demo, tmp_path):
    profile, _case, doc = demo
    second = doc["reflections"][1]
    looked_back = [a for a in doc["actions"] if a["reflection_id"] == doc["reflections"][0]["id"]]
    assert {a["status"] for a in looked_back} == {"kept", "not_kept"}  # what the demo offers
    out = exports.export_note(profile, profile.reflections.get(second["id"]).id, tmp_path / "n.pdf")
    text = pdf_text(out)
    assert "Actions agreed last time, as marked in this session:" in text
    for action in looked_back:
        status = {"kept": "Kept", "not_kept": "Not kept"}[action["status"]]
        assert f"{flat(action['text'])} \u2014 {status}" in text
    # It sits under "Was I consistent?", the question it is evidence for.
    consistent = text.index("Was I consistent? Did I do what I said I would?")
    assert consistent < text.index("Actions agreed last time") < text.index("Did the person feel safe with me?")


def test_an_action_not_marked_yet_says_so(demo, tmp_path):
    profile, _case, doc = demo
    draft = doc["reflections"][-1]
    (still_open,) = [a for a in doc["actions"] if a["status"] == "open"]
    out = exports.export_note(profile, profile.reflections.get(draft["id"]).id, tmp_path / "n.pdf")
    assert f"{flat(still_open['text'])} \u2014 Not marked in this session" in pdf_text(out)


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_sign_off_names_both_with_roles_lines_to_sign_and_how_to_check(demo, tmp_path, page_size):
    profile, _case, doc = demo
    signed = doc["reflections"][1]
    out = exports.export_note(
        profile, profile.reflections.get(signed["id"]).id, tmp_path / "n.pdf", page_size=page_size
    )
    text = pdf_text(out)
    lines = layout_lines(out)
    assert "Role Name Signature Date" in lines
    assert any(re.fullmatch(r"Practitioner \(supervisee\) A\. Practitioner _{10,} _{6,}", line) for line in lines)
    assert any(re.fullmatch(r"Clinical supervisor B\. Supervisor _{10,} _{6,}", line) for line in lines)
    assert f"Signed in PSI Desktop by B. Supervisor (clinical supervisor) on {long_day(signed['session_date'])}" in text
    fingerprint = signed["signature"]["content_sha256"]
    assert f"Record fingerprint (SHA-256): {fingerprint}" in text
    assert "The fingerprint is not a signature." in text
    assert "check it with psi-desktop verify FILE.pdf" in text
    # The hash is apart from the signatures: not on a "Signed ..." line, and after the sign-off table.
    assert not any(fingerprint in line and "Signed" in line for line in lines)
    assert text.index("Clinical supervisor B. Supervisor") < text.index(fingerprint)
    assert "Content SHA-256" not in text


def test_a_note_names_an_estimate_as_one_everywhere(demo, tmp_path):
    profile, _case, doc = demo
    (estimated,) = [r for r in doc["reflections"] if r["service_user_source"] == "estimate"]
    out = exports.export_note(profile, profile.reflections.get(estimated["id"]).id, tmp_path / "n.pdf")
    text = pdf_text(out)
    assert "Service user (your estimate)" in text  # the ratings table's column
    assert not re.search(r"Service user(?!s)(?! \(your estimate\))", text)


# --- the case report -------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_case_report_cites_once_and_marks_dimensions_and_quoted_prompts(demo, framework, tmp_path, page_size):
    profile, case, doc = demo
    out = exports.export_case_report(profile, case.id, tmp_path / "c.pdf", page_size=page_size)
    text = pdf_text(out)
    cited_once(text)
    lines = layout_lines(out)
    for dimension in framework.dimensions:  # the dimensions table: label, meaning and source on one row
        starts = (dimension.label.split()[0], " ".join(dimension.meaning.split()[:2]))
        row = [line for line in lines if all(part in line for part in starts)]
        assert row and dimension.provenance.label in row[0], (dimension.id, row)
        if dimension.provenance.label == "from the paper":
            assert "proposed" not in row[0]
    signed = [r for r in doc["reflections"] if r["status"] == "signed"]
    # The summaries quote two prompts, each with its mark.
    assert text.count("What happened (proposed):") == len(signed)
    assert text.count("Next time (proposed):") == len(signed)
    distress = framework.prompt("synthesis.distress")
    assert f"{flat(distress.text)} (from the paper)" in text


def test_drafts_are_left_out_of_the_case_report_by_default_and_marked_when_chosen(demo, tmp_path):
    profile, case, doc = demo
    (draft,) = [r for r in doc["reflections"] if r["status"] == "draft"]
    day = long_day(draft["session_date"])
    left_out = pdf_text(exports.export_case_report(profile, case.id, tmp_path / "a.pdf"))
    assert f"Drafts left out. 1 reflection(s) not signed yet ({day})" in left_out
    assert left_out.count(day) == 1  # only where it is named as left out
    assert "DRAFT - not signed" not in left_out

    out = exports.export_case_report(profile, case.id, tmp_path / "b.pdf", include_drafts=True)
    pages = [page.extract_text() for page in PdfReader(out).pages]
    text = flat(" ".join(pages))
    assert "Includes drafts." in text and "Drafts left out" not in text
    assert f"{day} (draft)" in text  # in the distress table
    assert f"{day} - Draft (draft: not signed, can still change)" in text
    marked = [p for p in pages if "DRAFT - not signed" in p]
    assert marked and all(day in flat(p) for p in marked)  # only the pages that hold it
    assert len(marked) < len(pages)


def test_the_case_reports_distress_table_per_perspective(demo, tmp_path):
    profile, case, doc = demo
    lines = layout_lines(exports.export_case_report(profile, case.id, tmp_path / "c.pdf"))
    start = lines.index("Session Practitioner Supervisor Service user")
    for reflection in (r for r in doc["reflections"] if r["status"] == "signed"):
        cells = []
        for perspective in ("practitioner", "supervisor", "service_user"):
            impact = reflection["distress_impact"].get(perspective)
            cell = impact.capitalize() if impact else "–"
            if impact and perspective == "service_user":
                cell += f" ({LABELS[reflection['service_user_source']]})"
            cells.append(cell)
        assert f"{long_day(reflection['session_date'])} {' '.join(cells)}" in lines[start : start + 8]


def test_an_estimated_impact_on_distress_says_so_in_its_cell(demo, tmp_path):
    profile, case, doc = demo
    (draft_doc,) = [r for r in doc["reflections"] if r["status"] == "draft"]
    draft = profile.reflections.get(draft_doc["id"])
    impacts = {**draft.distress_impact, Perspective.SERVICE_USER: DistressImpact.MAINTAINED}
    profile.store.reflections.save(
        dataclasses.replace(draft, service_user_source=ServiceUserSource.ESTIMATE, distress_impact=impacts)
    )
    out = exports.export_case_report(profile, case.id, tmp_path / "c.pdf", include_drafts=True)
    day = long_day(draft_doc["session_date"])
    assert f"{day} (draft) Alleviated – Maintained (your estimate)" in layout_lines(out)


def test_the_case_reports_gaps_between_perspectives_over_time(demo, framework, tmp_path):
    profile, case, doc = demo
    text = pdf_text(exports.export_case_report(profile, case.id, tmp_path / "c.pdf"))
    section = text[text.index("Gaps between perspectives over time") :]
    rows = 0
    for reflection in (r for r in doc["reflections"] if r["status"] == "signed"):
        own = reflection["ratings"]["practitioner"]
        for other, name in (("supervisor", "Supervisor"), ("service_user", "Service user")):
            theirs = reflection["ratings"].get(other) or {}
            shared = [d for d in framework.dimension_ids if d in own and d in theirs]
            if not shared:
                continue
            if other == "service_user":
                name += f" ({LABELS[reflection['service_user_source']]})"
            mean = fmean(abs(own[d] - theirs[d]) for d in shared)
            apart = [framework.dimension(d).label for d in shared if abs(own[d] - theirs[d]) >= 2]
            row = f"{long_day(reflection['session_date'])} {name} {mean:.1f} {', '.join(apart) or 'none'}"
            assert row in section, row
            rows += 1
    assert rows == 8  # five sessions with the supervisor, three with the person's view


def test_the_case_reports_action_history_says_what_was_kept(demo, tmp_path):
    profile, case, doc = demo
    out = exports.export_case_report(profile, case.id, tmp_path / "c.pdf")
    text = pdf_text(out)
    history = text[text.index("Action history") :]
    dates = {r["id"]: long_day(r["session_date"]) for r in doc["reflections"]}
    tally = {s: sum(a["status"] == s for a in doc["actions"]) for s in ("open", "kept", "not_kept", "dropped")}
    assert f"{len(doc['actions'])} action(s): {tally['open']} open, {tally['kept']} kept, " in history
    outcome = {"kept": "Kept", "not_kept": "Not kept", "dropped": "Dropped", "open": "Open: not marked yet"}
    lines = layout_lines(out)
    for action in doc["actions"]:
        words = action["text"].split()
        # The row's first line: agreed date, the action's first words, then the outcome's first word.
        row = [line for line in lines if line.startswith(f"{dates[action['reflection_id']].rsplit(' ', 1)[0]}")
               and " ".join(words[:2]) in line]  # fmt: skip
        assert row, action["text"]
        assert outcome[action["status"]].split()[0] in row[0], (row[0], action["status"])
        if action["reviewed_in"]:
            assert dates[action["reviewed_in"]].rsplit(" ", 1)[0] in row[0]


def test_the_case_report_names_the_estimate_in_tables_and_summaries(demo, tmp_path):
    profile, case, doc = demo
    text = pdf_text(exports.export_case_report(profile, case.id, tmp_path / "c.pdf"))
    (estimated,) = [r for r in doc["reflections"] if r["service_user_source"] == "estimate"]
    day = long_day(estimated["session_date"])
    assert f"{day} Service user (your estimate)" in text  # the gaps table
    assert not re.search(rf"{day} Service user(?! \(your estimate\))", text)
    assert "Service user (your estimate): Power" in text  # the summary's means


# --- the portfolio pack ----------------------------------------------------------------------------


def test_the_pack_cites_the_paper_once_on_its_cover(demo, framework, tmp_path):
    profile, case, _doc = demo
    draft = exports.portfolio_draft(profile, [case.id])
    out = exports.export_portfolio(profile, draft, tmp_path / "p.pdf")
    pages = [flat(page.extract_text()) for page in PdfReader(out).pages]
    cited_once(" ".join(pages))
    assert DOI in pages[0]
    text = " ".join(pages)
    for dimension in framework.dimensions:  # every note's ratings table in the pack
        assert text.count(f"{dimension.label} ({mark(dimension)})") == len(draft.reflection_ids)
