"""Archival PDFs: what reportlab wrote, made PDF/A by pikepdf, and read back again.

The PDFs go into supervision files and revalidation portfolios and are kept for years. reportlab's
open-source edition writes neither PDF/A nor tagged PDF, so each PDF is finished here: XMP
metadata (title, author, subject, language, keywords), an sRGB output intent, the language of the
document, and for a signed note its own record as an attached ``.psi.json`` file (PDF/A-3). The
file is then written by pikepdf's PDF/A writer, which validates the bytes it wrote: PDF/A-2b, or
PDF/A-3b when a file is attached. Should that validation ever fail, the PDF is written without
the claim (and a warning naming the rules is logged), never with a claim it does not meet.
Fonts are embedded already (reportlab embeds its TrueType subsets); nothing here encrypts or adds
scripts, and the writer refuses both.

Tagged PDF (PDF/UA, PDF/A "a" conformance) cannot be met: that needs a structure tree reportlab
cannot write.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

LANGUAGE = "en-GB"
RECORD_MIME = "application/json"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried inside a PDF (PDF/A-3 associated file): its name, bytes and a one-line description."""

    name: str
    data: bytes
    description: str
    mime_type: str = RECORD_MIME


def make_archival(
    path: str | os.PathLike[str],
    *,
    title: str,
    author: str,
    subject: str,
    keywords: Sequence[str] = (),
    attachments: Sequence[Attachment] = (),
) -> bool:
    """Rewrite the PDF at ``path`` in place as PDF/A-2b (PDF/A-3b with ``attachments``).

    Returns True when the written file passed PDF/A validation and says so in its metadata, False
    when it was written as a plain PDF instead (logged as a warning with the rules that failed).
    """
    import pikepdf
    from pikepdf import pdfa

    flavour = "3b" if attachments else "2b"
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            transition = page.obj.get("/Trans")
            if isinstance(transition, pikepdf.Dictionary) and not transition.keys():
                del page.obj["/Trans"]  # reportlab's empty page transition: meaningless, and not in PDF/A's list
        pdf.Root.Lang = pikepdf.String(LANGUAGE)
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        now = dt.datetime.now(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
        for attachment in attachments:
            spec = pikepdf.AttachedFileSpec(
                pdf,
                attachment.data,
                description=attachment.description,
                filename=attachment.name,
                mime_type=attachment.mime_type,
                creation_date=now,
                mod_date=now,
                relationship=pikepdf.Name.Data,  # the data the pages present
            )
            pdf.attachments[attachment.name] = spec
            pdf.Root.AF = pikepdf.Array([*pdf.Root.get("/AF", pikepdf.Array()), spec.obj])
        if "/Trapped" in pdf.docinfo:
            del pdf.docinfo["/Trapped"]  # reportlab's "not trapped": no XMP equivalent, and says nothing
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(pdf.docinfo)  # dates and creator tool: the XMP and DocInfo must agree
            meta["dc:title"] = title
            meta["dc:creator"] = [author] if author else []
            meta["dc:description"] = subject
            meta["dc:language"] = [LANGUAGE]
            if keywords:
                meta["pdf:Keywords"] = ", ".join(keywords)
        try:
            pdfa.save(pdf, None, flavour)
            return True
        except pdfa.PdfaError as exc:
            rules = sorted({finding.rule for finding in exc.report.findings})
            log.warning("PDF written without the PDF/A-%s claim: its check failed on %s", flavour, ", ".join(rules))
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            for key in ("pdfaid:part", "pdfaid:conformance"):
                if key in meta:
                    del meta[key]
        pdf.save()
    return False


@dataclass(frozen=True, slots=True)
class ReadBack:
    """What a PDF prints (its text, page by page) and the files attached to it, by name."""

    pages: tuple[str, ...]
    attachments: dict[str, bytes]


def read_back(data: bytes, max_attachment: int) -> ReadBack:
    """The text a PDF's pages print and the files attached to it (each at most ``max_attachment`` bytes).

    Raises ValueError when ``data`` is not a PDF that can be read.
    """
    import pikepdf
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = tuple(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        attachments = {}
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for name, spec in pdf.attachments.items():
                stream = spec.get_file()
                if int(stream.size) > max_attachment:
                    raise ValueError(f"an attached file is larger than {max_attachment} bytes")
                attachments[str(name)] = stream.read_bytes()
    except (PyPdfError, pikepdf.PdfError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a readable PDF ({type(exc).__name__})") from None
    return ReadBack(pages, attachments)
