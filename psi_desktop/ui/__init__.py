"""Qt only: the main window, its screens, dialogs and table models."""
