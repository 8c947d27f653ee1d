"""The shipped PSI framework file, and how framework files are validated and kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from psi_desktop.domain.framework import CodeTheme, Framework, PromptMarker, PromptRole, Provenance, Source
from psi_desktop.errors import UserFacingError
from psi_desktop.frameworks import (
    FrameworkError,
    FrameworkRegistry,
    default_framework,
    framework_to_data,
    load_framework_file,
    load_frameworks,
    parse_framework,
)
from psi_desktop.paths import resource

# Copied from PRODUCT.md ("The PSI framework, version 1"), not read from psi.json.
EXPECTED_DIMENSIONS = [
    ("power.protective", "power", "Protective power", "paper", ""),
    ("power.choice", "power", "Voice and choice", "proposed", ""),
    ("power.transparency", "power", "Transparency", "proposed", ""),
    ("safety.consistency", "safety", "Consistency", "paper", ""),
    ("safety.felt_safe", "safety", "Felt safety", "paper", ""),
    ("safety.trust", "safety", "Trust", "paper", ""),
    ("identity.personhood", "identity", "Person, not object", "paper", "theme 1"),
    ("identity.equality", "identity", "Equality", "paper", "title"),
    ("identity.positive_self", "identity", "Positive mirroring", "paper", ""),
]
EXPECTED_PROMPTS = [
    ("context", "proposed", ""),
    ("power.where", "proposed", ""),
    ("power.care_or_control", "paper", ""),
    ("power.decisions", "proposed", ""),
    ("power.restrictions", "proposed", ""),
    ("safety.consistent", "paper", ""),
    ("safety.felt_safe", "paper", ""),
    ("safety.trust", "paper", ""),
    ("safety.trauma_echo", "paper", "theme 2"),
    ("identity.person", "paper", "theme 1"),
    ("identity.equal", "paper", "title"),
    ("identity.mirror", "paper", ""),
    ("identity.beyond_diagnosis", "proposed", ""),
    ("synthesis.distress", "paper", ""),
    ("synthesis.helpful", "paper", "theme 3"),
    ("synthesis.next_time", "proposed", ""),
    ("restorative.brought_up", "proposed", "Proctor's restorative function"),
]


@pytest.fixture
def psi_data() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped psi.json."""
    return json.loads(resource("frameworks", "psi.json").read_text(encoding="utf-8"))


@pytest.fixture
def psi() -> Framework:
    return load_framework_file(resource("frameworks", "psi.json"))


def problems_of(data: object) -> str:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data, "test.json")
    return str(caught.value)


# --- the shipped framework ------------------------------------------------------------


def test_shipped_framework_loads_and_is_the_default(psi: Framework) -> None:
    assert psi.key == ("psi", 1)
    assert psi.name == "Power Safety Identity (PSI)"
    assert psi.question == "How far was this true in the relationship during this period?"
    assert default_framework() == psi
    assert load_frameworks().get("psi", 1) == psi


def test_dimensions_are_the_nine_in_product_order_with_their_provenance(
    psi: Framework,
) -> None:
    assert list(psi.dimension_ids) == [d[0] for d in EXPECTED_DIMENSIONS]
    for dim_id, component, label, provenance, note in EXPECTED_DIMENSIONS:
        dimension = psi.dimension(dim_id)
        assert (dimension.component, dimension.label) == (component, label)
        assert dimension.provenance is Provenance(provenance)
        assert dimension.provenance_note == note
        assert dimension.meaning


def test_dimension_meanings_are_worded_as_in_product_md(psi: Framework) -> None:
    assert psi.dimension("power.protective").meaning == ("power used to protect and enable, not to control")
    assert psi.dimension("identity.equality").meaning == 'met as an equal, "like a human being"'
    assert psi.dimension("identity.personhood").provenance_text == "from the paper (theme 1)"


def test_prompts_are_the_seventeen_in_product_order_with_their_provenance(
    psi: Framework,
) -> None:
    assert list(psi.prompt_ids) == [p[0] for p in EXPECTED_PROMPTS]
    for prompt_id, provenance, note in EXPECTED_PROMPTS:
        prompt = psi.prompt(prompt_id)
        assert prompt.provenance is Provenance(provenance), prompt_id
        assert prompt.provenance_note == note, prompt_id
        assert prompt.section == prompt_id.split(".")[0]
    assert psi.prompt("power.care_or_control").text == (
        "Was power used to care and protect, or to control? What made it feel that way?"
    )
    assert psi.prompt("restorative.brought_up").text == "What did this bring up for me?"


def test_every_prompt_says_why_in_one_sentence_without_saying_patient(
    psi: Framework,
) -> None:
    for prompt in psi.prompts:
        assert prompt.why.endswith("."), prompt.id
        assert prompt.why.count(". ") == 0, prompt.id
        assert "patient" not in prompt.why.lower(), prompt.id
    for prompt in psi.prompts:
        if prompt.provenance is Provenance.PAPER:
            assert "study" in prompt.why, prompt.id


def test_markers_sit_on_the_right_prompts(psi: Framework) -> None:
    markers = {p.id: p.marker for p in psi.prompts if p.marker is not None}
    assert markers == {
        "safety.consistent": PromptMarker.OPEN_ACTIONS,
        "safety.trauma_echo": PromptMarker.TRAUMA_ECHO,
        "synthesis.distress": PromptMarker.DISTRESS_IMPACT,
        "synthesis.next_time": PromptMarker.ACTIONS,
        "restorative.brought_up": PromptMarker.WELLBEING,
    }
    assert psi.prompt_with_marker(PromptMarker.ACTIONS) == psi.prompt("synthesis.next_time")


def test_roles_name_the_prompts_summaries_quote(psi: Framework) -> None:
    roles = {p.id: p.role for p in psi.prompts if p.role is not None}
    assert roles == {
        "context": PromptRole.CONTEXT,
        "synthesis.helpful": PromptRole.HELPFUL,
        "synthesis.next_time": PromptRole.NEXT_TIME,
    }
    answers = {"context": "  What happened.  ", "synthesis.next_time": ""}
    assert psi.answer_with_role(answers, PromptRole.CONTEXT) == "What happened."
    assert psi.answer_with_role(answers, PromptRole.NEXT_TIME) == ""
    assert psi.answer_with_role(answers, PromptRole.HELPFUL) == ""


def test_no_service_names_a_prompt_by_its_id(psi: Framework) -> None:
    """Prompt ids come from the framework data: services and reports never spell one out."""
    package = Path(__file__).resolve().parents[2] / "psi_desktop"
    for folder in ("services", "reporting"):
        for module in (package / folder).glob("*.py"):
            code = module.read_text(encoding="utf-8")
            for prompt_id in psi.prompt_ids:
                assert f'"{prompt_id}"' not in code and f"'{prompt_id}'" not in code, (module.name, prompt_id)


def test_scale_runs_from_not_at_all_to_fully(psi: Framework) -> None:
    assert [(p.value, p.label) for p in psi.scale] == [
        (0, "Not at all"),
        (1, "A little"),
        (2, "Partly"),
        (3, "Mostly"),
        (4, "Fully"),
    ]
    assert (psi.scale_min, psi.scale_max) == (0, 4)
    assert psi.scale_label(3) == "Mostly"
    with pytest.raises(KeyError):
        psi.scale_label(5)


def test_each_component_has_three_dimensions_and_a_section(psi: Framework) -> None:
    assert [c.id for c in psi.components] == ["power", "safety", "identity"]
    assert [c.colour for c in psi.components] == ["#0072B2", "#009E73", "#D55E00"]
    assert psi.component("power").tagline == "care rather than control"
    for component in psi.components:
        assert len(psi.dimensions_of(component.id)) == 3
        assert psi.component_for_section(component.id) == component
    assert psi.component_for_section("synthesis") is None
    assert [s.id for s in psi.sections] == [
        "context",
        "power",
        "safety",
        "identity",
        "synthesis",
        "restorative",
    ]
    assert [p.id for p in psi.prompts_of("power")] == [
        "power.where",
        "power.care_or_control",
        "power.decisions",
        "power.restrictions",
    ]


def test_code_themes_and_suggestions(psi: Framework) -> None:
    assert [t.id for t in psi.code_themes] == list(CodeTheme)
    assert psi.code_theme_label(CodeTheme.PRESERVE_SAFETY) == "Preserve safety"
    assert psi.dimension("power.protective").code_theme is CodeTheme.PRESERVE_SAFETY
    assert psi.dimension("power.choice").code_theme is CodeTheme.PRIORITISE_PEOPLE


def test_source_citation_is_one_line(psi: Framework) -> None:
    citation = psi.source.citation
    assert "\n" not in citation
    assert "2020;93(2):367-386" in citation
    assert citation.endswith("doi:10.1111/papt.12218.")


def test_citation_names_the_authors_when_the_framework_gives_them(psi_data: dict) -> None:
    psi_data["source"]["authors"] = ["Surname AB", "Other CD"]
    cited = parse_framework(psi_data)
    assert cited.source.authors == ("Surname AB", "Other CD")
    assert cited.source.citation.startswith('Surname AB, Other CD. "')
    assert framework_to_data(cited)["source"]["authors"] == ["Surname AB", "Other CD"]
    # Authors and roles name things; they change no question, so the same framework without them is equal
    # (a bundle from a build that did not record them imports).
    assert cited == default_framework()
    assert Source("T", "J", 2020, "", "", "").citation == '"T." J 2020.'


def test_authors_must_be_a_list_of_names(psi_data: dict) -> None:
    psi_data["source"]["authors"] = "Surname AB"
    assert "source.authors: expected a list of names, found the text 'Surname AB'" in problems_of(psi_data)
    psi_data["source"]["authors"] = ["Surname AB", " "]
    assert "source.authors: entry 1: must not be empty" in problems_of(psi_data)


def test_every_dimension_has_an_easy_read_statement_of_ours_in_the_first_person(psi: Framework) -> None:
    assert psi.has_easy_read
    for dimension in psi.dimensions:
        statement = dimension.easy_read
        assert statement is not None and statement.provenance is Provenance.PROPOSED  # the paper gives no wording
        words = statement.text.rstrip(".").split()
        assert statement.text.endswith(".") and len(words) <= 14, statement.text  # short, one idea
        assert {"I", "me", "my"} & set(words), statement.text  # the person speaks
        assert "patient" not in statement.text.lower()
    assert psi.dimension("identity.personhood").easy_read.text == "Staff treated me as a person, not a number."


def test_easy_read_statements_are_checked_and_may_be_absent(psi_data: dict) -> None:
    psi_data["dimensions"][0]["easy_read"] = {"text": " ", "provenance": "maybe"}
    found = problems_of(psi_data)
    assert "dimensions[0].easy_read.text: must not be empty" in found
    assert "dimensions[0].easy_read.provenance: expected one of" in found
    psi_data["dimensions"][0]["easy_read"] = {"text": "I was heard.", "provenance": "proposed", "extra": 1}
    assert "dimensions[0].easy_read.extra: unknown key" in problems_of(psi_data)
    for dimension in psi_data["dimensions"]:
        del dimension["easy_read"]
    without = parse_framework(psi_data)
    assert not without.has_easy_read and "easy_read" not in framework_to_data(without)["dimensions"][0]
    assert without == default_framework()  # a bundle from before the statements brings the same framework


def test_unknown_ids_raise_key_error(psi: Framework) -> None:
    with pytest.raises(KeyError):
        psi.dimension("power.nope")
    with pytest.raises(KeyError):
        psi.prompt("nope")
    with pytest.raises(KeyError):
        psi.component("nope")


def test_framework_round_trips_through_its_document(psi: Framework, psi_data: dict) -> None:
    assert framework_to_data(psi) == psi_data
    assert parse_framework(framework_to_data(psi)) == psi


def test_provenance_labels() -> None:
    assert Provenance.PAPER.label == "from the paper"
    assert Provenance.PROPOSED.label == "proposed"


# --- validation -----------------------------------------------------------------------


def test_framework_error_is_user_facing() -> None:
    assert issubclass(FrameworkError, UserFacingError)


def test_not_an_object() -> None:
    assert "test.json: (top level): expected an object" in problems_of([1, 2])


def test_duplicate_dimension_id(psi_data: dict) -> None:
    psi_data["dimensions"][4]["id"] = "power.choice"
    message = problems_of(psi_data)
    assert "test.json: dimensions[4].id: duplicate id 'power.choice'" in message
    assert "dimensions[1]" in message


def test_duplicate_prompt_and_section_ids(psi_data: dict) -> None:
    psi_data["prompts"][2]["id"] = "power.where"
    psi_data["sections"][5]["id"] = "context"
    message = problems_of(psi_data)
    assert "prompts[2].id: duplicate id 'power.where'" in message
    assert "sections[5].id: duplicate id 'context'" in message


def test_unknown_component_reference(psi_data: dict) -> None:
    psi_data["dimensions"][2]["component"] = "powr"
    assert "dimensions[2].component: 'powr' is not one of the component ids" in problems_of(psi_data)


def test_unknown_section_marker_provenance_and_code_theme(psi_data: dict) -> None:
    psi_data["prompts"][0]["section"] = "contxt"
    psi_data["prompts"][1]["marker"] = "sparkles"
    psi_data["prompts"][2]["provenance"] = "folklore"
    psi_data["dimensions"][0]["code_theme"] = "be_nice"
    message = problems_of(psi_data)
    assert "prompts[0].section: 'contxt' is not one of the section ids" in message
    assert "prompts[1].marker: expected one of trauma_echo" in message
    assert "prompts[2].provenance: expected one of paper, proposed" in message
    assert "dimensions[0].code_theme: expected one of prioritise_people" in message


def test_missing_label(psi_data: dict) -> None:
    del psi_data["dimensions"][3]["label"]
    assert "test.json: dimensions[3].label: missing" in problems_of(psi_data)


def test_empty_prompt_text(psi_data: dict) -> None:
    psi_data["prompts"][5]["text"] = "   "
    assert "prompts[5].text: must not be empty" in problems_of(psi_data)


def test_scale_with_a_gap(psi_data: dict) -> None:
    psi_data["scale"][2]["value"] = 3
    psi_data["scale"][3]["value"] = 4
    del psi_data["scale"][4]
    message = problems_of(psi_data)
    assert "scale[2].value: expected 2, found 3" in message
    assert message.count("scale[") == 1  # one gap is reported once


def test_scale_not_starting_at_zero(psi_data: dict) -> None:
    for point in psi_data["scale"]:
        point["value"] += 1
    assert "scale[0].value: expected 0, found 1" in problems_of(psi_data)


def test_scale_needs_two_points_with_labels(psi_data: dict) -> None:
    psi_data["scale"] = [{"value": 0, "label": ""}]
    message = problems_of(psi_data)
    assert "scale: needs at least 2 entries, found 1" in message
    assert "scale[0].label: must not be empty" in message


def test_version_must_be_a_number_not_a_bool(psi_data: dict) -> None:
    psi_data["version"] = True
    assert "version: expected a whole number, found true" in problems_of(psi_data)
    psi_data["version"] = 0
    assert "version: must be 1 or more, found 0" in problems_of(psi_data)


def test_bad_id_and_format(psi_data: dict) -> None:
    psi_data["id"] = "PSI model"
    psi_data["format"] = "something-else"
    del psi_data["format_version"]
    message = problems_of(psi_data)
    assert "test.json: id: 'PSI model' is not a valid id" in message
    assert "format: expected 'psi-desktop-framework'" in message
    assert "format_version: missing" in message


def test_newer_format_version_names_both_versions(psi_data: dict) -> None:
    psi_data["format_version"] = 2
    message = problems_of(psi_data)
    assert "format 2" in message
    assert "format 1" in message


def test_unknown_top_level_key(psi_data: dict) -> None:
    psi_data["dimesions"] = []
    assert "test.json: dimesions: unknown key" in problems_of(psi_data)


def test_bad_colour(psi_data: dict) -> None:
    psi_data["components"][1]["colour"] = "green"
    assert 'components[1].colour: expected a colour written "#RRGGBB"' in problems_of(psi_data)


def test_component_without_dimensions(psi_data: dict) -> None:
    psi_data["components"].append({"id": "hope", "label": "Hope", "tagline": "a future", "colour": "#CC79A7"})
    assert "components[3]: component 'hope' has no dimensions" in problems_of(psi_data)


def test_marker_used_twice(psi_data: dict) -> None:
    psi_data["prompts"][0]["marker"] = "actions"
    assert "prompts[15].marker: 'actions' is already used by prompts[0]" in problems_of(psi_data)


def test_role_is_optional_known_and_used_once(psi_data: dict) -> None:
    without = copy.deepcopy(psi_data)
    for prompt in without["prompts"]:
        prompt.pop("role", None)
    assert parse_framework(without).prompt_with_role(PromptRole.CONTEXT) is None
    psi_data["prompts"][1]["role"] = "feelings"
    assert "prompts[1].role: expected one of context, helpful, next_time; found the text 'feelings'" in problems_of(
        psi_data
    )
    psi_data["prompts"][1]["role"] = "context"
    assert "prompts[1].role: 'context' is already used by prompts[0]" in problems_of(psi_data)


def test_two_problems_are_both_reported(psi_data: dict) -> None:
    del psi_data["components"][0]["label"]
    psi_data["prompts"][16]["why"] = 42
    with pytest.raises(FrameworkError) as caught:
        parse_framework(psi_data, "test.json")
    error = caught.value
    assert error.problems == (
        "test.json: components[0].label: missing",
        "test.json: prompts[16].why: expected text, found the number 42",
    )
    lines = str(error).splitlines()
    assert "2 problems" in lines[0]
    assert lines[1:] == list(error.problems)


def test_bad_json_file_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "psi-desktop-framework",\n  "id": psi\n}\n', encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework_file(path)
    message = str(caught.value)
    assert "broken.json: line 3, column 9: not valid JSON" in message
    assert str(tmp_path) not in message  # the file name, not the path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match=r"gone\.json was not found"):
        load_framework_file(tmp_path / "gone.json")


def test_invalid_file_is_named_in_its_problems(tmp_path: Path, psi_data: dict) -> None:
    del psi_data["question"]
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(psi_data), encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"mine\.json: question: missing"):
        load_framework_file(path)


# --- registry -------------------------------------------------------------------------


def write(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def test_two_versions_sit_side_by_side(tmp_path: Path, psi_data: dict) -> None:
    write(tmp_path / "psi.json", psi_data)
    version_2 = copy.deepcopy(psi_data)
    version_2["version"] = 2
    version_2["question"] = "How true was this?"
    write(tmp_path / "psi-v2.json", version_2)

    registry = load_frameworks(tmp_path)

    assert len(registry) == 2
    assert registry.get("psi", 1).question.startswith("How far was this true")
    assert registry.get("psi", 2).question == "How true was this?"
    assert registry.latest("psi").version == 2
    assert [f.key for f in registry.all()] == [("psi", 1), ("psi", 2)]
    assert ("psi", 1) in registry


def test_missing_framework_version_is_explained(tmp_path: Path, psi_data: dict) -> None:
    write(tmp_path / "psi.json", psi_data)
    registry = load_frameworks(tmp_path)
    with pytest.raises(FrameworkError, match="version 3, which this build does not have"):
        registry.get("psi", 3)
    with pytest.raises(FrameworkError, match="no framework 'other'"):
        registry.latest("other")


def test_duplicate_id_and_version_across_files_is_refused(tmp_path: Path, psi_data: dict) -> None:
    write(tmp_path / "a.json", psi_data)
    write(tmp_path / "b.json", psi_data)
    with pytest.raises(FrameworkError) as caught:
        load_frameworks(tmp_path)
    message = str(caught.value)
    assert "b.json" in message
    assert "already defined in a.json" in message


def test_registry_refuses_duplicates_directly(psi: Framework) -> None:
    with pytest.raises(FrameworkError, match="defined twice"):
        FrameworkRegistry([psi, psi])


def test_problems_in_several_files_are_reported_together(tmp_path: Path, psi_data: dict) -> None:
    write(tmp_path / "good.json", psi_data)
    (tmp_path / "bad1.json").write_text("{", encoding="utf-8")
    bad2 = copy.deepcopy(psi_data)
    bad2["version"] = 2
    del bad2["name"]
    write(tmp_path / "bad2.json", bad2)
    with pytest.raises(FrameworkError) as caught:
        load_frameworks(tmp_path)
    message = str(caught.value)
    assert "bad1.json: line 1" in message
    assert "bad2.json: name: missing" in message


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="no framework files"):
        load_frameworks(tmp_path)
    with pytest.raises(FrameworkError, match="missing"):
        load_frameworks(tmp_path / "nowhere")
