"""Bundles: hand records to a supervisor, move to a new laptop, export ratings as CSV.

Import is checked whole before anything is written, previewed, then applied in one transaction.
A signed reflection is never overwritten; other differences are kept side by side as conflicts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from psi_desktop import __version__
from psi_desktop.domain.documents import (
    action_document,
    action_from_document,
    case_document,
    case_from_document,
    instant,
    reflection_document,
    reflection_from_document,
)
from psi_desktop.domain.framework import Framework
from psi_desktop.domain.model import Action, Case, Perspective, Practitioner, Reflection, utc_now
from psi_desktop.domain.text import one_line
from psi_desktop.errors import NotFoundError, UserFacingError
from psi_desktop.frameworks import FrameworkRegistry, framework_to_data, parse_framework
from psi_desktop.services.bundle_format import (
    FORMAT,
    FORMAT_VERSION,
    BundleError,
    check_document,
    encrypt,
    open_bundle,
    read_file,
)
from psi_desktop.storage import Store
from psi_desktop.storage.outputs import check_output, write_output
from psi_desktop.storage.practitioners import OTHER, OWNER_ELSEWHERE
from psi_desktop.storage.repositories import StoreFullError

if TYPE_CHECKING:
    from psi_desktop.services.profile import Profile

PLAIN_SUFFIX = ".psi.json"
ENCRYPTED_SUFFIX = ".psibundle"


# -- export ------------------------------------------------------------------------------------------


def build_document(profile: Profile, case_ids: Iterable[uuid.UUID] | None = None) -> dict[str, Any]:
    """The bundle document for the chosen cases (all when None), in a stable order."""
    store, frameworks = profile.store, profile.frameworks
    cases = sorted(store.cases.all(), key=lambda c: (c.code.casefold(), str(c.id)))
    if case_ids is not None:
        wanted = set(case_ids)
        cases = [c for c in cases if c.id in wanted]
    ids = None if case_ids is None else [c.id for c in cases]
    position = {case.id: index for index, case in enumerate(cases)}
    reflections = sorted(
        store.reflections.for_cases(ids), key=lambda r: (position[r.case_id], r.session_date, str(r.id))
    )
    actions = sorted(store.actions.for_cases(ids), key=lambda a: (position[a.case_id], str(a.id)))
    used = sorted({(r.framework_id, r.framework_version) for r in reflections})
    me, whose = _whose(store, cases)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": instant(utc_now()),
        "exported_by": f"psi-desktop {__version__}",
        "from": str(me.id),
        "practitioners": [practitioner_document(p) for p in _people(store, me, whose.values())],
        "frameworks": [framework_to_data(frameworks.get(*key)) for key in used],
        "cases": [{**case_document(c), "practitioner_id": whose[str(c.id)]} for c in cases],
        "reflections": [reflection_document(r) for r in reflections],
        "actions": [action_document(a) for a in actions],
    }


def practitioner_document(p: Practitioner) -> dict[str, Any]:
    return {"id": str(p.id), "name": p.name, "role": p.role, "nmc_pin": p.nmc_pin}


def practitioner_from_document(doc: dict[str, Any]) -> Practitioner:
    return Practitioner(uuid.UUID(doc["id"]), doc["name"], doc["role"], doc.get("nmc_pin"))


def _whose(store: Store, cases: list[Case]) -> tuple[Practitioner, dict[str, str]]:
    """The owner, and case id -> the id of the practitioner whose case it is (the owner's for their own)."""
    me = store.practitioners.owner()
    owners = store.practitioners.case_owners()
    return me, {str(c.id): owners.get(str(c.id), str(me.id)) for c in cases}


def _people(store: Store, me: Practitioner, ids: Iterable[str]) -> list[Practitioner]:
    """The owner first, then everyone else whose cases are exported, by name."""
    others = store.practitioners.get_many(set(ids) - {str(me.id)})
    return [me, *sorted(others.values(), key=lambda p: (p.name.casefold(), str(p.id)))]


def case_ids_for_codes(profile: Profile, codes: Iterable[str]) -> list[uuid.UUID]:
    ids = []
    for code in codes:
        case = profile.cases.find(code)
        if case is None:
            raise NotFoundError("There is no case with one of the codes given. Check `psi-desktop cases`.")
        ids.append(case.id)
    return ids


def export_bundle(
    profile: Profile,
    out: Path,
    *,
    case_ids: Iterable[uuid.UUID] | None = None,
    passphrase: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Write a bundle: encrypted with ``passphrase``, or plain JSON when it is None. Returns the document.

    ``out`` is refused inside a profile folder, and replaced only with ``force`` (see storage.outputs).
    """
    check_output(out, profile.directory, force=force)  # before the work, which can take seconds
    doc = build_document(profile, case_ids)
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    if passphrase is not None:
        if not out.name.endswith(ENCRYPTED_SUFFIX):
            raise UserFacingError(f"An encrypted bundle's file name ends {ENCRYPTED_SUFFIX}.")
        data = encrypt(data, passphrase)
    elif not out.name.endswith(PLAIN_SUFFIX):
        raise UserFacingError(f"A plain bundle's file name ends {PLAIN_SUFFIX}.")
    try:
        write_output(out, data, profile.directory, force=force)
    except OSError as exc:
        raise UserFacingError(f"The bundle could not be written to {out.parent}: {exc.strerror}.") from exc
    return doc


# -- reading and previewing ------------------------------------------------------------------------------


def read_bundle(path: Path, passphrase: str | None) -> dict[str, Any]:
    """Read and decrypt a bundle file; raises BundleError naming what is wrong.

    Only a regular file is read, and never more of it than the size limit (bundle_format.read_file).
    """
    doc: dict[str, Any] = open_bundle(read_file(path), passphrase)
    return doc


class Outcome(StrEnum):
    ADD = "add"  # new here
    SAME = "same"  # already here, identical
    RENAMED = "renamed"  # a new case whose code is taken here: added under another code
    SUPERSEDES = "supersedes"  # a signed version of a local draft: it replaces the draft, kept as a conflict
    AMENDMENTS = "amendments"  # the same signed record with amendments added since
    CONFLICT = "conflict"  # differs from the local one: the local one stays, the incoming one is kept beside it


@dataclass(frozen=True, slots=True)
class PlanItem:
    kind: str  # case, reflection, action
    record_id: str
    outcome: Outcome
    label: str  # for the preview only: shown to the user, never logged
    new_code: str | None = None


@dataclass
class ImportPlan:
    document: dict[str, Any]
    items: list[PlanItem] = field(default_factory=list)
    # Frameworks the bundle brought that the profile does not have: kept with the records, and added
    # to ``registry`` (the profile's) once they are in the store.
    new_frameworks: list[Framework] = field(default_factory=list)
    registry: FrameworkRegistry | None = None
    # Whose cases they are (bundle format 3): case id -> practitioner id, or None for the owner's own,
    # for each case whose filing changes; and the practitioners to keep (new, or the sender's new details).
    owners: dict[str, str | None] = field(default_factory=dict)
    practitioners: list[Practitioner] = field(default_factory=list)
    sender: Practitioner | None = None  # whom the bundle is from, when it says
    sender_is_me: bool = False  # the owner's own bundle (from this profile, or moved in as their own)

    def count(self, outcome: Outcome, kind: str | None = None) -> int:
        return sum(1 for i in self.items if i.outcome is outcome and (kind is None or i.kind == kind))

    @property
    def changes_anything(self) -> bool:
        # A framework alone counts: importing again a bundle whose framework an older build did not keep.
        return bool(self.new_frameworks or self.owners or self.practitioners) or any(
            i.outcome is not Outcome.SAME for i in self.items
        )

    def whose(self) -> str:
        """Whom the bundle is from and where its cases go, for the preview; empty when it does not say."""
        if self.sender is None:
            return ""
        if self.sender_is_me:
            return "From you: its cases are filed as your own"
        theirs = sum(1 for pid in self.owners.values() if pid is not None)
        filed = f"; {theirs} case{'' if theirs == 1 else 's'} filed under their name" if theirs else ""
        sender = self.sender.label if self.sender.name else "an unnamed practitioner"
        return f"From {sender}{filed}"

    def summary(self) -> str:
        parts = []
        if self.new_frameworks:
            names = ", ".join(f"{f.name} version {f.version}" for f in self.new_frameworks)
            n = len(self.new_frameworks)
            parts.append(f"{n} framework{'' if n == 1 else 's'} new to this profile, kept with the records ({names})")
        for kind in ("case", "reflection", "action"):
            added = self.count(Outcome.ADD, kind) + self.count(Outcome.RENAMED, kind)
            if added:
                parts.append(f"{added} {kind}{'' if added == 1 else 's'} to add")
        same = self.count(Outcome.SAME)
        if same:
            parts.append(f"{same} already here")
        for outcome, words in (
            (Outcome.SUPERSEDES, "signed version(s) replacing a local draft"),
            (Outcome.AMENDMENTS, "signed reflection(s) with new amendments"),
            (Outcome.CONFLICT, "conflict(s): kept beside the local version for you to resolve"),
        ):
            n = self.count(outcome)
            if n:
                parts.append(f"{n} {words}")
        return "; ".join(parts) if parts else "Nothing in this bundle."


def plan_import(profile: Profile, doc: object, *, as_own: bool = False) -> ImportPlan:
    """Check the whole document, then say what importing it would do. Writes nothing.

    ``as_own``: the bundle is the owner's own from another profile (an old laptop): the cases of the
    practitioner it is from are filed as the owner's own, now and when they come back signed.
    """
    store, frameworks = profile.store, profile.frameworks
    problems = check_document(doc, frameworks)
    if problems:
        raise BundleError(f"This bundle has {problems.total} problem(s), so nothing was imported:", problems)
    assert isinstance(doc, dict)
    plan = ImportPlan(doc, registry=frameworks)
    for data in doc["frameworks"]:
        framework = parse_framework(data)  # checked above
        if framework.key not in frameworks:
            plan.new_frameworks.append(framework)
    codes = {c.code.casefold() for c in store.cases.all()}
    for case_doc in doc["cases"]:
        local = _get(store.cases.get, case_doc["id"])
        code = " ".join(case_doc["code"].split())
        if local is None:
            new_code = _free_code(code, codes)
            codes.add(new_code.casefold())
            outcome = Outcome.ADD if new_code == code else Outcome.RENAMED
            plan.items.append(PlanItem("case", case_doc["id"], outcome, code, new_code if new_code != code else None))
        else:
            mine, theirs = case_document(local), case_document(case_from_document(case_doc))
            # A case added here under "CODE (2)" because CODE was taken is still the same case.
            renamed_here = re.fullmatch(re.escape(code) + r" \(\d+\)", local.code) is not None
            same = mine == theirs or (renamed_here and {**mine, "code": code} == {**theirs, "code": code})
            plan.items.append(PlanItem("case", case_doc["id"], Outcome.SAME if same else Outcome.CONFLICT, local.code))
    for r_doc in doc["reflections"]:
        label = f"reflection of {r_doc['session_date']}"
        local_reflection = _get(store.reflections.get, r_doc["id"])
        incoming = reflection_document(reflection_from_document(r_doc))
        if local_reflection is None:
            outcome = Outcome.ADD
        else:
            mine = reflection_document(local_reflection)
            if mine == incoming:
                outcome = Outcome.SAME
            elif local_reflection.signed:
                same_record = {k: v for k, v in mine.items() if k not in ("amendments", "updated_at")} == {
                    k: v for k, v in incoming.items() if k not in ("amendments", "updated_at")
                }
                known = {a["id"] for a in mine["amendments"]}
                extra = [a for a in incoming["amendments"] if a["id"] not in known]
                # An older copy of the same signed record (fewer amendments) brings nothing new.
                outcome = (Outcome.AMENDMENTS if extra else Outcome.SAME) if same_record else Outcome.CONFLICT
            elif r_doc["status"] == "signed":
                outcome = Outcome.SUPERSEDES
            else:
                outcome = Outcome.CONFLICT
        plan.items.append(PlanItem("reflection", r_doc["id"], outcome, label))
    for a_doc in doc["actions"]:
        local_action = _get(store.actions.get, a_doc["id"])
        if local_action is None:
            outcome = Outcome.ADD
        else:
            same = action_document(local_action) == action_document(action_from_document(a_doc))
            outcome = Outcome.SAME if same else Outcome.CONFLICT
        plan.items.append(PlanItem("action", a_doc["id"], outcome, "action"))
    _plan_whose(store, plan, as_own)
    return plan


def _plan_whose(store: Store, plan: ImportPlan, as_own: bool) -> None:
    """Whose each case is (bundle format 3). A case names its practitioner, or else is the sender's;
    one of the owner's ids files it as the owner's own. A bundle that names nobody (format 1 or 2)
    files new cases as the owner's own, as before, and leaves the cases here as they are."""
    doc = plan.document
    sender_id: str | None = doc.get("from")
    people = {p["id"]: practitioner_from_document(p) for p in doc.get("practitioners") or []}
    mine = store.practitioners.own_ids()
    if sender_id is not None:
        plan.sender = people[sender_id]
        if as_own and sender_id not in mine:
            plan.practitioners.append(plan.sender)  # kept as the owner's id elsewhere
            mine.add(sender_id)
        plan.sender_is_me = sender_id in mine
    filed = store.practitioners.case_owners()
    known = store.practitioners.get_many({*people} - mine)
    kept: set[str] = set()
    for case_doc in doc["cases"]:
        named = case_doc.get("practitioner_id", sender_id)
        if named is None:
            continue
        target = None if named in mine else named
        if filed.get(case_doc["id"]) != target:
            plan.owners[case_doc["id"]] = target
        if target is not None and target not in kept:
            kept.add(target)
            here, theirs = known.get(target), people[target]
            # Details change only with a bundle from that practitioner: they say who they are.
            if here is None or (target == sender_id and here != theirs):
                plan.practitioners.append(theirs)


def apply_import(profile: Profile, plan: ImportPlan, *, source: str = "") -> None:
    """Carry out a plan in one transaction: all of it lands, or none of it."""
    try:
        _apply(profile.store, plan, source)
    except StoreFullError:
        # The store's own message is about typed text that saves later; here nothing is pending.
        raise StoreFullError(
            "Your data folder is full, so nothing was imported. Free some space, then import the bundle again."
        ) from None
    if plan.registry is not None:
        for framework in plan.new_frameworks:  # in the store now: the profile can show and export its records
            plan.registry.keep(framework)


def _apply(store: Store, plan: ImportPlan, source: str) -> None:
    doc = plan.document
    by_id = {(i.kind, i.record_id): i for i in plan.items}
    with store.atomic():
        for framework in plan.new_frameworks:
            store.frameworks.add(framework, source)
        for case_doc in doc["cases"]:
            item = by_id[("case", case_doc["id"])]
            if item.outcome in (Outcome.ADD, Outcome.RENAMED):
                case = case_from_document(case_doc)
                store.cases.add(case if item.new_code is None else _with_code(case, item.new_code))
            elif item.outcome is Outcome.CONFLICT:
                store.conflicts.add("case", item.record_id, case_doc, source)
        saved: list[Reflection] = []  # saved together after the loop: a few statements for thousands
        for r_doc in doc["reflections"]:
            item = by_id[("reflection", r_doc["id"])]
            incoming = reflection_from_document(r_doc)
            if item.outcome is Outcome.ADD:
                saved.append(incoming)
            elif item.outcome is Outcome.SUPERSEDES:
                local = reflection_document(store.reflections.get(incoming.id))
                store.conflicts.add("reflection", item.record_id, local, "local draft replaced by a signed version")
                saved.append(incoming)
            elif item.outcome is Outcome.AMENDMENTS:
                known = {a.id for a in store.reflections.get(incoming.id).amendments}
                for amendment in incoming.amendments:
                    if amendment.id not in known:
                        store.reflections.add_amendment(incoming.id, amendment)
            elif item.outcome is Outcome.CONFLICT:
                store.conflicts.add("reflection", item.record_id, r_doc, source)
        store.reflections.save_many(saved)
        actions: list[Action] = []
        for a_doc in doc["actions"]:
            item = by_id[("action", a_doc["id"])]
            if item.outcome is Outcome.ADD:
                actions.append(action_from_document(a_doc))
            elif item.outcome is Outcome.CONFLICT:
                store.conflicts.add("action", item.record_id, a_doc, source)
        store.actions.save_many(actions)
        for practitioner in plan.practitioners:
            sender = plan.sender is not None and practitioner.id == plan.sender.id
            kind = OWNER_ELSEWHERE if sender and plan.sender_is_me else OTHER
            store.practitioners.keep(practitioner, kind=kind, update=sender)
        store.practitioners.assign(plan.owners)


def open_conflicts(profile: Profile) -> list[tuple[str, str, dict[str, Any], str, str]]:
    """What imports kept side by side with the local records, still to be looked at:
    (kind, record id, incoming record, source, imported at) for each."""
    return profile.store.conflicts.open()


def import_bundle(profile: Profile, path: Path, passphrase: str | None, *, as_own: bool = False) -> ImportPlan:
    plan = plan_import(profile, read_bundle(path, passphrase), as_own=as_own)
    apply_import(profile, plan, source=path.name)
    return plan


T = TypeVar("T")


def _get(getter: Callable[[uuid.UUID], T], record_id: str) -> T | None:
    try:
        return getter(uuid.UUID(record_id))
    except NotFoundError:
        return None


def _free_code(code: str, taken: set[str]) -> str:
    if code.casefold() not in taken:
        return code
    n = 2
    while f"{code} ({n})".casefold() in taken:
        n += 1
    return f"{code} ({n})"


def _with_code(case: Case, code: str) -> Case:
    from dataclasses import replace

    return replace(case, code=code)


# -- CSV -------------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "case_code",
    "session_date",
    "reflection_id",
    "status",
    "framework_id",
    "framework_version",
    "component",
    "dimension",
    "dimension_label",
    "perspective",
    "service_user_source",
    "score",
)


def ratings_csv(profile: Profile) -> str:
    """One row per reflection x perspective x dimension, for every perspective that rated anything.

    ``score`` is empty where that perspective left the dimension unrated.
    """
    store, frameworks = profile.store, profile.frameworks
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    by_case: dict[uuid.UUID, list[Reflection]] = {}
    for reflection in store.reflections.for_cases():
        by_case.setdefault(reflection.case_id, []).append(reflection)
    for case in sorted(store.cases.all(), key=lambda c: c.code.casefold()):
        for r in by_case.get(case.id, []):
            framework = frameworks.get(r.framework_id, r.framework_version)
            for perspective in Perspective:
                scores = r.ratings_of(perspective)
                if not scores:
                    continue
                source = ""
                if perspective is Perspective.SERVICE_USER and r.service_user_source is not None:
                    source = r.service_user_source.value
                for d in framework.dimensions:
                    score = scores.get(d.id)
                    writer.writerow(
                        [_csv_safe(case.code), r.session_date.isoformat(), str(r.id), r.status.value,
                         framework.id, framework.version, d.component, d.id, d.label, perspective.value,
                         source, "" if score is None else score]
                    )  # fmt: skip
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """Stop a spreadsheet from running a case code as a formula; no control character (NUL) reaches the file."""
    text = one_line(text)  # codes are stored so already; this covers a profile from before that rule
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_csv(profile: Profile, out: Path, *, force: bool = False) -> int:
    """Write the ratings CSV to ``out`` (refused inside a profile folder; replaced only with ``force``)."""
    check_output(out, profile.directory, force=force)
    text = ratings_csv(profile)
    try:
        write_output(out, text.encode("utf-8"), profile.directory, force=force)
    except OSError as exc:
        raise UserFacingError(f"The CSV could not be written to {out.parent}: {exc.strerror}.") from exc
    return text.count("\n") - 1
