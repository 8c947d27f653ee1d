"""Bad bundle files through `psi-desktop import`: special files, hostile container headers, hostile JSON.

Each ends in exit 2 and one plain line, quickly, with the profile byte-identical afterwards.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import struct
import threading
import time
from pathlib import Path

import pytest

from psi_desktop.cli import main
from psi_desktop.logs import log_path
from psi_desktop.services import bundle_format
from psi_desktop.services.bundle_format import MAGIC, BundleError, BundlePassphraseError, decrypt, read_file
from psi_desktop.services.bundles import build_document, export_bundle, read_bundle
from tests.faults._faultlib import new_canary, run_cli, snapshot

BUNDLE_PASSPHRASE = "a bundle passphrase of six words"
DAMAGED = "damaged or is not a PSI Desktop bundle"


def profile_files(directory: Path) -> dict[str, str]:
    """The profile's files and their hashes, less the lock files and the log (which may change)."""
    files = snapshot(directory, skip=("psi-desktop.lock", "logs"))
    return {k: v for k, v in files.items() if not Path(k).name.startswith("unlock-attempts.")}


@pytest.fixture
def profile(tmp_path: Path, make_profile) -> Path:
    directory = tmp_path / "profile"
    make_profile(directory).close()
    return directory


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """A plain and an encrypted bundle of the demo case (with a canary in its notes), made once."""
    from psi_desktop.services.profile import create_profile

    base = tmp_path_factory.mktemp("demo")
    canary = new_canary()
    with create_profile(base / "source", "a passphrase for the source").profile as source:
        from psi_desktop.services.demo import add_demo_case

        add_demo_case(source)
        doc = build_document(source)
        export_bundle(source, base / "demo.psibundle", passphrase=BUNDLE_PASSPHRASE)
    doc["cases"][0]["notes"] = canary
    return {"doc": doc, "encrypted": (base / "demo.psibundle").read_bytes(), "canary": canary}


def import_in_process(profile: Path, bundle: Path, capsys, monkeypatch) -> tuple[int, list[str]]:
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", "correct horse battery staple")
    monkeypatch.setenv("PSI_DESKTOP_BUNDLE_PASSPHRASE", BUNDLE_PASSPHRASE)
    capsys.readouterr()
    code = main(["--data-dir", str(profile), "import", str(bundle)])
    captured = capsys.readouterr()
    return code, captured.err.splitlines() + captured.out.splitlines()


def assert_refused(profile: Path, bundle: Path, capsys, monkeypatch, *expected: str) -> str:
    before = profile_files(profile)
    code, lines = import_in_process(profile, bundle, capsys, monkeypatch)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("psi-desktop: "), lines
    for text in expected:
        assert text in lines[0], lines[0]
    assert profile_files(profile) == before
    return lines[0]


# -- special files -----------------------------------------------------------------------------------


def _special(kind: str, tmp_path: Path) -> tuple[Path, object]:
    if kind == "device":
        return Path("/dev/zero"), None
    if kind == "pipe":
        os.mkfifo(tmp_path / "pipe.psibundle")
        return tmp_path / "pipe.psibundle", None
    if kind == "folder":
        (tmp_path / "folder.psibundle").mkdir()
        return tmp_path / "folder.psibundle", None
    if kind == "socket":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(tmp_path / "s.psibundle"))
        return tmp_path / "s.psibundle", sock
    with open(tmp_path / "sparse.psibundle", "wb") as handle:  # 65 MB that takes no disk
        handle.truncate(65 * 2**20)
    return tmp_path / "sparse.psibundle", None


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("device", "zero is a device, not a bundle file"),
        ("pipe", "is a pipe, not a bundle file"),
        ("folder", "is a folder, not a bundle file"),
        ("socket", "is a socket, not a bundle file"),
        ("sparse", "This bundle is 65 MB; at most 64 MB"),
    ],
)
def test_special_and_oversized_files_are_refused_before_reading(kind, expected, tmp_path: Path, profile: Path):
    path, keep = _special(kind, tmp_path)
    before = profile_files(profile)
    started = time.monotonic()
    result = run_cli(profile, "import", str(path), timeout=60)  # a hang fails here, not for ever
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines() + result.stdout.splitlines()
    assert len(lines) == 1 and expected in lines[0], lines
    assert elapsed < 20
    assert profile_files(profile) == before
    if keep is not None:
        keep.close()


def test_a_pipe_swapped_in_after_the_check_cannot_hang_the_read(tmp_path: Path, monkeypatch):
    fifo = tmp_path / "swapped.psibundle"
    os.mkfifo(fifo)
    (tmp_path / "regular").write_bytes(b"{}")
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: real_stat(tmp_path / "regular") if p == fifo else real_stat(p))
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, read_file, fifo), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "opening a pipe blocked"
    (error,) = outcome
    assert isinstance(error, BundleError) and "is a pipe" in str(error)


def _catch(outcome: list, fn, *args) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # handed to the test thread to look at
        outcome.append(exc)


def test_a_file_that_lies_about_its_size_is_still_stopped_at_the_limit(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(bundle_format, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "grows.psi.json"
    path.write_bytes(b"[" + b" " * 5000 + b"]")

    def lying(real):  # as a file that grows after its stat, or a /proc file that says 0 bytes
        return lambda *args, **kwargs: os.stat_result((*tuple(real(*args, **kwargs))[:6], 10, *tuple(real(*args))[7:]))

    with monkeypatch.context() as patch:
        patch.setattr(os, "stat", lying(os.stat))
        patch.setattr(os, "fstat", lying(os.fstat))
        with pytest.raises(BundleError, match="more than 0 MB"):
            read_file(path)
    path.write_bytes(b"[" + b" " * 900 + b"]")
    assert stat.S_ISREG(os.stat(path).st_mode) and read_file(path) == path.read_bytes()  # within it, read whole


# -- the encrypted container's header -----------------------------------------------------------------


def rewrite_header(data: bytes, change) -> bytes:
    """The container with its header changed by ``change(header)`` (a dict; or return raw bytes)."""
    (length,) = struct.unpack(">I", data[8:12])
    header = json.loads(data[12 : 12 + length])
    changed = change(header)
    raw = changed if isinstance(changed, bytes) else json.dumps(header, separators=(",", ":")).encode()
    return MAGIC + struct.pack(">I", len(raw)) + raw + data[12 + length :]


def _kdf(**values):
    return lambda h: h["kdf"].update(values)


def _set(**values):
    return lambda h: h.update(values)


HEADERS = {
    "time 0": _kdf(time_cost=0),
    "memory 1": _kdf(memory_cost=1),
    "parallelism 0": _kdf(parallelism=0),
    "negative time": _kdf(time_cost=-1),
    "negative memory": _kdf(memory_cost=-8),
    "negative parallelism": _kdf(parallelism=-2),
    "time 11": _kdf(time_cost=11),
    "memory over 1 GiB": _kdf(memory_cost=1024 * 1024 + 1),
    "memory below 8 per lane": _kdf(memory_cost=8, parallelism=4),
    "time as true": _kdf(time_cost=True),
    "memory as a float": _kdf(memory_cost=8.0),
    "parallelism as text": _kdf(parallelism="1"),
    "huge time": _kdf(time_cost=10**19),
    "huge memory (a long literal)": lambda h: (
        json.dumps(h).replace('"memory_cost": 8', '"memory_cost": ' + "9" * 5000).encode()
    ),
    "empty salt": _kdf(salt=""),
    "short salt": _kdf(salt="AAAAAAAAAAA="),
    "salt not base64": _kdf(salt="not base64 at all!"),
    "salt as a number": _kdf(salt=16),
    "kdf argon2i": _kdf(name="argon2i"),
    "kdf not an object": _set(kdf=[1, 2]),
    "kdf missing": lambda h: h.pop("kdf"),
    "empty nonce": _set(nonce=""),
    "short nonce": _set(nonce="AAAAAAAAAAA="),
    "long nonce": _set(nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    "nonce as null": _set(nonce=None),
    "key check short": _set(key_check="abc"),
    "key check upper case": lambda h: h.update(key_check=h["key_check"].upper()),
    "key check as a list": _set(key_check=["0" * 32]),
    "cipher": _set(cipher="ChaCha20-Poly1305"),
    "compression": _set(compression="none"),
    "version 0": _set(version=0),
    "version as text": _set(version="1"),
    "version true": _set(version=True),
    "extra field": _set(extra=1),
    "format": _set(format="something-else"),
    "a list": lambda h: b"[1, 2, 3]",
    "not JSON": lambda h: b"\xff\xfe not json",
    "nested deep": lambda h: b"[" * 2000 + b"]" * 2000,
    "NaN": lambda h: json.dumps({**h, "version": float("nan")}).encode(),
}


@pytest.mark.parametrize("change", HEADERS.values(), ids=HEADERS.keys())
def test_a_hostile_container_header_is_refused_as_damaged(change, demo, tmp_path: Path, profile: Path, capsys,
                                                          monkeypatch):  # fmt: skip
    hostile = rewrite_header(demo["encrypted"], change)
    with pytest.raises(BundleError, match=DAMAGED) as raised:
        decrypt(hostile, BUNDLE_PASSPHRASE)  # the right passphrase
    assert not isinstance(raised.value, BundlePassphraseError)
    (tmp_path / "hostile.psibundle").write_bytes(hostile)
    assert_refused(profile, tmp_path / "hostile.psibundle", capsys, monkeypatch, DAMAGED)


@pytest.mark.parametrize(
    "cut",
    [
        lambda d: d[:10],  # not even the length
        lambda d: d[:12],  # no header
        lambda d: d[:8] + struct.pack(">I", 0) + d[12:],
        lambda d: d[:8] + struct.pack(">I", 5000) + d[12:],
        lambda d: d[:8] + struct.pack(">I", 2**32 - 1) + d[12:],
        lambda d: d[:8] + struct.pack(">I", len(d)) + d[12:],
        lambda d: d[:-1],  # the ciphertext cut short
        lambda d: d + b"\0",
    ],
    ids=["10 bytes", "12 bytes", "length 0", "length 5000", "length 4 GiB", "length past the end", "cut", "longer"],
)
def test_a_container_cut_short_or_with_a_wrong_length_is_refused_as_damaged(cut, demo, tmp_path, profile, capsys,
                                                                            monkeypatch):  # fmt: skip
    (tmp_path / "cut.psibundle").write_bytes(cut(demo["encrypted"]))
    assert_refused(profile, tmp_path / "cut.psibundle", capsys, monkeypatch, DAMAGED)


def test_a_newer_container_version_asks_for_an_update(demo, tmp_path, profile, capsys, monkeypatch):
    (tmp_path / "new.psibundle").write_bytes(rewrite_header(demo["encrypted"], _set(version=2)))
    assert_refused(profile, tmp_path / "new.psibundle", capsys, monkeypatch, "version 2", "Update PSI Desktop")


def test_the_untouched_container_still_imports(demo, tmp_path, profile, capsys, monkeypatch):
    (tmp_path / "demo.psibundle").write_bytes(demo["encrypted"])
    code, lines = import_in_process(profile, tmp_path / "demo.psibundle", capsys, monkeypatch)
    assert code == 0 and lines[-1] == "Imported.", lines


# -- hostile JSON ------------------------------------------------------------------------------------------


def _plain(doc: dict, tmp_path: Path, edit) -> Path:
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    path = tmp_path / "hostile.psi.json"
    path.write_bytes(edit(text).encode("utf-8"))
    return path


def _value(text: str, key: str, literal: str) -> str:
    """``text`` with the first ``"key": <value>`` given ``literal`` as its value."""
    start = text.index(f'"{key}": ') + len(key) + 4
    end = min(i for i in (text.index(",", start), text.index("\n", start)) if i > 0)
    return text[:start] + literal + text[end:]


LINE = "line/column"
PATH = "JSON path"
JSON_CASES = {
    "an int of 5,000 digits": (lambda t: _value(t, "format_version", "1" * 5000), "a number longer than 20", LINE),
    "an int of 21 digits": (lambda t: _value(t, "format_version", "1" * 21), "a number longer than 20", LINE),
    "a negative long int": (lambda t: _value(t, "wellbeing", "-" + "4" * 30), "a number longer than 20", LINE),
    "a long float": (lambda t: _value(t, "wellbeing", "0." + "0" * 30 + "1"), "a number longer than 20", LINE),
    "a long exponent": (lambda t: _value(t, "wellbeing", "1e" + "9" * 25), "a number longer than 20", LINE),
    "1e999": (lambda t: _value(t, "wellbeing", "1e999"), "a number too large", None),
    "NaN": (lambda t: _value(t, "wellbeing", "NaN"), "NaN or Infinity", LINE),
    "Infinity": (lambda t: _value(t, "wellbeing", "Infinity"), "NaN or Infinity", LINE),
    "-Infinity": (lambda t: _value(t, "wellbeing", "-Infinity"), "NaN or Infinity", LINE),
    "a lone high surrogate": (lambda t: _value(t, "code", '"Ward \\ud800 3"'), "lone surrogate", PATH),
    "a lone low surrogate": (lambda t: _value(t, "practitioner", '"\\udc00"'), "lone surrogate", PATH),
    "a surrogate in a key": (lambda t: t.replace('"context":', '"\\ud800x":', 1), "lone surrogate", PATH),
    "the same key twice": (lambda t: t.replace('"format": ', '"format": 1, "format": ', 1), "the same key twice", None),
}


@pytest.mark.parametrize("edit,expected,where", JSON_CASES.values(), ids=JSON_CASES.keys())
def test_hostile_json_is_refused_with_where_and_a_log_line_without_content(edit, expected, where, demo, tmp_path,
                                                                           profile, capsys, monkeypatch):  # fmt: skip
    path = _plain(demo["doc"], tmp_path, edit)
    started = time.monotonic()
    line = assert_refused(profile, path, capsys, monkeypatch, expected)
    assert time.monotonic() - started < 5
    if where == LINE:
        assert re.search(r"\(line \d+, column \d+\)", line), line
    elif where == PATH:
        assert re.search(r"in (a key in )?(cases|reflections)\[0\]\.", line), line
    logged = log_path(profile).read_text(encoding="utf-8")
    assert "A bundle was refused" in logged
    assert demo["canary"] not in logged and "1111111111" not in logged and "Ward" not in logged


def test_numbers_nan_and_surrogates_are_named_by_line_and_column_or_path(demo, tmp_path):
    doc = demo["doc"]
    path = _plain(doc, tmp_path, lambda t: _value(t, "format_version", "7" * 4301))
    with pytest.raises(BundleError, match=r"a number longer than 20 digits \(line 3, column 20\)"):
        read_bundle(path, None)
    path = _plain(doc, tmp_path, lambda t: _value(t, "wellbeing", "-Infinity"))
    with pytest.raises(BundleError, match=r"NaN or Infinity.*\(line \d+, column \d+\)"):
        read_bundle(path, None)
    path = _plain(doc, tmp_path, lambda t: t.replace('"context": "', '"context": "\\udfff', 1))
    with pytest.raises(BundleError, match=r"in reflections\[0\]\.answers\.context"):
        read_bundle(path, None)
    # A pair written as two escapes is one real character, and "\\ud800" (an escaped backslash) is text.
    path = _plain(doc, tmp_path, lambda t: t.replace('"context": "', '"context": "\\ud83d\\ude00 \\\\ud800 ', 1))
    assert read_bundle(path, None)["reflections"][0]["answers"]["context"].startswith("\U0001f600 \\ud800 ")


def test_hostile_json_inside_an_encrypted_bundle_is_refused_the_same_way(demo, tmp_path, profile, capsys,
                                                                         monkeypatch):  # fmt: skip
    text = _value(json.dumps(demo["doc"], indent=1), "format_version", "9" * 4400)
    (tmp_path / "inside.psibundle").write_bytes(bundle_format.encrypt(text.encode(), BUNDLE_PASSPHRASE))
    assert_refused(profile, tmp_path / "inside.psibundle", capsys, monkeypatch, "a number longer than 20 digits")


@pytest.mark.expect_log_errors
def test_a_bug_while_reading_is_exit_1_and_logged_as_frames_only(demo, tmp_path, profile, capsys, monkeypatch):
    canary = new_canary()

    def broken(data):
        raise RuntimeError(f"a bug quoting {canary}")

    monkeypatch.setattr(bundle_format, "parse_json", broken)
    path = _plain(demo["doc"], tmp_path, lambda t: t)
    before = profile_files(profile)
    code, lines = import_in_process(profile, path, capsys, monkeypatch)
    assert code == 1 and len(lines) == 1 and "something went wrong inside PSI Desktop" in lines[0], lines
    logged = log_path(profile).read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError (message not logged)" in logged and "in open_bundle" in logged
    assert canary not in logged and canary not in lines[0]
    assert profile_files(profile) == before


def test_the_import_dialog_does_not_hang_on_a_pipe_either(tmp_path: Path):
    from psi_desktop.ui.bundle_dialogs import bundle_is_encrypted

    os.mkfifo(tmp_path / "pipe.psibundle")
    outcome: list = []
    sniff = threading.Thread(
        target=lambda: outcome.append(bundle_is_encrypted(tmp_path / "pipe.psibundle")), daemon=True
    )
    sniff.start()
    sniff.join(timeout=10)
    assert not sniff.is_alive() and outcome == [False]  # then read_bundle says it is a pipe, as above
