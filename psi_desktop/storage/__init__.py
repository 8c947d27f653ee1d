"""The only code that knows SQL: opening the store, migrations and repositories."""

from psi_desktop.storage.store import STORE_FILE, Store, open_store

__all__ = ["STORE_FILE", "Store", "open_store"]
