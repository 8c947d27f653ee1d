"""Search across reflections (issue 17 item 1): answers, actions and amendments on a real store, every
filter, any query taken as plain words, the index kept in step, the migration that fills it, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from psi_desktop.cli import main
from psi_desktop.domain.model import ReflectionStatus
from psi_desktop.domain.search import HitKind, marked, plain, snippet_parts
from psi_desktop.domain.walkthrough import with_answer
from psi_desktop.errors import NotFoundError, ValidationError
from psi_desktop.services.profile import unlock_profile
from psi_desktop.services.search import dimension_choices, find_dimension, search_reflections
from psi_desktop.storage import search as store_search
from psi_desktop.storage.search import fts_query
from tests.conftest import PASSPHRASE

DEMO = "Demo - Ward 3"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def profile(make_profile, tmp_path):
    return make_profile(tmp_path / "p", demo=True)


def _demo(profile):
    case = profile.cases.find(DEMO)
    reflections = profile.cases.reflections(case.id)
    draft = next(r for r in reflections if not r.signed)
    signed = [r for r in reflections if r.signed]
    return case, draft, signed


def _answer(profile, reflection, prompt_id, text):
    return profile.reflections.update(with_answer(reflection, prompt_id, text))


def _found(result):
    return [(h.kind, h.step_id, h.session_date) for h in result.hits]


def test_a_word_is_found_in_an_answer_an_action_and_an_amendment_newest_first(profile):
    case, draft, signed = _demo(profile)
    _answer(profile, draft, "safety.trust", "We talked about the kingfisher poster on the ward.")
    profile.reflections.add_action(draft, "Bring J. the kingfisher leaflet", dimension="safety.trust")
    oldest = signed[0]
    profile.reflections.amend(oldest, "A. Supervisor", "The kingfisher note was in the wrong place", "Relocated it.")

    result = search_reflections(profile, "kingfisher")
    assert result.has_words and not result.more and not result.filtered
    assert _found(result) == [
        (HitKind.ANSWER, "safety", draft.session_date),
        (HitKind.ACTION, "actions", draft.session_date),
        (HitKind.AMENDMENT, "review", oldest.session_date),
    ]
    answer, action, amendment = result.hits
    assert answer.what == "Answer to \u201cIs there trust between us? What has built or broken it?\u201d"
    assert (answer.record, answer.step_label, answer.status) == ("safety.trust", "Safety", ReflectionStatus.DRAFT)
    assert (action.what, action.step_label) == ("Action", "Actions")
    assert (amendment.what, amendment.step_label, amendment.status) == ("Amendment", "Review", ReflectionStatus.SIGNED)
    assert {h.case_code for h in result.hits} == {DEMO} and {h.case_id for h in result.hits} == {case.id}
    assert marked(answer.snippet) == "We talked about the [kingfisher] poster on the ward."
    assert snippet_parts(action.snippet) == [("Bring J. the ", False), ("kingfisher", True), (" leaflet", False)]
    assert "[kingfisher]" in marked(amendment.snippet) and "kingfisher" in plain(amendment.snippet)
    # What changed is searched too, not only the reason.
    assert _found(search_reflections(profile, "relocated")) == [(HitKind.AMENDMENT, "review", oldest.session_date)]


def test_the_demo_case_is_searched_where_its_words_are(profile):
    result = search_reflections(profile, "whiteboard")
    assert [(h.kind, h.step_id) for h in result.hits] == [
        (HitKind.ANSWER, "safety"),
        (HitKind.ANSWER, "actions"),  # "what will I do differently?" is answered on the Actions step
        (HitKind.ACTION, "actions"),
    ]
    dates = [h.session_date for h in search_reflections(profile, "J.").hits]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 6


def test_the_index_follows_actions_changed_and_removed_and_answers_rewritten(profile):
    _case, draft, _signed = _demo(profile)
    action = profile.reflections.add_action(draft, "Bring the heron leaflet")
    assert [h.kind for h in search_reflections(profile, "heron").hits] == [HitKind.ACTION]
    profile.store.actions.save(replace(action, text="Bring the egret leaflet"))
    assert search_reflections(profile, "heron").hits == ()
    assert [h.record for h in search_reflections(profile, "egret").hits] == [str(action.id)]
    profile.reflections.remove_action(draft, action)
    assert search_reflections(profile, "egret").hits == ()
    draft = _answer(profile, draft, "context", "A heron at the window.")
    assert [h.record for h in search_reflections(profile, "heron").hits] == ["context"]
    _answer(profile, draft, "context", "Nothing about birds.")
    assert search_reflections(profile, "heron").hits == ()


def test_every_filter_narrows_the_search(profile):
    case, draft, signed = _demo(profile)
    other = profile.cases.create("Ward 5 - K")
    elsewhere = profile.reflections.start(other.id, session_date=dt.date(2026, 11, 20))
    _answer(profile, elsewhere, "context", "The otter mural again.")
    draft = _answer(profile, draft, "safety.trust", "The otter mural helped.")  # Safety
    draft = _answer(profile, draft, "power.where", "The otter mural was chosen for them.")  # Power
    profile.reflections.add_action(draft, "Ask about the otter mural", dimension="safety.consistency")
    profile.reflections.add_action(draft, "Let J. choose the otter mural", dimension="power.choice")
    profile.reflections.amend(signed[-1], "A. Supervisor", "The otter mural was missed", "Added it.")
    everything = search_reflections(profile, "otter mural")
    assert len(everything.hits) == 6

    def found(**filters):
        result = search_reflections(profile, "otter mural", **filters)
        assert result.filtered
        return sorted((h.case_code, h.kind.value, h.record) for h in result.hits)

    in_demo = found(case_id=case.id)
    assert len(in_demo) == 5 and {c for c, _k, _r in in_demo} == {DEMO}
    assert found(case_id=other.id) == [("Ward 5 - K", "answer", "context")]
    assert found(date_from=dt.date(2026, 11, 18)) == [("Ward 5 - K", "answer", "context")]
    assert found(date_to=dt.date(2026, 11, 17)) == in_demo  # both ends included
    assert found(date_from=draft.session_date, date_to=draft.session_date) == sorted(
        (DEMO, k, r) for k, r in in_demo_records(everything, draft.id)
    )
    assert found(date_from=dt.date(2026, 11, 21)) == []
    assert [k for _c, k, _r in found(status=ReflectionStatus.SIGNED)] == ["amendment"]
    assert len(found(status=ReflectionStatus.DRAFT)) == 5
    assert found(status=ReflectionStatus.DISCUSSED) == []
    trust = found(dimension="safety.trust")  # the Safety step's answers, actions tagged Trust: none
    assert [(k, r) for _c, k, r in trust] == [("answer", "safety.trust")]
    safety = found(dimension="safety")  # the component: its answers, actions tagged with any of its dimensions
    assert sorted(k for _c, k, _r in safety) == ["action", "answer"]
    consistency = found(dimension="safety.consistency")
    assert sorted(k for _c, k, _r in consistency) == ["action", "answer"]
    power = found(dimension="power.choice")
    assert sorted((k, r if k == "answer" else "") for _c, k, r in power) == [("action", ""), ("answer", "power.where")]
    assert found(case_id=other.id, dimension="power") == []  # filters combine
    with pytest.raises(ValidationError, match="after"):
        search_reflections(profile, "otter", date_from=dt.date(2026, 12, 1), date_to=dt.date(2026, 11, 1))
    with pytest.raises(ValidationError):
        search_reflections(profile, "otter", dimension="safety.nothing")
    profile_case = other.id
    assert search_reflections(profile, "otter", case_id=profile_case).hits


def in_demo_records(result, reflection_id):
    return [(h.kind.value, h.record) for h in result.hits if h.reflection_id == reflection_id]


def test_dimensions_are_chosen_by_id_or_name(profile):
    choices = dimension_choices(profile)
    assert [c.label for c in choices[:4]] == [
        "Power (all)",
        "Power: Protective power",
        "Power: Voice and choice",
        "Power: Transparency",
    ]
    assert find_dimension(profile, "trust").id == "safety.trust"
    assert find_dimension(profile, "  SAFETY ").id == "safety"
    assert find_dimension(profile, "Voice and choice").id == "power.choice"
    with pytest.raises(ValidationError, match=r"safety\.trust"):
        find_dimension(profile, "nothing like it")


AWKWARD = [
    '"',
    '""',
    '"kingfisher',
    'kingfisher"',
    "king-fisher",
    "-kingfisher",
    "kingfisher-",
    "*",
    "**kingfisher",
    "kingfish*",
    "NEAR",
    "NEAR(kingfisher leaflet)",
    "kingfisher NEAR/2 leaflet",
    "AND",
    "OR NOT",
    "kingfisher OR",
    "NOT kingfisher",
    "kingfisher AND NOT",
    "(",
    ")kingfisher(",
    "text:kingfisher",
    "^kingfisher",
    "kingfisher's",
    "{kingfisher leaflet}",
    "+",
    "\U0001f642",
    "\U0001f600\U0001f600",
    "kingfisher \U0001f642",
    "",
    "   ",
    "\t\n",
    "caf\u00e9",
    "x" * 5000,
    " ".join(["kingfisher"] * 200),
]


@pytest.mark.parametrize("query", AWKWARD)
def test_any_query_is_plain_words_and_never_an_fts_error(profile, query):
    _case, draft, _signed = _demo(profile)
    _answer(profile, draft, "context", "The kingfisher \U0001f642 leaflet, at the caf\u00e9.")
    result = search_reflections(profile, query)  # never raises
    assert result.has_words == (fts_query(query) is not None)


def test_quotes_hyphens_stars_and_operators_mean_what_a_person_means(profile):
    _case, draft, _signed = _demo(profile)
    _answer(profile, draft, "context", "The kingfisher leaflet about well-being, and NEAR misses.")

    def hits(query):
        return [h.record for h in search_reflections(profile, query).hits]

    assert hits('"kingfisher leaflet"') == ["context"]  # together, in this order
    assert hits('"leaflet kingfisher"') == []
    assert hits("leaflet kingfisher") == ["context"]  # any order
    assert hits('kingfisher "leaflet') == ["context"]  # an unpaired quote is just text
    assert hits("well-being") == hits("well being") == ["context"]
    assert hits("kingfish*") == ["context"] and hits("kingfish") == []
    assert hits("NEAR misses") == ["context"] and hits("kingfisher NOT leaflet") == []  # words, not operators
    assert hits("kingfisher OR heron") == []  # every word must appear
    assert hits("KINGFISHER") == ["context"]
    for nothing in ("", "  ", "*", "-", '"', "()"):
        result = search_reflections(profile, nothing)
        assert (result.hits, result.has_words) == ((), False)


def test_fts_query_quotes_every_word():
    assert fts_query('say "NEAR" it') == '"say" "NEAR" "it"'
    assert fts_query('a "b c" d*') == '"a" "b c" "d" *'
    assert fts_query('x"y') == '"x" "y"'
    assert fts_query('he said "hi') == '"he" "said" "hi"'
    assert fts_query("- * ( ) \"\" ''") is None
    assert fts_query("\U0001f642") == '"\U0001f642"'
    assert len(fts_query(" ".join(f"w{n}" for n in range(100))).split()) == store_search.MAX_WORDS


def test_a_case_or_a_few_weeks_is_searched_whole_beyond_the_window(profile, monkeypatch):
    """Unfiltered, a word in very many rows is looked for among the WINDOW written last, so a search does
    not slow down as a profile grows; within a case (or a few weeks) every row of it is searched."""
    case, draft, _signed = _demo(profile)
    _answer(profile, draft, "context", "The ward round ran late.")
    monkeypatch.setattr(store_search, "WINDOW", 1)
    newest_written = search_reflections(profile, "ward round")
    assert [h.reflection_id for h in newest_written.hits if h.kind is HitKind.ANSWER] == [draft.id]
    in_case = search_reflections(profile, "ward round", case_id=case.id)
    assert len({h.reflection_id for h in in_case.hits}) > 1
    signed_only = search_reflections(profile, "ward round", status=ReflectionStatus.SIGNED)
    assert len([h for h in signed_only.hits if h.kind is HitKind.ANSWER]) == 1  # many reflections: the window


def test_at_most_limit_hits_the_newest_and_more_says_so(profile):
    result = search_reflections(profile, "J.", limit=3)
    assert len(result.hits) == 3 and result.more
    every = search_reflections(profile, "J.")
    assert result.hits == every.hits[:3] and not every.more


def test_a_case_that_is_gone_is_not_found(profile):
    import uuid

    with pytest.raises(NotFoundError):
        search_reflections(profile, "J.", case_id=uuid.uuid4())


def test_the_migration_fills_the_index_from_actions_and_amendments_already_there(tmp_path):
    from tests.faults.test_migrations import _raw

    directory = tmp_path / "profile"
    shutil.copytree(FIXTURES / "store-v5", directory)  # the schema before m006_search_index
    conn = _raw(directory, read_only=False)
    try:
        assert "m006_search_index" not in {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
        (reflection_id,) = conn.execute("SELECT id FROM reflections WHERE status = 'signed' LIMIT 1").fetchone()
        conn.execute(
            "INSERT INTO amendments (id, reflection_id, author, made_at, reason, changes) VALUES (?, ?, ?, ?, ?, ?)",
            [
                "7a0c1c6e-5b8e-4a53-9b61-0d7d8a4a9f10",
                reflection_id,
                "A. Supervisor",
                "2026-12-01T10:00:00Z",
                "Pelican",
                "x",
            ],
        )
        conn.commit()
    finally:
        conn.close()
    with unlock_profile(directory, PASSPHRASE) as profile:
        assert "m006_search_index" in profile.store.schema_migrations()
        assert [h.kind for h in search_reflections(profile, "pelican").hits] == [HitKind.AMENDMENT]
        actions = search_reflections(profile, "whiteboard")
        assert HitKind.ACTION in {h.kind for h in actions.hits}
        assert {h.kind for h in search_reflections(profile, "observation").hits} >= {HitKind.ANSWER, HitKind.ACTION}


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def cli_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    directory = tmp_path / "cli"
    assert main(["--data-dir", str(directory), "init", "--demo"]) == 0
    return directory


def test_the_cli_prints_hits_newest_first_with_the_words_in_brackets(cli_profile, capsys):
    capsys.readouterr()
    assert main(["--data-dir", str(cli_profile), "search", "whiteboard"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "2026-09-22  Demo - Ward 3 (signed)  Safety: "
        "Answer to \u201cWas I consistent? Did I do what I said I would?\u201d"
    )
    assert lines[1].startswith("    ") and "[whiteboard]" in lines[1]
    assert lines[4] == "2026-09-01  Demo - Ward 3 (signed)  Actions: Action"
    assert lines[-1] == "3 matches."


def test_the_cli_prints_json(cli_profile, capsys):
    capsys.readouterr()
    assert main(["--data-dir", str(cli_profile), "search", "whiteboard", "--json", "--case", "demo - ward 3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(h["kind"], h["step"]) for h in out] == [("answer", "safety"), ("answer", "actions"), ("action", "actions")]
    first = out[0]
    assert set(first) == {
        "kind",
        "case",
        "case_id",
        "reflection_id",
        "session_date",
        "status",
        "step",
        "what",
        "prompt_id",
        "snippet",
    }
    assert (first["case"], first["session_date"], first["status"], first["prompt_id"]) == (
        DEMO,
        "2026-09-22",
        "signed",
        "safety.consistent",
    )
    assert "[whiteboard]" in first["snippet"] and "action_id" in out[2]


def test_the_cli_says_no_matches_and_which_filter_to_drop(cli_profile, capsys):
    args = ["--data-dir", str(cli_profile), "search"]
    capsys.readouterr()
    assert main([*args, "nowhere"]) == 0
    assert capsys.readouterr().out == "No matches.\n"
    assert main([*args, "whiteboard", "--status", "draft", "--dimension", "Trust", "--from", "2026-01-01"]) == 0
    assert capsys.readouterr().out == "No matches. Try again without --from or --status or --dimension.\n"
    assert main([*args, "nowhere", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and captured.err == "No matches.\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--case", "Nope"], "There is no case with that code"),
        (["--from", "2026-13-01"], "--from takes a date like 2026-09-01."),
        (["--to", "yesterday"], "--to takes a date like 2026-09-01."),
        (["--from", "2026-12-01", "--to", "2026-01-01"], "after"),
        (["--dimension", "bravery"], "There is no dimension or component by that name"),
    ],
)
def test_the_cli_refuses_what_the_user_can_fix_in_one_line(cli_profile, capsys, extra, message):
    capsys.readouterr()
    assert main(["--data-dir", str(cli_profile), "search", "J.", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("psi-desktop: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("words", [["\"'()*"], ["-"], ['"', "NEAR", "AND"]])
def test_the_cli_takes_any_punctuation(cli_profile, capsys, words):
    capsys.readouterr()
    code = main(["--data-dir", str(cli_profile), "search", *words])
    captured = capsys.readouterr()
    assert "fts5" not in (captured.out + captured.err).lower() and "syntax" not in captured.err
    if code == 2:
        assert captured.err == "psi-desktop: Give at least one word to look for.\n"
    else:
        assert code == 0 and captured.out == "No matches.\n"
