"""SQLCipher as the SQLite driver, also for sqlite-utils.

sqlite-utils uses a module named ``pysqlite3`` when one is importable, and catches that module's
errors; naming sqlcipher3 so before sqlite-utils is first imported makes every part of it use the
encrypting driver. So this module is the only way in to sqlite-utils: the rest of the code takes
``Database`` and ``Migrations`` from here, never from ``sqlite_utils`` itself.
"""

from __future__ import annotations

import sys

import sqlcipher3
from sqlcipher3 import dbapi2 as sqlite3

sys.modules.setdefault("pysqlite3", sqlcipher3)
sys.modules.setdefault("pysqlite3.dbapi2", sqlite3)

import sqlite_utils.utils  # noqa: E402 - must come after the aliasing above
from sqlite_utils import Database  # noqa: E402
from sqlite_utils.migrations import Migrations  # noqa: E402

# dbapi2 is sqlite_utils' own import of the driver, not declared in its __all__.
if sqlite_utils.utils.dbapi2 is not sqlite3:  # type: ignore[attr-defined]
    raise ImportError("sqlite_utils was imported before psi_desktop.storage; it would not encrypt.")

__all__ = ["Database", "Migrations", "sqlite3"]
