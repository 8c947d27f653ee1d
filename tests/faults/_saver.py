"""Child process for test_kill_during_save: save records in a loop until killed.

    python -m tests.faults._saver PROFILE_DIR SEED CANARY AUTOCHECKPOINT_PAGES

Unlocks the profile with tests.conftest.PASSPHRASE, prints ``ready``, then loops over random
operations through the real services and repositories. For each it prints one JSON line
``{"ev": "begin", ...}`` with the exact record it is about to save, saves it, and only after the
save has returned prints ``{"ev": "ack", ...}`` (flushed): an ack is an acknowledged save.
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from dataclasses import replace
from pathlib import Path

from psi_desktop.domain.documents import case_document, reflection_document, reflection_sha256
from psi_desktop.domain.model import Amendment, ReflectionStatus, Signature, utc_now
from psi_desktop.services.profile import unlock_profile
from tests.conftest import PASSPHRASE
from tests.faults._faultlib import make_reflection, sentence

OPERATIONS = ("new", "new", "new", "new", "new", "update", "update", "sign", "amend", "case")


def emit(**message) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    directory, seed, canary, autocheckpoint = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    rnd = random.Random(seed)
    profile = unlock_profile(directory, PASSPHRASE)
    store = profile.store
    if autocheckpoint:
        # Checkpoint far more often than the default 1000 pages, so kills also land mid-checkpoint.
        store.db.execute(f"PRAGMA wal_autocheckpoint = {autocheckpoint}")
    case_ids = [s.case.id for s in profile.cases.summaries()]
    ids = [row[0] for row in store.db.execute("SELECT id FROM reflections ORDER BY id")]
    known = {r.id: r for r in (store.reflections.get(uuid.UUID(i)) for i in rnd.sample(ids, min(len(ids), 20)))}
    emit(ev="ready")
    n = 0
    while True:
        n += 1
        op = rnd.choice(OPERATIONS)
        drafts = [r for r in known.values() if not r.signed]
        signed = [r for r in known.values() if r.signed]
        if op == "case":
            code = f"K-{seed}-{n}"
            setting = f"{canary} ward {n}"
            emit(ev="begin", kind="case", code=code, setting=setting)
            case = profile.cases.create(code, setting)
            case_ids.append(case.id)
            emit(ev="ack", kind="case", doc=case_document(case))
            continue
        if op == "update" and drafts:
            old = rnd.choice(drafts)
            fresh = make_reflection(old.case_id, rnd, canary, answers=rnd.randrange(1, 5))
            new = replace(old, answers=fresh.answers, ratings=fresh.ratings, updated_at=utc_now())
        elif op == "sign" and drafts:
            old = rnd.choice(drafts)
            now = utc_now()
            new = replace(
                old,
                status=ReflectionStatus.SIGNED,
                signature=Signature("S. Upervisor", now, reflection_sha256(old)),
                updated_at=now,
            )
        elif op == "amend" and signed:
            old = rnd.choice(signed)
            amendment = Amendment(uuid.uuid4(), "S. Upervisor", utc_now(), f"{canary} reason", sentence(rnd, 12))
            new = replace(old, amendments=(*old.amendments, amendment))
            emit(ev="begin", kind="reflection", doc=reflection_document(new))
            store.reflections.add_amendment(old.id, amendment)
            known[new.id] = new
            emit(ev="ack", kind="reflection", id=str(new.id))
            continue
        else:
            new = make_reflection(rnd.choice(case_ids), rnd, canary, answers=rnd.randrange(1, 5))
        emit(ev="begin", kind="reflection", doc=reflection_document(new))
        store.reflections.save(new)
        known[new.id] = new
        emit(ev="ack", kind="reflection", id=str(new.id))


if __name__ == "__main__":
    main()
