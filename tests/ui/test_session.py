"""The session owns the profile and its workers: one connection per thread, and locking waits for every worker."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from psi_desktop.errors import StoreError
from psi_desktop.services import exports
from psi_desktop.services.bundles import apply_import, build_document, plan_import
from psi_desktop.services.profile import unlock_profile
from psi_desktop.storage.repositories import CaseRepository
from tests.conftest import PASSPHRASE


@pytest.fixture
def profile(make_profile, tmp_path: Path):
    return make_profile(tmp_path / "profile", demo=True)


class LateFailure(StoreError):
    """What a worker's transaction raises after it has written (a user-facing error, so nothing is logged)."""


def test_a_worker_transaction_that_fails_late_keeps_the_save_made_meanwhile_on_the_ui_thread(
    qtbot, session_of, profile
):
    session = session_of(profile)
    written, outcome = threading.Event(), []

    def job(own) -> None:
        with own.store.atomic():
            own.cases.create("Worker - W", "Written, then rolled back")
            written.set()
            time.sleep(0.3)  # the UI thread saves meanwhile
            raise LateFailure("The worker's transaction failed after writing.")

    session.run(job, owner=session, done=outcome.append, failed=outcome.append)
    assert written.wait(10)
    saved = profile.cases.create("Ward 5 - S", "Saved on the UI thread and told so")  # waits for the worker's lock
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)

    assert isinstance(outcome[0], LateFailure)
    codes = {s.case.code for s in profile.cases.summaries()}
    assert saved.code in codes and "Worker - W" not in codes
    profile.close()
    with unlock_profile(profile.directory, PASSPHRASE) as again:  # on disk, not only in this connection
        codes = {s.case.code for s in again.cases.summaries()}
    assert saved.code in codes and "Worker - W" not in codes


def test_the_ui_threads_connection_cannot_be_used_from_another_thread(profile):
    errors: list[BaseException] = []

    def use() -> None:
        try:
            profile.cases.summaries()
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert errors and "thread" in str(errors[0])


def test_locking_during_an_import_and_a_portfolio_build_closes_the_store_only_after_both_stopped(
    qtbot, open_window, make_profile, tmp_path: Path, monkeypatch
):
    source = make_profile(tmp_path / "source", demo=True)
    for n in range(5):
        source.cases.create(f"Ward {n} - I", "From the bundle")
    doc = build_document(source)
    incoming = {c["code"] for c in doc["cases"]}
    receiver = make_profile(tmp_path / "receiver", demo=True)
    window = open_window(receiver)
    session = window.session

    in_import, in_portfolio, finished = threading.Event(), threading.Event(), {}
    real_add = CaseRepository.add

    def slow_add(self, case) -> None:  # inside the import's transaction: the lock comes while it runs
        in_import.set()
        time.sleep(0.05)
        real_add(self, case)

    monkeypatch.setattr(CaseRepository, "add", slow_add)

    def import_job(own) -> None:
        apply_import(own, plan_import(own, doc), source="test bundle")
        finished["import"] = time.monotonic()

    out = tmp_path / "out" / "pack.pdf"
    out.parent.mkdir()

    def portfolio_job(own) -> None:
        def progress(fraction: float, message: str) -> None:
            in_portfolio.set()
            time.sleep(0.02)

        try:
            exports.export_portfolio(
                own, exports.portfolio_draft(own), out, progress=progress, cancelled=session.cancelled
            )
        finally:
            finished["portfolio"] = time.monotonic()

    results: list = []
    session.run(import_job, owner=window, done=results.append, failed=results.append)
    session.run(portfolio_job, owner=window, done=results.append, failed=results.append)
    assert in_import.wait(20) and in_portfolio.wait(20)

    closed_at: list[float] = []
    profile = session.profile
    real_close = type(profile).close

    def close(self) -> None:  # the window's profile; the workers' own copies close as they finish
        if self is profile:
            closed_at.append(time.monotonic())
        real_close(self)

    monkeypatch.setattr(type(profile), "close", close)
    window.lock()

    assert window.locked and profile.closed
    assert set(finished) == {"import", "portfolio"}, "the store closed while a worker still ran"
    assert closed_at and closed_at[0] >= max(finished.values())
    qtbot.wait(50)
    assert results == [], "work that ended after the lock reported to a window that no longer shows records"
    # Nothing half-written: the import landed whole; the pack was cancelled and left no file, or is whole.
    with unlock_profile(receiver.directory, PASSPHRASE) as again:
        codes = {s.case.code for s in again.cases.summaries()}
    assert incoming <= codes
    leftovers = [p.name for p in out.parent.iterdir() if p != out]
    assert leftovers == []
    if out.exists():
        assert len(PdfReader(out).pages) > 1


@pytest.mark.parametrize("closing", ["close", "shutdown"])
def test_a_closed_session_refuses_new_work_and_forgets_the_key(qtbot, session_of, profile, closing):
    session = session_of(profile)
    getattr(session, closing)()
    assert profile.closed and session.profile is None
    with pytest.raises(StoreError):
        session.run(lambda own: None, owner=session, done=print, failed=print)
