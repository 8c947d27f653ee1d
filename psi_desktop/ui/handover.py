"""Hand-over mode: the person answers for themselves, in easy read, on a page that fills the screen.

The practitioner starts it from the person's step of a draft reflection and gives the laptop over.
The window then shows this screen and nothing else: no menus, no shortcuts, no other case, nobody
else's ratings. Each answer goes into the reflection as it is given (so a lock or a crash keeps it);
only the profile's passphrase, typed by staff, leaves the mode. The words are the shared easy-read
ones (domain/person_view.py); the scale's words are the framework's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from psi_desktop.domain import person_view
from psi_desktop.domain.model import Perspective
from psi_desktop.errors import WrongPassphraseError
from psi_desktop.services.profile import check_current_passphrase
from psi_desktop.ui.actions import ACTIONS
from psi_desktop.ui.formatting import error_label, error_text, passphrase_edit, show_error

if TYPE_CHECKING:
    from psi_desktop.ui.main_window import MainWindow
    from psi_desktop.ui.session import Session
    from psi_desktop.ui.walkthrough.frame import ReflectionScreen

SERVICE_USER = Perspective.SERVICE_USER
# The whole mode's text against the app's, readable at arm's length: as large as the screen's height
# allows (1.4 times fits a 960 x 540 screen, 1920 x 1080 at 200%; a taller screen gets up to 1.8).
TEXT_SCALE = (1.4, 1.8)
FITS_AT_SMALLEST = 540
QUESTION_SCALE = 1.3  # a question, against the mode's text
TARGET_HEIGHT = 48  # every button at least this tall, in device-independent pixels (44 is the floor)
COLUMN_CHARS = 52  # the widest the questions get, in characters of the mode's font: short lines read easily

STAFF_BUTTON = "Staff: finish"
STAFF_TITLE = "For staff"
STAFF_TEXT = "Type the passphrase of these records to finish. What the person chose is saved in the reflection."
STAFF_WRONG = "That is not the passphrase of these records. Check Caps Lock and try again."
STAFF_BACK = "Back to the questions"
STAFF_FINISH = "Finish"
LOCKED_NOTE = (
    "The questions for the person stopped when PSI Desktop locked. Their answers so far are saved; "
    "to go on, unlock and choose \u201cAsk the person again\u201d."
)

START = "Start"
STOP = "Stop here"
BACK = "\u25c2 Back"
NEXT = "Next \u25b8"
DONE = "Done \u25b8"

# The answers' boxes: the whole box is the target; chosen is filled blue with white text (6.9:1),
# in light and dark alike; the keyboard's place is a thick dashed edge in the text's own colour.
CHOICE_STYLE = """
QRadioButton#answer {
    padding: 8px 14px; spacing: 12px;
    border: 2px solid palette(mid); border-radius: 8px; background: palette(base); color: palette(text);
}
QRadioButton#answer:hover { border-color: #005EB8; }
QRadioButton#answer:checked { background: #005EB8; color: white; border-color: #005EB8; font-weight: bold; }
QRadioButton#answer:focus { border: 3px dashed palette(text); }
QRadioButton#answer:checked:focus { border: 3px dashed white; }
QRadioButton#answer::indicator { width: 22px; height: 22px; }
"""


PRIMARY_STYLE = """
QPushButton#primary {
    background: #005EB8; color: white; border: 3px solid #005EB8; border-radius: 6px; padding: 6px 28px;
}
QPushButton#primary:hover { background: #004C97; border-color: #004C97; }
QPushButton#primary:pressed { background: #003D7A; border-color: #003D7A; }
QPushButton#primary:focus { border: 3px dashed palette(text); }
"""


def text_scale(widget: QWidget) -> float:
    """How much larger than the app's the mode's text is, on the screen ``widget`` is on."""
    screen = widget.screen()
    height = screen.availableGeometry().height() if screen is not None else FITS_AT_SMALLEST
    smallest, largest = TEXT_SCALE
    return max(smallest, min(largest, smallest * height / FITS_AT_SMALLEST))


def question_count(framework_statements: int) -> int:
    """The statements, the question about change, and the free-text box."""
    return framework_statements + 2


class AnswerBox(QRadioButton):
    """One answer as a big box; a click anywhere on it chooses it."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)


class Answers(QWidget):
    """A question's answers, one big box per line, then "I'd rather not say" a little apart.

    ``answered`` carries (value, declined): the value chosen, or (None, True) for "I'd rather not
    say". Nothing chosen is (None, False). ``set_answer`` from code does not emit it.
    """

    answered = Signal(object, bool)

    def __init__(
        self, question: str, choices: Sequence[tuple[object, str]], parent: QWidget, *, description: str
    ) -> None:
        super().__init__(parent)
        self._values = [value for value, _ in choices]
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[AnswerBox] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for index, (_, text) in enumerate([*choices, (None, person_view.RATHER_NOT_SAY)]):
            button = AnswerBox(text, self)
            button.setObjectName("answer")
            button.setMinimumHeight(TARGET_HEIGHT)
            button.setAccessibleName(f"{question} {text}")
            button.setAccessibleDescription(description)
            button.installEventFilter(self)
            self.group.addButton(button, index)
            self.buttons.append(button)
            if index == len(choices):
                layout.addSpacing(8)
            layout.addWidget(button)
        self.rather_not = self.buttons[-1]
        self.setAccessibleName(question)
        # Here, not on the screen: a style sheet there would keep its larger font from the text.
        self.setStyleSheet(CHOICE_STYLE)
        self.group.idToggled.connect(self._on_group_id_toggled)

    def answer(self) -> tuple[object, bool]:
        index = self.group.checkedId()
        if index < 0:
            return None, False
        if self.buttons[index] is self.rather_not:
            return None, True
        return self._values[index], False

    def set_answer(self, value: object, *, declined: bool = False) -> None:
        self.group.blockSignals(True)
        self.group.setExclusive(False)
        for index, button in enumerate(self.buttons):
            if button is self.rather_not:
                button.setChecked(declined)
            else:
                button.setChecked(not declined and value is not None and self._values[index] == value)
        self.group.setExclusive(True)
        self.group.blockSignals(False)

    def focus(self) -> None:
        (self.group.checkedButton() or self.buttons[0]).setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_group_id_toggled(self, index: int, checked: bool) -> None:
        if checked:
            value, declined = self.answer()
            self.answered.emit(value, declined)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QAbstractButton) and event.type() == QEvent.Type.FocusIn:
            checked = self.group.checkedButton()
            tabbing = event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason)
            if tabbing and checked is not None and checked is not watched:
                checked.setFocus(event.reason())  # Tab lands on the chosen answer, as in a native radio group
                return True
            _scroll_to(watched)
        return False


def _scroll_to(widget: QWidget) -> None:
    """Arrow keys move the keyboard without Tab: keep the box it is on in sight on a small screen."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget, 8, 8)


class Page(QScrollArea):
    """One page of the mode: a column of text that scrolls if the screen is too small for it."""

    def __init__(self, name: str, parent: QWidget, *, progress: str = "") -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a stop for Tab, where it would show no mark of the keyboard; it scrolls to what Tab reaches.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.column = QWidget(self)
        self.layout_ = QVBoxLayout(self.column)
        self.layout_.setContentsMargins(0, 0, 0, 4)
        self.layout_.setSpacing(8)
        self.setWidget(self.column)
        self.setAccessibleName(name)
        self.progress = progress  # "Question 3 of 11", shown above the page
        self.first_focus: QWidget | None = None

    def add_text(self, text: str, *, scale: float = 1.0, bold: bool = False) -> QLabel:
        label = QLabel(text, self.column)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        if scale != 1.0 or bold:
            font = QFont(label.font())
            font.setPointSizeF(font.pointSizeF() * scale)
            font.setBold(bold)
            label.setFont(font)
        self.layout_.addWidget(label)
        return label


def big_button(text: str, parent: QWidget, name: str, *, primary: bool = False) -> QPushButton:
    button = QPushButton(text, parent)
    button.setMinimumHeight(TARGET_HEIGHT)
    button.setAccessibleName(name)
    button.setAutoDefault(False)
    if primary:  # the way on: the app's one accent colour, so it is plain which button goes on
        button.setObjectName("primary")
        button.setStyleSheet(PRIMARY_STYLE)
    return button


class HandoverScreen(QWidget):
    """Consent, a page per statement, the question about change, the free-text box, thanks, and a
    page for staff that asks for the passphrase. ``finished`` once staff typed it."""

    finished = Signal()

    def __init__(self, reflection: ReflectionScreen, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("handover")
        self.reflection = reflection
        self.session = session
        self.checking = False
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * text_scale(parent))
        self.setFont(font)

        framework = reflection.framework
        self.dimensions = person_view.statements(framework)
        self.total = question_count(len(self.dimensions))
        self.scale = tuple((p.value, p.label) for p in framework.scale)
        self.statement_answers: dict[str, Answers] = {}

        self.staff_button = QPushButton(STAFF_BUTTON, self)
        self.staff_button.setFont(QApplication.font())  # for staff: small, out of the way, not hidden
        self.staff_button.setMinimumHeight(TARGET_HEIGHT)
        self.staff_button.setAccessibleName("For staff: finish, with the passphrase")
        self.staff_button.setAutoDefault(False)
        self.staff_button.clicked.connect(self.show_staff)

        self.column = QWidget(self)  # one column, centred: short lines are easier to follow
        self.column.setMaximumWidth(self.fontMetrics().averageCharWidth() * COLUMN_CHARS)
        self.progress_label = QLabel(self.column)
        self.stack = QStackedWidget(self.column)
        self.pages: list[Page] = []
        self._build_consent()
        for number, dimension in enumerate(self.dimensions, start=1):
            self._build_statement(number, dimension.id, dimension.easy_read.text)
        self._build_change()
        self._build_words()
        self._build_thanks()
        self._build_staff()

        self.back_button = big_button(BACK, self.column, "Back to the question before")
        self.back_button.clicked.connect(self.back)
        self.stop_button = big_button(STOP, self.column, "Stop here: no more questions")
        self.stop_button.clicked.connect(self.stop)
        self.next_button = big_button(NEXT, self.column, "Next question", primary=True)
        self.next_button.clicked.connect(self.next)

        # How far it has got above the page; under it Back and Stop here on the left, Next on the right.
        nav = QHBoxLayout()
        nav.setSpacing(12)
        nav.addWidget(self.back_button)
        nav.addWidget(self.stop_button)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        column = QVBoxLayout(self.column)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.progress_label)
        column.addWidget(self.stack, 1)
        column.addLayout(nav)
        # The staff control in the corner, in a column of its own; an empty one as wide on the left keeps
        # the questions in the middle.
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 6, 12, 10)
        grid.setHorizontalSpacing(16)
        grid.addWidget(self.column, 0, 1)
        grid.addWidget(self.staff_button, 0, 2, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
        grid.setColumnMinimumWidth(0, self.staff_button.sizeHint().width())
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 100)
        grid.setColumnStretch(2, 1)
        self.setAccessibleName("Questions for the person")
        self._return_to = 0
        self._before_thanks = 0
        self.show_page(0, focus=False)

    # -- building the pages ---------------------------------------------------------------------

    def _add(self, page: Page) -> Page:
        self.pages.append(page)
        self.stack.addWidget(page)
        return page

    def _question_page(self, number: int) -> tuple[Page, str]:
        progress = f"Question {number} of {self.total}"
        return self._add(Page(progress, self.stack, progress=progress)), progress

    def _build_consent(self) -> None:
        page = self._add(Page(person_view.TITLE, self.stack))
        self.consent_title = page.add_text(person_view.TITLE, scale=QUESTION_SCALE, bold=True)
        for paragraph in person_view.CONSENT:
            page.add_text(paragraph)
        page.layout_.addStretch(1)

    def _build_statement(self, number: int, dimension_id: str, statement: str) -> None:
        page, progress = self._question_page(number)
        page.add_text(person_view.ANSWER_HOW)
        page.add_text(statement, scale=QUESTION_SCALE, bold=True)
        answers = Answers(statement, self.scale, page.column, description=f"{progress}. {person_view.ANSWER_HOW}")
        scores = self.reflection.reflection.ratings_of(SERVICE_USER)
        answers.set_answer(scores.get(dimension_id))
        answers.answered.connect(partial(self._on_rating_answered, dimension_id))
        page.layout_.addWidget(answers)
        page.layout_.addStretch(1)
        page.first_focus = answers
        self.statement_answers[dimension_id] = answers

    def _build_change(self) -> None:
        number = len(self.dimensions) + 1
        page, progress = self._question_page(number)
        page.add_text(person_view.CHANGE_QUESTION, scale=QUESTION_SCALE, bold=True)
        choices = [(c.impact, c.label) for c in person_view.CHANGE_CHOICES]
        self.change_answers = Answers(person_view.CHANGE_QUESTION, choices, page.column, description=progress)
        self.change_answers.set_answer(self.reflection.reflection.distress_impact.get(SERVICE_USER))
        self.change_answers.answered.connect(self._on_change_answered)
        page.layout_.addWidget(self.change_answers)
        page.layout_.addStretch(1)
        page.first_focus = self.change_answers

    def _build_words(self) -> None:
        number = len(self.dimensions) + 2
        page, progress = self._question_page(number)
        question = page.add_text(person_view.WORDS_QUESTION, scale=QUESTION_SCALE, bold=True)
        page.add_text(person_view.WORDS_HINT)
        self.words_edit = QPlainTextEdit(page.column)
        self.words_edit.setTabChangesFocus(True)
        self.words_edit.setAccessibleName(person_view.WORDS_QUESTION)
        self.words_edit.setAccessibleDescription(f"{progress}. {person_view.WORDS_HINT}")
        self.words_edit.setMinimumHeight(self.words_edit.fontMetrics().lineSpacing() * 5 + 16)
        self.words_edit.setPlainText(self.reflection.reflection.service_user_words)
        self.words_edit.textChanged.connect(self._on_words_changed)
        question.setBuddy(self.words_edit)
        page.layout_.addWidget(self.words_edit)
        page.layout_.addStretch(1)
        page.first_focus = self.words_edit

    def _build_thanks(self) -> None:
        page = self._add(Page(person_view.THANKS[0], self.stack))
        page.layout_.addStretch(1)
        page.add_text(person_view.THANKS[0], scale=QUESTION_SCALE, bold=True)
        for line in person_view.THANKS[1:]:
            page.add_text(line)
        page.layout_.addSpacing(24)
        self.thanks_staff_button = big_button(STAFF_BUTTON, page.column, "For staff: finish, with the passphrase")
        self.thanks_staff_button.setAccessibleDescription(" ".join(person_view.THANKS))
        self.thanks_staff_button.clicked.connect(self.show_staff)
        row = QHBoxLayout()
        row.addWidget(self.thanks_staff_button)
        row.addStretch(1)
        page.layout_.addLayout(row)
        page.layout_.addStretch(2)
        page.first_focus = self.thanks_staff_button
        self.thanks_page = page

    def _build_staff(self) -> None:
        page = self._add(Page(STAFF_TITLE, self.stack))
        page.add_text(STAFF_TITLE, scale=QUESTION_SCALE, bold=True)
        page.add_text(STAFF_TEXT)
        self.passphrase_edit = passphrase_edit(page.column, "Passphrase")
        self.passphrase_edit.setMinimumWidth(0)
        self.passphrase_edit.setPlaceholderText("Passphrase")
        self.passphrase_edit.setMinimumHeight(TARGET_HEIGHT)
        self.passphrase_edit.returnPressed.connect(self._on_finish_clicked)
        page.layout_.addWidget(self.passphrase_edit)
        self.staff_error = error_label(page.column)
        page.layout_.addWidget(self.staff_error)
        self.staff_back_button = big_button(STAFF_BACK, page.column, STAFF_BACK)
        self.staff_back_button.clicked.connect(self._on_staff_back_clicked)
        self.finish_button = big_button(
            STAFF_FINISH, page.column, "Finish: leave the questions for the person", primary=True
        )
        self.finish_button.clicked.connect(self._on_finish_clicked)
        row = QHBoxLayout()
        row.addWidget(self.staff_back_button)
        row.addStretch(1)
        row.addWidget(self.finish_button)
        page.layout_.addLayout(row)
        page.layout_.addStretch(1)
        page.first_focus = self.passphrase_edit
        self.staff_page = page

    # -- moving between pages ---------------------------------------------------------------------

    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    @property
    def last_question(self) -> int:
        return self.pages.index(self.thanks_page) - 1

    def show_page(self, index: int, *, focus: bool = True) -> None:
        """Show a page: what was answered is saved first, and the keyboard goes to its first answer."""
        if self.stack.count() and index != self.index:
            self.reflection.flush()
        page = self.pages[index]
        page.verticalScrollBar().setValue(0)
        thanks, staff = page is self.thanks_page, page is self.staff_page
        if thanks and self.index <= self.last_question:
            self._before_thanks = self.index  # Back on the thanks goes back there (a Stop here by mistake)
        self.stack.setCurrentIndex(index)
        self.progress_label.setText(page.progress)
        self.back_button.setVisible(0 < index <= self.last_question or thanks)
        self.stop_button.setVisible(index < self.last_question)  # on the last, Done does the same
        self.next_button.setVisible(index <= self.last_question)
        self.staff_button.setVisible(page is not self.thanks_page and not staff)
        if index == 0:
            self.next_button.setText(START)
            self.next_button.setAccessibleName("Start the questions")
        elif index == self.last_question:
            self.next_button.setText(DONE)
            self.next_button.setAccessibleName("Done: no more questions")
        else:
            self.next_button.setText(NEXT)
            self.next_button.setAccessibleName("Next question")
        if focus:
            self.focus_page()

    def focus_page(self) -> None:
        target = self.pages[self.index].first_focus
        if isinstance(target, Answers):
            target.focus()
        elif target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.next_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def next(self) -> None:
        if self.index <= self.last_question:
            self.show_page(self.index + 1)

    def back(self) -> None:
        if self.pages[self.index] is self.thanks_page:
            self.show_page(self._before_thanks)
        elif 0 < self.index <= self.last_question:
            self.show_page(self.index - 1)

    def stop(self) -> None:
        """The person stops: straight to the thanks, with what they chose kept."""
        self.show_page(self.pages.index(self.thanks_page))

    def show_staff(self) -> None:
        if self.pages[self.index] is not self.staff_page:
            self._return_to = self.index
        self.staff_error.hide()
        self.passphrase_edit.clear()
        self.show_page(self.pages.index(self.staff_page))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Return goes on (or presses the button it is on); Escape leaves the staff page."""
        key = event.key()
        staff = self.pages[self.index] is self.staff_page
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            focused = QApplication.focusWidget()
            if isinstance(focused, QPushButton) and self.isAncestorOf(focused):
                focused.click()
            elif not staff:
                self.next()
            return
        if key == Qt.Key.Key_Escape and staff and not self.checking:
            self._on_staff_back_clicked()
            return
        super().keyPressEvent(event)

    # -- what the person chose goes into the reflection at once --------------------------------------

    def _on_rating_answered(self, dimension_id: str, value: object, _declined: bool) -> None:
        score = value if isinstance(value, int) else None
        self.reflection.edited(self.reflection.session.set_rating(SERVICE_USER, dimension_id, score))

    def _on_change_answered(self, value: object, _declined: bool) -> None:
        self.reflection.edited(self.reflection.session.set_distress_impact(SERVICE_USER, value))

    def _on_words_changed(self) -> None:
        self.reflection.edited(self.reflection.session.set_service_user_words(self.words_edit.toPlainText()))

    # -- staff: the passphrase --------------------------------------------------------------------

    def _on_staff_back_clicked(self) -> None:
        if self.checking:
            return
        self.passphrase_edit.clear()
        self.show_page(self._return_to)

    def _on_finish_clicked(self) -> None:
        if self.checking:
            return
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            show_error(self.staff_error, "Type the passphrase first.")
            self.passphrase_edit.setFocus()
            return
        profile = self.session.profile
        if profile is None:
            return
        self.reflection.flush()
        self._set_checking(True)
        job = partial(check_current_passphrase, profile.directory, profile.key, passphrase)
        self.session.run_plain(job, owner=self, done=self._on_checked, failed=self._on_check_failed)

    def _set_checking(self, checking: bool) -> None:
        self.checking = checking
        self.finish_button.setText("Checking\u2026" if checking else STAFF_FINISH)
        for widget in (self.finish_button, self.staff_back_button, self.passphrase_edit):
            widget.setEnabled(not checking)

    def _on_checked(self, _result: object) -> None:
        self._set_checking(False)
        self.passphrase_edit.clear()
        self.finished.emit()

    def _on_check_failed(self, exc: BaseException) -> None:
        self._set_checking(False)
        show_error(self.staff_error, STAFF_WRONG if isinstance(exc, WrongPassphraseError) else error_text(exc))
        self.passphrase_edit.selectAll()
        self.passphrase_edit.setFocus()


class HandoverMode(QObject):
    """The window given over to the person: full screen, the questions and nothing else.

    Every action (menus and shortcuts alike) is off and the menu bar, toolbars and status bar are
    hidden; the window's other pages stay hidden behind this one. ``finished`` once staff typed the
    passphrase. Locking ends the mode at once (``end(locked=True)``): the window stays full screen
    for the lock screen, and ``restore_window`` puts it back as it was once unlocked.
    """

    finished = Signal()

    def __init__(self, window: MainWindow, reflection: ReflectionScreen) -> None:
        super().__init__(window)
        self.window = window
        self.screen = HandoverScreen(reflection, window.session, window.pages)
        self.screen.finished.connect(self.finished)
        self._state = window.windowState()
        self.geometry = window.saveGeometry()  # what the window saves meanwhile: as it was, not full screen
        self._hidden: list[QWidget] = []

    def begin(self) -> None:
        window = self.window
        for action in window.menu_actions.values():
            action.setEnabled(False)
        bars = (window.menuBar(), window.statusBar(), *window.findChildren(QToolBar))
        self._hidden = [bar for bar in bars if bar.isVisible()]
        for widget in self._hidden:
            widget.hide()
        window.pages.addWidget(self.screen)
        window.pages.setCurrentWidget(self.screen)
        window.showFullScreen()
        window.activateWindow()
        self.screen.show_page(0)

    def end(self, *, locked: bool = False) -> None:
        """Take the questions off the window; menus and bars come back (the window sets the actions)."""
        window = self.window
        window.pages.removeWidget(self.screen)
        self.screen.hide()
        self.screen.deleteLater()  # it may be inside one of the screen's own slots
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        for spec in ACTIONS:  # those usable in any state; the window sets the others as they should be now
            if spec.while_locked:
                window.menu_actions[spec.name].setEnabled(True)
        if not locked:
            self.restore_window()

    def restore_window(self) -> None:
        self.window.setWindowState(self._state)
        self.window.restoreGeometry(self.geometry)
