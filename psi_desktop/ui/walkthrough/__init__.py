"""The walkthrough of one reflection: a frame of steps (frame.py) around one page per kind of step."""

from psi_desktop.ui.walkthrough.frame import AUTOSAVE_MS, ReflectionScreen, StepListView

__all__ = ["AUTOSAVE_MS", "ReflectionScreen", "StepListView"]
