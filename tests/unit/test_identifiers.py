"""What looks identifying: NHS numbers with a valid check digit, dates of birth, titles with names."""

from __future__ import annotations

import pytest

from psi_desktop.domain.identifiers import IdentifierKind, describe, find_identifiers, nhs_number_is_valid


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind.value, text[f.start : f.end]) for f in find_identifiers(text)]


def test_nhs_numbers_need_a_valid_modulus_11_check_digit():
    assert nhs_number_is_valid("9434765919")
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("123456789")
    assert kinds("NHS no 943 476 5919.") == [("nhs_number", "943 476 5919")]
    assert kinds("ref 943-476-5919") == [("nhs_number", "943-476-5919")]
    assert kinds("phone 9434765918 or 19434765919") == []


@pytest.mark.parametrize(
    "text",
    ["DOB 03/04/1984", "D.O.B: 3.4.84", "date of birth 1984-04-03", "born on 3rd March 1984", "Born March 3, 1984"],
)
def test_dates_of_birth(text):
    assert [k for k, _ in kinds(text)] == ["date_of_birth"]


def test_a_date_alone_or_a_birthday_mention_is_not_flagged():
    assert kinds("We met on 12/03/2026 after the birthday party") == []


def test_titles_with_capitalised_surnames():
    assert kinds("Mr Smith, Dr O'Neil and Mrs McDonald-Price") == [
        ("title_and_name", "Mr Smith"),
        ("title_and_name", "Dr O'Neil"),
        ("title_and_name", "Mrs McDonald-Price"),
    ]
    assert kinds("Mr J. said; the person; Demo - Ward 3; Acute inpatient") == []


def test_the_warning_names_what_was_found_without_repeating_it():
    text = "DOB 03/04/1984, NHS 9434765919"
    message = describe(find_identifiers(text))
    assert message.startswith("This looks like it has a date of birth and an NHS number in it.")
    assert "9434765919" not in message and "1984" not in message
    assert describe([]) == ""
    assert {f.kind for f in find_identifiers(text)} == {IdentifierKind.DATE_OF_BIRTH, IdentifierKind.NHS_NUMBER}
