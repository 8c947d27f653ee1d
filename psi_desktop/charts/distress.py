"""Impact on distress over time: what each perspective said the relationship did to the person's distress.

The paper's central outcome is whether a relationship maintains, increases or alleviates
distress; each session records it per perspective. One row per answer, one line per perspective
(an estimate of the service user's view a line of its own), so a change reads at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import matplotlib
from matplotlib.figure import Figure

from psi_desktop.charts.data import chart_gid, in_date_order, session_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.radar import fitting_legend, legend_handle
from psi_desktop.charts.style import BAND_COLOUR, GRID_COLOUR, RC_PARAMS
from psi_desktop.charts.trends import SeriesKey, date_axis, draft_handles, mark_drafts, plot_series, set_date_limits
from psi_desktop.domain.model import DistressImpact, Perspective, Reflection

SIZE = (7.0, 3.4)
NOTHING_RECORDED = "No impact on distress is recorded in these reflections yet."
LEVELS: dict[DistressImpact, float] = {
    DistressImpact.UNSURE: -1.0,
    DistressImpact.INCREASED: 0.0,
    DistressImpact.MAINTAINED: 1.0,
    DistressImpact.ALLEVIATED: 2.0,
}
"""Where each answer sits: alleviated at the top, "unsure" apart below the three answers that say something."""
_NUDGE = 0.12  # rating units between two perspectives' markers on one row, so neither hides the other


def distress_keys(ordered: Sequence[Reflection], chosen: Sequence[Perspective] = tuple(Perspective)) -> list[SeriesKey]:
    """The lines to draw: each perspective that recorded an impact, the service user's estimate apart."""
    keys = []
    for perspective in chosen:
        recorded = [r for r in ordered if perspective in r.distress_impact]
        for estimate in (False, True) if perspective is Perspective.SERVICE_USER else (False,):
            key = SeriesKey(perspective, estimate)
            if any(key.matches(r) for r in recorded):
                keys.append(key)
    return keys


def distress_figure(
    reflections: Iterable[Reflection],
    perspectives: Iterable[Perspective] = tuple(Perspective),
    *,
    size: tuple[float, float] = SIZE,
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """Each session's recorded impact on distress, per perspective, over the real session dates.

    A session where a perspective recorded nothing is a gap in its line, never a guess.
    """
    ordered = in_date_order(reflections)
    chosen = [p for p in Perspective if p in set(perspectives)]
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        keys = distress_keys(ordered, chosen)
        if not keys:
            return draw_message(fig, NOTHING_RECORDED, title=title)
        add_title(fig, title)
        ax = fig.add_subplot()
        _style(ax)
        dates = [r.session_date for r in ordered]
        for rank, key in enumerate(keys):
            nudge = (rank - (len(keys) - 1) / 2) * _NUDGE
            values = [_level(r, key) + nudge for r in ordered]
            texts = [_text(r, key) for r in ordered]
            style = key.style()
            plot_series(
                ax,
                dates,
                values,
                style,
                gid=key.gid(chart="distress"),
                texts=texts,
                zorder=4 + 0.1 * rank,
                markersize=max(5.5, style.markersize - 1.0 * rank),
            )
        mark_drafts([ax], ordered)
        date_axis(ax)
        set_date_limits([ax], dates)
        handles = [legend_handle(k.style(), k.style().label) for k in keys] + draft_handles(ordered)
        fitting_legend(fig, handles)
    return fig


def _level(reflection: Reflection, key: SeriesKey) -> float:
    impact = reflection.distress_impact.get(key.perspective)
    return LEVELS[impact] if impact is not None and key.matches(reflection) else math.nan


def _text(reflection: Reflection, key: SeriesKey) -> str | None:
    impact = reflection.distress_impact.get(key.perspective)
    if impact is None or not key.matches(reflection):
        return None
    return f"{key.style().label} · {impact.label} · {session_label(reflection)}"


def _style(ax) -> None:
    ax.set_ylim(-1.45, 2.45)
    ax.set_yticks(list(LEVELS.values()))
    ax.set_yticklabels([impact.label for impact in LEVELS])
    for impact, level in LEVELS.items():
        if impact is not DistressImpact.UNSURE:
            ax.axhspan(level - 0.38, level + 0.38, color=BAND_COLOUR, zorder=0, linewidth=0, alpha=0.6)
    ax.axhline(-0.5, color=GRID_COLOUR, linewidth=0.8, linestyle=(0, (4.0, 3.0)), zorder=1)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=0.4, alpha=0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID_COLOUR)
    ax.tick_params(axis="y", length=0)
    ax.set_gid(chart_gid(chart="distress"))
