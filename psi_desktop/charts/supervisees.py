"""A supervisee's sessions per month: signed ones solid, those not signed yet hatched and said so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from psi_desktop.charts.data import month_label
from psi_desktop.charts.figures import add_title, draw_message, new_figure
from psi_desktop.charts.practice import _month_axis, _plain
from psi_desktop.charts.radar import fitting_legend
from psi_desktop.charts.style import MUTED_COLOUR, NEUTRAL_COLOUR, RC_PARAMS

NO_SESSIONS = "No sessions from this practitioner yet. They appear here once their bundle brings reflections."
SIGNED_GID = "sessions-signed"
WAITING_GID = "sessions-not-signed"

Month = tuple[dt.date, int, int]  # first day of the month, signed, not signed yet


def sessions_figure(
    months: Sequence[Month],
    *,
    size: tuple[float, float] = (9, 2.6),
    dpi: float = 100,
    figure: Figure | None = None,
    title: str | None = None,
) -> Figure:
    """Sessions per month as bars: signed (solid) below, not signed yet (hatched, "draft") on top."""
    with matplotlib.rc_context(RC_PARAMS):
        fig = new_figure(size, dpi, figure)
        if not months:
            return draw_message(fig, NO_SESSIONS, title=title)
        add_title(fig, title)
        ax = fig.subplots()
        dates = [m for m, _, _ in months]
        signed = [s for _, s, _ in months]
        waiting = [d for _, _, d in months]
        ax.bar(dates, signed, width=18, color="#8C8C8C", gid=SIGNED_GID)
        ax.bar(
            dates, waiting, width=18, bottom=signed, color="white", edgecolor=NEUTRAL_COLOUR,
            hatch="///", linewidth=0.8, gid=WAITING_GID,
        )  # fmt: skip
        for date, s, d in months:
            ax.annotate(
                f"{s + d}" + (f" ({d} draft)" if d else ""),
                (date, s + d),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                color=MUTED_COLOUR,
            )
        top = max(s + d for _, s, d in months)
        ax.set_ylim(0, top * 1.35 + 0.5)
        ax.set_ylabel("Sessions")
        ax.yaxis.get_major_locator().set_params(integer=True)
        _plain(ax)
        if len(dates) == 1:
            pad = dt.timedelta(days=45)
            ax.set_xlim(dates[0] - pad, dates[0] + pad)
            ax.set_xticks(dates, [month_label(dates[0])])
        else:
            _month_axis(ax, dates)
        handles = [Patch(facecolor="#8C8C8C", label="Signed")]
        if any(waiting):
            handles.append(
                Patch(facecolor="white", edgecolor=NEUTRAL_COLOUR, hatch="///", label="Draft, not signed yet")
            )
        fitting_legend(fig, handles)
    return fig
