#!/usr/bin/env python3
"""Build PSI Desktop into an application that installs and runs without Python.

    python build_installer.py                 build for the operating system this runs on
    python build_installer.py --render-icons  redraw resources/icons/*.png from the SVG (needs PySide6)

Needs the project and its ``build`` extra installed (``pip install -e ".[build]"``). Steps:

1. Read the version from ``psi_desktop.__version__``; every file made carries it in its name.
2. Check that ``resources/`` holds what the app needs: frameworks/psi.json, demo/, icons/, licences/.
3. Write a small launcher and a PyInstaller spec into build/ (generated each run, never committed).
4. Windows and macOS: make the .ico / .icns application icon from the PNGs (with Pillow).
5. Run PyInstaller: one folder (onedir) in dist/, with ``resources/`` at ``psi_desktop/resources``
   and the licence files of every bundled package, of Python and (on Linux) of system libraries.
6. Package it: Linux, a tar.gz with a .desktop file, the icon and install.sh (per-user);
   Windows, a zip; macOS, the .app in a zip.
7. Unpack that package into a temporary folder and run what will ship: ``--version``, then
   ``self-test`` headless with a clean environment, then the demo window offscreen for a few
   seconds; none may fail, nor write a file beside the program. On any failure the package is
   deleted and this script exits 1: a broken bundle is never shipped.
8. Windows: write the Inno Setup script (per-user install, no admin rights) into build/ and
   compile it into a setup .exe when ``iscc`` is on PATH.
9. Print what was made and its size.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import os
import platform
import shutil
import signal
import string
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
APP_NAME = "PSI Desktop"
COMMAND = "psi-desktop"
PUBLISHER = "PSI Desktop developers"
MAC_BUNDLE_ID = "org.psi-desktop.PSIDesktop"
# Inno Setup's AppId: fixed for ever, so a new version upgrades the old one in place.
WINDOWS_APP_ID = "{6B0C7A52-3E8D-4C1F-9A57-2D1E6F0B8C34}"

RESOURCES = ROOT / "resources"
# What the built app cannot do without; checked before building (relative to resources/).
REQUIRED_RESOURCES = (
    "frameworks/psi.json",
    "demo/demo-ward3.psi.json",
    "icons/psi-desktop.svg",
    "icons/psi-desktop-256.png",
    "icons/psi-desktop-128.png",
    "icons/psi-desktop-48.png",
    "licences/README.txt",
    "licences/Qt-and-PySide6.txt",
    "licences/DejaVu-fonts.txt",
)
ICON_SIZES = (256, 128, 48)
# In the bundle, resources/ sits where psi_desktop/paths.py looks first: sys._MEIPASS/psi_desktop/resources.
BUNDLED_RESOURCES = "psi_desktop/resources"
BUNDLED_LICENCES = f"{BUNDLED_RESOURCES}/licences"
# Importable from the venv but never used by the app; keeping them out keeps the bundle smaller.
# QtNetwork is pulled in by PySide6's hooks only: the app never uses the network.
EXCLUDES = (
    "PySide6.QtNetwork",
    "tkinter",
    "_tkinter",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "IPython",
    "pytest",
    "hypothesis",
    "pypdf",
)
# Packages that carry no licence file of their own, and the notice in resources/licences that covers them.
WRITTEN_NOTICES = {"pyside6-essentials": "Qt-and-PySide6.txt", "shiboken6": "Qt-and-PySide6.txt"}
# Packages with more inside them than their own licence file tells, and the notice that covers the rest.
ALSO_SEE = {
    "sqlcipher3": "SQLCipher-SQLite-OpenSSL.txt",
    "cryptography": "Apache-2.0.txt",
    "matplotlib": "DejaVu-fonts.txt",
}
SELF_TEST_TIMEOUT = 300
WINDOW_CHECK_SECONDS = 8.0


# ---------------------------------------------------------------------------------------------
# What is built, and what it is called


@dataclass(frozen=True)
class Target:
    """The operating system and machine being built for, and the version being built."""

    system: str  # "linux", "windows" or "macos"
    arch: str  # "x86_64", "aarch64" or "arm64"
    version: str

    @property
    def stem(self) -> str:
        return f"{COMMAND}-{self.version}-{self.system}-{self.arch}"

    @property
    def package_name(self) -> str:
        """The file that ships: the tar.gz on Linux, a zip elsewhere."""
        return f"{self.stem}.tar.gz" if self.system == "linux" else f"{self.stem}.zip"

    @property
    def setup_name(self) -> str:
        """Windows only: the Inno Setup installer."""
        return f"{self.stem}-setup.exe"

    @property
    def exe_name(self) -> str:
        """The executable that takes the command line (self-test, --version, demo...)."""
        return f"{COMMAND}.exe" if self.system == "windows" else COMMAND

    @property
    def gui_exe_name(self) -> str:
        """The executable a shortcut starts: on Windows a second one with no console window."""
        return f"{APP_NAME}.exe" if self.system == "windows" else self.exe_name

    @property
    def folder_name(self) -> str:
        """The top folder inside the package."""
        return f"{APP_NAME}.app" if self.system == "macos" else APP_NAME

    def exe_in(self, folder: Path) -> Path:
        """The command-line executable inside an unpacked ``folder_name`` folder."""
        if self.system == "macos":
            return folder / "Contents" / "MacOS" / self.exe_name
        return folder / self.exe_name


def current_target(version: str) -> Target:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform)
    if system is None:
        raise SystemExit(f"build_installer.py builds on Linux, Windows and macOS, not on {sys.platform}.")
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "x64": "x86_64", "x86_64": "x86_64", "aarch64": "aarch64", "arm64": "arm64"}.get(
        machine, machine
    )
    if system == "macos" and arch == "aarch64":
        arch = "arm64"
    return Target(system, arch, version)


def read_version(root: Path = ROOT) -> str:
    """``psi_desktop.__version__``, read without importing the app."""
    for line in (root / "psi_desktop" / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise SystemExit("psi_desktop/__init__.py has no __version__.")


def missing_resources(resources: Path = RESOURCES) -> list[str]:
    return [name for name in REQUIRED_RESOURCES if not (resources / name).is_file()]


def resource_datas(resources: Path = RESOURCES) -> list[tuple[str, str]]:
    """PyInstaller ``datas``: the whole resources/ folder, at psi_desktop/resources in the bundle."""
    return [(str(resources), BUNDLED_RESOURCES)]


# ---------------------------------------------------------------------------------------------
# Generated text: launcher, spec, .desktop, install.sh, Inno Setup script


def launcher_text(version: str) -> str:
    """The entry script: a package's __main__.py as PyInstaller's entry fails at run time."""
    return f'''"""Start PSI Desktop {version} from its PyInstaller bundle (generated by build_installer.py)."""

import os
import sys

# A windowed Windows build has no console: give print() and logging somewhere harmless to write.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

# PyInstaller's matplotlib hook points MPLCONFIGDIR at a new temporary folder on every start, so the
# font list would be rebuilt before every first chart. A onedir app does not move, so keep the
# list in the per-user cache folder (never beside the program).
try:
    import platformdirs

    _cache = os.path.join(platformdirs.user_cache_dir("PSI Desktop", "PSI Desktop"), "matplotlib-{version}")
    os.makedirs(_cache, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = _cache
except OSError:
    pass

from psi_desktop.cli import main

sys.exit(main())
'''


def spec_text(target: Target, launcher: Path, work: Path, icon: Path | None) -> str:
    """The PyInstaller spec. The work is done by functions of this script, so the spec stays short."""
    icon_arg = repr(str(icon)) if icon else "None"
    lines = [
        f"# PyInstaller spec for {APP_NAME} {target.version} ({target.system}), generated by build_installer.py.",
        "import sys",
        f"sys.path.insert(0, {str(ROOT)!r})",
        "import build_installer as bi",
        "",
        "a = Analysis(",
        f"    [{str(launcher)!r}],",
        f"    pathex=[{str(ROOT)!r}],",
        "    datas=bi.resource_datas(),",
        "    excludes=list(bi.EXCLUDES),",
        ")",
        f"a.datas += bi.licence_toc(a.pure, a.binaries, a.datas, {str(work / 'licences')!r})",
        "pyz = PYZ(a.pure)",
        "common = dict(exclude_binaries=True, strip=False, upx=False, icon=" + icon_arg + ")",
        # On Windows the shortcut starts a console-less PSI Desktop.exe; psi-desktop.exe keeps a console
        # for the command line and the self-test. Elsewhere one executable does both.
        f"exes = [EXE(pyz, a.scripts, [], name={Path(target.exe_name).stem!r}, console=True, **common)]",
    ]
    if target.system == "windows":
        lines.append(
            f"exes.append(EXE(pyz, a.scripts, [], name={Path(target.gui_exe_name).stem!r}, console=False, **common))"
        )
    lines.append(f"coll = COLLECT(*exes, a.binaries, a.datas, strip=False, upx=False, name={APP_NAME!r})")
    if target.system == "macos":
        plist = {
            "CFBundleName": APP_NAME,
            "CFBundleDisplayName": APP_NAME,
            "CFBundleShortVersionString": target.version,
            "CFBundleVersion": target.version,
            "NSHighResolutionCapable": True,
            "LSApplicationCategoryType": "public.app-category.medical",
        }
        lines.append(
            f"app = BUNDLE(coll, name={target.folder_name!r}, icon={icon_arg}, "
            f"bundle_identifier={MAC_BUNDLE_ID!r}, version={target.version!r}, info_plist={plist!r})"
        )
    return "\n".join(lines) + "\n"


def desktop_entry(version: str, exec_line: str = COMMAND) -> str:
    """The freedesktop.org menu entry. install.sh rewrites Exec to the program's full path."""
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.4",
            f"Name={APP_NAME}",
            "GenericName=Clinical supervision",
            "Comment=Reflective clinical supervision with the Power Safety Identity model, offline",
            f"Exec={exec_line}",
            f"Icon={COMMAND}",
            "Terminal=false",
            "Categories=Office;",
            "Keywords=supervision;reflection;PSI;nursing;clinical;mental health;",
            f"StartupWMClass={COMMAND}",
            f"X-PSI-Desktop-Version={version}",
            "",
        ]
    )


INSTALL_SH = r"""#!/bin/sh
# Add PSI Desktop to this user's menu, without admin rights:
#   ./install.sh              a menu entry, its icon and the command ~/.local/bin/psi-desktop
#   ./install.sh --uninstall  remove them again (your records are kept)
# The program runs from this folder: put the folder where it should stay first, then run this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor
bin=$HOME/.local/bin
refresh() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" 2>/dev/null || true
}
case "${1:-}" in
--uninstall)
    rm -f "$apps/psi-desktop.desktop" "$icons/256x256/apps/psi-desktop.png" "$icons/scalable/apps/psi-desktop.svg"
    if [ -L "$bin/psi-desktop" ]; then rm -f "$bin/psi-desktop"; fi
    refresh
    echo "Removed the menu entry and the psi-desktop command."
    echo "Your records in $data/PSI Desktop are kept. Delete $here to remove the program itself."
    exit 0
    ;;
"") ;;
*)
    echo "usage: $0 [--uninstall]" >&2
    exit 2
    ;;
esac
case "$here" in
*[\"\`\$\\%]*)
    echo "Move this folder to a path without \" \` \$ \\ or % in it, then run install.sh again." >&2
    exit 1
    ;;
esac
mkdir -p "$apps" "$icons/256x256/apps" "$icons/scalable/apps" "$bin"
cp "$here/psi-desktop.png" "$icons/256x256/apps/psi-desktop.png"
cp "$here/psi-desktop.svg" "$icons/scalable/apps/psi-desktop.svg"
while IFS= read -r line; do
    case "$line" in
    Exec=*) printf 'Exec="%s/psi-desktop"\n' "$here" ;;
    *) printf '%s\n' "$line" ;;
    esac
done <"$here/psi-desktop.desktop" >"$apps/psi-desktop.desktop"
ln -sfn "$here/psi-desktop" "$bin/psi-desktop"
refresh
echo "PSI Desktop is in your applications menu, and the command psi-desktop is in $bin."
echo "Your records will be kept in $data/PSI Desktop."
"""


def package_readme(target: Target) -> str:
    """README.txt at the top of the Linux package."""
    return f"""{APP_NAME} {target.version} for Linux ({target.arch})

Runs without Python and without admin rights. Keep this folder where it should stay (for example
~/Applications/PSI Desktop), then:

    ./install.sh               add PSI Desktop to your applications menu and the psi-desktop command
    ./psi-desktop              or start it straight from this folder
    ./psi-desktop demo         try it on a throwaway profile with a fictional case
    ./psi-desktop self-test    check that this copy works
    ./install.sh --uninstall   remove the menu entry again

Your records are kept in your own data folder (~/.local/share/PSI Desktop), never in this folder,
so replacing this folder with a newer version keeps them. PSI Desktop never uses the network.

Licences: PSI Desktop is under the MIT licence (LICENSE.txt). The licences of everything bundled
with it are in _internal/{BUNDLED_LICENCES}/ (start with README.txt there).
"""


ISS_TEMPLATE = string.Template(
    r"""; Inno Setup script for $app $version, generated by build_installer.py. Compile: iscc "$iss"
; A per-user install: no admin rights, into %LOCALAPPDATA%\Programs, with a Start menu shortcut and
; an uninstaller. Records live in the user's data folder, which uninstalling leaves alone.

[Setup]
AppId={$app_id
AppName=$app
AppVersion=$version
AppVerName=$app $version
AppPublisher=$publisher
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\$app
DefaultGroupName=$app
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
OutputDir=$output_dir
OutputBaseFilename=$output_base
SetupIconFile=$icon
UninstallDisplayIcon={app}\$gui_exe
UninstallDisplayName=$app $version
LicenseFile=$licence
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=$arch_allowed
ArchitecturesInstallIn64BitMode=$arch_allowed
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "Put a shortcut on the desktop"; Flags: unchecked

[Files]
Source: "$source\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\$app"; Filename: "{app}\$gui_exe"; WorkingDir: "{app}"
Name: "{autodesktop}\$app"; Filename: "{app}\$gui_exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\$gui_exe"; Description: "Open $app now"; Flags: nowait postinstall skipifsilent
"""
)


def inno_setup_script(target: Target, app_folder: Path, output_dir: Path, icon: Path | None, iss_path: Path) -> str:
    """The .iss text for a per-user Windows install (PrivilegesRequired=lowest)."""
    text = ISS_TEMPLATE.substitute(
        app=APP_NAME,
        version=target.version,
        iss=iss_path,
        app_id=WINDOWS_APP_ID,  # "{{" in Inno Setup is a literal "{"
        publisher=PUBLISHER,
        output_dir=output_dir,
        output_base=Path(target.setup_name).stem,
        icon=icon,
        gui_exe=target.gui_exe_name,
        licence=app_folder / "LICENSE.txt",
        arch_allowed="arm64" if target.arch in ("arm64", "aarch64") else "x64compatible",
        source=app_folder,
    )
    if icon is None:  # no Pillow at build time: Inno Setup's own icon
        text = "\n".join(line for line in text.splitlines() if not line.startswith("SetupIconFile=")) + "\n"
    return text


def clean_env(system: str, home: Path) -> dict[str, str]:
    """An ``env -i``-style environment: a fresh home, offscreen Qt, UTF-8, and little else."""
    if system == "windows":
        windir = os.environ.get("SYSTEMROOT", r"C:\Windows")
        env = {
            "PATH": rf"{windir}\system32;{windir}",
            "SYSTEMROOT": windir,
            "WINDIR": windir,
            "USERPROFILE": str(home),
            "HOME": str(home),
            "LOCALAPPDATA": str(home / "AppData" / "Local"),
            "APPDATA": str(home / "AppData" / "Roaming"),
            "TEMP": str(home / "Temp"),
            "TMP": str(home / "Temp"),
        }
    else:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    env.update(QT_QPA_PLATFORM="offscreen", LANG="C.UTF-8")
    return env


# ---------------------------------------------------------------------------------------------
# Licences of what is bundled (called from the generated spec, after PyInstaller's analysis)


def bundled_top_level_names(pure: Iterable, binaries: Iterable, datas: Iterable) -> set[str]:
    """Top-level import names of everything in the bundle, from PyInstaller's TOC entries."""
    names = set()
    for entry in pure:
        names.add(entry[0].split(".")[0])
    for entry in list(binaries) + list(datas):
        first = Path(entry[0]).parts[0]
        names.add(first.split(".")[0])  # "_cffi_backend.cpython-311-x86_64-linux-gnu.so" -> "_cffi_backend"
    return names


def bundled_distributions(top_level_names: Iterable[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions that provide any of these top-level names (ours excluded)."""
    owners = importlib.metadata.packages_distributions()
    wanted = {dist for name in top_level_names for dist in owners.get(name, [])}
    found = {}
    for name in sorted(wanted, key=str.lower):
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        key = _normalise(dist.metadata["Name"])
        if key != COMMAND:
            found[key] = dist
    return [found[key] for key in sorted(found)]


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def licence_files(dist: importlib.metadata.Distribution) -> list[Path]:
    """A distribution's own licence files: its ``.dist-info/licenses/`` and LICENSE/COPYING/NOTICE files."""
    out = []
    for file in dist.files or []:
        parts = Path(file).parts
        if not parts or not parts[0].endswith(".dist-info"):
            continue
        name = parts[-1].upper()
        if (len(parts) > 2 and parts[1] == "licenses") or name.startswith(
            ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
        ):
            path = Path(dist.locate_file(file))
            if path.is_file():
                out.append(path)
    return sorted(set(out))


def licence_summary(dist: importlib.metadata.Distribution) -> str:
    """A short name for a distribution's licence: its SPDX expression, classifiers or short License field."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return " / ".join(classifiers)
    first = ((meta.get("License") or "").strip().splitlines() or [""])[0].strip()
    if 0 < len(first) <= 60 and any(ch.isalpha() for ch in first):
        return first
    return "see its licence files"


def python_licence() -> Path | None:
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (base / "lib" / version / "LICENSE.txt", base / "LICENSE.txt", base / "Lib" / "LICENSE.txt"):
        if candidate.is_file():
            return candidate
    return None


def system_library_copyrights(binaries: Iterable) -> dict[str, Path]:
    """Linux (Debian family): Debian package -> copyright file, for each system library bundled."""
    if sys.platform != "linux" or not shutil.which("dpkg-query"):
        return {}
    paths = sorted({str(Path(entry[1])) for entry in binaries if str(entry[1]).startswith(("/usr/", "/lib"))})
    if not paths:
        return {}
    queries = set(paths) | {os.path.realpath(p) for p in paths}
    result = subprocess.run(["dpkg-query", "-S", *sorted(queries)], capture_output=True, text=True, check=False)
    found = {}
    for line in result.stdout.splitlines():
        package = line.split(":", 1)[0].split(",")[0].strip()
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if copyright_file.is_file():
            found[package] = copyright_file
    return found


def licence_toc(pure, binaries, datas, out: str) -> list[tuple[str, str, str]]:
    """Copy the licence files of all that is bundled into ``out`` and return them as PyInstaller datas."""
    out_dir = Path(out)
    shutil.rmtree(out_dir, ignore_errors=True)
    toc: list[tuple[str, str, str]] = []

    def add(src: Path, dest: str) -> None:
        toc.append((f"{BUNDLED_LICENCES}/{dest}", str(src), "DATA"))

    index = [
        f"Python packages bundled with {APP_NAME}, their versions and licences, written by build_installer.py.",
        "Each package's own licence files are in the folder named after it here.",
        "",
    ]
    unlicensed = []
    dists = bundled_distributions(bundled_top_level_names(pure, binaries, datas))
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        dists.append(importlib.metadata.distribution("pyinstaller"))  # its bootloader starts the app
    for dist in dists:
        name, version = dist.metadata["Name"], dist.version
        key = _normalise(name)
        files = licence_files(dist)
        folder = f"{name}-{version}"
        if key == "pyinstaller":
            folder = "../pyinstaller"
        for src in files:
            add(src, f"packages/{folder}/{src.name}")
        where = f"{folder}/" if files else ""
        if not files and key in WRITTEN_NOTICES:
            where = f"../{WRITTEN_NOTICES[key]}"
        elif not files:
            unlicensed.append(name)
            where = "no licence file in the package"
        index += [f"{name} {version}", f"    licence: {licence_summary(dist)}", f"    files:   {where}"]
        if key in ALSO_SEE:
            index.append(f"    also:    ../{ALSO_SEE[key]}")
        index.append("")
    if unlicensed:
        print(f"WARNING: no licence file found for bundled packages: {', '.join(unlicensed)}", file=sys.stderr)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "INDEX.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    add(out_dir / "INDEX.txt", "packages/INDEX.txt")
    add(ROOT / "LICENSE", "PSI-Desktop.txt")
    runtime = python_licence()
    if runtime:
        add(runtime, "python/LICENSE.txt")
    else:
        print("WARNING: the Python runtime's LICENSE.txt was not found; it is not in the bundle.", file=sys.stderr)
    for package, copyright_file in sorted(system_library_copyrights(binaries).items()):
        add(copyright_file, f"system/{package}.txt")
    # Paths like packages/../pyinstaller/x are tidied so the bundle has a plain pyinstaller/ folder.
    return [(os.path.normpath(dest).replace(os.sep, "/"), src, kind) for dest, src, kind in toc]


# ---------------------------------------------------------------------------------------------
# Steps


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def fail(message: str) -> SystemExit:
    bar = "!" * 78
    print(f"\n{bar}\nBUILD FAILED: {message}\n{bar}", file=sys.stderr, flush=True)
    return SystemExit(1)


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def human(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def render_icons(resources: Path = RESOURCES) -> list[Path]:
    """Draw resources/icons/psi-desktop-<size>.png from the SVG with Qt, offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QImage painting needs it
    renderer = QSvgRenderer(str(resources / "icons" / "psi-desktop.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/icons/psi-desktop.svg is not a valid SVG.")
    made = []
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = resources / "icons" / f"psi-desktop-{size}.png"
        image.save(str(out))
        made.append(out)
    return made


def platform_icon(target: Target, work: Path) -> Path | None:
    """The .ico (Windows) or .icns (macOS) made from the 256 px PNG; none on Linux (the .desktop file has it)."""
    png = RESOURCES / "icons" / "psi-desktop-256.png"
    if target.system == "linux":
        return None
    try:
        from PIL import Image
    except ImportError:
        print("NOTE: Pillow is not installed, so the executable gets no icon (pip install pillow).")
        return None
    image = Image.open(png)
    if target.system == "windows":
        out = work / "psi-desktop.ico"
        image.save(out, sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    else:
        out = work / "psi-desktop.icns"
        image.save(out)
    return out


def python_shared_library_found() -> bool:
    """Linux: PyInstaller bundles Python's shared library, which Debian's own python3 keeps in libpython3.X."""
    if sys.platform != "linux":
        return True
    import ctypes.util
    import sysconfig

    libdir = sysconfig.get_config_var("LIBDIR") or ""
    names = {sysconfig.get_config_var("INSTSONAME"), sysconfig.get_config_var("LDLIBRARY")} - {None, ""}
    if any((Path(libdir) / name).is_file() for name in names):
        return True
    return ctypes.util.find_library(f"python{sys.version_info.major}.{sys.version_info.minor}") is not None


def run_pyinstaller(target: Target, work: Path, dist: Path, icon: Path | None) -> Path:
    try:
        import PyInstaller.__main__
    except ImportError:
        raise fail('PyInstaller is not installed here. Install the build extra: pip install -e ".[build]"') from None
    if not python_shared_library_found():
        minor = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise fail(
            f"PyInstaller needs Python's shared library (libpython{minor}.so), which is not installed. "
            "On Debian or Ubuntu: sudo apt-get install libpython3-dev"
        )
    launcher = work / "psi_desktop_launcher.py"
    launcher.write_text(launcher_text(target.version), encoding="utf-8")
    spec = work / f"{COMMAND}.spec"
    spec.write_text(spec_text(target, launcher, work, icon), encoding="utf-8")
    print(f"launcher {launcher}\nspec     {spec}")
    started = time.monotonic()
    PyInstaller.__main__.run(
        [str(spec), "--noconfirm", "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work / "pyi")]
    )
    built = dist / target.folder_name
    if not target.exe_in(built).is_file():
        raise fail(f"PyInstaller finished but {target.exe_in(built)} is missing.")
    print(f"PyInstaller made {built} ({human(size_of(built))}) in {time.monotonic() - started:.0f} s")
    return built


def add_extras(target: Target, built: Path) -> None:
    """Files beside the executable: the app's own licence; on Linux the menu entry, icon, install.sh.

    Nothing is added to a macOS .app: PyInstaller has signed it, and a change would break the seal.
    """
    if target.system == "macos":
        return
    shutil.copyfile(ROOT / "LICENSE", built / "LICENSE.txt")
    if target.system != "linux":
        return
    (built / f"{COMMAND}.desktop").write_text(desktop_entry(target.version), encoding="utf-8")
    shutil.copyfile(RESOURCES / "icons" / "psi-desktop-256.png", built / f"{COMMAND}.png")
    shutil.copyfile(RESOURCES / "icons" / "psi-desktop.svg", built / f"{COMMAND}.svg")
    (built / "README.txt").write_text(package_readme(target), encoding="utf-8")
    install = built / "install.sh"
    install.write_text(INSTALL_SH, encoding="utf-8")
    install.chmod(0o755)


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def make_package(target: Target, built: Path, dist: Path) -> Path:
    out = dist / target.package_name
    out.unlink(missing_ok=True)
    partial = out.with_name(out.name + ".partial")
    if target.system == "linux":
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(built, arcname=target.folder_name, filter=_tar_filter)
    elif target.system == "macos":
        # ditto keeps the .app's symlinks, permissions and code signature.
        subprocess.run(["ditto", "-c", "-k", "--sequesterRsrc", "--keepParent", str(built), str(partial)], check=True)
    else:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path in sorted(built.rglob("*")):
                archive.write(path, Path(target.folder_name) / path.relative_to(built))
    partial.replace(out)
    return out


def unpack(target: Target, package: Path, into: Path) -> Path:
    if target.system == "linux":
        with tarfile.open(package) as tar:
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and newer
                tar.extractall(into, filter="data")
            else:  # our own archive, just made
                tar.extractall(into)
    elif target.system == "macos":
        subprocess.run(["ditto", "-x", "-k", str(package), str(into)], check=True)
    else:
        with zipfile.ZipFile(package) as archive:
            archive.extractall(into)
    return into / target.folder_name


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _run_checked(what: str, command: list[str], env: dict[str, str], timeout: float) -> str:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise fail(f"the built app's {what} did not finish within {timeout:.0f} s.") from None
    output = (result.stdout + result.stderr).strip()
    print("\n".join(f"    {line}" for line in output.splitlines()))
    if result.returncode != 0:
        raise fail(f"the built app's {what} exited {result.returncode}, not 0; nothing was shipped.")
    return output


def _window_check(exe: Path, env: dict[str, str], scratch: Path) -> None:
    """Open the demo window offscreen; it must still be running, with no error logged, after a few seconds."""
    tmp = scratch / "tmp"
    tmp.mkdir()
    env = {**env, "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp)}
    console = scratch / "demo-output.txt"
    with console.open("w") as out:
        # Its own process group on POSIX, so that stopping it stops anything it started too.
        process = subprocess.Popen(
            [str(exe), "demo"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=os.name != "nt"
        )
        try:
            process.wait(WINDOW_CHECK_SECONDS)
        except subprocess.TimeoutExpired:
            alive = True
            _stop(process)
        else:
            alive = False
    output = console.read_text(errors="replace")
    logged = "\n".join(p.read_text(errors="replace") for p in tmp.rglob("*.log"))
    trouble = [
        line
        for line in (output + "\n" + logged).splitlines()
        if any(w in line for w in ("Traceback", " ERROR ", " CRITICAL "))
    ]
    if not alive or trouble:
        print("\n".join(f"    {line}" for line in (output + logged).strip().splitlines()))
        reason = "logged an error" if trouble else f"exited {process.returncode} at once"
        raise fail(f"the built app's demo window {reason}; nothing was shipped.")
    print(f"    demo window still open after {WINDOW_CHECK_SECONDS:.0f} s, nothing logged as an error")


def _stop(process: subprocess.Popen) -> None:
    """Terminate, then kill if it has not gone within 15 s (with its process group on POSIX)."""
    for sig in ("SIGTERM", "SIGKILL"):
        if os.name == "nt" and sig == "SIGTERM":
            process.terminate()
        elif os.name == "nt":
            process.kill()
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, getattr(signal, sig))
        try:
            process.wait(15)
            return
        except subprocess.TimeoutExpired:
            continue


def verify(target: Target, package: Path) -> None:
    """Run the app exactly as shipped, from a fresh unpacking, in a clean environment."""
    with tempfile.TemporaryDirectory(prefix="psi-desktop-verify-") as tmp:
        scratch = Path(tmp)
        folder = unpack(target, package, scratch / "unpacked")
        exe = target.exe_in(folder)
        if target.system == "linux":
            expected = [exe, folder / f"{COMMAND}.desktop", folder / f"{COMMAND}.png", folder / "install.sh"]
            missing = [p.name for p in expected if not p.exists()]
            if missing:
                raise fail(f"{package.name} lacks {', '.join(missing)}.")
        before = _files(folder)
        home = scratch / "home"
        home.mkdir()
        env = clean_env(target.system, home)
        if target.system == "windows":
            for key in ("LOCALAPPDATA", "APPDATA", "TEMP"):
                Path(env[key]).mkdir(parents=True, exist_ok=True)
        print(f"unpacked {package.name} into {folder}")
        print(f"environment: {' '.join(f'{k}={v}' for k, v in env.items())}")
        print(f"$ {exe.name} --version")
        version_output = _run_checked("--version", [str(exe), "--version"], env, 120)
        if target.version not in version_output:
            raise fail(f"the built app says {version_output!r}, not version {target.version}.")
        print(f"$ {exe.name} self-test")
        _run_checked("self-test", [str(exe), "self-test"], env, SELF_TEST_TIMEOUT)
        print(f"$ {exe.name} demo   (offscreen, {WINDOW_CHECK_SECONDS:.0f} s)")
        _window_check(exe, env, scratch)
        written = sorted(_files(folder) - before)
        if written:
            raise fail(f"the built app wrote beside the program: {', '.join(written[:5])}")
        print("    nothing was written beside the program")


def compile_windows_installer(target: Target, built: Path, dist: Path, work: Path, icon: Path | None) -> Path | None:
    iss = work / f"{target.stem}.iss"
    iss.write_text(inno_setup_script(target, built, dist, icon, iss), encoding="utf-8")
    print(f"Inno Setup script: {iss}")
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if not iscc:
        print("NOTE: iscc (Inno Setup 6) is not on PATH, so no setup .exe was made; the zip is complete.")
        print(f'      Install Inno Setup, then run: iscc "{iss}"')
        return None
    subprocess.run([iscc, "/Q", str(iss)], check=True)
    out = dist / target.setup_name
    if not out.is_file():
        raise fail(f"iscc finished but {out} is missing.")
    return out


def build(work: Path, dist: Path) -> list[Path]:
    started = time.monotonic()
    version = read_version()
    target = current_target(version)
    step(f"1. {APP_NAME} {version} for {target.system} {target.arch}, with Python {platform.python_version()}")

    step("2. Resources")
    missing = missing_resources()
    if missing:
        raise fail(f"resources/ lacks {', '.join(missing)}.")
    print(f"all {len(REQUIRED_RESOURCES)} required files present in {RESOURCES}")

    step("3-5. PyInstaller (onedir)")
    work.mkdir(parents=True, exist_ok=True)
    dist.mkdir(parents=True, exist_ok=True)
    icon = platform_icon(target, work)
    built = run_pyinstaller(target, work, dist, icon)
    add_extras(target, built)

    step("6. Package")
    package = make_package(target, built, dist)
    print(f"{package} ({human(package.stat().st_size)})")

    step("7. Check the package as shipped: --version, self-test, demo window")
    try:
        verify(target, package)
    except BaseException as exc:
        package.unlink(missing_ok=True)
        print(f"deleted {package}", file=sys.stderr)
        if isinstance(exc, Exception):
            traceback.print_exc()
            raise fail(f"checking the package failed ({type(exc).__name__}: {exc}); nothing was shipped.") from exc
        raise

    made = [package]
    if target.system == "windows":
        step("8. Windows installer (Inno Setup)")
        setup = compile_windows_installer(target, built, dist, work, icon)
        if setup:
            made.append(setup)

    step(f"9. Made, in {time.monotonic() - started:.0f} s")
    print(f"  {built}  ({human(size_of(built))} unpacked)")
    for path in made:
        print(f"  {path}  ({human(path.stat().st_size)})")
    print(f"\nSelf-test of the built app passed. Ship {package.name}.")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--render-icons", action="store_true", help="redraw the PNG icons from the SVG, then stop")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch folder (default: build/)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    if args.render_icons:
        for path in render_icons():
            print(path)
        return 0
    build(args.work.resolve(), args.dist.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
