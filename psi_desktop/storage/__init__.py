"""The only code that knows SQL: opening and encrypting the store, migrations, repositories, backups.

The names below load the store's code (SQLCipher, sqlite-utils) only when first used, so that a
module needing a light part of storage (the profile lock, the key file) does not pay for it: the app's
lock screen is painted before any of it is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psi_desktop.storage.sqlcipher import sqlite3
    from psi_desktop.storage.store import STORE_FILE, Store, StoreDamagedError, open_store

__all__ = ["STORE_FILE", "Store", "StoreDamagedError", "open_store", "sqlite3"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        module = "psi_desktop.storage.sqlcipher" if name == "sqlite3" else "psi_desktop.storage.store"
        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
