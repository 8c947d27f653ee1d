"""The shared look of charts: one font, and how each perspective is drawn (colour, line, marker)."""

from __future__ import annotations

from dataclasses import dataclass

from psi_desktop.domain.model import Perspective, ServiceUserSource, perspective_name

FONT_FAMILY = "DejaVu Sans"
"""Shipped with matplotlib, and registered for PDFs too, so charts and reports share one font."""

FONT_SIZE = 10  # points; UX.md: never below 10 pt
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"
GRID_COLOUR = "#BBBBBB"

RC_PARAMS = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY],
    "font.size": FONT_SIZE,
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": MUTED_COLOUR,
    "svg.fonttype": "path",  # an SVG that looks the same without the font installed
    # matplotlib's defaults, "C0", spelt out: a colour named by its place in the colour cycle is
    # looked up afresh each time, and every spine and axes background is made with this one.
    "patch.facecolor": "#1f77b4",
    "lines.color": "#1f77b4",
}
"""rcParams to build and save charts under (``matplotlib.rc_context(RC_PARAMS)``)."""


@dataclass(frozen=True, slots=True)
class PerspectiveStyle:
    """How one perspective's polygon is drawn. Line style and marker tell perspectives apart
    without colour (UX.md), so a greyscale printout still works."""

    label: str
    colour: str
    linestyle: str | tuple[float, tuple[float, ...]]
    marker: str
    hollow: bool = False
    linewidth: float = 2.0
    markersize: float = 7.0

    @property
    def marker_face(self) -> str:
        return "white" if self.hollow else self.colour


# Okabe-Ito colours that are not the component colours (blue, green, vermillion), so a polygon
# is never mistaken for a component.
PRACTITIONER_COLOUR = "#333333"
SUPERVISOR_COLOUR = "#CC79A7"
SERVICE_USER_COLOUR = "#E69F00"

PERSPECTIVE_STYLES: dict[Perspective, PerspectiveStyle] = {
    Perspective.PRACTITIONER: PerspectiveStyle(
        perspective_name(Perspective.PRACTITIONER), PRACTITIONER_COLOUR, "-", "o"
    ),
    Perspective.SUPERVISOR: PerspectiveStyle(perspective_name(Perspective.SUPERVISOR), SUPERVISOR_COLOUR, "--", "s"),
    Perspective.SERVICE_USER: PerspectiveStyle(
        perspective_name(Perspective.SERVICE_USER), SERVICE_USER_COLOUR, ":", "^"
    ),
}

ESTIMATE_STYLE = PerspectiveStyle(
    perspective_name(Perspective.SERVICE_USER, ServiceUserSource.ESTIMATE),
    SERVICE_USER_COLOUR,
    (0, (6.0, 3.0)),  # long dashes: unlike the supervisor's short ones
    "^",
    hollow=True,
)
"""The practitioner's estimate of the service user's view: dashed, hollow, and labelled as such."""


SELF_RATED_STYLE = PerspectiveStyle(
    perspective_name(Perspective.SERVICE_USER, ServiceUserSource.SELF_RATED, with_source=True),
    SERVICE_USER_COLOUR,
    "-",
    "^",
)
"""Ratings the person gave themselves in hand-over mode: solid, their own voice, named so."""


def perspective_style(perspective: Perspective, source: ServiceUserSource | None = None) -> PerspectiveStyle:
    """The style of a perspective; ``source`` only matters for the service user."""
    if perspective is Perspective.SERVICE_USER and source is ServiceUserSource.ESTIMATE:
        return ESTIMATE_STYLE
    if perspective is Perspective.SERVICE_USER and source is ServiceUserSource.SELF_RATED:
        return SELF_RATED_STYLE
    return PERSPECTIVE_STYLES[perspective]


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two "#RRGGBB" colours (1 to 21)."""
    lighter, darker = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour(colour: str, background: str = "#FFFFFF", minimum: float = 4.5) -> str:
    """``colour`` darkened just enough to be readable as text (UX.md: contrast at least 4.5:1).

    Component colours are for lines and bands; green (#009E73) on white is only 3.3:1 as text.
    """
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    candidate = colour.upper()
    for step in range(21):
        factor = 1 - step * 0.05
        candidate = f"#{round(r * factor):02X}{round(g * factor):02X}{round(b * factor):02X}"
        if contrast_ratio(candidate, background) >= minimum:
            break
    return candidate


# Components told apart without colour where they share an axes ("my practice" by component):
# Power solid with circles, Safety dashed with squares, Identity dash-dot with diamonds.
COMPONENT_LINES: tuple[tuple[str | tuple[float, tuple[float, ...]], str], ...] = (
    ("-", "o"),
    ((0, (5.0, 2.5)), "s"),
    ((0, (6.0, 2.0, 1.5, 2.0)), "D"),
)

NEUTRAL_COLOUR = "#333333"
"""Lines that are neither a perspective nor a component (a gap between two perspectives)."""

BAND_COLOUR = "#EDEDED"
"""Shading behind a chart's "worth talking about" zone: light enough to print in greyscale."""


def component_line(index: int) -> tuple[str | tuple[float, tuple[float, ...]], str]:
    """(line style, marker) of the ``index``-th component."""
    return COMPONENT_LINES[index % len(COMPONENT_LINES)]


def overlay_strengths(count: int) -> list[tuple[float, float]]:
    """(alpha, line width) from the oldest to the newest of ``count`` overlaid polygons.

    Oldest faint and thin, newest strong and thick: both change, so the order survives greyscale.
    """
    if count <= 1:
        return [(1.0, 2.4)] * count
    return [(1.0 - 0.7 * (count - 1 - i) / (count - 1), 1.0 + 1.6 * i / (count - 1)) for i in range(count)]
