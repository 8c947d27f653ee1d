"""Spotting text that looks identifying: NHS numbers, dates of birth, a title with a surname.

The NMC forbids identifiable information in reflective accounts. These checks warn; they never
block, and they never log or repeat what they found anywhere but back to the person who typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class IdentifierKind(StrEnum):
    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    TITLE_AND_NAME = "title_and_name"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    IdentifierKind.NHS_NUMBER: "an NHS number",
    IdentifierKind.DATE_OF_BIRTH: "a date of birth",
    IdentifierKind.TITLE_AND_NAME: "a title and a name",
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: IdentifierKind
    start: int
    end: int


_NHS = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{2,4}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"
)
_DOB = re.compile(
    rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?)\s*[:\-]?\s*(?:on\s+)?{_DATE}",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lady|Lord)\.?\s+"
    r"(?:O['\u2019]|Mc|Mac)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"
)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_identifiers(text: str) -> list[Finding]:
    """Every place in ``text`` that looks identifying, in order."""
    found = [
        Finding(IdentifierKind.NHS_NUMBER, m.start(), m.end())
        for m in _NHS.finditer(text)
        if nhs_number_is_valid("".join(m.groups()))
    ]
    found += [Finding(IdentifierKind.DATE_OF_BIRTH, m.start(), m.end()) for m in _DOB.finditer(text)]
    found += [Finding(IdentifierKind.TITLE_AND_NAME, m.start(), m.end()) for m in _TITLE.finditer(text)]
    return sorted(found, key=lambda f: (f.start, f.end))


def describe(findings: list[Finding]) -> str:
    """A calm one-line warning, e.g. "This looks like it has an NHS number and a date of birth in it"."""
    kinds = list(dict.fromkeys(f.kind.label for f in findings))
    if not kinds:
        return ""
    listed = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    return f"This looks like it has {listed} in it. Records should not identify anyone; use a code instead."
