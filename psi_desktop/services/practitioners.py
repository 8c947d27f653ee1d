"""Whose records a profile holds: the owner's details ("Your details"), and the practitioners
whose bundles came in (a supervisor's supervisees)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from psi_desktop.domain.model import Practitioner
from psi_desktop.domain.text import is_unicode, one_line
from psi_desktop.errors import ValidationError

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

MAX_NAME_LENGTH = 80
MAX_ROLE_LENGTH = 80
NMC_PIN = re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]")
"""An NMC Pin: two digits, a letter, four digits and a letter, such as 12A3456B."""


def clean_pin(pin: str | None) -> str | None:
    """An NMC Pin as stored (upper case, no spaces), None when empty; refused when it is not one."""
    if pin is None:
        return None
    pin = "".join(pin.split()).upper()
    if not pin:
        return None
    if not NMC_PIN.fullmatch(pin):
        raise ValidationError("An NMC Pin is two digits, a letter, four digits and a letter, such as 12A3456B.")
    return pin


def _clean(text: str, limit: int, what: str) -> str:
    text = one_line(text) if is_unicode(text) else ""
    if len(text) > limit:
        raise ValidationError(f"Keep {what} to {limit} characters or fewer.")
    return text


def owner(profile: Profile) -> Practitioner:
    """The profile's owner; name and role are empty until they are given."""
    return profile.store.practitioners.owner()


def set_owner_details(profile: Profile, name: str, role: str, nmc_pin: str | None = None) -> Practitioner:
    """Keep the owner's name, role and optional NMC Pin: bundles name who they are from with them."""
    return profile.store.practitioners.set_owner(
        _clean(name, MAX_NAME_LENGTH, "your name"), _clean(role, MAX_ROLE_LENGTH, "your role"), clean_pin(nmc_pin)
    )


def supervisees(profile: Profile) -> list[Practitioner]:
    """Every practitioner whose cases are in this profile besides the owner, by name."""
    return profile.store.practitioners.others()
