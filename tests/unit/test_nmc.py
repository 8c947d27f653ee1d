"""The NMC forms as data: the questions word for word, the starting points drawn from a signed
reflection (the lowest ratings really the lowest, the gaps of 2 or more), and nothing identifying."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.model import Action, ActionStatus, DistressImpact, Perspective, Reflection
from psi_desktop.domain.nmc import (
    QUESTIONS,
    ReflectiveAccount,
    account_header,
    lowest_rated,
    month,
    relevance_question,
    starting_points,
)
from psi_desktop.frameworks import default_framework

PSI = default_framework()
CASE = uuid.uuid4()


def reflection(practitioner: dict[str, int], supervisor: dict[str, int] | None = None, **fields) -> Reflection:
    ratings = {Perspective.PRACTITIONER: practitioner}
    if supervisor is not None:
        ratings[Perspective.SUPERVISOR] = supervisor
    return Reflection(
        id=uuid.uuid4(),
        case_id=CASE,
        framework_id="psi",
        framework_version=1,
        session_date=dt.date(2026, 9, 22),
        practitioner="Dr A. Jones",
        supervisor="Mr B. Smith",
        ratings=ratings,
        **fields,
    )


def text_of(points) -> str:
    return "\n".join(f"{p.label}: {p.text}" for p in points)


# --- the NMC's words ---------------------------------------------------------------------------------


def test_the_four_questions_are_the_forms_words_with_the_codes_themes_from_the_framework():
    assert QUESTIONS["nature"] == (
        "What was the nature of the CPD activity and/or practice-related feedback and/or event or experience "
        "in your practice?"
    )
    assert QUESTIONS["learned"] == (
        "What did you learn from the CPD activity and/or feedback and/or event or experience in your practice?"
    )
    assert QUESTIONS["changed"] == "How did you change or improve your practice as a result?"
    labels = [t.label for t in PSI.code_themes]
    assert relevance_question(labels) == (
        "How is this relevant to the Code? Select one or more themes: Prioritise people \u2013 Practise effectively "
        "\u2013 Preserve safety \u2013 Promote professionalism and trust"
    )
    assert [t.id for t in PSI.code_themes] == list(CodeTheme)


# --- the lowest ratings --------------------------------------------------------------------------------


def test_lowest_rated_is_only_the_lowest_not_everything_at_two_or_below():
    order = ("a", "b", "c", "d", "e")
    # The old account said "I rated myself lowest on" every dimension rated 2 or less: a, b, c here.
    assert lowest_rated({"a": 2, "b": 1, "c": 2, "d": 3}, order) == (1, ("b",))
    assert lowest_rated({"a": 3, "b": 4, "c": 3}, order) == (3, ("a", "c")), "ties are all named, in order"
    assert lowest_rated({"e": 0, "a": 0}, order) == (0, ("a", "e"))
    assert lowest_rated({}, order) is None
    assert lowest_rated({"zz": 1}, order) is None, "a dimension the framework lacks is not counted"


def test_the_starting_points_name_the_lowest_dimension_and_the_gaps_of_two_or_more():
    ids = PSI.dimension_ids
    own = {d: 2 for d in ids} | {"safety.trust": 1, "identity.equality": 3}
    theirs = dict(own) | {"safety.trust": 3, "power.choice": 0, "identity.equality": 2}
    points = starting_points(reflection(own, theirs), PSI, [], [])
    learned = text_of(points["learned"])
    assert "Your lowest-rated dimension: Trust, rated 1 (A little)." in learned
    assert "Protective power" not in learned.split("lowest-rated")[1], "the dimensions at 2 are not the lowest"
    assert (
        "Dimensions where you and your supervisor differed by 2 or more: "
        "Voice and choice (you 2, your supervisor 0); Trust (you 1, your supervisor 3)." in learned
    )
    assert "Equality" not in learned, "a difference of 1 is not a discussion point"


def test_the_starting_points_say_when_every_dimension_got_the_same_rating_or_there_is_no_gap():
    same = {d: 1 for d in PSI.dimension_ids}
    points = starting_points(reflection(same, dict(same)), PSI, [], [])
    learned = text_of(points["learned"])
    assert "You rated all 9 dimensions the same: 1 (A little)." in learned
    assert "differed by 2 or more: None" in learned
    only_own = text_of(starting_points(reflection(same), PSI, [], [])["learned"])
    assert "differed" not in only_own, "no supervisor ratings, no claim about differences"


def test_the_starting_points_quote_the_practitioners_own_answers_and_the_actions_as_they_stand():
    r = reflection(
        {"safety.trust": 2},
        answers={
            "context": "Night shift, a hard week.",
            "synthesis.helpful": "Asking first.",
            "synthesis.next_time": "Ask.",
        },
        distress_impact={Perspective.PRACTITIONER: DistressImpact.ALLEVIATED},
    )
    agreed = [Action(uuid.uuid4(), CASE, r.id, "Ask before changing the plan", status=ActionStatus.NOT_KEPT)]
    earlier = uuid.uuid4()
    reviewed = [
        Action(uuid.uuid4(), CASE, earlier, "Go back when I say I will", status=ActionStatus.KEPT, reviewed_in=r.id),
        Action(uuid.uuid4(), CASE, earlier, "Write it on the board", status=ActionStatus.NOT_KEPT, reviewed_in=r.id),
    ]
    points = starting_points(r, PSI, agreed, reviewed)
    own = [p for name in points for p in points[name] if p.own_words]
    assert [p.text for p in own] == ["Night shift, a hard week.", "Asking first.", "Ask."]
    assert own[0].label == f"Your answer to \u201c{PSI.prompt('context').text}\u201d"
    changed = text_of(points["changed"])
    assert "Actions from the session before that you kept: \u2022 Go back when I say I will" in changed
    assert "Write it on the board" not in changed, "only the kept ones are 'kept'"
    assert "Ask before changing the plan (not kept)" in changed
    assert "impact on the person's distress: Alleviated." in text_of(points["learned"])
    assert all(not p.own_words for p in points["relevance"])


def test_no_starting_point_names_the_supervisor_the_case_or_the_exact_date():
    r = reflection(
        {d: 2 for d in PSI.dimension_ids},
        {d: 0 for d in PSI.dimension_ids},
        code_themes=(CodeTheme.PRESERVE_SAFETY,),
    )
    points = starting_points(r, PSI, [], [])
    everything = "\n".join(text_of(p) for p in points.values())
    assert "Smith" not in everything and "Jones" not in everything
    assert "22" not in everything and "September 2026" in everything
    assert "Code themes ticked in your reflection: Preserve safety." in everything


def test_an_account_header_has_the_month_and_not_the_case_or_date_unless_linked():
    account = ReflectiveAccount(uuid.uuid4(), "Ward 3 - A", dt.date(2026, 9, 22))
    assert account_header(account, "A. Practitioner") == [("Name", "A. Practitioner"), ("Month", "September 2026")]
    linked = account_header(account, "A. Practitioner", linked=True)
    assert ("Case", "Ward 3 - A") in linked and ("Session date", "22 September 2026") in linked
    assert month(dt.date(2027, 1, 5)) == "January 2027"


def test_an_account_is_written_once_any_answer_has_text_and_untouched_until_then():
    account = ReflectiveAccount(
        uuid.uuid4(),
        "X",
        dt.date(2026, 1, 1),
        themes=[CodeTheme.PRIORITISE_PEOPLE],
        reflection_themes=(CodeTheme.PRIORITISE_PEOPLE,),
    )
    assert not account.written and account.untouched
    account.themes.append(CodeTheme.PRESERVE_SAFETY)
    assert not account.written and not account.untouched
    changed = dataclasses.replace(account, themes=[CodeTheme.PRIORITISE_PEOPLE], changed="  ")
    assert not changed.written
    changed.changed = "I ask first."
    assert changed.written
    with pytest.raises(KeyError):
        account.answer("practitioner")
