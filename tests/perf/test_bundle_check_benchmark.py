"""Row 12: 50,000 signed reflections, every one invalid, are refused within 2 s of checking.

Run on demand: ``python -m pytest -m perf tests/perf -s``. The default suite proves the check linear
(tests/faults/test_bad_bundle_content.py); this is the one absolute bound, RELIABILITY's 2 s.
"""

from __future__ import annotations

import time

import pytest

from psi_desktop.services.bundle_format import BundleError
from psi_desktop.services.bundles import plan_import, read_bundle
from psi_desktop.services.profile import create_profile
from tests.conftest import PASSPHRASE
from tests.faults.test_bad_bundle_content import _bad_signed, base_doc, write  # noqa: F401 - base_doc is a fixture

N = 50_000


def test_50000_bad_signed_reflections_are_refused_within_2_seconds_of_checking(base_doc, tmp_path):  # noqa: F811
    bundle = write(tmp_path / "bad.psi.json", _bad_signed(base_doc, N))
    with create_profile(tmp_path / "p", PASSPHRASE).profile as profile:
        started = time.perf_counter()
        doc = read_bundle(bundle, None)
        read = time.perf_counter() - started
        with pytest.raises(BundleError) as raised:
            plan_import(profile, doc)
        checked = time.perf_counter() - started - read
    size = bundle.stat().st_size / 2**20
    print(f"\n{N:,} bad signed reflections ({size:.1f} MB): read {read:.2f} s, check {checked:.2f} s")
    assert raised.value.problems.total == 2 * N
    assert checked < 2.0  # on a quiet machine it takes about 1.3 s; reading is bounded apart (read_bundle)
