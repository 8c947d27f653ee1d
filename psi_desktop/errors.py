"""Errors the user can act on, kept apart from bugs."""

from __future__ import annotations


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
