"""Practitioners: the profile's owner, and whose cases came in bundles (migration m009_practitioners)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from psi_desktop.domain.documents import instant
from psi_desktop.domain.model import Practitioner, utc_now
from psi_desktop.storage.repositories import writing
from psi_desktop.storage.sqlcipher import Database

OWNER = "owner"
OWNER_ELSEWHERE = "owner_elsewhere"
OTHER = "other"


def practitioner_of(row: tuple[Any, ...]) -> Practitioner:
    """A practitioner from (id, name, role, nmc_pin)."""
    return Practitioner(uuid.UUID(row[0]), row[1] or "", row[2] or "", row[3] or None)


class PractitionerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def owner(self) -> Practitioner:
        """This profile's owner: made with the store's m009 migration, so always there."""
        row = self._db.execute("SELECT id, name, role, nmc_pin FROM practitioners WHERE kind = 'owner'").fetchone()
        return practitioner_of(row)

    def set_owner(self, name: str, role: str, nmc_pin: str | None) -> Practitioner:
        with writing(self._db):
            self._db.execute(
                "UPDATE practitioners SET name = ?, role = ?, nmc_pin = ?, updated_at = ? WHERE kind = 'owner'",
                [name, role, nmc_pin, instant(utc_now())],
            )
        return self.owner()

    def own_ids(self) -> set[str]:
        """The owner's id here and the owner's ids on other profiles (bundles moved in as their own)."""
        rows = self._db.execute("SELECT id FROM practitioners WHERE kind IN ('owner', 'owner_elsewhere')")
        return {r[0] for r in rows}

    def others(self) -> list[Practitioner]:
        """Every practitioner whose cases are here besides the owner, by name."""
        rows = self._db.execute(
            "SELECT id, name, role, nmc_pin FROM practitioners WHERE kind = 'other' "
            "AND id IN (SELECT practitioner_id FROM case_practitioners) ORDER BY name COLLATE NOCASE, id"
        )
        return [practitioner_of(r) for r in rows]

    def get_many(self, ids: Iterable[str]) -> dict[str, Practitioner]:
        wanted = list(ids)
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        rows = self._db.execute(f"SELECT id, name, role, nmc_pin FROM practitioners WHERE id IN ({marks})", wanted)
        return {r[0]: practitioner_of(r) for r in rows}

    def keep(self, practitioner: Practitioner, *, kind: str = OTHER, update: bool = False) -> None:
        """Add a practitioner; one already here keeps its kind, and its details change only with ``update``."""
        change = (
            "name = excluded.name, role = excluded.role, nmc_pin = excluded.nmc_pin, updated_at = excluded.updated_at"
        )
        with writing(self._db):
            self._db.execute(
                "INSERT INTO practitioners (id, name, role, nmc_pin, kind, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                + ("ON CONFLICT (id) DO UPDATE SET " + change if update else "ON CONFLICT (id) DO NOTHING"),
                [str(practitioner.id), practitioner.name, practitioner.role, practitioner.nmc_pin, kind,
                 instant(utc_now())],
            )  # fmt: skip
            if kind == OWNER_ELSEWHERE:
                self._db.execute(
                    "UPDATE practitioners SET kind = 'owner_elsewhere' WHERE id = ? AND kind = 'other'",
                    [str(practitioner.id)],
                )

    def case_owners(self) -> dict[str, str]:
        """case id -> practitioner id, for every case that is not the owner's own."""
        return dict(self._db.execute("SELECT case_id, practitioner_id FROM case_practitioners"))

    def assign(self, owners: Mapping[str, str | None]) -> None:
        """File each case (id) under a practitioner (id); None files it as the owner's own."""
        with writing(self._db):
            for case_id, practitioner_id in owners.items():
                if practitioner_id is None:
                    self._db.execute("DELETE FROM case_practitioners WHERE case_id = ?", [case_id])
                else:
                    self._db.execute(
                        "INSERT INTO case_practitioners (case_id, practitioner_id) VALUES (?, ?) "
                        "ON CONFLICT (case_id) DO UPDATE SET practitioner_id = excluded.practitioner_id",
                        [case_id, practitioner_id],
                    )
