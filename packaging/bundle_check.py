"""Package what PyInstaller built, then check the package as it will ship: a broken one never ships."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from bundle_contents import COMMAND, Target

SELF_TEST_TIMEOUT = 300
WINDOW_CHECK_SECONDS = 8.0


def fail(message: str) -> SystemExit:
    bar = "!" * 78
    print(f"\n{bar}\nBUILD FAILED: {message}\n{bar}", file=sys.stderr, flush=True)
    return SystemExit(1)


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
