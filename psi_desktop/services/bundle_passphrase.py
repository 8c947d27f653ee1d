"""The one rule for a passphrase that encrypts a bundle: hard to guess, as zxcvbn estimates it."""

from __future__ import annotations

from psi_desktop.errors import ValidationError
from psi_desktop.services.profile import MIN_PASSPHRASE_LENGTH

MIN_SCORE = 3  # zxcvbn's 0-4: 3 is "safely unguessable" against an offline attack slowed by a KDF
ESTIMATE_CHARS = 100  # zxcvbn's cost grows with length; past this a phrase is strong anyway
# Words a guesser would try first for a bundle made by this app.
CONTEXT_WORDS = ["psi", "desktop", "psi desktop", "bundle", "supervision", "reflection", "nhs", "nmc"]
ADVICE = "Use four or more words that do not go together."


def bundle_passphrase_problem(passphrase: str) -> str | None:
    """None when ``passphrase`` may encrypt a bundle; else what is wrong and what to do (never the passphrase)."""
    if not passphrase.strip():
        return f"A bundle that leaves this laptop needs a passphrase. {ADVICE}"
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"Use at least {MIN_PASSPHRASE_LENGTH} characters. {ADVICE}"
    from zxcvbn import zxcvbn

    result = zxcvbn(passphrase[:ESTIMATE_CHARS], user_inputs=CONTEXT_WORDS)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    warning = (feedback.get("warning") or "").strip()
    suggestion = next((s.strip() for s in feedback.get("suggestions") or [] if s.strip()), ADVICE)
    parts = ["That passphrase is too easy to guess for a bundle that leaves this laptop.", warning, suggestion]
    return " ".join(p if p.endswith(".") else p + "." for p in parts if p)


def check_bundle_passphrase(passphrase: str, again: str | None = None) -> None:
    """Refuse a weak passphrase for encrypting a bundle (ValidationError), then one typed differently twice.

    Only for encrypting: a bundle someone else made opens with whatever passphrase they chose.
    """
    problem = bundle_passphrase_problem(passphrase)
    if problem:
        raise ValidationError(problem)
    if again is not None and again != passphrase:
        raise ValidationError("The two passphrases are not the same. Type them again.")


def bundle_passphrase_hint(passphrase: str) -> str:
    """The live hint under the bundle passphrase field: one short line (Export explains in full)."""
    if bundle_passphrase_problem(passphrase) is None:
        return "Strong enough for a bundle."
    return "Too easy to guess for a bundle: add another uncommon word or two."
