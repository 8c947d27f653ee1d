#!/usr/bin/env python3
"""Build PSI Desktop into an application that installs and runs without Python.

    python build_installer.py                 build for the operating system this runs on
    python build_installer.py --render-icons  redraw resources/icons/*.png from the SVG (needs PySide6)

Needs the project and the pinned build requirements installed
(``pip install -e . -r packaging/requirements-build.txt``). The files it uses are in packaging/:
the PyInstaller spec and its entry script, the templates of what ships beside the program, and the
two modules that decide what goes in (bundle_contents.py) and check what comes out (bundle_check.py).
Steps:

1. Read the version from ``psi_desktop.__version__``; every file made carries it in its name.
2. Check that ``resources/`` holds what the app needs: frameworks/psi.json, demo/, icons/, licences/.
3. Windows and macOS: make the .ico / .icns application icon from the PNGs (with Pillow).
4. Run PyInstaller on packaging/psi-desktop.spec: one folder (onedir) in dist/, with ``resources/``
   at ``psi_desktop/resources`` and the licence files of every bundled package, of Python and (on
   Linux) of system libraries.
5. Package it: Linux, a tar.gz with a .desktop file, the icon and install.sh (per-user);
   Windows, a zip; macOS, the .app in a zip.
6. Unpack that package into a temporary folder and run what will ship: ``--version``, then
   ``self-test`` headless with a clean environment, then the demo window offscreen for a few
   seconds; none may fail, nor write a file beside the program. On any failure the package is
   deleted and this script exits 1: a broken bundle is never shipped.
7. Windows: fill in the Inno Setup script (per-user install, no admin rights) into build/ and
   compile it into a setup .exe when ``iscc`` is on PATH.
8. Print what was made and its size.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import string
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

from bundle_check import fail, make_package, verify  # noqa: E402 - found through PACKAGING
from bundle_contents import (  # noqa: E402
    APP_NAME,
    BUNDLED_LICENCES,
    COMMAND,
    PUBLISHER,
    REQUIRED_RESOURCES,
    RESOURCES,
    WINDOWS_APP_ID,
    Target,
    current_target,
    missing_resources,
    read_version,
)

SPEC = PACKAGING / f"{COMMAND}.spec"
REQUIREMENTS = "packaging/requirements-build.txt"
ICON_SIZES = (256, 128, 48)


# ---------------------------------------------------------------------------------------------
# The templates in packaging/, filled in


def fill(template: str, **values: object) -> str:
    """packaging/<template> with its ``$name`` placeholders filled; a placeholder left unfilled is an error."""
    return string.Template((PACKAGING / template).read_text(encoding="utf-8")).substitute(values)


def desktop_entry(version: str) -> str:
    """The freedesktop.org menu entry. install.sh rewrites Exec to the program's full path."""
    return fill(f"{COMMAND}.desktop.in", version=version)


def package_readme(target: Target) -> str:
    """README.txt at the top of the Linux package."""
    return fill("README.txt.in", version=target.version, arch=target.arch, licences=BUNDLED_LICENCES)


def inno_setup_script(target: Target, app_folder: Path, output_dir: Path, icon: Path | None, iss_path: Path) -> str:
    """The .iss text for a per-user Windows install (PrivilegesRequired=lowest)."""
    text = fill(
        f"{COMMAND}.iss.in",
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


def spec_arguments(target: Target, work: Path, icon: Path | None) -> list[str]:
    """What packaging/psi-desktop.spec is told after PyInstaller's ``--``."""
    args = ["--system", target.system, "--arch", target.arch, "--version", target.version, "--work", str(work)]
    return [*args, "--icon", str(icon)] if icon else args


# ---------------------------------------------------------------------------------------------
# Steps


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


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


def pinned_requirements(path: Path = ROOT / REQUIREMENTS) -> dict[str, str]:
    """The ``name==version`` lines of the build requirements, as {name: version}."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def unpinned_installs(pins: dict[str, str]) -> list[str]:
    """What is installed at another version than pinned, or not at all: "name 1.0 (pinned 2.0)"."""
    wrong = []
    for name, version in pins.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "missing"
        if installed != version:
            wrong.append(f"{name} {installed} (pinned {version})")
    return wrong


def run_pyinstaller(target: Target, work: Path, dist: Path, icon: Path | None) -> Path:
    wrong = unpinned_installs(pinned_requirements())
    if wrong:
        raise fail(
            f"the build requirements installed here are not the pinned ones: {', '.join(wrong)}. "
            f"Install them: pip install -r {REQUIREMENTS}"
        )
    import PyInstaller.__main__

    if not python_shared_library_found():
        minor = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise fail(
            f"PyInstaller needs Python's shared library (libpython{minor}.so), which is not installed. "
            "On Debian or Ubuntu: sudo apt-get install libpython3-dev"
        )
    print(f"spec {SPEC}")
    started = time.monotonic()
    options = ["--noconfirm", "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work / "pyi")]
    PyInstaller.__main__.run([str(SPEC), *options, "--", *spec_arguments(target, work, icon)])
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
    shutil.copyfile(PACKAGING / "install.sh", install)
    install.chmod(0o755)


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

    step("3-4. PyInstaller (onedir)")
    work.mkdir(parents=True, exist_ok=True)
    dist.mkdir(parents=True, exist_ok=True)
    icon = platform_icon(target, work)
    built = run_pyinstaller(target, work, dist, icon)
    add_extras(target, built)

    step("5. Package")
    package = make_package(target, built, dist)
    print(f"{package} ({human(package.stat().st_size)})")

    step("6. Check the package as shipped: --version, self-test, demo window")
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
        step("7. Windows installer (Inno Setup)")
        setup = compile_windows_installer(target, built, dist, work, icon)
        if setup:
            made.append(setup)

    step(f"8. Made, in {time.monotonic() - started:.0f} s")
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
