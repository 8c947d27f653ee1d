"""Errors the user can act on, kept apart from bugs."""

from __future__ import annotations

from pathlib import Path


class UserFacingError(Exception):
    """A problem the user can fix: shown in a dialog, or printed by the CLI with exit code 2.

    The message must be plain English, say what to do, and never contain reflection text,
    case codes or passphrases.
    """


class StoreError(UserFacingError):
    """The store cannot be opened or written."""


class StoreTooNewError(StoreError):
    """The store was written by a newer build of PSI Desktop."""


class NotFoundError(UserFacingError):
    """A case, reflection or action the user asked for does not exist."""


class ValidationError(UserFacingError):
    """Input that breaks a rule (an empty case code, a duplicate code, a bad date)."""


# Raised by storage, caught by name in the UI and the command line (which do not import storage).


class StoreDamagedError(StoreError):
    """The store file exists but cannot be read as a PSI Desktop store.

    ``reason`` is what is wrong, without the advice on what to do that the message may add.
    """

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


class StoreFullError(StoreError):
    """The disk is full: nothing was written, and what the user typed must be kept on screen."""


class StoreBusyError(StoreError):
    """Another connection kept the store locked for longer than the busy timeout."""

    def __init__(self, message: str = "PSI Desktop is busy with this profile; try again.") -> None:
        super().__init__(message)


class WrongPassphraseError(UserFacingError):
    """The passphrase does not unlock this profile."""


class WrongRecoveryKeyError(UserFacingError):
    """The recovery key does not unlock this profile."""


class OutputRefusedError(UserFacingError):
    """An output path that cannot be written: inside a profile folder, a link, a folder, or a missing folder."""


class OutputExistsError(OutputRefusedError):
    """The output file exists and the user did not ask to replace it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path.name} already exists in {path.parent}; nothing was written. "
            "Choose another name, or add --force to replace it."
        )
