"""One launch of the app (or of a bare QMainWindow) in this process, for tests/perf/test_launch_benchmark.py.

``python -m tests.perf.launch_child MODE FOLDER [PASSPHRASE]`` prints one JSON line and exits:

- ``bare``: a QMainWindow with a label; at its first paint: the modules loaded and peak memory.
- ``locked``: the app's own entry point (``psi-desktop --data-dir FOLDER``) on a locked profile; at
  the lock screen's first paint the same, and again once the rest of the app has loaded after it.
- ``charts``: the app unlocked with PASSPHRASE, the first case's Charts tab open, every kind drawn
  in turn; then the memory in use and the peak.

The parent times from starting the process to the first line, so both include Python's own start.
"""

from __future__ import annotations

import json
import os
import resource
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

HEAVY = ("sqlite_utils", "numpy", "sqlcipher3", "argon2", "matplotlib", "reportlab", "psi_desktop.storage.store")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    """Memory in use now (Linux); the peak also counts what was freed, such as Argon2id's working memory."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def report(**values) -> None:
    print(json.dumps({"peak_mb": round(peak_mb(), 1), "resident_mb": round(resident_mb(), 1), **values}), flush=True)


def loaded() -> list[str]:
    return [name for name in HEAVY if name in sys.modules]


class FirstPaint(QObject):
    """Calls ``then(window)`` once, at the first paint of a main window."""

    def __init__(self, then) -> None:
        super().__init__()
        self.then = then

    def eventFilter(self, watched, event) -> bool:
        if self.then is not None and event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            then, self.then = self.then, None
            then(watched)
        return False


def after_lock_screen(window) -> None:
    report(at_first_paint=loaded())

    def when_warm() -> None:
        if window._warm_up is None and "psi_desktop.ui.case_page" in sys.modules:
            report(after_warm_up=loaded())
            os._exit(0)
        QTimer.singleShot(20, when_warm)

    QTimer.singleShot(0, when_warm)


def after_unlock(window) -> None:
    from psi_desktop.charts.data import ChartKind

    window.case_page.show_charts()
    kinds = list(ChartKind)

    def next_kind() -> None:
        charts = window.case_page.charts
        if charts is None or charts.drawer is None or charts._dirty:
            QTimer.singleShot(20, next_kind)
            return
        if not kinds:
            report(kinds_drawn=len(ChartKind))
            os._exit(0)
        index = charts.kind_combo.findText(charts.kind_combo.itemText(len(ChartKind) - len(kinds)))
        kinds.pop(0)
        charts.kind_combo.setCurrentIndex(index)
        QTimer.singleShot(50, next_kind)

    QTimer.singleShot(0, next_kind)


def main(mode: str, folder: str, passphrase: str = "") -> None:
    app = QApplication(sys.argv[:1])
    if mode == "bare":
        watcher = FirstPaint(lambda _w: (report(at_first_paint=loaded()), os._exit(0)))
        app.installEventFilter(watcher)
        window = QMainWindow()
        window.setCentralWidget(QLabel("PSI Desktop is locked"))
        window.resize(1000, 640)
        window.show()
        app.exec()
        return
    watcher = FirstPaint(after_lock_screen if mode == "locked" else after_unlock)
    app.installEventFilter(watcher)
    if mode == "charts":
        from psi_desktop.app import run

        run(__import__("pathlib").Path(folder), passphrase_hint=passphrase)
    else:
        from psi_desktop.cli import main as cli_main

        cli_main(["--data-dir", folder])


if __name__ == "__main__":
    main(*sys.argv[1:])
