"""build_installer.py and packaging/: the text it fills in, the names it gives and what it puts in the bundle.

The default run builds nothing; the end-to-end build is behind ``-m slow`` (CI runs the real build
with ``python build_installer.py`` anyway).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
spec = importlib.util.spec_from_file_location("build_installer", ROOT / "build_installer.py")
bi = importlib.util.module_from_spec(spec)
sys.modules["build_installer"] = bi
spec.loader.exec_module(bi)  # puts packaging/ on sys.path, as running it does
import bundle_check as check  # noqa: E402
import bundle_contents as bc  # noqa: E402

VERSION = "1.2.3"


def linux(version: str = VERSION) -> object:
    return bc.Target("linux", "x86_64", version)


def windows(version: str = VERSION) -> object:
    return bc.Target("windows", "x86_64", version)


def macos(version: str = VERSION) -> object:
    return bc.Target("macos", "arm64", version)


# --- names -------------------------------------------------------------------------------------


def test_every_file_made_carries_the_version_and_platform():
    assert linux().package_name == "psi-desktop-1.2.3-linux-x86_64.tar.gz"
    assert windows().package_name == "psi-desktop-1.2.3-windows-x86_64.zip"
    assert windows().setup_name == "psi-desktop-1.2.3-windows-x86_64-setup.exe"
    assert macos().package_name == "psi-desktop-1.2.3-macos-arm64.zip"


def test_the_version_is_the_packages_own():
    import psi_desktop

    assert bc.read_version() == psi_desktop.__version__
    assert bc.current_target(psi_desktop.__version__).version == psi_desktop.__version__


def test_executables_and_folders_per_platform(tmp_path):
    assert linux().exe_in(tmp_path / "PSI Desktop") == tmp_path / "PSI Desktop" / "psi-desktop"
    assert windows().exe_name == "psi-desktop.exe"  # console: command line and self-test
    assert windows().gui_exe_name == "PSI Desktop.exe"  # no console: what the Start menu opens
    assert macos().folder_name == "PSI Desktop.app"
    assert macos().exe_in(tmp_path / "PSI Desktop.app") == tmp_path / "PSI Desktop.app/Contents/MacOS/psi-desktop"


def test_the_build_requirements_are_pinned_and_a_different_install_is_named(tmp_path):
    pins = bi.pinned_requirements()
    assert {"pyinstaller", "pyinstaller-hooks-contrib"} <= set(pins)
    assert all(version[:1].isdigit() for version in pins.values())  # every line is name==version
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\npytest==0.0.1  # not what is installed\nno-such-package-here==1.0\n")
    wrong = bi.unpinned_installs(bi.pinned_requirements(requirements))
    assert wrong[0].startswith("pytest ") and wrong[0].endswith(" (pinned 0.0.1)")
    assert wrong[1] == "no-such-package-here missing (pinned 1.0)"
    assert bi.unpinned_installs({"pytest": pytest.__version__}) == []


# --- resources ---------------------------------------------------------------------------------


def test_the_resources_list_covers_framework_demo_icons_and_licences():
    required = set(bc.REQUIRED_RESOURCES)
    assert "frameworks/psi.json" in required
    assert any(name.startswith("demo/") for name in required)
    assert {"icons/psi-desktop.svg", "icons/psi-desktop-256.png", "icons/psi-desktop-48.png"} <= required
    assert "licences/README.txt" in required and "licences/Qt-and-PySide6.txt" in required
    assert bc.missing_resources() == []


def test_the_whole_resources_folder_goes_where_paths_py_looks_in_a_bundle(tmp_path, monkeypatch):
    from psi_desktop import paths

    [(source, dest)] = bc.resource_datas()
    assert Path(source) == ROOT / "resources"
    bundled = tmp_path / dest
    shutil.copytree(source, bundled)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resources_dir() == bundled
    assert paths.resource("frameworks", "psi.json").is_file()


def test_missing_resources_are_named(tmp_path):
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "psi.json").write_text("{}")
    missing = bc.missing_resources(tmp_path)
    assert "frameworks/psi.json" not in missing
    assert "licences/README.txt" in missing and "icons/psi-desktop.svg" in missing


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_icon_pngs_are_the_sizes_their_names_say():
    for size in bi.ICON_SIZES:
        assert _png_size(ROOT / "resources" / "icons" / f"psi-desktop-{size}.png") == (size, size)
    svg = (ROOT / "resources" / "icons" / "psi-desktop.svg").read_text()
    for colour in ("#0072B2", "#009E73", "#D55E00"):  # Power, Safety, Identity
        assert colour in svg


# --- Windows: Inno Setup -----------------------------------------------------------------------


def _iss(tmp_path: Path) -> str:
    return bi.inno_setup_script(
        windows(), tmp_path / "dist" / "PSI Desktop", tmp_path / "dist", tmp_path / "icon.ico", tmp_path / "x.iss"
    )


def _iss_setup_section(text: str) -> dict[str, str]:
    section = text.split("[Setup]", 1)[1].split("\n[", 1)[0]
    return dict(line.split("=", 1) for line in section.strip().splitlines() if "=" in line)


def test_inno_setup_installs_per_user_without_admin_rights(tmp_path):
    setup = _iss_setup_section(_iss(tmp_path))
    assert setup["PrivilegesRequired"] == "lowest"
    assert "PrivilegesRequiredOverridesAllowed" not in setup  # no offer to elevate
    assert setup["DefaultDirName"] == r"{localappdata}\Programs\PSI Desktop"


def test_inno_setup_names_version_shortcut_and_uninstaller(tmp_path):
    text = _iss(tmp_path)
    setup = _iss_setup_section(text)
    assert setup["AppVersion"] == VERSION
    assert setup["OutputBaseFilename"] == "psi-desktop-1.2.3-windows-x86_64-setup"
    assert setup["AppId"].startswith("{{") and setup["AppId"].endswith("}")  # "{{" is Inno's literal "{"
    assert setup["UninstallDisplayIcon"] == r"{app}\PSI Desktop.exe"
    assert "Uninstallable=no" not in text
    icons = text.split("[Icons]", 1)[1].split("\n[", 1)[0]
    assert r'Name: "{autoprograms}\PSI Desktop"; Filename: "{app}\PSI Desktop.exe"' in icons
    assert f'Source: "{tmp_path / "dist" / "PSI Desktop"}\\*"' in text
    assert "$" not in text  # every template placeholder was filled


# --- Linux: menu entry and install.sh ----------------------------------------------------------


def _desktop(text: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    return parser["Desktop Entry"]


def test_the_desktop_file_is_a_valid_application_entry():
    entry = _desktop(bi.desktop_entry(VERSION))
    assert entry["Type"] == "Application"
    assert entry["Name"] == "PSI Desktop"
    assert entry["Exec"] == "psi-desktop"
    assert entry["Icon"] == "psi-desktop"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Office" in entry["Categories"].split(";")
    assert entry["StartupWMClass"] == "psi-desktop"  # Qt's WM_CLASS for an executable named psi-desktop


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-validate is not installed")
def test_desktop_file_validate_accepts_it(tmp_path):
    path = tmp_path / "psi-desktop.desktop"
    path.write_text(bi.desktop_entry(VERSION))
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.skipif(sys.platform == "win32" or not shutil.which("sh"), reason="a POSIX shell script")
def test_install_sh_adds_and_removes_a_menu_entry_for_a_folder_with_a_space(tmp_path):
    folder = tmp_path / "Apps" / "PSI Desktop"
    folder.mkdir(parents=True)
    (folder / "psi-desktop").write_text("#!/bin/sh\n")
    (folder / "psi-desktop.desktop").write_text(bi.desktop_entry(VERSION))
    (folder / "psi-desktop.png").write_bytes((ROOT / "resources/icons/psi-desktop-256.png").read_bytes())
    (folder / "psi-desktop.svg").write_text((ROOT / "resources/icons/psi-desktop.svg").read_text())
    shutil.copyfile(PACKAGING / "install.sh", folder / "install.sh")
    home = tmp_path / "home"
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    subprocess.run(["sh", "-n", str(folder / "install.sh")], check=True)

    subprocess.run(["sh", str(folder / "install.sh")], env=env, check=True, capture_output=True)
    installed = home / ".local/share/applications/psi-desktop.desktop"
    assert _desktop(installed.read_text())["Exec"] == f'"{folder}/psi-desktop"'
    assert (home / ".local/share/icons/hicolor/256x256/apps/psi-desktop.png").is_file()
    assert (home / ".local/bin/psi-desktop").resolve() == folder / "psi-desktop"

    out = subprocess.run(["sh", str(folder / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not installed.exists() and not (home / ".local/bin/psi-desktop").exists()
    assert b"records" in out.stdout and (folder / "psi-desktop").exists()


def test_package_readme_says_where_records_live_and_no_network():
    text = bi.package_readme(linux())
    assert "~/.local/share/PSI Desktop" in text and "never uses the network" in text
    assert bc.BUNDLED_LICENCES in text


# --- launcher, spec, clean environment ----------------------------------------------------------


def test_the_launcher_imports_the_package_and_keeps_caches_per_user():
    text = (PACKAGING / "launcher.py").read_text()
    compile(text, "launcher", "exec")
    assert "from psi_desktop.cli import main" in text and "sys.exit(main())" in text
    assert "user_cache_dir" in text and "MPLCONFIGDIR" in text


def run_spec(target, tmp_path: Path, icon: Path | None = None) -> list[tuple[str, tuple, dict]]:
    """Run packaging/psi-desktop.spec as PyInstaller would, with its build steps recorded instead of run."""
    calls = []

    def recorder(name):
        def record(*args, **kwargs):
            calls.append((name, args, kwargs))
            return SimpleNamespace(pure=[("platformdirs", "", "PYMODULE")], binaries=[], datas=[], scripts=[])

        return record

    names = {name: recorder(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    argv = ["psi-desktop.spec", *bi.spec_arguments(target, tmp_path, icon)]
    old_argv, sys.argv = sys.argv, argv
    try:
        code = compile(bi.SPEC.read_text(), str(bi.SPEC), "exec")
        exec(code, {"SPECPATH": str(PACKAGING), "__name__": "__main__", **names})
    finally:
        sys.argv = old_argv
    return calls


@pytest.mark.parametrize("target", [linux(), windows(), macos()], ids=lambda t: t.system)
def test_the_spec_builds_onedir_with_the_resources_and_licences(target, tmp_path):
    calls = run_spec(target, tmp_path, icon=None if target.system == "linux" else tmp_path / "icon")
    [(_, (scripts,), analysis)] = [c for c in calls if c[0] == "Analysis"]
    assert scripts == [str(PACKAGING / "launcher.py")]
    assert analysis["datas"] == bc.resource_datas() + bc.package_datas()
    assert "PySide6.QtNetwork" in analysis["excludes"]
    assert any(Path(source, "sRGB.icc").is_file() and dest == "pikepdf/pdfa/data" for source, dest in analysis["datas"])
    exes = [kwargs for name, _args, kwargs in calls if name == "EXE"]
    assert all(e["exclude_binaries"] and e["strip"] is False for e in exes)  # onedir; stripping .so files breaks numpy
    assert [(e["name"], e["console"]) for e in exes] == (
        [("psi-desktop", True), ("PSI Desktop", False)] if target.system == "windows" else [("psi-desktop", True)]
    )
    assert all(e["icon"] == (None if target.system == "linux" else str(tmp_path / "icon")) for e in exes)
    [(_, collected, coll)] = [c for c in calls if c[0] == "COLLECT"]
    assert coll["name"] == "PSI Desktop" and len(collected) == len(exes) + 2
    licences = collected[-1]  # a.datas, with the licence files added by bundle_contents.licence_toc
    assert any(dest.startswith("psi_desktop/resources/licences/packages/platformdirs-") for dest, _s, _k in licences)
    bundles = [kwargs for name, _args, kwargs in calls if name == "BUNDLE"]
    assert len(bundles) == (target.system == "macos")
    if bundles:
        assert bundles[0]["name"] == "PSI Desktop.app"
        assert bundles[0]["info_plist"]["CFBundleShortVersionString"] == VERSION


def test_the_self_test_environment_is_clean():
    env = check.clean_env("linux", Path("/tmp/h"))
    assert env == {"PATH": "/usr/bin:/bin", "HOME": "/tmp/h", "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}
    win = check.clean_env("windows", Path("C:/h"))
    assert win["QT_QPA_PLATFORM"] == "offscreen" and "SYSTEMROOT" in win
    assert win["LOCALAPPDATA"].startswith(str(Path("C:/h")))  # the data dir goes into the temporary home


# --- licences ------------------------------------------------------------------------------------


def test_top_level_names_come_from_all_three_tocs():
    pure = [("reportlab.lib.styles", "/x", "PYMODULE")]
    binaries = [("_cffi_backend.cpython-311-x86_64-linux-gnu.so", "/x", "EXTENSION"), ("PySide6/Qt/lib/a.so", "/", "")]
    datas = [("matplotlib/mpl-data/matplotlibrc", "/x", "DATA")]
    assert {"reportlab", "_cffi_backend", "PySide6", "matplotlib"} <= bc.bundled_top_level_names(pure, binaries, datas)


def test_licence_toc_copies_each_bundled_packages_own_licence(tmp_path):
    pure = [("reportlab.lib", "", "PYMODULE"), ("platformdirs", "", "PYMODULE"), ("psi_desktop.cli", "", "PYMODULE")]
    toc = bc.licence_toc(pure, [], [], str(tmp_path / "licences"))
    dests = [dest for dest, _src, kind in toc if kind == "DATA"]
    assert all(dest.startswith("psi_desktop/resources/licences/") for dest in dests)
    assert any(d.startswith("psi_desktop/resources/licences/packages/reportlab-") for d in dests)
    assert any(d.startswith("psi_desktop/resources/licences/packages/platformdirs-") for d in dests)
    assert not any("/packages/psi-desktop-" in d for d in dests)  # our own licence is LICENSE.txt beside the program
    assert all(Path(src).is_file() for _dest, src, _kind in toc)
    index = (tmp_path / "licences" / "INDEX.txt").read_text()
    assert "reportlab" in index and "platformdirs" in index
    assert "psi_desktop/resources/licences/PSI-Desktop.txt" in dests  # our own, inside every bundle
    if bc.python_licence():
        assert "psi_desktop/resources/licences/python/LICENSE.txt" in dests


def test_packages_without_licence_files_point_to_a_written_notice():
    for notice in set(bc.WRITTEN_NOTICES.values()) | set(bc.ALSO_SEE.values()):
        assert (ROOT / "resources" / "licences" / notice).is_file(), notice


# --- the real build (slow; CI runs it through build_installer.py itself) -------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("PyInstaller") is None, reason="needs pip install -r packaging/requirements-build.txt"
)
def test_the_real_build_makes_a_package_whose_self_test_passes(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build_installer.py"),
            "--work",
            str(tmp_path / "b"),
            "--dist",
            str(tmp_path / "d"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "self-test passed" in result.stdout
    target = bc.current_target(bc.read_version())
    package = tmp_path / "d" / target.package_name
    assert package.is_file()
    if target.system == "linux":
        with tarfile.open(package) as tar:
            names = set(tar.getnames())
        for member in ("psi-desktop", "psi-desktop.desktop", "psi-desktop.png", "install.sh", "LICENSE.txt"):
            assert f"PSI Desktop/{member}" in names
        assert "PSI Desktop/_internal/psi_desktop/resources/frameworks/psi.json" in names
        assert "PSI Desktop/_internal/psi_desktop/resources/licences/packages/INDEX.txt" in names


# --- the check of what ships: a broken bundle is never shipped ---------------------------------

FAKE_APP = """#!/bin/sh
case "$1" in
--version) echo "psi-desktop 1.2.3" ;;
self-test) echo "FAIL store: OperationalError"; echo "self-test failed: 1 of 3 checks"; exit ${SELF_TEST_EXIT} ;;
demo) ${DEMO_EXTRA} sleep 30 ;;
esac
"""


def _fake_package(tmp_path: Path, *, self_test_exit: int = 0, demo_extra: str = "") -> Path:
    folder = tmp_path / "src" / "PSI Desktop"
    folder.mkdir(parents=True)
    app = folder / "psi-desktop"
    app.write_text(FAKE_APP.replace("${SELF_TEST_EXIT}", str(self_test_exit)).replace("${DEMO_EXTRA}", demo_extra))
    app.chmod(0o755)
    for name in ("psi-desktop.desktop", "psi-desktop.png", "install.sh"):
        (folder / name).write_text("")
    package = tmp_path / "psi-desktop-1.2.3-linux-x86_64.tar.gz"
    with tarfile.open(package, "w:gz") as tar:
        tar.add(folder, arcname="PSI Desktop")
    return package


@pytest.mark.skipif(sys.platform != "linux", reason="the fake app is a shell script")
def test_a_failing_self_test_fails_the_build_loudly(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        check.verify(linux(), _fake_package(tmp_path, self_test_exit=1))
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "BUILD FAILED: the built app's self-test exited 1, not 0" in err


@pytest.mark.skipif(sys.platform != "linux", reason="the fake app is a shell script")
def test_an_app_that_writes_beside_itself_fails_the_build(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(check, "WINDOW_CHECK_SECONDS", 0.5)
    package = _fake_package(tmp_path, demo_extra='touch "$(dirname "$0")/records.db";')
    with pytest.raises(SystemExit):
        check.verify(linux(), package)
    assert "BUILD FAILED: the built app wrote beside the program: records.db" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform != "linux", reason="the fake app is a shell script")
def test_a_working_package_passes_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(check, "WINDOW_CHECK_SECONDS", 0.5)
    check.verify(linux(), _fake_package(tmp_path))


def test_inno_setup_without_an_icon_uses_its_own(tmp_path):
    text = bi.inno_setup_script(windows(), tmp_path / "app", tmp_path, None, tmp_path / "x.iss")
    assert "SetupIconFile" not in text and "PrivilegesRequired=lowest" in text
