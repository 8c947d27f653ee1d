"""Child process for test_migrations: a migration that is killed half way.

    python -m tests.faults._migrate_child PROFILE_DIR extra          # an extra migration, then unlock
    python -m tests.faults._migrate_child PROFILE_DIR inside-m001    # a new profile, held inside m001
    python -m tests.faults._migrate_child PROFILE_DIR before-write   # a new profile, held before any write

``extra`` registers ``m999_test_slow`` (it creates and fills a table, prints ``inside`` and sleeps)
on the real migration set, then unlocks the existing profile, which applies it. ``inside-m001``
makes a new profile and holds still inside its first migration, m001_initial, after its tables are
created and before its full-text index is. ``before-write`` makes a new profile and holds still
after the store file has been opened (created) and before anything is written to it. Each prints
``inside`` where it holds; the parent kills it with SIGKILL once it reads that.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from psi_desktop.services.profile import create_profile, unlock_profile
from psi_desktop.storage.keys import set_kdf_cost
from psi_desktop.storage.migrations import migrations
from tests.conftest import PASSPHRASE, _fast_kdf

set_kdf_cost(_fast_kdf())


def _hold(seconds: float = 30) -> None:
    print("inside", flush=True)
    time.sleep(seconds)


def main() -> None:
    directory, mode = Path(sys.argv[1]), sys.argv[2]
    if mode == "extra":

        @migrations()
        def m999_test_slow(db) -> None:
            db.execute("CREATE TABLE half(x)")
            db.execute("INSERT INTO half VALUES (1)")
            _hold()

        unlock_profile(directory, PASSPHRASE)
    elif mode == "inside-m001":
        import sqlite_utils.db

        real_enable_fts = sqlite_utils.db.Table.enable_fts

        def enable_fts_slowly(self, *args, **kwargs):
            _hold()
            return real_enable_fts(self, *args, **kwargs)

        sqlite_utils.db.Table.enable_fts = enable_fts_slowly
        create_profile(directory, PASSPHRASE)
    elif mode == "before-write":
        import psi_desktop.storage.store as store_module

        real_configure = store_module._configure

        def configure_slowly(db, path):
            _hold()
            return real_configure(db, path)

        store_module._configure = configure_slowly
        create_profile(directory, PASSPHRASE)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print("finished without being killed", flush=True)


if __name__ == "__main__":
    main()
