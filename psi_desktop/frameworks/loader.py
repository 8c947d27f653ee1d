"""Load framework files, validate them fully, and keep them by (id, version)."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from psi_desktop.domain.framework import (
    CodeTheme,
    CodeThemeInfo,
    Component,
    Dimension,
    EasyRead,
    Framework,
    Prompt,
    PromptMarker,
    PromptRole,
    Provenance,
    ScalePoint,
    Section,
    Source,
)
from psi_desktop.errors import UserFacingError

FORMAT = "psi-desktop-framework"
FORMAT_VERSION = 1
DEFAULT_FRAMEWORK_ID = "psi"

_ID_RE = re.compile(r"[a-z][a-z0-9_.-]*")
_COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}")
_ROOT = "(top level)"


class FrameworkError(UserFacingError):
    """A framework file is missing, unreadable or invalid, or a framework is absent.

    ``problems`` holds one line per problem ("psi.json: dimensions[3].label: missing");
    the message repeats them under a one-line summary. ``located`` holds the same problems as
    (JSON path, message) pairs, the path "" for the document itself, so a framework inside another
    document (a bundle) can name each problem by its full path.
    """

    def __init__(self, message: str, *, problems: Iterable[str] = (), located: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems)
        self.located: tuple[tuple[str, str], ...] = tuple(located)


def _problems_error(origin: str, problems: list[tuple[str, str]]) -> FrameworkError:
    lines = [f"{origin}: {path or _ROOT}: {message}" for path, message in problems]
    what = "this problem is" if len(lines) == 1 else f"these {len(lines)} problems are"
    header = f"The framework in {origin} cannot be used until {what} fixed:"
    return FrameworkError("\n".join([header, *lines]), problems=lines, located=problems)


# --- value checks: each returns a problem description, or None if the value is fine

_Check = Callable[[object], str | None]


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_int(value: object) -> bool:
    # JSON true/false arrive as bool, which Python counts as int; a version never is.
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected text, found {_describe(value)}"
    if not value.strip():
        return "must not be empty"
    return None


def _string(value: object) -> str | None:
    """Text that may be empty (notes, optional citation parts)."""
    return None if isinstance(value, str) else f"expected text, found {_describe(value)}"


def _ident(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected an id (text), found {_describe(value)}"
    if not value:
        return "must not be empty"
    if not _ID_RE.fullmatch(value):
        return f"{value!r} is not a valid id: use lower-case letters, digits, '_', '.' or '-', starting with a letter"
    return None


def _int(value: object) -> str | None:
    return None if _is_int(value) else f"expected a whole number, found {_describe(value)}"


def _positive_int(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected a whole number, found {_describe(value)}"
    return None if value > 0 else f"must be 1 or more, found {value}"


def _colour(value: object) -> str | None:
    if isinstance(value, str) and _COLOUR_RE.fullmatch(value):
        return None
    return f'expected a colour written "#RRGGBB", found {_describe(value)}'


def _one_of(enum: type[StrEnum]) -> _Check:
    allowed = [member.value for member in enum]

    def check(value: object) -> str | None:
        if isinstance(value, str) and value in allowed:
            return None
        return f"expected one of {', '.join(allowed)}; found {_describe(value)}"

    return check


def _exactly(expected: str) -> _Check:
    def check(value: object) -> str | None:
        return None if value == expected else f"expected {expected!r}, found {_describe(value)}"

    return check


def _texts(value: object) -> str | None:
    """A list of non-empty texts (a citation's authors)."""
    if not isinstance(value, list):
        return f"expected a list of names, found {_describe(value)}"
    for index, item in enumerate(value):
        problem = _text(item)
        if problem:
            return f"entry {index}: {problem}"
    return None


def _optional(inner: _Check) -> _Check:
    def check(value: object) -> str | None:
        return None if value is None else inner(value)

    return check


# None: the key must be present, but its value is checked by dedicated code.
_Fields = Mapping[str, _Check | None]

_MAY_BE_ABSENT = frozenset({"authors", "role", "easy_read"})
"""Keys added after framework files and bundles were first written: absent means none."""

_TOP_LEVEL: _Fields = {
    "format": _exactly(FORMAT),
    "format_version": None,
    "id": _ident,
    "version": _positive_int,
    "name": _text,
    "source": None,
    "question": _text,
    "scale": None,
    "components": None,
    "code_themes": None,
    "dimensions": None,
    "sections": None,
    "prompts": None,
}
_SOURCE: _Fields = {
    "title": _text,
    "journal": _text,
    "year": _positive_int,
    "volume": _string,
    "pages": _string,
    "doi": _string,
    "authors": _texts,
}
_SCALE_POINT: _Fields = {"value": _int, "label": _text}
_COMPONENT: _Fields = {
    "id": _ident,
    "label": _text,
    "tagline": _text,
    "colour": _colour,
}
_CODE_THEME: _Fields = {"id": _one_of(CodeTheme), "label": _text}
_DIMENSION: _Fields = {
    "id": _ident,
    "component": _ident,
    "label": _text,
    "meaning": _text,
    "provenance": _one_of(Provenance),
    "provenance_note": _string,
    "code_theme": _one_of(CodeTheme),
    "easy_read": None,
}
_EASY_READ: _Fields = {"text": _text, "provenance": _one_of(Provenance)}
_SECTION: _Fields = {"id": _ident, "label": _text}
_PROMPT: _Fields = {
    "id": _ident,
    "section": _ident,
    "text": _text,
    "provenance": _one_of(Provenance),
    "provenance_note": _string,
    "why": _text,
    "marker": _optional(_one_of(PromptMarker)),
    "role": _optional(_one_of(PromptRole)),
}


def _join(path: str, key: str) -> str:
    return key if not path else f"{path}.{key}"


class _Validator:
    """Walks a framework document and records every problem with its JSON path."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []  # (JSON path, message)

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def record(self, value: object, path: str, fields: _Fields) -> dict[str, Any] | None:
        """Check one object; return the fields that passed (bad or absent left out)."""
        if not isinstance(value, dict):
            self.add(path, f"expected an object, found {_describe(value)}")
            return None
        for key in value:
            if key not in fields:
                self.add(
                    _join(path, str(key)),
                    f"unknown key (expected: {', '.join(fields)})",
                )
        good: dict[str, Any] = {}
        for key, check in fields.items():
            where = _join(path, key)
            if key not in value:
                if key not in _MAY_BE_ABSENT:
                    self.add(where, "missing")
                continue
            problem = check(value[key]) if check is not None else None
            if problem:
                self.add(where, problem)
            else:
                good[key] = value[key]
        return good

    def records(
        self, document: dict[str, Any], key: str, fields: _Fields, *, at_least: int = 1
    ) -> list[tuple[int, dict[str, Any]]]:
        """Check a list of objects; return (index, passed fields) for each object."""
        if key not in document:
            return []  # already reported as missing
        items = document[key]
        if not isinstance(items, list):
            self.add(key, f"expected a list, found {_describe(items)}")
            return []
        if len(items) < at_least:
            need = "must not be empty" if at_least == 1 else f"needs at least {at_least} entries"
            self.add(key, f"{need}, found {len(items)}")
        checked = []
        for index, item in enumerate(items):
            good = self.record(item, f"{key}[{index}]", fields)
            if good is not None:
                checked.append((index, good))
        return checked

    def unique(self, key: str, entries: list[tuple[int, dict[str, Any]]], field: str = "id") -> dict[str, int]:
        """Report repeated values of ``field``; return value -> index of first use."""
        first: dict[str, int] = {}
        for index, good in entries:
            if field not in good:
                continue
            value = good[field]
            if value in first:
                self.add(
                    f"{key}[{index}].{field}",
                    f"duplicate id {value!r} (already used by {key}[{first[value]}])",
                )
            else:
                first[value] = index
        return first

    def refers(
        self,
        key: str,
        entries: list[tuple[int, dict[str, Any]]],
        field: str,
        known: Mapping[str, int],
        target: str,
    ) -> None:
        """Report values of ``field`` that are not ids in the ``target`` list."""
        for index, good in entries:
            if field in good and good[field] not in known:
                choices = ", ".join(known) or "none defined"
                self.add(
                    f"{key}[{index}].{field}",
                    f"{good[field]!r} is not one of the {target} ids ({choices})",
                )


def parse_framework(data: object, origin: str = "<framework>") -> Framework:
    """Validate a decoded framework document and build the Framework.

    Every problem is collected before raising, so one FrameworkError lists them all,
    each with its JSON path. ``origin`` (a file name, or e.g. "bundle frameworks[0]")
    prefixes every line.
    """
    check = _Validator()
    top = check.record(data, "", _TOP_LEVEL)
    if top is None:
        raise _problems_error(origin, check.problems)
    assert isinstance(data, dict)  # record() returns None for anything else
    document: dict[str, Any] = data

    if "format_version" in document:
        format_version = document["format_version"]
        if not _is_int(format_version):
            check.add(
                "format_version",
                f"expected a whole number, found {_describe(format_version)}",
            )
        elif format_version > FORMAT_VERSION:
            # A newer format may differ anywhere, so its other "problems" are noise.
            raise _problems_error(
                origin,
                [
                    (
                        "format_version",
                        f"this file uses framework format {format_version}, but this build reads only format "
                        f"{FORMAT_VERSION}; update PSI Desktop",
                    )
                ],
            )
        elif format_version != FORMAT_VERSION:
            check.add("format_version", f"expected {FORMAT_VERSION}, found {format_version}")

    if "source" in document:
        check.record(document["source"], "source", _SOURCE)

    scale = check.records(document, "scale", _SCALE_POINT, at_least=2)
    for position, (index, good) in enumerate(scale):
        if index != position:
            break  # an entry that is not an object was already reported
        if "value" in good and good["value"] != index:
            check.add(
                f"scale[{index}].value",
                f"expected {index}, found {good['value']}: the scale must count up from 0 in steps of 1",
            )
            break  # one gap shifts every later value; report it once

    components = check.records(document, "components", _COMPONENT)
    component_ids = check.unique("components", components)
    code_themes = check.records(document, "code_themes", _CODE_THEME)
    code_theme_ids = check.unique("code_themes", code_themes)
    dimensions = check.records(document, "dimensions", _DIMENSION)
    check.unique("dimensions", dimensions)
    check.refers("dimensions", dimensions, "component", component_ids, "component")
    check.refers("dimensions", dimensions, "code_theme", code_theme_ids, "code_themes")
    for index, good in dimensions:
        if "easy_read" in good:
            check.record(good["easy_read"], f"dimensions[{index}].easy_read", _EASY_READ)
    if isinstance(document.get("dimensions"), list):
        used = {good.get("component") for _, good in dimensions}
        for index, good in components:
            if "id" in good and good["id"] not in used:
                check.add(
                    f"components[{index}]",
                    f"component {good['id']!r} has no dimensions",
                )
        # The radar draws a component as one arc over its dimensions: they must be listed together.
        last: dict[str, int] = {}
        previous = None
        for index, good in dimensions:
            component = good.get("component")
            if component in last and component != previous:
                check.add(
                    f"dimensions[{index}].component",
                    f"list the {component!r} dimensions together (the last one was dimensions[{last[component]}])",
                )
            last[component] = index
            previous = component
    sections = check.records(document, "sections", _SECTION)
    section_ids = check.unique("sections", sections)
    prompts = check.records(document, "prompts", _PROMPT)
    check.unique("prompts", prompts)
    check.refers("prompts", prompts, "section", section_ids, "section")
    for key in ("marker", "role"):
        first: dict[str, int] = {}
        for index, good in prompts:
            value = good.get(key)
            if value is None:
                continue
            if value in first:
                check.add(
                    f"prompts[{index}].{key}",
                    f"{value!r} is already used by prompts[{first[value]}]; each {key} belongs to one prompt",
                )
            else:
                first[value] = index

    if check.problems:
        raise _problems_error(origin, check.problems)
    return _build(document)


def _build(document: dict[str, Any]) -> Framework:
    """Build the dataclasses from a document that has passed validation."""
    source = document["source"]
    return Framework(
        id=document["id"],
        version=document["version"],
        name=document["name"],
        source=Source(
            title=source["title"],
            journal=source["journal"],
            year=source["year"],
            volume=source["volume"],
            pages=source["pages"],
            doi=source["doi"],
            authors=tuple(source.get("authors") or ()),
        ),
        question=document["question"],
        scale=tuple(ScalePoint(value=p["value"], label=p["label"]) for p in document["scale"]),
        components=tuple(
            Component(id=c["id"], label=c["label"], tagline=c["tagline"], colour=c["colour"])
            for c in document["components"]
        ),
        dimensions=tuple(
            Dimension(
                id=d["id"],
                component=d["component"],
                label=d["label"],
                meaning=d["meaning"],
                provenance=Provenance(d["provenance"]),
                provenance_note=d["provenance_note"],
                code_theme=CodeTheme(d["code_theme"]),
                easy_read=None
                if d.get("easy_read") is None
                else EasyRead(d["easy_read"]["text"], Provenance(d["easy_read"]["provenance"])),
            )
            for d in document["dimensions"]
        ),
        sections=tuple(Section(id=s["id"], label=s["label"]) for s in document["sections"]),
        prompts=tuple(
            Prompt(
                id=p["id"],
                section=p["section"],
                text=p["text"],
                provenance=Provenance(p["provenance"]),
                provenance_note=p["provenance_note"],
                why=p["why"],
                marker=None if p["marker"] is None else PromptMarker(p["marker"]),
                role=None if p.get("role") is None else PromptRole(p["role"]),
            )
            for p in document["prompts"]
        ),
        code_themes=tuple(CodeThemeInfo(id=CodeTheme(t["id"]), label=t["label"]) for t in document["code_themes"]),
    )


def framework_to_data(framework: Framework) -> dict[str, Any]:
    """The framework as a JSON-ready document (as bundles embed it).

    ``parse_framework`` reverses it. Keys that may be absent are left out when empty, so a
    framework a bundle brought travels on as it came.
    """
    source = framework.source
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "id": framework.id,
        "version": framework.version,
        "name": framework.name,
        "source": {
            "title": source.title,
            "journal": source.journal,
            "year": source.year,
            "volume": source.volume,
            "pages": source.pages,
            "doi": source.doi,
            **({"authors": list(source.authors)} if source.authors else {}),
        },
        "question": framework.question,
        "scale": [{"value": p.value, "label": p.label} for p in framework.scale],
        "components": [
            {"id": c.id, "label": c.label, "tagline": c.tagline, "colour": c.colour} for c in framework.components
        ],
        "code_themes": [{"id": t.id.value, "label": t.label} for t in framework.code_themes],
        "dimensions": [
            {
                "id": d.id,
                "component": d.component,
                "label": d.label,
                "meaning": d.meaning,
                "provenance": d.provenance.value,
                "provenance_note": d.provenance_note,
                "code_theme": d.code_theme.value,
                **(
                    {"easy_read": {"text": d.easy_read.text, "provenance": d.easy_read.provenance.value}}
                    if d.easy_read is not None
                    else {}
                ),
            }
            for d in framework.dimensions
        ],
        "sections": [{"id": s.id, "label": s.label} for s in framework.sections],
        "prompts": [
            {
                "id": p.id,
                "section": p.section,
                "text": p.text,
                "provenance": p.provenance.value,
                "provenance_note": p.provenance_note,
                "why": p.why,
                "marker": None if p.marker is None else p.marker.value,
                **({"role": p.role.value} if p.role is not None else {}),
            }
            for p in framework.prompts
        ],
    }


def load_framework_file(path: str | os.PathLike[str]) -> Framework:
    """Read, decode and validate one framework file (UTF-8 JSON)."""
    path = Path(path)
    origin = path.name
    try:
        # utf-8-sig: tolerate the byte-order mark that Windows editors add.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FrameworkError(f"The framework file {origin} was not found; reinstall PSI Desktop.") from None
    except UnicodeDecodeError as exc:
        raise _problems_error(origin, [("", f"not UTF-8 text (byte {exc.start}); save it as UTF-8")]) from None
    except OSError as exc:
        raise FrameworkError(f"The framework file {origin} cannot be read ({exc.strerror or exc}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _problems_error(
            origin,
            [(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON ({exc.msg})")],
        ) from None
    return parse_framework(data, origin)


class FrameworkRegistry:
    """The frameworks a profile can use, keyed by (id, version).

    Built of this build's own frameworks (fixed once built) and those the profile keeps because a
    bundle brought them (``keep``). A built-in (id, version) always wins: a different definition
    under the same key is never kept beside it.
    """

    def __init__(self, frameworks: Iterable[Framework] = ()) -> None:
        self._by_key: dict[tuple[str, int], Framework] = {}
        for framework in frameworks:
            if framework.key in self._by_key:
                raise FrameworkError(f"Framework {framework.id!r} version {framework.version} is defined twice.")
            self._by_key[framework.key] = framework
        self._built_in = frozenset(self._by_key)

    def keep(self, framework: Framework) -> None:
        """Add a framework a bundle brought; nothing to do when the same definition is here already.

        FrameworkError when another definition already has its (id, version).
        """
        here = self._by_key.get(framework.key)
        if here == framework:
            return
        if here is not None:
            raise FrameworkError(
                f"Framework {framework.id!r} version {framework.version} is already here with another definition."
            )
        # A new dict, swapped in whole: a screen reading the registry on another thread never sees it change size.
        self._by_key = {**self._by_key, framework.key: framework}

    def is_built_in(self, key: tuple[str, int]) -> bool:
        """True for this build's own frameworks; False for one kept from a bundle (or absent)."""
        return key in self._built_in

    def get(self, framework_id: str, version: int) -> Framework:
        """The framework a reflection used; FrameworkError if the profile does not have it."""
        try:
            return self._by_key[(framework_id, version)]
        except KeyError:
            raise FrameworkError(
                f"This reflection was made with framework {framework_id!r} version "
                f"{version}, which this build does not have. "
                "Update PSI Desktop, or import again the bundle it came in, to open it."
            ) from None

    def latest(self, framework_id: str) -> Framework:
        """The highest built-in version of a framework: new reflections never use one a bundle brought.

        FrameworkError if the build has none.
        """
        versions = [f for key, f in self._by_key.items() if f.id == framework_id and key in self._built_in]
        if not versions:
            raise FrameworkError(f"This build has no framework {framework_id!r}; reinstall PSI Desktop.")
        return max(versions, key=lambda f: f.version)

    def all(self) -> tuple[Framework, ...]:
        """Every framework, ordered by id then version."""
        return tuple(self._by_key[key] for key in sorted(self._by_key))

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Framework]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self._by_key)


def load_frameworks(
    directory: str | os.PathLike[str] | None = None,
) -> FrameworkRegistry:
    """Load every ``*.json`` in ``directory`` (default: bundled resources/frameworks/).

    Problems in all files are reported together; an (id, version) defined in two files
    is refused.
    """
    if directory is None:
        try:
            from psi_desktop.paths import resource

            folder = resource("frameworks")
        except FileNotFoundError as exc:
            raise FrameworkError(str(exc)) from None
    else:
        folder = Path(directory)
    if not folder.is_dir():
        raise FrameworkError(f"The frameworks folder {folder} is missing; reinstall PSI Desktop.")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FrameworkError(f"The frameworks folder {folder} has no framework files; reinstall PSI Desktop.")

    messages: list[str] = []
    problems: list[str] = []
    found: dict[tuple[str, int], tuple[Framework, str]] = {}
    for file in files:
        try:
            framework = load_framework_file(file)
        except FrameworkError as exc:
            messages.append(str(exc))
            problems.extend(exc.problems or [str(exc)])
            continue
        if framework.key in found:
            problem = (
                f"{file.name}: framework {framework.id!r} version {framework.version} "
                f"is already defined in {found[framework.key][1]}; "
                "each (id, version) must be defined once"
            )
            messages.append(problem)
            problems.append(problem)
            continue
        found[framework.key] = (framework, file.name)
    if messages:
        raise FrameworkError("\n".join(messages), problems=problems)
    return FrameworkRegistry(framework for framework, _ in found.values())


@functools.lru_cache(maxsize=1)
def default_registry() -> FrameworkRegistry:
    """The bundled frameworks, loaded once (they are read-only)."""
    return load_frameworks()


@functools.lru_cache(maxsize=1)
def default_framework() -> Framework:
    """The latest bundled PSI framework: the one new reflections use."""
    return default_registry().latest(DEFAULT_FRAMEWORK_ID)
