"""PDF exports (no Qt): the supervision note, the case report, the portfolio pack, the person form
and the summary to share back, and the identifiable-information check that comes before any of them.

The export dialogs and ``psi-desktop export pdf`` both come through here. Every export takes
``progress(fraction, message)`` and ``cancelled() -> bool`` hooks, so a worker thread can show
how far it has got and stop it; a cancelled export raises ExportCancelled and writes nothing.
Files appear whole or not at all. reportlab is imported only when a PDF is made.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from psi_desktop.domain import person_paper
from psi_desktop.domain.framework import CodeThemeInfo, Framework, PromptMarker
from psi_desktop.domain.identifiers import IdentifierKind, find_identifiers
from psi_desktop.domain.model import Action, Case, Reflection
from psi_desktop.domain.nmc import (
    ANSWERS,
    QUESTIONS,
    ReflectiveAccount,
    ReflectiveDiscussion,
    account_header,
    starting_points,
)
from psi_desktop.domain.person_paper import SummaryContent, topic
from psi_desktop.errors import NotFoundError, UserFacingError, ValidationError
from psi_desktop.reporting.text import has_unprintable
from psi_desktop.storage.outputs import check_output as check_output  # before a command unlocks
from psi_desktop.storage.outputs import output_file

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

log = logging.getLogger(__name__)

ExportKind = Literal["note", "case", "portfolio"]
Progress = Callable[[float, str], None]
Cancelled = Callable[[], bool]
PAGE_SIZES = ("A4", "Letter")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ExportCancelled(UserFacingError):
    """The export was cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("The export was cancelled. Nothing was written.")


class FontGap(StrEnum):
    """Not identifying, but worth knowing before printing: text the PDF font cannot show."""

    UNPRINTABLE = "unprintable"

    @property
    def label(self) -> str:
        return "characters the PDF font cannot show (an emoji, say); they print as \u25a1"


@dataclass(frozen=True, slots=True)
class ExportFinding:
    """Something that looks identifying, and where: e.g. "Ward 3 - A, 2 Sep 2026, answer to 'What happened?'".

    ``where`` never quotes the text itself.
    """

    where: str
    kind: IdentifierKind | FontGap

    @property
    def label(self) -> str:
        """E.g. "an NHS number"."""
        return self.kind.label

    def __str__(self) -> str:
        if isinstance(self.kind, FontGap):
            return f"{self.where}: has {self.label}"
        return f"{self.where}: looks like {self.label}"


@dataclass(slots=True)
class PortfolioDraft:
    """What a portfolio pack will hold; the export dialog edits ``accounts`` and ``discussion``.

    ``reflection_ids`` are the chosen signed reflections, oldest first; ``accounts`` holds one NMC
    reflective account per chosen reflection, in the same order (only those written are printed).
    ``unsigned`` counts the drafts of the period and cases, which are not in the pack. With
    ``linked`` each account also prints its case code and session date; by default it does not.
    """

    case_ids: tuple[uuid.UUID, ...]
    date_from: dt.date | None
    date_to: dt.date | None
    reflection_ids: list[uuid.UUID]
    accounts: list[ReflectiveAccount]
    discussion: ReflectiveDiscussion
    practitioner: str = ""
    include_private: bool = False
    linked: bool = False
    unsigned: int = 0
    themes_offered: tuple[CodeThemeInfo, ...] = field(default=())

    @property
    def written(self) -> list[ReflectiveAccount]:
        """The accounts the practitioner has written something in: those the pack prints."""
        return [a for a in self.accounts if a.written]


# --- choosing what goes in ------------------------------------------------------------------------


def chosen_reflections(
    profile: Profile,
    kind: ExportKind,
    case_ids: Sequence[uuid.UUID] = (),
    reflection_id: uuid.UUID | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    include_drafts: bool = False,
) -> list[tuple[Case, Reflection]]:
    """The reflections an export of ``kind`` would print, with their cases, oldest first.

    A note is of ``reflection_id``, or of the (one) case's latest reflection; a case report is of
    the one case's signed reflections, and its drafts too with ``include_drafts``; a portfolio of
    the chosen cases' signed reflections (every case when none is chosen) within the dates.
    """
    if kind == "note":
        if reflection_id is not None:
            reflection = _reflection(profile, reflection_id)
            return [(profile.cases.get(reflection.case_id), reflection)]
        case = _one_case(profile, case_ids, "A supervision note is of one reflection: give a reflection or one case.")
        reflections = profile.cases.reflections(case.id)
        if not reflections:
            raise NotFoundError(f"The case \u201c{case.code}\u201d has no reflections yet.")
        latest = max(reflections, key=lambda r: (r.session_date, r.created_at))
        return [(case, latest)]
    if kind == "case":
        case = _one_case(profile, case_ids, "A case report is of one case: choose one.")
        reflections = _ordered(profile.cases.reflections(case.id))
        return [(case, r) for r in reflections if include_drafts or r.signed]
    if kind == "portfolio":
        if date_from and date_to and date_from > date_to:
            raise ValidationError("The period ends before it starts: check the dates.")
        chosen = [(c, r) for c, r in _in_period(profile, case_ids, date_from, date_to) if r.signed]
        return sorted(chosen, key=lambda pair: (pair[1].session_date, pair[1].created_at))
    raise ValidationError("Choose a kind of PDF: note, case or portfolio.")


def _in_period(
    profile: Profile, case_ids: Sequence[uuid.UUID], date_from: dt.date | None, date_to: dt.date | None
) -> list[tuple[Case, Reflection]]:
    """Every reflection, signed or not, of the cases (all when none is given) within the dates."""
    found = []
    for case_id in list(case_ids) or [s.case.id for s in profile.cases.summaries()]:
        case = profile.cases.get(case_id)
        found += [(case, r) for r in profile.cases.reflections(case.id) if _within(r, date_from, date_to)]
    return found


def _one_case(profile: Profile, case_ids: Sequence[uuid.UUID], message: str) -> Case:
    if len(case_ids) != 1:
        raise ValidationError(message)
    return profile.cases.get(case_ids[0])


def _reflection(profile: Profile, reflection_id: uuid.UUID) -> Reflection:
    try:
        return profile.reflections.get(reflection_id)
    except (KeyError, LookupError, NotFoundError):
        raise NotFoundError("There is no reflection with that id; psi-desktop cases --json lists them.") from None


def _ordered(reflections: Iterable[Reflection]) -> list[Reflection]:
    return sorted(reflections, key=lambda r: (r.session_date, r.created_at))


def _within(reflection: Reflection, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    return (date_from is None or reflection.session_date >= date_from) and (
        date_to is None or reflection.session_date <= date_to
    )


# --- the identifiable-information check -----------------------------------------------------------


def _day(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _scan(where: str, text: str | None) -> list[ExportFinding]:
    if not text:
        return []
    kinds: dict[IdentifierKind | FontGap, None] = dict.fromkeys(f.kind for f in find_identifiers(text))
    if has_unprintable(text):
        kinds[FontGap.UNPRINTABLE] = None
    return [ExportFinding(where, kind) for kind in kinds]


def _private_prompts(framework: Framework) -> set[str]:
    wellbeing = framework.prompt_with_marker(PromptMarker.WELLBEING)
    return {p.id for p in framework.prompts if wellbeing and p.section == wellbeing.section}


def _holds_private(reflection: Reflection, framework: Framework) -> bool:
    """Whether the record holds anything of the private "For me" section (an answer, the wellbeing rating)."""
    private = _private_prompts(framework)
    return reflection.wellbeing is not None or any(reflection.answers.get(p, "").strip() for p in private)


def _case_label(case: Case) -> str:
    # The case code is scanned on its own; a place names the code only when it looks harmless.
    return "the case" if find_identifiers(case.code) else _short(case.code, 40)


def check_identifiers(
    profile: Profile,
    kind: ExportKind,
    case_ids: Sequence[uuid.UUID] = (),
    reflection_id: uuid.UUID | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_private: bool = False,
    *,
    include_drafts: bool = False,
) -> list[ExportFinding]:
    """What looks identifying in what the export would print, and where (never the text itself).

    Looks at case codes, settings, answers (the private "For me" section only with
    ``include_private``), actions and amendments. People's own names in the practitioner,
    supervisor and signature fields belong in the record and are not flagged.
    """
    pairs = chosen_reflections(
        profile, kind, case_ids, reflection_id, date_from, date_to, include_drafts=include_drafts
    )
    findings: list[ExportFinding] = []
    seen_cases: set[uuid.UUID] = set()
    for case, reflection in pairs:
        label = _case_label(case)
        if case.id not in seen_cases:
            seen_cases.add(case.id)
            findings += _scan("the case code", case.code)
            findings += _scan(f"{label}, setting", case.setting)
        place = f"{label}, {_day(reflection.session_date)}"
        framework = profile.reflections.framework_of(reflection)
        private = set() if include_private else _private_prompts(framework)
        for prompt in framework.prompts:
            if prompt.id in private:
                continue
            findings += _scan(
                f"{place}, answer to \u2018{_short(prompt.text)}\u2019", reflection.answers.get(prompt.id)
            )
        for number, amendment in enumerate(reflection.amendments, start=1):
            findings += _scan(f"{place}, amendment {number}", f"{amendment.reason}\n{amendment.changes}")
    for number, (case, action) in enumerate(_actions_printed(profile, kind, pairs), start=1):
        findings += _scan(f"{_case_label(case)}, action {number}", f"{action.text}\n{action.review_note}".strip())
    return findings


def _actions_printed(
    profile: Profile, kind: ExportKind, pairs: Sequence[tuple[Case, Reflection]]
) -> list[tuple[Case, Action]]:
    if kind == "case":
        shown = {r.id for _, r in pairs}
        case = pairs[0][0] if pairs else None
        return [(case, a) for a in profile.cases.actions(case.id) if a.reflection_id in shown] if case else []
    printed = [(case, a) for case, r in pairs for a in profile.reflections.actions_of(r)]
    if kind == "note":  # the note also lists last time's actions, as marked in its session
        printed += [(case, a) for case, r in pairs for a in profile.reflections.actions_looked_back_on(r)]
    return printed


def check_portfolio_draft(draft: PortfolioDraft) -> list[ExportFinding]:
    """What looks identifying in the NMC forms exactly as the pack will print them.

    That is the written accounts (numbered as printed), what PSI Desktop prints at their top, and the
    discussion summary. The practitioner's own name and the partner's details belong on the forms and
    are not flagged. Text PSI Desktop put there (the case code of a linked account) is named as such,
    so nobody is told to fix words they did not write.
    """
    findings = []
    for number, account in enumerate(draft.written, start=1):
        place = f"reflective account {number}"
        for label, value in account_header(account, draft.practitioner, linked=draft.linked):
            if label == "Case":
                findings += _scan(f"{place}, the case code PSI Desktop prints at its top (rename the case)", value)
        for name in ANSWERS:
            findings += _scan(
                f"{place}, your answer to \u2018{_short(QUESTIONS[name], 50)}\u2019", account.answer(name)
            )
    findings += _scan("reflective discussion, the summary", draft.discussion.summary)
    return findings


# --- the exports ----------------------------------------------------------------------------------


def _check_out(out: str | Path, profile: Profile, force: bool) -> Path:
    """Where the PDF will go: refused inside a profile folder, and replaced only with ``force``."""
    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError("PDFs are saved as .pdf: end the file name with .pdf.")
    if not out.parent.is_dir():
        raise ValidationError(f"The folder {out.parent} does not exist. Create it, or choose another.")
    if out.is_dir():
        raise ValidationError(f"{out} is a folder. Choose a file name ending in .pdf.")
    return check_output(out, profile.directory, force=force)


def _check_page_size(page_size: str) -> str:
    for name in PAGE_SIZES:
        if page_size.lower() == name.lower():
            return name
    raise ValidationError("The page size is A4 or Letter.")


def _run(build: Callable[[Path], object], out: Path, profile: Profile, force: bool) -> Path:
    """Run a reportlab build into a temporary file renamed to ``out`` at the end (storage.outputs).

    A cancel becomes ExportCancelled and a disk error a message. Anything else is a bug and stays one
    (exit 1 on the command line, the crash dialog in the app; the log keeps its traceback frames and
    never its message, which for reportlab quotes the user's text).
    """
    from psi_desktop.reporting.layout import ExportCancelled as LayoutCancelled

    try:
        with output_file(out, profile.directory, force=force) as temp:
            build(temp)
        return out
    except LayoutCancelled:
        raise ExportCancelled() from None
    except OSError as exc:
        reason = (exc.strerror or "disk error").lower()
        raise UserFacingError(
            f"The PDF could not be written to {out} ({reason}). Choose another folder or free some space."
        ) from None


def export_note(
    profile: Profile,
    reflection_id: uuid.UUID,
    out: str | Path,
    *,
    include_private: bool = False,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    force: bool = False,
) -> Path:
    """The supervision note of one reflection as a PDF at ``out``; returns the path written."""
    out, page_size = _check_out(out, profile, force), _check_page_size(page_size)
    reflection = _reflection(profile, reflection_id)
    case = profile.cases.get(reflection.case_id)
    framework = profile.reflections.framework_of(reflection)
    actions = profile.reflections.actions_of(reflection)
    looked_back = profile.reflections.actions_looked_back_on(reflection)
    # A signed note carries its record, unless the record holds private answers the note leaves out.
    withheld = reflection.signed and not include_private and _holds_private(reflection, framework)
    record = None
    if reflection.signed and not withheld:
        from psi_desktop.services.verify import record_attachment

        record = record_attachment(profile, reflection)

    def build(temp: Path) -> Path:
        from psi_desktop.reporting.supervision_note import build_supervision_note

        return build_supervision_note(
            reflection,
            framework,
            case.code,
            temp,
            include_restorative=include_private,
            actions=actions,
            looked_back=looked_back,
            record=record,
            record_withheld=withheld,
            page_size=page_size,
            progress=progress,
            cancelled=cancelled,
        )

    path = _run(build, out, profile, force)
    _done(progress)
    return path


def export_case_report(
    profile: Profile,
    case_id: uuid.UUID,
    out: str | Path,
    *,
    include_drafts: bool = False,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    force: bool = False,
) -> Path:
    """The case report of one case (charts, every reflection summarised, action history) at ``out``.

    Drafts can still change, so they are left out (and named as left out) unless ``include_drafts``;
    those included are marked as drafts wherever they appear.
    """
    from psi_desktop.services.charts import case_chart_data

    out, page_size = _check_out(out, profile, force), _check_page_size(page_size)
    case = profile.cases.get(case_id)
    everything = case_chart_data(profile, case.id)
    kept = tuple(r for r in everything.reflections if include_drafts or r.signed)
    left_out = [r for r in everything.reflections if not (include_drafts or r.signed)]
    data = replace(everything, reflections=kept)
    printed = {r.id for r in kept}
    actions = [a for a in profile.cases.actions(case.id) if a.reflection_id in printed]
    author = next((r.practitioner for r in reversed(data.reflections) if r.practitioner), "")

    def build(temp: Path) -> Path:
        from psi_desktop.reporting.case_report import build_case_report

        return build_case_report(
            case,
            data,
            actions,
            temp,
            author=author,
            left_out=left_out,
            page_size=page_size,
            progress=progress,
            cancelled=cancelled,
        )

    path = _run(build, out, profile, force)
    _done(progress)
    return path


def portfolio_draft(
    profile: Profile,
    case_ids: Sequence[uuid.UUID] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    include_private: bool = False,
    linked: bool = False,
) -> PortfolioDraft:
    """A portfolio pack ready to write: an NMC reflective account for each signed reflection chosen.

    The accounts hold what the practitioner wrote before (kept in the profile), else nothing: PSI
    Desktop offers starting points drawn from each reflection beside the questions, and writes no
    answer itself. Unsigned reflections are counted, not included.
    """
    pairs = chosen_reflections(profile, "portfolio", case_ids, None, date_from, date_to)
    unsigned = sum(1 for _, r in _in_period(profile, case_ids, date_from, date_to) if not r.signed)
    if not pairs:
        drafts = f" ({unsigned} not signed yet: sign them first)" if unsigned else ""
        raise NotFoundError(f"There are no signed reflections in that period for those cases{drafts}.")
    practitioner = next((r.practitioner for _, r in reversed(pairs) if r.practitioner), "")
    draft = PortfolioDraft(
        case_ids=tuple(dict.fromkeys(case.id for case, _ in pairs)),
        date_from=date_from,
        date_to=date_to,
        reflection_ids=[r.id for _, r in pairs],
        accounts=[_account(profile, case, reflection) for case, reflection in pairs],
        discussion=ReflectiveDiscussion(registrant_name=practitioner),
        practitioner=practitioner,
        include_private=include_private,
        linked=linked,
        unsigned=unsigned,
        themes_offered=profile.reflections.framework_of(pairs[-1][1]).code_themes,
    )
    profile.drafts.apply_portfolio_edits(draft)
    return draft


def _account(profile: Profile, case: Case, reflection: Reflection) -> ReflectiveAccount:
    framework = profile.reflections.framework_of(reflection)
    reviewed = [a for a in profile.cases.actions(case.id) if a.reviewed_in == reflection.id]
    return ReflectiveAccount(
        reflection_id=reflection.id,
        case_code=case.code,
        session_date=reflection.session_date,
        themes=list(reflection.code_themes),
        reflection_themes=tuple(reflection.code_themes),
        starting=starting_points(reflection, framework, profile.reflections.actions_of(reflection), reviewed),
    )


def export_portfolio(
    profile: Profile,
    draft: PortfolioDraft,
    out: str | Path,
    *,
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    force: bool = False,
) -> Path:
    """The portfolio pack of ``draft`` (as the dialog left it) at ``out``; returns the path written.

    Only signed reflections go in; an account is printed once something is written in it.
    """
    from psi_desktop.charts.data import monthly_profile
    from psi_desktop.services.charts import _chart_data

    out, page_size = _check_out(out, profile, force), _check_page_size(page_size)
    reflections = [_reflection(profile, rid) for rid in draft.reflection_ids]
    if not reflections:
        raise ValidationError("Choose at least one reflection for the portfolio.")
    if not all(r.signed for r in reflections):
        raise ValidationError("Only signed reflections go into a portfolio pack: sign the drafts first.")
    from psi_desktop.reporting.portfolio import NmcForms, PortfolioEntry, build_portfolio

    codes: dict[uuid.UUID, str] = {}
    for reflection in reflections:
        if reflection.case_id not in codes:
            codes[reflection.case_id] = profile.cases.get(reflection.case_id).code
    entries = [
        PortfolioEntry(reflection, codes[reflection.case_id], profile.reflections.actions_of(reflection))
        for reflection in reflections
    ]
    signed = [r for _, r in _in_period(profile, (), draft.date_from, draft.date_to) if r.signed]
    chosen = _chart_data(profile, reflections)
    practice = _chart_data(profile, signed)
    practice = type(practice)(
        framework=practice.framework,
        reflections=practice.reflections,
        frameworks={**practice.frameworks, **chosen.frameworks},
        months=tuple(monthly_profile(practice.reflections, practice.framework)),
    )
    wanted = set(draft.reflection_ids)
    forms = NmcForms(
        accounts=[a for a in draft.written if a.reflection_id in wanted],
        discussion=draft.discussion,
        themes=draft.themes_offered or practice.framework.code_themes,
        linked=draft.linked,
        unsigned=draft.unsigned,
    )

    def build(temp: Path) -> Path:
        return build_portfolio(
            entries,
            forms,
            practice,
            chosen,
            temp,
            practitioner=draft.practitioner,
            date_from=draft.date_from,
            date_to=draft.date_to,
            include_private=draft.include_private,
            page_size=page_size,
            progress=progress,
            cancelled=cancelled,
        )

    path = _run(build, out, profile, force)
    _done(progress)
    return path


def _done(progress: Progress | None) -> None:
    if progress is not None:
        progress(1.0, "Done")


# --- for the person: the person form and the summary to share back --------------------------------


LABEL_PLACE = "the name or initials to print"
"""Where a finding in the label is (``--label`` on the command line)."""


def check_label(label: str) -> list[ExportFinding]:
    """What looks identifying in the label the practitioner chose to print (a first name, initials)."""
    return _scan(LABEL_PLACE, label)


def export_person_form(
    profile: Profile,
    out: str | Path,
    *,
    label: str = "",
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    force: bool = False,
) -> Path:
    """The blank person form, in large print, at ``out``: the questions of hand-over mode on paper.

    It is of the framework new reflections use, and of no case: ``label`` is the only identifying
    text on it (check it first with check_label).
    """
    out, page_size = _check_out(out, profile, force), _check_page_size(page_size)
    framework = profile.frameworks.latest("psi")

    def build(temp: Path) -> Path:
        from psi_desktop.reporting.person_form import build_person_form

        return build_person_form(
            framework, temp, label=label, page_size=page_size, progress=progress, cancelled=cancelled
        )

    path = _run(build, out, profile, force)
    _done(progress)
    return path


def summary_reflection(
    profile: Profile, case_ids: Sequence[uuid.UUID] = (), reflection_id: uuid.UUID | None = None
) -> Reflection:
    """The reflection a summary is of: ``reflection_id``, else the (one) case's newest."""
    try:
        ((_, reflection),) = chosen_reflections(profile, "note", case_ids, reflection_id)
    except ValidationError:
        raise ValidationError("A summary is of one reflection: give a reflection or one case.") from None
    return reflection


def summary_topics(profile: Profile, reflection_id: uuid.UUID) -> list[tuple[str, str]]:
    """What a summary of the reflection can say "we talked about": (dimension id, topic in plain words)."""
    framework = profile.reflections.framework_of(_reflection(profile, reflection_id))
    return [(d.id, topic(d)) for d in framework.dimensions]


def summary_content(
    profile: Profile, reflection_id: uuid.UUID, topics: Sequence[str] = (), *, label: str = ""
) -> SummaryContent:
    """What the summary of the reflection prints, with ``topics`` (dimension ids) as what we talked about.

    Never the practitioner's or the supervisor's ratings, never an answer to a prompt: only the
    chosen topics, the actions and (when it is theirs, not an estimate) the person's own view.
    """
    reflection = _reflection(profile, reflection_id)
    framework = profile.reflections.framework_of(reflection)
    unknown = [t for t in topics if t not in framework.dimension_ids]
    if unknown:
        raise ValidationError(
            f"There is no topic {', '.join(unknown)}. The topics are: {', '.join(framework.dimension_ids)}."
        )
    actions = profile.reflections.actions_of(reflection)
    return person_paper.summary_content(reflection, framework, actions, topics, label=label)


def check_summary(
    profile: Profile, reflection_id: uuid.UUID, topics: Sequence[str] = (), *, label: str = ""
) -> list[ExportFinding]:
    """What looks identifying in everything the summary would print, and where (never the text itself).

    The topics and the statements are PSI Desktop's own words; the rest is scanned: the label,
    each action and the person's own words.
    """
    content = summary_content(profile, reflection_id, topics, label=label)
    findings = check_label(label)
    for number, text in enumerate(content.actions, start=1):
        findings += _scan(f"action {number}", text)
    if content.has_own_view:
        findings += _scan("the person's own words", content.words)
    return findings


def export_summary(
    profile: Profile,
    reflection_id: uuid.UUID,
    out: str | Path,
    *,
    topics: Sequence[str] = (),
    label: str = "",
    page_size: str = "A4",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    force: bool = False,
) -> Path:
    """The one-page summary to share back with the person, of one reflection, at ``out``.

    A draft's summary is marked as a draft (its actions can still change). Run check_summary first.
    """
    out, page_size = _check_out(out, profile, force), _check_page_size(page_size)
    content = summary_content(profile, reflection_id, topics, label=label)
    framework = profile.reflections.framework_of(_reflection(profile, reflection_id))

    def build(temp: Path) -> Path:
        from psi_desktop.reporting.share_back import build_summary

        return build_summary(content, framework, temp, page_size=page_size, progress=progress, cancelled=cancelled)

    path = _run(build, out, profile, force)
    _done(progress)
    return path
