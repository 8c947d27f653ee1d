"""``psi-desktop self-test``: store, chart and PDF smoke test in a temporary profile."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psi_desktop.domain.documents import reflection_sha256
from psi_desktop.paths import STORE_FILE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_self_test() -> list[Check]:
    """Run every check, each in the same throwaway profile; a failing check does not stop the rest."""
    from psi_desktop.services.backups import list_backups, make_backup
    from psi_desktop.services.demo import add_demo_case
    from psi_desktop.services.profile import create_profile, unlock_profile
    from psi_desktop.storage.store import is_plaintext

    results: list[Check] = []
    with tempfile.TemporaryDirectory(prefix="psi-desktop-self-test-") as tmp:
        folder = Path(tmp)
        state: dict[str, Any] = {}

        def store() -> str:
            directory = folder / "profile"
            passphrase = "self-test passphrase"
            with create_profile(directory, passphrase).profile as profile:
                case = add_demo_case(profile)
                reflections = profile.cases.reflections(case.id)
                state.update(framework=profile.frameworks.get("psi", 1), case=case, reflections=reflections)
                make_backup(directory, profile.key)
            if is_plaintext(directory / STORE_FILE):
                raise AssertionError("the store is not encrypted")
            with unlock_profile(directory, passphrase) as profile:
                again = profile.cases.reflections(case.id)
                mode = profile.store.pragma("journal_mode")
                hits = profile.cases.search("observation")
                backups = list_backups(directory, profile.key)
            if again != reflections:
                raise AssertionError("reflections read back differ from those written")
            for reflection in again:
                if reflection.signature and reflection.signature.content_sha256 != reflection_sha256(reflection):
                    raise AssertionError("a signed reflection's hash does not match its content")
            if not (len(backups) == 1 and backups[0].ok and backups[0].reflections == len(again)):
                raise AssertionError("the backup does not hold what the store holds")
            return (
                f"{len(again)} reflections written, encrypted and read back, journal {mode}, "
                f"search found {len(hits)}, backup checked"
            )

        def chart() -> str:
            from psi_desktop.charts.radar import radar_figure, save_figure

            out = folder / "radar.png"
            save_figure(radar_figure(state["reflections"][-2], state["framework"]), out)
            if out.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
                raise AssertionError("the radar chart is not a PNG")
            return f"radar chart drawn ({out.stat().st_size // 1024} KiB)"

        def pdf() -> str:
            from psi_desktop.reporting.supervision_note import build_supervision_note

            out = folder / "note.pdf"
            build_supervision_note(state["reflections"][-2], state["framework"], state["case"].code, out)
            data = out.read_bytes()
            if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
                raise AssertionError("the supervision note is not a complete PDF")
            return f"supervision note written ({len(data) // 1024} KiB)"

        steps: list[tuple[str, Callable[[], str]]] = [("store", store), ("chart", chart), ("pdf", pdf)]
        for name, step in steps:
            started = time.perf_counter()
            try:
                detail = step()
            except Exception as exc:  # a self-test reports every failure rather than stopping
                log.exception("self-test step %s failed", name)
                results.append(Check(name, False, type(exc).__name__))
                if name == "store":
                    break
            else:
                results.append(Check(name, True, f"{detail} in {time.perf_counter() - started:.2f} s"))
    return results
