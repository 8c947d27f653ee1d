"""What goes into the PSI Desktop bundle and what each file made is called.

Imported by build_installer.py and by the PyInstaller spec beside it (psi-desktop.spec), which calls
``resource_datas()`` and ``licence_toc()`` during PyInstaller's analysis.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
)
# Data folders read at run time that no PyInstaller hook collects: pikepdf's PDF/A writer reads its sRGB
# profile, schemas and rules from pdfa/data (a bundle without them failed its self-test making a PDF).
PACKAGE_DATA = {"pikepdf": "pdfa/data"}
# Packages that carry no licence file of their own, and the notice in resources/licences that covers them.
WRITTEN_NOTICES = {"pyside6-essentials": "Qt-and-PySide6.txt", "shiboken6": "Qt-and-PySide6.txt"}
# Packages with more inside them than their own licence file tells, and the notice that covers the rest.
ALSO_SEE = {
    "sqlcipher3": "SQLCipher-SQLite-OpenSSL.txt",
    "cryptography": "Apache-2.0.txt",
    "matplotlib": "DejaVu-fonts.txt",
}

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


def package_datas() -> list[tuple[str, str]]:
    """PyInstaller ``datas``: the data folders of packages that no PyInstaller hook collects (PACKAGE_DATA)."""
    import importlib.util

    datas = []
    for package, folder in PACKAGE_DATA.items():
        found = importlib.util.find_spec(package)
        if found is None or found.origin is None:
            raise SystemExit(f"{package} is not installed: install the app first (pip install -e .)")
        datas.append((str(Path(found.origin).parent / folder), f"{package}/{folder}"))
    return datas


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
