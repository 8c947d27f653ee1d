"""Child process for test_disk_full: write until the file-size limit stops a save.

    python -m tests.faults._fill PROFILE_DIR CANARY MARGIN_BYTES MODE

Sets RLIMIT_FSIZE (soft limit only) just above the store's current size, with SIGXFSZ ignored so a
write past the limit fails with EFBIG instead of killing the process, then saves reflections until
one fails. Prints one JSON line of results. MODE ``retry``: raise the limit again and save the
same reflection (it must save once there is room). MODE ``close``: close the profile while still
at the limit.
"""

from __future__ import annotations

import json
import random
import resource
import signal
import sys
import time
from pathlib import Path

from psi_desktop.domain.documents import reflection_document
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import STORE, make_reflection

MAX_SAVES = 5000


def main() -> None:
    directory, canary, margin, mode = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    rnd = random.Random(7)
    result: dict = {"acked": {}}
    profile = unlock_profile(directory, PASSPHRASE)
    case = profile.cases.create("Ward 5 - F", "Rehabilitation")
    result["case_id"] = str(case.id)
    limit = (directory / STORE).stat().st_size + margin
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    result["limit"] = limit
    failed = None
    for _ in range(MAX_SAVES):
        reflection = make_reflection(case.id, rnd, canary, answers=4)
        started = time.monotonic()
        try:
            profile.store.reflections.save(reflection)
        except Exception as exc:
            failed = reflection
            result.update(
                seconds=time.monotonic() - started,
                error=[f"{k.__module__}.{k.__qualname__}" for k in type(exc).__mro__],
                message=str(exc),
                failed_id=str(reflection.id),
            )
            break
        result["acked"][str(reflection.id)] = reflection_document(reflection)
    if failed is not None:
        # The rest of the app goes on working: reading is fine while the disk is full.
        result["read_after_failure"] = len(profile.cases.reflections(case.id))
        if mode == "retry":
            resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            profile.store.reflections.save(failed)
            result["retried"] = reflection_document(profile.store.reflections.get(failed.id))
            result["retried_expected"] = reflection_document(failed)
    try:
        profile.close()
        result["closed"] = "ok"
    except Exception as exc:
        result["closed"] = f"{type(exc).__name__}: {exc}"
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
