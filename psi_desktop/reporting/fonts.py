"""DejaVu Sans (shipped with matplotlib) registered with reportlab, so PDFs embed one font for all text."""

from __future__ import annotations

from pathlib import Path

FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
OBLIQUE = "DejaVuSans-Oblique"
BOLD_OBLIQUE = "DejaVuSans-BoldOblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    OBLIQUE: "DejaVuSans-Oblique.ttf",
    BOLD_OBLIQUE: "DejaVuSans-BoldOblique.ttf",
}


def font_dir() -> Path:
    """matplotlib's own copy of the DejaVu fonts."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def register_fonts() -> str:
    """Register the DejaVu Sans family with reportlab (once; later calls do nothing); returns its name.

    reportlab embeds TrueType fonts as subsets, and ``<b>``/``<i>`` in our own paragraph markup
    map to the bold and oblique faces through the family.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = set(pdfmetrics.getRegisteredFontNames())
    directory = font_dir()
    for name, file_name in _FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(directory / file_name)))
    pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=OBLIQUE, boldItalic=BOLD_OBLIQUE)
    return FAMILY
