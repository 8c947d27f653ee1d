"""Fuzzing the bundle reader and the encrypted container (RELIABILITY row 12; issue 12, Deliver 6).

Three kinds of input: random bytes; a real bundle of the demo case mutated structure-aware; the
encrypted container with its header and bytes mutated. Each goes through read_bundle, plan_import and
apply_import on a real encrypted profile and must end in an import of all of it or a UserFacingError
with nothing imported: never another exception, never part of a bundle. The default suite runs
SMALL examples of each kind (derandomized, so every run tries the same ones); ``-m slow`` runs LARGE.
Every crash found is kept below as an ``@example``.
"""

from __future__ import annotations

import copy
import json
import re
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from psi_desktop.errors import UserFacingError
from psi_desktop.services.bundle_format import MAGIC, encrypt
from psi_desktop.services.bundles import Outcome, apply_import, build_document, plan_import, read_bundle
from psi_desktop.services.demo import add_demo_case
from psi_desktop.services.profile import create_profile
from psi_desktop.storage.keys import MEMORY_COST_RANGE, PARALLELISM_RANGE, TIME_COST_RANGE
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import run_cli, snapshot
from tests.unit.test_bundles import _VALUES, _mutate, counts

SMALL, LARGE = 60, 3000
BUNDLE_PASSPHRASE = "the fuzzed bundle's passphrase"
BUDGET = [pytest.param(SMALL, id="small"), pytest.param(LARGE, id="large", marks=pytest.mark.slow)]


def fuzz_settings(budget: int):
    return settings(
        max_examples=budget, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )  # fmt: skip


class Sample:
    """What a strategy mutates, shown by name (not its bytes) when hypothesis reports an example."""

    def __init__(self, name: str, value: object) -> None:
        self.name, self.value = name, value

    def __repr__(self) -> str:
        return self.name


@dataclass
class World:
    base: Path
    doc: dict
    encrypted: bytes
    target: object = None
    made: int = 0

    def fresh_target(self):
        if self.target is not None:
            self.target.close()
        self.made += 1
        self.target = create_profile(self.base / f"target-{self.made}", PASSPHRASE).profile
        return self.target


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    with create_profile(base / "source", PASSPHRASE).profile as source:
        add_demo_case(source)
        doc = build_document(source)
    encrypted = encrypt(json.dumps(doc).encode("utf-8"), BUNDLE_PASSPHRASE)
    made = World(base, doc, encrypted)
    made.fresh_target()
    yield made
    made.target.close()


def attempt(world: World, data: bytes, passphrase: str | None = BUNDLE_PASSPHRASE) -> str:
    """Read, plan and apply one bundle file: "imported" whole, or "refused" with nothing changed."""
    path = world.base / "example.bundle"
    path.write_bytes(data)
    target = world.target
    before = counts(target)
    try:
        plan = plan_import(target, read_bundle(path, passphrase))
        apply_import(target, plan)
    except UserFacingError:
        assert counts(target) == before, "a refused bundle changed the profile"
        return "refused"
    added = [
        plan.count(Outcome.ADD, "case") + plan.count(Outcome.RENAMED, "case"),
        plan.count(Outcome.ADD, "reflection"),
        plan.count(Outcome.ADD, "action"),
        plan.count(Outcome.CONFLICT) + plan.count(Outcome.SUPERSEDES),
    ]
    assert counts(target) == tuple(b + a for b, a in zip(before, added, strict=True)), "imported in part"
    assert target.store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    world.fresh_target()  # the next example starts from an empty profile again
    return "imported"


# -- odd values, for the structure-aware mutations (with the unit test's _VALUES and _mutate) --------------

WORD = "Schwierigkeitsgrad" * 278  # one 5,004-character word
ODD_TEXT = st.one_of(
    st.sampled_from([
        "\x00", "a\x00b", "\t", "tab\tinside", "\u202eRTL override\u202c", "\u200fמילה\u200f", "\ufeffBOM", "",
        " ", "  two  spaces  ", "line\nbreak", "\r", "\u2028", WORD, "\ud800", "a\udfffb", "\U0001f4a5", "e\u0301",
        "\uff21\uff22", "\u0000" * 3, "=cmd()", "../../etc/passwd", "%s%n", "\x1b[31m", "null", "true", "0",
    ]),
    st.text(st.characters(categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Mn")), max_size=12),
    st.text(max_size=40),
)  # fmt: skip
ODD_DATES = st.sampled_from([
    "2026-99-99", "2026-W40-5", "2026-10-02T00:00", "\u0662\u0660\u0662\u0666-\u0661\u0660-\u0660\u0662",
    "20261002", "2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "-2026-01-01", "2026-1-2", " 2026-10-02",
    "2026-10-02\n", "2026-275", "+02026-10-02", "2026-10-02Z",
])  # fmt: skip
ODD_INSTANTS = st.sampled_from([
    "2026-99-99T99:99:99Z", "2026-10-02T15:10:00+00:00", "2026-10-02T15:10:00+05:00",
    "\u0662\u0660\u0662\u0666-\u0661\u0660-\u0660\u0662T15:10:00Z", "2026-10-02T15:10:00.1234567891234Z",
    "2026-10-02T24:00:00Z", "2026-10-02 15:10:00Z", "2026-10-02T15:10:60Z", "2026-10-02T15:10:00",
    "0000-00-00T00:00:00Z", "2026-10-02t15:10:00z", "2026-W40-5T15:10:00Z",
])  # fmt: skip
ODD_NUMBERS = st.sampled_from([0, -1, 5, 4, 2**31, 2**63, 10**19, -(10**19), 1.5, 2.0, 1e308, -0.0, True, False])
ODD_UUIDS = st.sampled_from([
    "00000000-0000-0000-0000-000000000000", "not-a-uuid", "", "{12345678-1234-5678-1234-567812345678}",
    "12345678123456781234567812345678", "urn:uuid:12345678-1234-5678-1234-567812345678",
])  # fmt: skip
# Copied, so that mutating a drawn list or object later cannot change what the strategy draws next time.
ODD = st.one_of(_VALUES, ODD_TEXT, ODD_DATES, ODD_INSTANTS, ODD_NUMBERS, ODD_UUIDS).map(copy.deepcopy)


def _respell(value):
    """Another spelling of the same value: a UUID as urn:/braces/upper case, text with NUL or spaces, ..."""
    if isinstance(value, str):
        try:
            same = uuid.UUID(value)
        except ValueError:
            return [value + "\x00", " " + value + " ", value.upper(), value + "\t", value.replace(" ", "  "),
                    value * 2, value[:1]]  # fmt: skip
        return [same.urn, "{" + str(same) + "}", str(same).upper(), same.hex]
    if type(value) is int:
        return [str(value), float(value), value + 1, -value, [value], True]
    return [[value], {"value": value}, str(value)]


def _of_its_kind(key) -> st.SearchStrategy:
    """Odd values of the kind a field holds: a date for ``opened_on``, an instant for ``signed_at``, ..."""
    key = str(key)
    if key.endswith("_on") or key == "session_date":
        return ODD_DATES
    if key.endswith("_at"):
        return ODD_INSTANTS
    if key == "id" or key.endswith("_id") or key == "reviewed_in":
        return ODD_UUIDS
    if "." in key or key in ("wellbeing", "version", "format_version"):
        return ODD_NUMBERS  # scores are keyed by dimension ids such as power.protective
    return ODD_TEXT


def _containers(node, found: list) -> list:
    if isinstance(node, (dict, list)):
        found.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, found)
    return found


def _records(doc) -> list:
    """The records of a bundle and the objects directly inside them (signature, ratings, ...)."""
    found = []
    for name in ("cases", "reflections", "actions"):
        for record in doc[name] if isinstance(doc.get(name), list) else []:
            if isinstance(record, dict):
                found += [record, *(v for v in record.values() if isinstance(v, dict))]
    return found


def _field_mutation(doc: dict, data) -> None:
    """One field of one record given an odd value of its kind (a date that is not one, a UUID spelt otherwise)."""
    records = [r for r in _records(doc) if r]
    if records:
        record = data.draw(st.sampled_from(records))
        key = data.draw(st.sampled_from(sorted(record)))
        odd = st.sampled_from(_respell(record[key])) if data.draw(st.integers(0, 3)) == 0 else _of_its_kind(key)
        record[key] = data.draw(odd)


def _odd_mutation(doc: dict, data) -> None:
    records = _records(doc)
    # Half the time a record's own field: most of a bundle's objects are in its frameworks.
    node = data.draw(st.sampled_from(records if records and data.draw(st.booleans()) else _containers(doc, [])))
    if not node:
        return
    key = data.draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
    how = data.draw(st.sampled_from(["odd", "odd of its kind", "respell", "rename", "new key"]))
    if how == "odd":
        node[key] = data.draw(ODD)
    elif how == "odd of its kind":
        node[key] = data.draw(_of_its_kind(key))
    elif how == "respell":
        node[key] = data.draw(st.sampled_from(_respell(node[key])))
    elif isinstance(node, dict):
        value = node.pop(key) if how == "rename" else data.draw(ODD)
        node[data.draw(st.sampled_from([key + "\x00", key.upper(), key + " ", "__proto__", WORD, "\ud800"]))] = value


@st.composite
def mutated_bundles(draw, sample: Sample):
    doc = copy.deepcopy(sample.value)
    data = draw(st.data())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["structure", "field", "anywhere"]))
        if how == "structure":
            _mutate(doc, data)  # drop, replace or duplicate somewhere
        elif how == "field":
            _field_mutation(doc, data)
        else:
            _odd_mutation(doc, data)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate unescaped: bytes that are not UTF-8
    spots = [m.start(1) for m in re.finditer(rb": (-?\d)", raw)]
    if spots and draw(st.integers(0, 4)) == 0:  # now and then, a number JSON can write but a bundle may not hold
        at = draw(st.sampled_from(spots))
        raw = (
            raw[:at]
            + draw(st.sampled_from([b"9" * 21, b"1" * 4301, b"-" + b"7" * 5000, b"1e999", b"-Infinity"]))
            + raw[at:]
        )
    if draw(st.integers(0, 4)) == 0:  # now and then, damage the text itself
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(max_size=8)) + raw[at + draw(st.integers(0, 8)) :]
    if draw(st.booleans()):
        raw = encrypt(raw, BUNDLE_PASSPHRASE)
    return raw


# -- the encrypted container -------------------------------------------------------------------------------

COSTS = st.sampled_from([
    -1, 0, 1, 2, 7, 8, 9, 10, 11, 16, 2**31, 2**64, 10**19, True, False, 1.0, "1", None, [1],
    MEMORY_COST_RANGE.stop, PARALLELISM_RANGE.stop, TIME_COST_RANGE.stop,
]).map(copy.deepcopy)  # fmt: skip


def _split(data: bytes) -> tuple[dict, bytes]:
    (length,) = struct.unpack(">I", data[8:12])
    return json.loads(data[12 : 12 + length]), data[12 + length :]


def _too_costly(header) -> bool:
    """A header asking for real Argon2 work (allowed, but slow): the fuzzer tries cheap ones only."""
    kdf = header.get("kdf") if isinstance(header, dict) else None
    if not isinstance(kdf, dict):
        return False
    costs = [kdf.get(k) for k in ("time_cost", "memory_cost", "parallelism")]
    return all(type(c) is int for c in costs) and costs[0] * costs[1] > 64 * 1024


@st.composite
def mutated_containers(draw, sample: Sample):
    header, body = _split(sample.value)
    data = draw(st.data())
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["header", "cost", "odd"]))
        if where == "header":
            _mutate(header, data)
        elif where == "cost" and isinstance(header.get("kdf"), dict):
            header["kdf"][draw(st.sampled_from(["time_cost", "memory_cost", "parallelism"]))] = draw(COSTS)
        else:
            _odd_mutation(header, data)
    assume(not _too_costly(header))
    raw = json.dumps(header, ensure_ascii=draw(st.booleans()), separators=(",", ":"))  # as encrypt() writes it
    raw = raw.encode("utf-8", "surrogatepass")
    length = draw(st.one_of(st.just(len(raw)), st.integers(0, 2**32 - 1)))
    out = bytearray(MAGIC + struct.pack(">I", length) + raw + body)
    for _ in range(draw(st.integers(0, 3)) if out else 0):
        how = draw(st.sampled_from(["flip", "cut", "grow"]))
        at = draw(st.integers(0, len(out) - 1))
        if how == "flip":
            out[at] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del out[at:]
            break
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(out)


# -- the fuzz tests -------------------------------------------------------------------------------------------

RANDOM = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=200).map(lambda b: MAGIC + b),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=20,
    ).map(lambda v: json.dumps(v).encode()),
)


@pytest.mark.parametrize("budget", BUDGET)
def test_random_bytes_are_refused_or_imported_whole(world, budget):
    @fuzz_settings(budget)
    @given(data=RANDOM)
    @example(data=b"PSIBNDL1")
    @example(data=b"[" * 3000)
    @example(data=b'{"format_version": ' + b"9" * 5000 + b"}")
    @example(data=b"NaN")
    @example(data=b'"\\ud800"')
    def run(data: bytes):
        attempt(world, data)

    run()


@pytest.mark.parametrize("budget", BUDGET)
def test_mutated_bundles_are_refused_or_imported_whole(world, budget):
    @fuzz_settings(budget)
    @given(data=mutated_bundles(Sample("the demo bundle", world.doc)))
    def run(data: bytes):
        attempt(world, data)

    run()
    assert attempt(world, json.dumps(world.doc).encode()) == "imported"  # the unmutated bundle imports


@pytest.mark.parametrize("budget", BUDGET)
def test_mutated_containers_are_refused_or_imported_whole(world, budget):
    @fuzz_settings(budget)
    @given(data=mutated_containers(Sample("the demo container", world.encrypted)), right=st.booleans())
    def run(data: bytes, right: bool):
        attempt(world, data, BUNDLE_PASSPHRASE if right else "not the passphrase")

    run()
    assert attempt(world, world.encrypted) == "imported"


# Found by the fuzzer (mutated bundles): instants that match the pattern but are not real instants
# reached the importer and crashed it (ValueError in domain/documents.py parse_instant). Fixed in the
# document checks (check_document refuses them with their path); kept here so they stay fixed.
FOUND = {
    "month 99": (("reflections", 0, "signature", "signed_at"), "2026-99-99T99:99:99Z"),
    "year 0": (("reflections", 1, "created_at"), "0000-01-01T00:00:00Z"),
    "second 60": (("reflections", 2, "updated_at"), "2026-10-02T15:10:60Z"),
    "Arabic-Indic digits": (
        ("reflections", 3, "created_at"),
        "\u0662\u0660\u0662\u0666-\u0661\u0660-\u0660\u0662T15:10:00Z",
    ),
}


@pytest.mark.parametrize(("where", "value"), FOUND.values(), ids=FOUND.keys())
def test_crashes_the_fuzzer_found_stay_fixed(world, where, value):
    doc = copy.deepcopy(world.doc)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    assert attempt(world, json.dumps(doc).encode()) == "refused"


def test_one_example_of_each_kind_through_the_real_command_line(world, tmp_path: Path, make_profile, monkeypatch):
    monkeypatch.setenv("PSI_DESKTOP_BUNDLE_PASSPHRASE", BUNDLE_PASSPHRASE)
    profile = tmp_path / "profile"
    make_profile(profile).close()
    header, body = _split(world.encrypted)
    header["kdf"]["parallelism"] = 0
    raw = json.dumps(header).encode()
    doc = copy.deepcopy(world.doc)
    doc["cases"][0]["code"] = "Ward\x00 3"
    text = json.dumps(doc).replace('"wellbeing": ', '"wellbeing": ' + "9" * 5000 + ', "x": ', 1)
    examples = {
        "random.psibundle": MAGIC + bytes(range(256)) * 4,
        "mutated.psi.json": text.encode(),
        "container.psibundle": MAGIC + struct.pack(">I", len(raw)) + raw + body,
    }
    before = {k: v for k, v in snapshot(profile, skip=("psi-desktop.lock", "logs")).items() if "unlock-" not in k}
    for name, data in examples.items():
        (tmp_path / name).write_bytes(data)
        result = run_cli(profile, "import", str(tmp_path / name), timeout=60)
        lines = result.stderr.splitlines() + result.stdout.splitlines()
        assert result.returncode == 2 and len(lines) == 1, (name, lines)
    after = {k: v for k, v in snapshot(profile, skip=("psi-desktop.lock", "logs")).items() if "unlock-" not in k}
    assert after == before
