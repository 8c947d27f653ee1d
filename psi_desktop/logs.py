"""Logging to the profile's log file: events and tracebacks, never reflection text or case codes."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import traceback
from pathlib import Path

from psi_desktop.paths import LOG_DIR as LOG_DIR
from psi_desktop.paths import LOG_FILE as LOG_FILE


class ContentFreeFormatter(logging.Formatter):
    """Tracebacks with their frames and exception types, but never exception messages.

    A message can quote what the user typed (reportlab quotes the paragraph it failed on, a value
    error repeats its input), and the log must never hold reflection text, codes or passphrases.
    """

    def format(self, record: logging.LogRecord) -> str:
        # logging caches the first handler's traceback text on the record: never reuse another's.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei) -> str:
        kind, value, tb = ei
        lines = ["Traceback (most recent call last):\n", *traceback.format_tb(tb)]
        chain = value.__cause__ or value.__context__ if value is not None else None
        while chain is not None:
            lines.append(f"(while handling {type(chain).__module__}.{type(chain).__qualname__})\n")
            chain = chain.__cause__ or chain.__context__
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message not logged)")
        return "".join(lines).rstrip("\n")


class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """The log, 0600 whatever the umask: every file it opens, the first and each after a rotation."""

    def _open(self):
        stream = super()._open()
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return stream


def log_path(directory: Path) -> Path:
    return directory / LOG_DIR / LOG_FILE


def configure_logging(directory: Path) -> Path | None:
    """Log to ``<profile>/logs/psi-desktop.log`` (rotated). Returns the file, or None if unwritable."""
    path = log_path(directory)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "psi_desktop", False):
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = _PrivateFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.psi_desktop = True  # type: ignore[attr-defined]
    handler.setFormatter(ContentFreeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path
