"""Charts of a case, or of my practice across cases: what they are drawn from, and chart files (no Qt).

The Charts screen and ``psi-desktop export chart`` both come through here. matplotlib is only
imported when a figure is drawn, so importing this module stays cheap.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from psi_desktop.charts.data import (
    DEFAULT_PERSPECTIVES,
    ChartData,
    ChartKind,
    ChartRequest,
    TrendBy,
    day_label,
    in_date_order,
    monthly_profile,
)
from psi_desktop.domain.model import Case, Perspective, Reflection
from psi_desktop.errors import NotFoundError, UserFacingError, ValidationError
from psi_desktop.storage.outputs import check_output, output_file

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

CHART_SUFFIXES = (".png", ".svg")
CASE_KINDS = (ChartKind.RADAR, ChartKind.OVERLAY, ChartKind.MULTIPLES, ChartKind.TRENDS, ChartKind.GAPS)
PRACTICE_TITLE = "My practice across all cases, by month"
DEFAULT_BY = {kind: TrendBy.COMPONENT if kind is ChartKind.PRACTICE else TrendBy.DIMENSION for kind in ChartKind}


def case_chart_data(profile: Profile, case_id: uuid.UUID) -> ChartData:
    """A case's reflections (oldest first) and the frameworks they were made with."""
    case = profile.cases.get(case_id)
    return _chart_data(profile, profile.cases.reflections(case.id), case_code=case.code)


def practice_chart_data(profile: Profile) -> ChartData:
    """Every reflection in the profile, and the practitioner's own ratings month by month."""
    reflections = [r for summary in profile.cases.summaries() for r in profile.cases.reflections(summary.case.id)]
    data = _chart_data(profile, reflections)
    return ChartData(
        framework=data.framework,
        reflections=data.reflections,
        frameworks=data.frameworks,
        months=tuple(monthly_profile(data.reflections, data.framework)),
    )


def _chart_data(profile: Profile, reflections: Iterable[Reflection], *, case_code: str = "") -> ChartData:
    ordered = tuple(in_date_order(reflections))
    frameworks = {}
    for reflection in ordered:
        key = (reflection.framework_id, reflection.framework_version)
        if key not in frameworks:
            frameworks[key] = profile.frameworks.get(*key)
    framework = frameworks[_key(ordered[-1])] if ordered else profile.frameworks.latest("psi")
    return ChartData(framework=framework, reflections=ordered, frameworks=frameworks, case_code=case_code)


def _key(reflection: Reflection) -> tuple[str, int]:
    return (reflection.framework_id, reflection.framework_version)


def chart_title(request: ChartRequest, data: ChartData) -> str:
    """What an exported chart says at its top, e.g. "Demo - Ward 3 · radar of 13 Oct 2026"."""
    if request.kind is ChartKind.PRACTICE:
        return PRACTICE_TITLE
    from psi_desktop.charts.drawer import radar_reflection  # matplotlib: only when drawing

    code = data.case_code
    if request.kind is ChartKind.RADAR:
        reflection = radar_reflection(request, data)
        if reflection is None:
            return code
        return f"{code} · {day_label(reflection.session_date)} · {reflection.status.label}"
    what = {
        ChartKind.OVERLAY: "radar over time",
        ChartKind.MULTIPLES: "one radar per session",
        ChartKind.TRENDS: f"trends by {request.by.value}",
        ChartKind.GAPS: "gaps between perspectives",
    }[request.kind]
    return f"{code} · {what}"


def default_request(
    kind: ChartKind | str,
    *,
    reflection_id: uuid.UUID | None = None,
    by: TrendBy | str | None = None,
    perspectives: Iterable[Perspective] | None = None,
) -> ChartRequest:
    """A chart of every reflection (or one, for a radar) with the kind's usual perspectives.

    ``by`` defaults to dimension for trends and to component for my practice.
    """
    kind = ChartKind(kind)
    by = TrendBy(by) if by is not None else DEFAULT_BY[kind]
    return ChartRequest(
        kind=kind,
        reflection_ids=(reflection_id,) if reflection_id else None,
        perspectives=tuple(perspectives) if perspectives is not None else DEFAULT_PERSPECTIVES[kind],
        by=by,
    )


def write_chart(
    request: ChartRequest,
    data: ChartData,
    out_path: str | Path,
    *,
    profile_dir: Path,
    all_pages: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write the chart at its fixed export size: PNG at 300 dpi or SVG, by the file's suffix.

    With ``all_pages``, small multiples write one file per page: the first to ``out_path``,
    the next to "name-2.png" and so on. Returns the files written. Every file is refused inside a
    profile folder (``profile_dir`` or any other) and replaced only with ``force``: all of them are
    checked before the first is written (storage.outputs).
    """
    from psi_desktop.charts.drawer import chart_figure, pages
    from psi_desktop.charts.figures import save_figure

    out_path = Path(out_path)
    _check_out_path(out_path)
    wanted = range(pages(request, data)) if all_pages else [request.page]
    targets = [
        out_path if page == wanted[0] else out_path.with_name(f"{out_path.stem}-{page + 1}{out_path.suffix}")
        for page in wanted
    ]
    targets = [check_output(target, profile_dir, force=force) for target in targets]
    written = []
    for page, target in zip(wanted, targets, strict=True):
        figure = chart_figure(replace(request, page=page), data)
        try:
            with output_file(target, profile_dir, force=force) as temp:
                save_figure(figure, temp)
            written.append(target)
        except OSError as exc:
            reason = (exc.strerror or "disk error").lower()
            raise UserFacingError(
                f"The chart could not be written to {target} ({reason}). Choose another folder or free some space."
            ) from exc
    return written


def export_chart(
    profile: Profile,
    case_code: str | None,
    kind: ChartKind | str,
    out_path: str | Path,
    reflection_id: uuid.UUID | str | None = None,
    *,
    by: TrendBy | str | None = None,
    force: bool = False,
) -> list[Path]:
    """``psi-desktop export chart``: one chart of a case as PNG (300 dpi) or SVG; returns the files written.

    ``kind`` is radar, overlay, multiples, trends or gaps (or practice, which needs no case).
    ``reflection_id`` picks the radar's reflection (default: the newest with ratings); small
    multiples of many reflections write a file per page (see ``write_chart``).
    An existing file is replaced only with ``force``.
    Raises ValidationError or NotFoundError (exit code 2) for what the user can put right.
    """
    try:
        kind = ChartKind(kind)
    except ValueError:
        raise ValidationError(
            "Choose a chart kind: " + ", ".join(k.value for k in (*CASE_KINDS, ChartKind.PRACTICE)) + "."
        ) from None
    try:
        by = None if by is None else TrendBy(by)
    except ValueError:
        raise ValidationError("Trends go by dimension or by component.") from None
    out_path = Path(out_path)
    _check_out_path(out_path)
    if kind is ChartKind.PRACTICE:
        if reflection_id is not None:
            raise ValidationError("--reflection is for radar charts only.")
        data = practice_chart_data(profile)
        request = default_request(kind, by=by)
    else:
        case = _case(profile, case_code)
        data = case_chart_data(profile, case.id)
        chosen = _reflection(data, reflection_id) if reflection_id is not None else None
        if chosen is not None and kind is not ChartKind.RADAR:
            raise ValidationError("--reflection is for radar charts only; the other charts show every reflection.")
        request = default_request(kind, reflection_id=chosen, by=by)
    request = replace(request, title=chart_title(request, data))
    return write_chart(request, data, out_path, profile_dir=profile.directory, all_pages=True, force=force)


def _case(profile: Profile, case_code: str | None) -> Case:
    if not case_code:
        raise ValidationError("Say which case to chart with --case CODE; psi-desktop cases lists the codes.")
    case = profile.cases.find(" ".join(case_code.split()))
    if case is None:
        raise NotFoundError("There is no case with that code. psi-desktop cases lists the codes.")
    return case


def _reflection(data: ChartData, reflection_id: uuid.UUID | str) -> uuid.UUID:
    try:
        wanted = reflection_id if isinstance(reflection_id, uuid.UUID) else uuid.UUID(str(reflection_id))
    except ValueError:
        raise ValidationError("That is not a reflection id; psi-desktop cases --json lists them.") from None
    if not any(r.id == wanted for r in data.reflections):
        raise NotFoundError("That case has no reflection with that id; psi-desktop cases --json lists them.")
    return wanted


def _check_out_path(out_path: Path) -> None:
    if out_path.suffix.lower() not in CHART_SUFFIXES:
        raise ValidationError("Charts are saved as .png or .svg: end the file name with one of those.")
    if not out_path.parent.is_dir():
        raise ValidationError(f"The folder {out_path.parent} does not exist. Create it, or choose another.")


# -- a supervisor's view of supervisees (issue 17 item 4) ---------------------------------------------


def supervisee_chart_data(profile: Profile, practitioner_id: uuid.UUID | None = None) -> ChartData:
    """The reflections of one supervisee's cases (of every supervisee's when None), oldest first,
    with the practitioners' own ratings month by month in ``months`` (drafts counted, as in my practice)."""
    from psi_desktop.services.practitioners import supervisee_case_ids

    ids = supervisee_case_ids(profile, practitioner_id)
    data = _chart_data(profile, profile.store.reflections.for_cases(ids) if ids else [])
    return replace(data, months=tuple(monthly_profile(data.reflections, data.framework)))
