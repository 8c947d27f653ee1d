"""A reflection framework (PSI and its later versions) as frozen, typed data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Provenance(StrEnum):
    """Whether a prompt or dimension comes from the paper or was proposed here."""

    PAPER = "paper"
    PROPOSED = "proposed"

    @property
    def label(self) -> str:
        """Plain words for a badge: "from the paper" or "proposed"."""
        return "from the paper" if self is Provenance.PAPER else "proposed"


class CodeTheme(StrEnum):
    """The four themes of the NMC Code, used in reflective accounts for revalidation."""

    PRIORITISE_PEOPLE = "prioritise_people"
    PRACTISE_EFFECTIVELY = "practise_effectively"
    PRESERVE_SAFETY = "preserve_safety"
    PROMOTE_PROFESSIONALISM_AND_TRUST = "promote_professionalism_and_trust"


class PromptMarker(StrEnum):
    """A structured answer a prompt carries beside its free text."""

    TRAUMA_ECHO = "trauma_echo"  # yes / no / unsure
    # increased / maintained / alleviated / unsure, per perspective
    DISTRESS_IMPACT = "distress_impact"
    ACTIONS = "actions"  # the answer becomes actions for next time
    WELLBEING = "wellbeing"  # the practitioner's own wellbeing, rated on the scale
    OPEN_ACTIONS = "open_actions"  # the screen shows the actions agreed last time


class PromptRole(StrEnum):
    """What the app's summaries take a prompt's answer as, so no report names a prompt id.

    The case report quotes what happened and what changes next time; the NMC starting points
    draw on what was helpful. A role belongs to one prompt at most.
    """

    CONTEXT = "context"  # what happened
    HELPFUL = "helpful"  # what was helpful or transformative
    NEXT_TIME = "next_time"  # what will be done differently

    @property
    def label(self) -> str:
        """A summary's short heading for the answer: "What happened", "Next time"."""
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    PromptRole.CONTEXT: "What happened",
    PromptRole.HELPFUL: "What was helpful",
    PromptRole.NEXT_TIME: "Next time",
}


def _provenance_text(provenance: Provenance, note: str) -> str:
    return f"{provenance.label} ({note})" if note else provenance.label


@dataclass(frozen=True, slots=True)
class ScalePoint:
    """One point of the rating scale, such as 3 "Mostly"."""

    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Source:
    """The published work a framework is built from.

    ``authors`` ("Surname AB", in the paper's order) only name the work: they are left out of
    comparisons, so a framework a bundle brought from a build that did not record them is the
    same framework.
    """

    title: str
    journal: str
    year: int
    volume: str
    pages: str
    doi: str
    authors: tuple[str, ...] = field(default=(), compare=False)

    @property
    def citation(self) -> str:
        """One line: 'Authors. "Title." Journal 2020;93(2):367-386. doi:10.1111/papt.12218.'."""
        title = self.title if self.title.endswith((".", "?", "!")) else f"{self.title}."
        where = f"{self.year}"
        if self.volume:
            where += f";{self.volume}"
        if self.pages:
            where += f":{self.pages}"
        parts = [f"{', '.join(self.authors)}."] if self.authors else []
        parts += [f'"{title}"', " ".join(p for p in (self.journal, where) if p) + "."]
        if self.doi:
            parts.append(f"doi:{self.doi}.")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Component:
    """A component (Power, Safety, Identity): a group of dimensions."""

    id: str
    label: str
    tagline: str
    colour: str  # "#RRGGBB"


@dataclass(frozen=True, slots=True)
class EasyRead:
    """A dimension put to the person themselves: a first-person statement in easy-read words.

    "Staff treated me as a person, not a number." The paper gives no such wording, so every
    statement says where it comes from, as prompts do.
    """

    text: str
    provenance: Provenance

    @property
    def provenance_text(self) -> str:
        return self.provenance.label


@dataclass(frozen=True, slots=True)
class Dimension:
    """One rated dimension: an axis of the radar."""

    id: str
    component: str  # a Component id
    label: str
    meaning: str
    provenance: Provenance
    provenance_note: str  # e.g. "theme 1", "title", or ""
    code_theme: CodeTheme  # suggested NMC Code theme
    # The statement the person rates in hand-over mode and on the person form; None in a framework
    # without one. Not compared, like Prompt.role: a bundle from a build before easy-read wording
    # carries the same framework (the bundle check refuses a statement that differs instead).
    easy_read: EasyRead | None = field(default=None, compare=False)

    @property
    def provenance_text(self) -> str:
        """E.g. "from the paper (theme 1)" or "proposed"."""
        return _provenance_text(self.provenance, self.provenance_note)


@dataclass(frozen=True, slots=True)
class Section:
    """A step of the reflection; one with a component's id rates that component."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """One free-text question, optionally with a structured marker."""

    id: str
    section: str  # a Section id
    text: str
    provenance: Provenance
    provenance_note: str
    why: str  # one sentence on why this is asked
    marker: PromptMarker | None
    # What summaries take the answer as; not compared, like Source.authors: it changes no question.
    role: PromptRole | None = field(default=None, compare=False)

    @property
    def provenance_text(self) -> str:
        """E.g. "from the paper (theme 2)" or "proposed (Proctor's ...)"."""
        return _provenance_text(self.provenance, self.provenance_note)


@dataclass(frozen=True, slots=True)
class CodeThemeInfo:
    """An NMC Code theme with its display label."""

    id: CodeTheme
    label: str


@dataclass(frozen=True, slots=True)
class Framework:
    """A versioned framework: scale, components, dimensions, sections, prompts."""

    id: str
    version: int
    name: str
    source: Source
    question: str
    scale: tuple[ScalePoint, ...]
    components: tuple[Component, ...]
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    prompts: tuple[Prompt, ...]
    code_themes: tuple[CodeThemeInfo, ...]

    @property
    def key(self) -> tuple[str, int]:
        """(id, version): what a reflection records to name its framework."""
        return (self.id, self.version)

    def dimension(self, dim_id: str) -> Dimension:
        """The dimension with this id; KeyError if there is none."""
        for dimension in self.dimensions:
            if dimension.id == dim_id:
                return dimension
        raise KeyError(dim_id)

    def prompt(self, prompt_id: str) -> Prompt:
        """The prompt with this id; KeyError if there is none."""
        for prompt in self.prompts:
            if prompt.id == prompt_id:
                return prompt
        raise KeyError(prompt_id)

    def component(self, component_id: str) -> Component:
        """The component with this id; KeyError if there is none."""
        for component in self.components:
            if component.id == component_id:
                return component
        raise KeyError(component_id)

    def section(self, section_id: str) -> Section:
        """The section with this id; KeyError if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def component_for_section(self, section_id: str) -> Component | None:
        """The component a section rates (same id), or None for an unrated section."""
        for component in self.components:
            if component.id == section_id:
                return component
        return None

    def dimensions_of(self, component_id: str) -> tuple[Dimension, ...]:
        """The component's dimensions, in framework order (empty for an unknown id)."""
        return tuple(d for d in self.dimensions if d.component == component_id)

    def prompts_of(self, section_id: str) -> tuple[Prompt, ...]:
        """The section's prompts, in framework order (empty for an unknown id)."""
        return tuple(p for p in self.prompts if p.section == section_id)

    def prompt_with_marker(self, marker: PromptMarker) -> Prompt | None:
        """The prompt carrying this marker, if any (a marker is used at most once)."""
        for prompt in self.prompts:
            if prompt.marker == marker:
                return prompt
        return None

    def prompt_with_role(self, role: PromptRole) -> Prompt | None:
        """The prompt with this role, if the framework gives one (a role is used at most once)."""
        for prompt in self.prompts:
            if prompt.role == role:
                return prompt
        return None

    def answer_with_role(self, answers: Mapping[str, str], role: PromptRole) -> str:
        """The answer given to the prompt with this role, stripped; "" when unanswered or no prompt has it."""
        prompt = self.prompt_with_role(role)
        return (answers.get(prompt.id) or "").strip() if prompt is not None else ""

    def code_theme_label(self, theme: CodeTheme) -> str:
        """The label of an NMC Code theme; KeyError if the framework lacks it."""
        for info in self.code_themes:
            if info.id == theme:
                return info.label
        raise KeyError(theme)

    @property
    def has_easy_read(self) -> bool:
        """Whether the person can rate every dimension themselves (each has an easy-read statement)."""
        return all(d.easy_read is not None for d in self.dimensions)

    def component_runs(self) -> list[tuple[str, int, int]]:
        """(component id, first index, last index) for each run of neighbouring dimensions (a radar's bands)."""
        runs: list[tuple[str, int, int]] = []
        for index, dimension in enumerate(self.dimensions):
            if runs and runs[-1][0] == dimension.component:
                runs[-1] = (dimension.component, runs[-1][1], index)
            else:
                runs.append((dimension.component, index, index))
        return runs

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """Dimension ids in framework order: the radar's axes."""
        return tuple(d.id for d in self.dimensions)

    @property
    def prompt_ids(self) -> tuple[str, ...]:
        """Prompt ids in framework order."""
        return tuple(p.id for p in self.prompts)

    @property
    def scale_min(self) -> int:
        """The lowest rating (0)."""
        return self.scale[0].value

    @property
    def scale_max(self) -> int:
        """The highest rating (4 for PSI version 1)."""
        return self.scale[-1].value

    def scale_label(self, value: int) -> str:
        """The label of a rating, e.g. 3 -> "Mostly"; KeyError if off the scale."""
        for point in self.scale:
            if point.value == value:
                return point.label
        raise KeyError(value)
