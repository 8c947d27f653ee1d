"""The review page: where each step stands, what to talk about, NMC Code themes, sign-off and amendments."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from psi_desktop.domain.framework import CodeTheme
from psi_desktop.domain.walkthrough import StepKind, StepState
from psi_desktop.ui.compare_view import points_text
from psi_desktop.ui.formatting import moment
from psi_desktop.ui.prompt_field import bold, wrapped
from psi_desktop.ui.rating_row import faint
from psi_desktop.ui.walkthrough.page import StepPage

NOT_REVEALED = (
    "Once the supervisor has rated, press Reveal on the \u201cSupervisor's view\u201d step to see where "
    "your views differ."
)


class ReviewPage(StepPage):
    def build(self, page: QWidget, layout: QVBoxLayout) -> None:
        self.review_steps = wrapped("", page)
        self.review_steps.setTextFormat(Qt.TextFormat.PlainText)
        self.review_steps.setAccessibleName("Progress of each step")
        self.review_steps.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.review_points = wrapped("", page)
        self.review_points.setTextFormat(Qt.TextFormat.PlainText)
        self.review_points.setAccessibleName("Discussion points")
        self.review_points.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if not self.read_only:  # once signed, what was left unanswered is no longer a to-do list
            layout.addWidget(bold(QLabel("Where you are", page)))
            layout.addWidget(self.review_steps)
            layout.addSpacing(8)
        else:
            self.review_steps.hide()
        layout.addWidget(bold(QLabel("To talk about", page)))
        layout.addWidget(self.review_points)
        layout.addSpacing(8)
        self._build_themes(page, layout)
        self._build_sign_off(page, layout)
        self.first_focus = self.hash_edit if self.read_only else self.review_steps

    def _build_themes(self, page: QWidget, layout: QVBoxLayout) -> None:
        layout.addWidget(bold(QLabel("NMC Code themes", page)))
        themes_note = wrapped(
            "For your revalidation reflective account. The ticks start from your ratings; change them as you see fit.",
            page,
        )
        faint(themes_note)
        themes_note.setVisible(not self.read_only)
        layout.addWidget(themes_note)
        # Signed: the chosen themes as plain text (greyed-out boxes would be hard to read).
        self.themes_label = wrapped("", page)
        self.themes_label.setVisible(self.read_only)
        self.themes_label.setAccessibleName("NMC Code themes")
        layout.addWidget(self.themes_label)
        self.theme_boxes: dict[CodeTheme, QCheckBox] = {}
        for info in self.framework.code_themes:
            box = QCheckBox(info.label, page)
            box.setAccessibleName(f"NMC Code theme: {info.label}")
            box.setVisible(not self.read_only)
            box.toggled.connect(self._on_theme_box_toggled)
            self.theme_boxes[info.id] = box
            layout.addWidget(box)
        self.suggest_button = QPushButton("Use the suggested themes", page)
        self.suggest_button.setVisible(not self.read_only)
        self.suggest_button.clicked.connect(self._on_suggest_button_clicked)
        suggest_row = QHBoxLayout()
        suggest_row.addWidget(self.suggest_button)
        suggest_row.addStretch(1)
        layout.addLayout(suggest_row)
        layout.addSpacing(8)

    def _build_sign_off(self, page: QWidget, layout: QVBoxLayout) -> None:
        layout.addWidget(bold(QLabel("Sign-off", page)))
        self.sign_note = wrapped("", page)
        self.sign_note.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.sign_note.setAccessibleName("Before signing")
        self.sign_button = QPushButton("Sign off\u2026", page)
        self.sign_button.setAccessibleName("Sign off this reflection")
        self.sign_button.clicked.connect(self.host.sign_off)
        self.signature_label = wrapped("", page)
        self.signature_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hash_edit = QLineEdit(page)
        self.hash_edit.setReadOnly(True)
        self.hash_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.hash_edit.setAccessibleName("Content hash, SHA-256")
        self.hash_label = QLabel("Content hash (SHA-256), printed on every PDF of this reflection:", page)
        self.hash_label.setWordWrap(True)
        self.hash_label.setBuddy(self.hash_edit)
        self.amendments_heading = bold(QLabel("Amendments", page))
        self.amendments_label = wrapped("", page)
        self.amendments_label.setTextFormat(Qt.TextFormat.PlainText)
        self.amendments_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.amendments_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.amendments_label.setAccessibleName("Amendments")
        self.amend_button = QPushButton("Add amendment\u2026", page)
        self.amend_button.setAccessibleName("Add an amendment")
        self.amend_button.clicked.connect(self.host.add_amendment)
        sign_row = QHBoxLayout()
        sign_row.addWidget(self.sign_button)
        sign_row.addWidget(self.amend_button)
        sign_row.addStretch(1)
        layout.addWidget(self.sign_note)
        layout.addWidget(self.signature_label)
        layout.addWidget(self.hash_label)
        layout.addWidget(self.hash_edit)
        layout.addLayout(sign_row)
        layout.addSpacing(8)
        layout.addWidget(self.amendments_heading)
        layout.addWidget(self.amendments_label)

    def shown(self) -> None:
        snapshot = self.snapshot()
        if not self.read_only and not snapshot.reflection.code_themes:
            self._set_code_themes(snapshot.suggested_themes)  # the ticks start from the ratings
        self.refresh()

    def refresh(self) -> None:
        snapshot = self.snapshot()
        reflection = snapshot.reflection
        groups: dict[str, list[str]] = {"Done": [], "Still to do": [], "Optional, not done yet": []}
        for step in self.session.steps:
            if step.kind is StepKind.REVIEW:
                continue
            if snapshot.progress[step.id] is StepState.COMPLETE:
                groups["Done"].append(step.label)
            elif step.optional:
                groups["Optional, not done yet"].append(step.label)
            else:
                groups["Still to do"].append(step.label)
        self.review_steps.setText(
            "\n".join(f"{name}: {', '.join(labels)}." for name, labels in groups.items() if labels)
        )
        self.review_points.setText(points_text(reflection, snapshot.points) if snapshot.revealed else NOT_REVEALED)
        chosen = reflection.code_themes
        self.themes_label.setText(
            ", ".join(self.framework.code_theme_label(t) for t in chosen) + "." if chosen else "None chosen."
        )
        suggested = set(snapshot.suggested_themes)
        for theme, box in self.theme_boxes.items():
            box.blockSignals(True)
            box.setChecked(theme in chosen)
            box.blockSignals(False)
            label = self.framework.code_theme_label(theme)
            box.setText(label + ("  (suggested)" if theme in suggested and not self.read_only else ""))
        signature = reflection.signature
        if signature is None:
            blockers = snapshot.sign_blockers
            self.sign_note.setText(
                " ".join(blockers)
                if blockers
                else "When you have talked it through, the supervisor signs it off. Signing locks the reflection."
            )
            self.sign_button.setEnabled(not blockers)
        else:
            self.sign_note.setText("")
            self.signature_label.setText(f"Signed by {signature.signed_by} on {moment(signature.signed_at)}.")
            self.hash_edit.setText(signature.content_sha256)
        self.sign_note.setVisible(signature is None)
        self.sign_button.setVisible(signature is None)
        for widget in (self.signature_label, self.hash_label, self.hash_edit, self.amend_button):
            widget.setVisible(signature is not None)
        self.amendments_heading.setVisible(signature is not None)
        self.amendments_label.setVisible(signature is not None)
        self.amendments_label.setText(
            "\n\n".join(
                f"{moment(a.made_at)} \u00b7 {a.author}\nWhy: {a.reason}\nWhat changed: {a.changes}"
                for a in reflection.amendments
            )
            or "None. The signed record above is as it was signed."
        )

    def _on_theme_box_toggled(self, _checked: bool) -> None:
        if self.read_only:
            return
        chosen = tuple(t for t in CodeTheme if t in self.theme_boxes and self.theme_boxes[t].isChecked())
        self.host.edited(self.session.set_code_themes(chosen), progress=False)

    def _on_suggest_button_clicked(self) -> None:
        self._set_code_themes(self.snapshot().suggested_themes)

    def _set_code_themes(self, themes: tuple[CodeTheme, ...]) -> None:
        if tuple(themes) == tuple(self.snapshot().reflection.code_themes):
            return
        for theme, box in self.theme_boxes.items():
            box.blockSignals(True)
            box.setChecked(theme in themes)
            box.blockSignals(False)
        self._on_theme_box_toggled(True)
