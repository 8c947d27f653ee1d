"""The store's schema, as append-only migrations.

Never edit or reorder a migration once it has landed: add a new one. A store that has a migration
this build does not know was written by a newer build and is refused.
"""

from __future__ import annotations

from psi_desktop.storage.sqlcipher import Database, Migrations, sqlite3

migrations = Migrations("psi_desktop")

_SIGNED = "(SELECT status FROM reflections WHERE id = {ref}) = 'signed'"


def _lock_children(table: str) -> str:
    """Triggers that stop rows of a signed reflection's child table from changing."""
    return "\n".join(
        f"""
        CREATE TRIGGER {table}_signed_{event.lower()} BEFORE {event} ON {table}
        WHEN {_SIGNED.format(ref=row + ".reflection_id")}
        BEGIN SELECT RAISE(ABORT, 'signed reflection is read-only'); END;"""
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    )


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL CHECK (length(trim(code)) > 0),
            setting TEXT NOT NULL DEFAULT '',
            opened_on TEXT,
            closed_on TEXT,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX cases_code ON cases (code COLLATE NOCASE);

        CREATE TABLE reflections (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES cases (id),
            framework_id TEXT NOT NULL,
            framework_version INTEGER NOT NULL,
            session_date TEXT NOT NULL,
            practitioner TEXT NOT NULL DEFAULT '',
            supervisor TEXT NOT NULL DEFAULT '',
            service_user_source TEXT
                CHECK (service_user_source IN ('told_me', 'feedback_form', 'estimate')),
            trauma_echo TEXT CHECK (trauma_echo IN ('yes', 'no', 'unsure')),
            code_themes TEXT NOT NULL DEFAULT '[]',
            wellbeing INTEGER CHECK (wellbeing BETWEEN 0 AND 4),
            status TEXT NOT NULL CHECK (status IN ('draft', 'discussed', 'signed')),
            signed_by TEXT,
            signed_at TEXT,
            content_sha256 TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK ((status = 'signed') = (content_sha256 IS NOT NULL))
        );
        CREATE INDEX reflections_case ON reflections (case_id, session_date);
        CREATE TRIGGER reflections_signed_update BEFORE UPDATE ON reflections
        WHEN OLD.status = 'signed'
        BEGIN SELECT RAISE(ABORT, 'signed reflection is read-only'); END;
        CREATE TRIGGER reflections_signed_delete BEFORE DELETE ON reflections
        WHEN OLD.status = 'signed'
        BEGIN SELECT RAISE(ABORT, 'signed reflection is read-only'); END;

        CREATE TABLE answers (
            reflection_id TEXT NOT NULL REFERENCES reflections (id) ON DELETE CASCADE,
            prompt_id TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (reflection_id, prompt_id)
        );

        CREATE TABLE ratings (
            reflection_id TEXT NOT NULL REFERENCES reflections (id) ON DELETE CASCADE,
            perspective TEXT NOT NULL
                CHECK (perspective IN ('practitioner', 'supervisor', 'service_user')),
            dimension_id TEXT NOT NULL,
            score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 4),
            PRIMARY KEY (reflection_id, perspective, dimension_id)
        );

        CREATE TABLE distress_impacts (
            reflection_id TEXT NOT NULL REFERENCES reflections (id) ON DELETE CASCADE,
            perspective TEXT NOT NULL
                CHECK (perspective IN ('practitioner', 'supervisor', 'service_user')),
            impact TEXT NOT NULL
                CHECK (impact IN ('increased', 'maintained', 'alleviated', 'unsure')),
            PRIMARY KEY (reflection_id, perspective)
        );

        CREATE TABLE amendments (
            id TEXT PRIMARY KEY,
            reflection_id TEXT NOT NULL REFERENCES reflections (id),
            author TEXT NOT NULL,
            made_at TEXT NOT NULL,
            reason TEXT NOT NULL,
            changes TEXT NOT NULL
        );
        CREATE INDEX amendments_reflection ON amendments (reflection_id, made_at);
        CREATE TRIGGER amendments_append_only_update BEFORE UPDATE ON amendments
        BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
        CREATE TRIGGER amendments_append_only_delete BEFORE DELETE ON amendments
        BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;

        CREATE TABLE actions (
            id TEXT PRIMARY KEY,
            case_id TEXT NOT NULL REFERENCES cases (id),
            reflection_id TEXT NOT NULL REFERENCES reflections (id),
            text TEXT NOT NULL,
            dimension TEXT,
            due_on TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'kept', 'not_kept', 'dropped')),
            reviewed_in TEXT REFERENCES reflections (id)
        );
        CREATE INDEX actions_case ON actions (case_id, status);
        """
        + "".join(_lock_children(t) for t in ("answers", "ratings", "distress_impacts"))
    )
    db.table("answers").enable_fts(["text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2")


@migrations()
def m002_conflicts(db: Database) -> None:
    """Incoming records that differed from local ones at import: kept beside them, never dropped."""
    db.executescript(
        """
        CREATE TABLE conflicts (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('case', 'reflection', 'action')),
            record_id TEXT NOT NULL,
            incoming TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            resolved_at TEXT
        );
        CREATE INDEX conflicts_record ON conflicts (record_id);
        """
    )


@migrations()
def m003_drafts(db: Database) -> None:
    """Text typed in dialogs, kept across a lock, and the portfolio's edited NMC accounts.

    ``kind`` says what the text is for (an amendment, a case, a reflective account...), ``key`` which
    one (a reflection or case id); ``body`` is a JSON object of the fields as typed.
    """
    db.executescript(
        """
        CREATE TABLE drafts (
            kind TEXT NOT NULL CHECK (length(kind) > 0),
            key TEXT NOT NULL,
            body TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        );
        """
    )


@migrations()
def m004_frameworks(db: Database) -> None:
    """Frameworks a bundle brought that this build does not have, kept so their records can be used.

    ``definition`` is the framework document (frameworks.framework_to_data) as the bundle carried it,
    provenance and all; ``source`` the bundle's file name. A kept framework never changes and is never
    removed: reflections made with it name it by (id, version).
    """
    db.executescript(
        """
        CREATE TABLE frameworks (
            id TEXT NOT NULL CHECK (length(id) > 0),
            version INTEGER NOT NULL CHECK (version > 0),
            definition TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            kept_at TEXT NOT NULL,
            PRIMARY KEY (id, version)
        );
        CREATE TRIGGER frameworks_kept_update BEFORE UPDATE ON frameworks
        BEGIN SELECT RAISE(ABORT, 'a kept framework is read-only'); END;
        CREATE TRIGGER frameworks_kept_delete BEFORE DELETE ON frameworks
        BEGIN SELECT RAISE(ABORT, 'a kept framework is read-only'); END;
        """
    )


_REFLECTIONS_V5 = """
    CREATE TABLE reflections_v5 (
        id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id),
        framework_id TEXT NOT NULL,
        framework_version INTEGER NOT NULL,
        session_date TEXT NOT NULL,
        practitioner TEXT NOT NULL DEFAULT '',
        supervisor TEXT NOT NULL DEFAULT '',
        service_user_source TEXT
            CHECK (service_user_source IN ('told_me', 'feedback_form', 'estimate', 'self_rated')),
        trauma_echo TEXT CHECK (trauma_echo IN ('yes', 'no', 'unsure')),
        code_themes TEXT NOT NULL DEFAULT '[]',
        wellbeing INTEGER CHECK (wellbeing BETWEEN 0 AND 4),
        status TEXT NOT NULL CHECK (status IN ('draft', 'discussed', 'signed')),
        signed_by TEXT,
        signed_at TEXT,
        content_sha256 TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        service_user_words TEXT NOT NULL DEFAULT '',
        CHECK ((status = 'signed') = (content_sha256 IS NOT NULL))
    )
"""
_V4_COLUMNS = (
    "id, case_id, framework_id, framework_version, session_date, practitioner, supervisor, "
    "service_user_source, trauma_echo, code_themes, wellbeing, status, signed_by, signed_at, "
    "content_sha256, created_at, updated_at"
)


@migrations(transactional=False)
def m005_own_view(db: Database) -> None:
    """The person's own view: the source 'self_rated' and what they wrote for staff.

    SQLite cannot change a CHECK constraint in place, so the reflections table is rebuilt as
    SQLite's ALTER TABLE page describes (make the new table, copy, drop the old, rename), in one
    transaction with foreign keys off so that dropping the old table touches no child row, and
    checked before it commits. foreign_keys cannot change inside a transaction, so this runs outside
    sqlite-utils' own; cut off after its commit and before it is recorded, it runs again, sees the new
    column and does nothing.
    """
    if "service_user_words" in {c.name for c in db["reflections"].columns}:
        return
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("PRAGMA legacy_alter_table = ON")  # the rename leaves other tables' triggers as they are
    try:
        with db.atomic():
            db.execute(_REFLECTIONS_V5)
            db.execute(f"INSERT INTO reflections_v5 ({_V4_COLUMNS}) SELECT {_V4_COLUMNS} FROM reflections")
            db.execute("DROP TABLE reflections")
            db.execute("ALTER TABLE reflections_v5 RENAME TO reflections")
            db.execute("CREATE INDEX reflections_case ON reflections (case_id, session_date)")
            for event in ("UPDATE", "DELETE"):
                db.execute(
                    f"CREATE TRIGGER reflections_signed_{event.lower()} BEFORE {event} ON reflections "
                    "WHEN OLD.status = 'signed' "
                    "BEGIN SELECT RAISE(ABORT, 'signed reflection is read-only'); END"
                )
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(f"{len(broken)} rows lost their reflection in the rebuild")
    finally:
        db.execute("PRAGMA legacy_alter_table = OFF")
        db.execute("PRAGMA foreign_keys = ON")


def _fts_with_triggers(db: Database, table: str, columns: tuple[str, ...]) -> None:
    """An FTS5 index over ``columns`` of ``table`` (external content, by rowid), filled from the rows there
    now and kept in step by triggers; the same tokenizer as answers_fts. Plain statements, not
    sqlite-utils' enable_fts, whose executescript would commit in the middle of the migration."""
    cols = ", ".join(columns)
    old = ", ".join(f"old.{c}" for c in columns)
    new = ", ".join(f"new.{c}" for c in columns)
    fts = f"{table}_fts"
    db.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5 ({cols}, tokenize='unicode61 remove_diacritics 2', content={table})"
    )
    db.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT rowid, {cols} FROM {table}")
    db.execute(
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.rowid, {new}); END"
    )
    db.execute(
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); END"
    )
    db.execute(
        f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO {fts} ({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old}); "
        f"INSERT INTO {fts} (rowid, {cols}) VALUES (new.rowid, {new}); END"
    )


@migrations()
def m006_search_index(db: Database) -> None:
    """Full-text search over actions (their text) and amendments (reason and what changed), beside
    answers_fts: filled from the rows already there, then kept in step by triggers. Actions are updated
    and removed, so their index follows both; amendments are append-only (their triggers refuse a change),
    so only the insert trigger of theirs ever fires. Two indexes let a search within a case or a few weeks
    start from their reflections."""
    _fts_with_triggers(db, "actions", ("text",))
    _fts_with_triggers(db, "amendments", ("reason", "changes"))
    # A search within a case or a few weeks starts from their reflections (storage.search).
    db.execute("CREATE INDEX reflections_search_date ON reflections (session_date)")
    db.execute("CREATE INDEX actions_search_reflection ON actions (reflection_id)")


@migrations()
def m007_action_reviews(db: Database) -> None:
    """Actions looked back on: a note on how it went, when it was marked, and what a "not kept" became.

    ``review_note`` is the reviewer's optional words; ``reviewed_at`` the instant it was marked kept,
    not kept or dropped (null while open, and for actions marked before this migration);
    ``carried_from`` the id of the action not kept that this one takes up again. Added columns with
    defaults: older rows read as never noted and never carried. ``carried_from`` is not a foreign key,
    so a bundle can carry one action without the one it came from.
    """
    for statement in (
        "ALTER TABLE actions ADD COLUMN review_note TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE actions ADD COLUMN reviewed_at TEXT",
        "ALTER TABLE actions ADD COLUMN carried_from TEXT",
        "CREATE INDEX actions_carried_from ON actions (carried_from)",
    ):
        db.execute(statement)


def _unless_removing(table: str, case_of_old: str) -> str:
    """The DELETE trigger of ``table`` again, now letting a row through while its whole case is removed."""
    return f"""
        DROP TRIGGER {table}_signed_delete;
        CREATE TRIGGER {table}_signed_delete BEFORE DELETE ON {table}
        WHEN {_SIGNED.format(ref="OLD.reflection_id")}
            AND NOT EXISTS (SELECT 1 FROM removals WHERE case_id = {case_of_old})
        BEGIN SELECT RAISE(ABORT, 'signed reflection is read-only'); END;"""


@migrations()
def m008_removals(db: Database) -> None:
    """Removing a whole case, signed records and all, and nothing signed one record at a time.

    A case being removed has a row in ``removals`` for the length of the transaction that removes it:
    the triggers that keep signed reflections, their answers, ratings and distress impacts, and
    amendments from being deleted let through the rows of that case, and only those. The row
    cannot outlive its transaction: its ``until_commit`` names a row of ``removal_never``, which is
    always empty, and foreign keys deferred to the commit refuse the commit while it is there. It
    cannot go before the case does (``removals_whole_case``), and the case cannot go while a
    reflection or an action of it is left (their foreign keys): so the transaction removes the
    whole case, or nothing of it lands.
    """
    case_of_child = "(SELECT case_id FROM reflections WHERE id = OLD.reflection_id)"
    db.executescript(
        """
        CREATE TABLE removal_never (id TEXT PRIMARY KEY);
        CREATE TRIGGER removal_never_empty BEFORE INSERT ON removal_never
        BEGIN SELECT RAISE(ABORT, 'removal_never stays empty'); END;
        CREATE TABLE removals (
            case_id TEXT PRIMARY KEY,
            until_commit TEXT NOT NULL DEFAULT 'removing'
                REFERENCES removal_never (id) DEFERRABLE INITIALLY DEFERRED
        );
        CREATE TRIGGER removals_whole_case BEFORE DELETE ON removals
        WHEN EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id)
        BEGIN SELECT RAISE(ABORT, 'a removal takes the whole case'); END;
        CREATE TRIGGER removals_insert_only BEFORE UPDATE ON removals
        BEGIN SELECT RAISE(ABORT, 'a removal takes the whole case'); END;

        DROP TRIGGER reflections_signed_delete;
        CREATE TRIGGER reflections_signed_delete BEFORE DELETE ON reflections
        WHEN OLD.status = 'signed' AND NOT EXISTS (SELECT 1 FROM removals WHERE case_id = OLD.case_id)
        BEGIN SELECT RAISE(ABORT, 'signed reflection is read-only'); END;

        DROP TRIGGER amendments_append_only_delete;
        CREATE TRIGGER amendments_append_only_delete BEFORE DELETE ON amendments
        WHEN NOT EXISTS (
            SELECT 1 FROM removals WHERE case_id = (SELECT case_id FROM reflections WHERE id = OLD.reflection_id)
        )
        BEGIN SELECT RAISE(ABORT, 'amendments are append-only'); END;
        """
        + "".join(_unless_removing(t, case_of_child) for t in ("answers", "ratings", "distress_impacts"))
    )


@migrations()
def m009_practitioners(db: Database) -> None:
    """Whose records these are: the profile's owner, and the practitioners whose bundles came in.

    ``kind``: ``owner`` is this profile's own practitioner id (one, made here, stable: bundles name
    the owner by it); ``owner_elsewhere`` an id of the owner's from another profile (a bundle moved
    from an old laptop); ``other`` a practitioner whose cases came in a bundle (a supervisee). A case
    with no row in ``case_practitioners`` is the owner's own, as every case was before this.
    The cases table itself is left as it is (its rows are read by position).
    """
    import uuid

    from psi_desktop.domain.documents import instant
    from psi_desktop.domain.model import utc_now

    db.executescript(
        """
        CREATE TABLE practitioners (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT '',
            nmc_pin TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('owner', 'owner_elsewhere', 'other')),
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX practitioners_one_owner ON practitioners (kind) WHERE kind = 'owner';
        CREATE TABLE case_practitioners (
            case_id TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
            practitioner_id TEXT NOT NULL REFERENCES practitioners (id)
        );
        CREATE INDEX case_practitioners_practitioner ON case_practitioners (practitioner_id);
        """
    )
    db.execute(
        "INSERT INTO practitioners (id, kind, updated_at) VALUES (?, 'owner', ?)",
        [str(uuid.uuid4()), instant(utc_now())],
    )
