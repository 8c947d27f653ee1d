"""The entry script of the PyInstaller bundle: a package's __main__.py as PyInstaller's entry fails at run time."""

import os
import sys

# A windowed Windows build has no console: give print() and logging somewhere harmless to write.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

# PyInstaller's matplotlib hook points MPLCONFIGDIR at a new temporary folder on every start, so the
# font list would be rebuilt before every first chart. A onedir app does not move, so keep the
# list in the per-user cache folder (never beside the program), one per version.
try:
    import platformdirs

    from psi_desktop import __version__

    _cache = os.path.join(platformdirs.user_cache_dir("PSI Desktop", "PSI Desktop"), f"matplotlib-{__version__}")
    os.makedirs(_cache, exist_ok=True)
    os.environ["MPLCONFIGDIR"] = _cache
except OSError:
    pass

from psi_desktop.cli import main  # noqa: E402 - after MPLCONFIGDIR is set

sys.exit(main())
