"""Logging to the profile's log file: events and tracebacks, never reflection text or case codes."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_DIR = "logs"
LOG_FILE = "psi-desktop.log"


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
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.psi_desktop = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path
