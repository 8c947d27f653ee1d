"""Child process for test_recovery_pending: a profile made, then killed before its recovery key is shown.

    python -m tests.faults._create_child PROFILE_DIR

Does what the create-profile dialog's worker does (services.profile.create_profile), prints the
recovery key it got (the parent checks that it stops working) and ``made``, then waits to be
killed: the moment between making the profile and showing its recovery page.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from psi_desktop.services.profile import create_profile
from psi_desktop.storage.keys import set_kdf_cost
from tests.conftest import PASSPHRASE, _fast_kdf

set_kdf_cost(_fast_kdf())


def main() -> None:
    made = create_profile(Path(sys.argv[1]), PASSPHRASE)
    made.profile.cases.create("Ward 8 - R", "Acute inpatient")
    print(made.recovery_key, flush=True)
    print("made", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
