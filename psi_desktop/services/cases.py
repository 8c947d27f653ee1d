"""Cases: create, rename, archive, list, and what the case page shows."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from psi_desktop.domain.model import (
    Action,
    ActionStatus,
    Case,
    CaseSummary,
    Reflection,
    ReflectionOutline,
    SearchHit,
    new_id,
)
from psi_desktop.domain.text import is_unicode, one_line
from psi_desktop.errors import ValidationError
from psi_desktop.frameworks import FrameworkRegistry
from psi_desktop.storage import Store

MAX_CODE_LENGTH = 40
MAX_SETTING_LENGTH = 80


def clean_code(code: str) -> str:
    """A case code as stored: trimmed, inner white space folded; refused when empty or too long."""
    code = one_line(code)
    if not code:
        raise ValidationError("Enter a case code, such as \u201cWard 3 - A\u201d.")
    if len(code) > MAX_CODE_LENGTH:
        raise ValidationError(f"Keep the case code to {MAX_CODE_LENGTH} characters or fewer.")
    return code


def clean_setting(setting: str) -> str:
    setting = one_line(setting)
    if len(setting) > MAX_SETTING_LENGTH:
        raise ValidationError(f"Keep the setting to {MAX_SETTING_LENGTH} characters or fewer.")
    return setting


def find_case(store: Store, code: str) -> Case | None:
    """The case a typed code names (folded as codes are stored), for every command that takes one."""
    code = one_line(code)
    return store.cases.by_code(code) if code and is_unicode(code) else None


class CaseService:
    def __init__(self, store: Store, frameworks: FrameworkRegistry) -> None:
        self._store = store
        self._frameworks = frameworks

    def create(self, code: str, setting: str = "", *, opened_on: dt.date | None = None) -> Case:
        case = Case(
            id=new_id(),
            code=clean_code(code),
            setting=clean_setting(setting),
            opened_on=opened_on or dt.date.today(),
        )
        self._store.cases.add(case)
        return case

    def get(self, case_id: uuid.UUID) -> Case:
        return self._store.cases.get(case_id)

    def find(self, code: str) -> Case | None:
        return find_case(self._store, code)

    def rename(self, case_id: uuid.UUID, code: str) -> Case:
        case = replace(self.get(case_id), code=clean_code(code))
        self._store.cases.update(case)
        return case

    def change_setting(self, case_id: uuid.UUID, setting: str) -> Case:
        case = replace(self.get(case_id), setting=clean_setting(setting))
        self._store.cases.update(case)
        return case

    def archive(self, case_id: uuid.UUID, on: dt.date | None = None) -> Case:
        case = replace(self.get(case_id), closed_on=on or dt.date.today())
        self._store.cases.update(case)
        return case

    def unarchive(self, case_id: uuid.UUID) -> Case:
        case = replace(self.get(case_id), closed_on=None)
        self._store.cases.update(case)
        return case

    def summaries(self, *, include_archived: bool = True, today: dt.date | None = None) -> list[CaseSummary]:
        """Every case with its figures; actions open and due before ``today`` (the computer's date) are overdue."""
        found = self._store.cases.summaries(today)
        return found if include_archived else [s for s in found if not s.case.archived]

    def reflections(self, case_id: uuid.UUID) -> list[Reflection]:
        """The case's reflections, oldest first."""
        return self._store.reflections.for_case(case_id)

    def reflection_outlines(self, case_id: uuid.UUID) -> list[ReflectionOutline]:
        """The case's reflections as its list names them (date, status, signature, saved), oldest first, in one
        statement: a case of 500 reflections lists without reading their answers."""
        return self._store.reflections.outlines(case_id)

    def outlines(self) -> dict[uuid.UUID, list[ReflectionOutline]]:
        """Every case's reflections as a list names them (id, date, status), oldest first, in one statement."""
        by_case: dict[uuid.UUID, list[ReflectionOutline]] = {}
        for outline in self._store.reflections.outlines():
            by_case.setdefault(outline.case_id, []).append(outline)
        return by_case

    def actions(self, case_id: uuid.UUID, status: ActionStatus | None = None) -> list[Action]:
        return self._store.actions.for_case(case_id, status)

    def search(self, query: str) -> list[SearchHit]:
        return self._store.reflections.search(query)
