"""Synthetic profiles of any size, in the real bundle format, for the benchmarks (issue 16 item 6).

    python -m tests.perf.synthetic --cases 200 --per-case 50 --out big.psi.json

writes a plain bundle of 200 cases x 50 reflections that ``psi-desktop import big.psi.json`` takes
like any other: answers of a realistic length, three perspectives' ratings with the odd dimension
unrated, distress impacts, an action per reflection, and every other reflection signed with its true
content hash. The same seed gives the same bundle. Nothing in it is real: codes are "Synthetic 001".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from psi_desktop.domain.documents import (
    action_document,
    case_document,
    instant,
    reflection_document,
    reflection_sha256,
)
from psi_desktop.domain.model import (
    Action,
    Case,
    DistressImpact,
    Perspective,
    Reflection,
    ReflectionStatus,
    ServiceUserSource,
    Signature,
)
from psi_desktop.frameworks import default_framework, framework_to_data
from psi_desktop.services.bundle_format import FORMAT, FORMAT_VERSION

SENTENCE = (
    "the ward round decided before we spoke and I explained the reasons afterwards which felt late "
    "they asked for leave and I listened first then checked the plan with the nurse in charge"
)
WORDS = SENTENCE.split(" ")
START = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


RARE_WORD = "clozapine"
"""In about one answer in a hundred: a search that finds a few, beside the common words that find most."""


def synthetic_bundle(
    cases: int, per_case: int, *, seed: int = 0, words: int = 40, prefix: str = "Synthetic"
) -> dict[str, Any]:
    """A bundle document of ``cases`` cases with ``per_case`` reflections each (see the module docstring);
    cases are coded ``prefix 001`` and on."""
    rng = random.Random(seed)
    framework = default_framework()
    dims, prompts = framework.dimension_ids, framework.prompt_ids

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    made_cases, reflections, actions = [], [], []
    for c in range(cases):
        case = Case(new_id(), f"{prefix} {c + 1:03d}", "Acute inpatient", opened_on=dt.date(2024, 1, 1))
        made_cases.append(case_document(case))
        for n in range(per_case):
            when = START + dt.timedelta(days=7 * n, minutes=c)
            ratings = {}
            for perspective in Perspective:
                scores = {d: rng.randint(0, 4) for d in dims}
                if rng.random() < 0.2:
                    scores.pop(rng.choice(dims))
                ratings[perspective] = scores
            reflection = Reflection(
                id=new_id(),
                case_id=case.id,
                framework_id=framework.id,
                framework_version=framework.version,
                session_date=when.date(),
                practitioner="A. Practitioner",
                supervisor="B. Supervisor",
                answers={
                    p: _text(rng, words) + (f" Talked about {RARE_WORD}." if rng.random() < 0.01 else "")
                    for p in prompts
                    if rng.random() < 0.7
                },
                ratings=ratings,
                service_user_source=rng.choice(list(ServiceUserSource)),
                distress_impact={p: rng.choice(list(DistressImpact)) for p in Perspective},
                created_at=when,
                updated_at=when,
            )
            if n % 2:
                signature = Signature("B. Supervisor", when + dt.timedelta(hours=1), reflection_sha256(reflection))
                reflection = replace(reflection, status=ReflectionStatus.SIGNED, signature=signature)
            reflections.append(reflection_document(reflection))
            actions.append(action_document(Action(new_id(), case.id, reflection.id, _text(rng, 8))))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": instant(START),
        "exported_by": "psi-desktop synthetic benchmark data",
        "frameworks": [framework_to_data(framework)],
        "cases": made_cases,
        "reflections": reflections,
        "actions": actions,
    }


def write_bundle(path: Path, cases: int, per_case: int, *, seed: int = 0, prefix: str = "Synthetic") -> Path:
    doc = synthetic_bundle(cases, per_case, seed=seed, prefix=prefix)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--per-case", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_bundle(args.out, args.cases, args.per_case, seed=args.seed)
    print(f"Wrote {args.out}: {args.cases} cases x {args.per_case} reflections")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
