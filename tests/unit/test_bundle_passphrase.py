"""Item 7: a bundle is encrypted only with a passphrase that is hard to guess; the same rule everywhere.

The rule (services/bundle_passphrase.py, zxcvbn score 3 or more) is applied where a bundle is
encrypted: the CLI prompt, $PSI_DESKTOP_BUNDLE_PASSPHRASE and the export dialog (tests/ui/
test_bundle_passphrase_dialog.py). Reading a bundle someone else made with a weak one still works.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from psi_desktop import cli
from psi_desktop.errors import ValidationError
from psi_desktop.services.bundle_passphrase import bundle_passphrase_problem, check_bundle_passphrase
from psi_desktop.services.bundles import export_bundle
from tests.conftest import PASSPHRASE

WEAK = ["", "   ", "password", "password1", "summer2024", "qwertyuiop", "Nightingale1!", "psi desktop"]
STRONG = "lantern orchard velvet quarry"


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passphrases_are_refused_with_advice_that_never_repeats_them(weak: str) -> None:
    problem = bundle_passphrase_problem(weak)
    assert problem, weak
    assert "bundle" in problem and ("words" in problem or "word" in problem), problem
    if weak.strip() and weak != "password":  # zxcvbn's own words say "common password"
        assert weak.strip().lower() not in problem.lower(), "the advice must not echo the passphrase"
    with pytest.raises(ValidationError):
        check_bundle_passphrase(weak, weak)


def test_a_strong_passphrase_passes_and_must_still_be_typed_the_same_twice() -> None:
    assert bundle_passphrase_problem(STRONG) is None
    check_bundle_passphrase(STRONG, STRONG)
    with pytest.raises(ValidationError, match="not the same"):
        check_bundle_passphrase(STRONG, STRONG + " x")


@pytest.fixture
def profile_dir(tmp_path: Path, make_profile, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "profile"
    make_profile(directory, demo=True).close()
    monkeypatch.setenv("PSI_DESKTOP_PASSPHRASE", PASSPHRASE)
    return directory


def _main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(list(args))
    return rc, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("weak", ["", "password"], ids=["empty", "password"])
def test_a_weak_bundle_passphrase_in_the_environment_is_refused_and_nothing_is_written(
    profile_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weak: str
) -> None:
    monkeypatch.setenv(cli.BUNDLE_PASSPHRASE_ENV, weak)
    out = tmp_path / "out.psibundle"
    rc, stdout, stderr = _main("--data-dir", str(profile_dir), "export", "bundle", "--out", str(out))
    assert rc == 2, stderr
    assert stdout == "" and len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith(f"psi-desktop: The passphrase in {cli.BUNDLE_PASSPHRASE_ENV} was not used."), stderr
    assert "Nothing was written." in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_a_strong_bundle_passphrase_in_the_environment_encrypts(
    profile_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cli.BUNDLE_PASSPHRASE_ENV, STRONG)
    out = tmp_path / "out.psibundle"
    rc, _, stderr = _main("--data-dir", str(profile_dir), "export", "bundle", "--out", str(out))
    assert rc == 0, stderr
    assert out.exists()


def test_a_weak_bundle_passphrase_typed_at_the_prompt_is_refused_before_it_is_asked_again(
    profile_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cli.BUNDLE_PASSPHRASE_ENV, raising=False)
    asked: list[str] = []

    def typed(prompt: str = "") -> str:
        asked.append(prompt)
        return "password"

    monkeypatch.setattr(cli.getpass, "getpass", typed)
    monkeypatch.setattr(cli.sys.stdin, "isatty", lambda: True, raising=False)
    out = tmp_path / "out.psibundle"
    rc, _, stderr = _main("--data-dir", str(profile_dir), "export", "bundle", "--out", str(out))
    assert rc == 2, stderr
    assert "too easy to guess" in stderr and "top-10 common password" in stderr, stderr
    assert asked == ["Passphrase for the bundle: "], "a weak passphrase is not asked for twice"
    assert not out.exists()


def test_a_bundle_someone_made_with_a_weak_passphrase_can_still_be_read(
    profile_dir: Path, tmp_path: Path, make_profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    with make_profile(tmp_path / "sender") as sender:
        sender.cases.create("Ward 9 - Z")
        bundle = tmp_path / "weak.psibundle"
        export_bundle(sender, bundle, passphrase="password")
    monkeypatch.setenv(cli.BUNDLE_PASSPHRASE_ENV, "password")
    rc, stdout, stderr = _main("--data-dir", str(profile_dir), "import", str(bundle))
    assert rc == 0, stderr
    assert "Imported." in stdout
