"""A profile: one practitioner's data folder, its store and the frameworks it can use."""

from __future__ import annotations

from pathlib import Path

from psi_desktop.frameworks import FrameworkRegistry, load_frameworks
from psi_desktop.services.cases import CaseService
from psi_desktop.storage import STORE_FILE, Store, open_store


class Profile:
    """An open profile. The UI and CLI reach every service through it."""

    def __init__(self, directory: Path, store: Store, frameworks: FrameworkRegistry) -> None:
        self.directory = directory
        self.store = store
        self.frameworks = frameworks
        self.cases = CaseService(store, frameworks)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def store_path(directory: Path) -> Path:
    return directory / STORE_FILE


def profile_exists(directory: Path) -> bool:
    return store_path(directory).exists()


def open_profile(directory: Path, *, create: bool = True) -> Profile:
    """Open the profile in ``directory``; with ``create``, make it when there is none."""
    store = open_store(store_path(directory), create=create)
    try:
        return Profile(directory, store, load_frameworks())
    except BaseException:
        store.close()
        raise
