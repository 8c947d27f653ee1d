"""Child process for test_encryption_at_rest: a conversion to an encrypted store killed half way.

    python -m tests.faults._convert_child PROFILE_DIR

Runs services.profile.create_profile on a folder holding a plaintext store, and SIGKILLs itself at
the moment the encrypted copy is about to replace the plaintext store: after the key file has been
written, before the swap. That is where a power cut hurts most.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import psi_desktop.services.profile as profile_service
from psi_desktop.storage.keys import set_kdf_cost
from tests.conftest import PASSPHRASE, _fast_kdf

set_kdf_cost(_fast_kdf())


def _killed_here(*_args, **_kwargs) -> None:
    sys.stdout.write("swapping\n")
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    profile_service.install_store = _killed_here
    profile_service.create_profile(Path(sys.argv[1]), PASSPHRASE)
    sys.stdout.write("finished without being killed\n")


if __name__ == "__main__":
    main()
