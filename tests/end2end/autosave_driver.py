"""Run by test_autosave_kill.py in its own process: the real main window on a profile, typing into an
answer a word every 100 ms and saying when each word was typed, until it is killed.

Usage: python tests/end2end/autosave_driver.py PROFILE_DIR  (the passphrase comes on stdin)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from psi_desktop.app import settings_for
from psi_desktop.services.profile import unlock_profile
from psi_desktop.ui.main_window import MainWindow

WORD_EVERY_MS = 100
PROMPT = "context"


def main() -> None:
    directory = Path(sys.argv[1])
    passphrase = sys.stdin.readline().rstrip("\n")
    app = QApplication(sys.argv[:1])
    profile = unlock_profile(directory, passphrase)
    window = MainWindow(directory, settings_for(directory), profile=profile)
    window.show()
    case = profile.cases.summaries()[0].case
    window.case_list.select(case.id)
    window.new_reflection()
    screen = window.reflection_screen
    edit = screen.prompt_fields[PROMPT].edit
    edit.setFocus()
    print(f"ready {screen.reflection.id}", flush=True)
    count = iter(range(100_000))

    def type_word() -> None:
        word = f"w{next(count):04d}"
        QTest.keyClicks(edit, word + " ")
        print(f"typed {word} {time.time():.3f}", flush=True)

    timer = QTimer()
    timer.setInterval(WORD_EVERY_MS)
    timer.timeout.connect(type_word)
    timer.start()
    app.exec()


if __name__ == "__main__":
    main()
