"""The log never holds what the user typed, even when an exception's message quotes it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from psi_desktop.logs import configure_logging, log_path


@pytest.mark.expect_log_errors
def test_tracebacks_are_logged_without_exception_messages(tmp_path: Path):
    canary = "CANARY-reflection-text-9f2c"
    path = configure_logging(tmp_path)
    assert path == log_path(tmp_path)
    log = logging.getLogger("psi_desktop.test")
    try:
        try:
            raise KeyError(canary)
        except KeyError as inner:
            raise ValueError(f"could not lay out: {canary}") from inner
    except ValueError:
        log.exception("Export failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "Export failed" in text and "Traceback (most recent call last)" in text
    assert "builtins.ValueError (message not logged)" in text and "builtins.KeyError" in text
    assert "test_logs.py" in text  # the frames are there for IT
    assert canary not in text
