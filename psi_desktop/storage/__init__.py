"""The only code that knows SQL: opening and encrypting the store, migrations, repositories, backups."""

from psi_desktop.storage.sqlcipher import sqlite3  # noqa: F401 - first: sqlite-utils must use SQLCipher
from psi_desktop.storage.store import STORE_FILE, Store, StoreDamagedError, open_store

__all__ = ["STORE_FILE", "Store", "StoreDamagedError", "open_store"]
