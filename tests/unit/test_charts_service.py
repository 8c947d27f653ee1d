"""Chart files from a real demo profile: every kind exported, what the files hold, and plain errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PIL import Image

from psi_desktop.charts.data import ChartKind, TrendBy
from psi_desktop.errors import NotFoundError, ValidationError
from psi_desktop.services.charts import (
    CASE_KINDS,
    case_chart_data,
    chart_title,
    default_request,
    export_chart,
    practice_chart_data,
)

DEMO = "Demo - Ward 3"


@pytest.fixture
def profile(tmp_path: Path, make_profile):
    return make_profile(tmp_path / "profile", demo=True)


@pytest.mark.parametrize("kind", [k.value for k in CASE_KINDS])
def test_export_chart_writes_every_kind_for_the_demo_case(profile, tmp_path, kind):
    png = export_chart(profile, DEMO, kind, tmp_path / f"{kind}.png")
    svg = export_chart(profile, DEMO, kind, tmp_path / f"{kind}.svg")

    assert png == [tmp_path / f"{kind}.png"]
    with Image.open(png[0]) as image:
        assert image.format == "PNG"
        assert round(image.info["dpi"][0]) == 300
        assert image.width >= 2000  # 7 inches or more at 300 dpi
    text = svg[0].read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text[:1000]
    assert not list(tmp_path.glob("*.part"))


def test_export_chart_of_my_practice_needs_no_case(profile, tmp_path):
    (out,) = export_chart(profile, None, "practice", tmp_path / "practice.png")
    assert out.stat().st_size > 10_000


def test_export_chart_of_a_chosen_reflection(profile, tmp_path):
    case = profile.cases.find(DEMO)
    first = profile.cases.reflections(case.id)[0]
    data = case_chart_data(profile, case.id)
    request = default_request(ChartKind.RADAR, reflection_id=first.id)
    assert chart_title(request, data) == "Demo - Ward 3 · 18 Aug 2026 · Signed"
    assert export_chart(profile, DEMO, "radar", tmp_path / "first.png", reflection_id=str(first.id))


def test_small_multiples_of_many_reflections_write_a_file_per_page(profile, tmp_path):
    case = profile.cases.find(DEMO)
    for day in range(1, 10):
        profile.reflections.start(case.id, session_date=dt.date(2026, 12, day))
    written = export_chart(profile, DEMO, "multiples", tmp_path / "radars.png")
    assert written == [tmp_path / "radars.png", tmp_path / "radars-2.png"]


def test_export_chart_explains_what_to_put_right(profile, tmp_path):
    with pytest.raises(NotFoundError):
        export_chart(profile, "Ward 9 - Z", "radar", tmp_path / "x.png")
    with pytest.raises(ValidationError, match="chart kind"):
        export_chart(profile, DEMO, "pie", tmp_path / "x.png")
    with pytest.raises(ValidationError, match=r"\.png or \.svg"):
        export_chart(profile, DEMO, "radar", tmp_path / "x.jpg")
    with pytest.raises(ValidationError, match="does not exist"):
        export_chart(profile, DEMO, "radar", tmp_path / "missing" / "x.png")
    with pytest.raises(ValidationError, match="not a reflection id"):
        export_chart(profile, DEMO, "radar", tmp_path / "x.png", reflection_id="nope")
    with pytest.raises(NotFoundError):
        export_chart(profile, DEMO, "radar", tmp_path / "x.png", reflection_id=uuid.uuid4())
    case = profile.cases.find(DEMO)
    first = profile.cases.reflections(case.id)[0]
    with pytest.raises(ValidationError, match="radar charts only"):
        export_chart(profile, DEMO, "trends", tmp_path / "x.png", reflection_id=first.id)
    assert not list(tmp_path.glob("x*"))


def test_an_empty_case_exports_its_friendly_empty_state(profile, tmp_path):
    profile.cases.create("Ward 5 - K")
    (out,) = export_chart(profile, "Ward 5 - K", "trends", tmp_path / "empty.png")
    assert out.exists()


def test_practice_data_pools_every_case(profile):
    other = profile.cases.create("Ward 5 - K")
    draft = profile.reflections.start(other.id, session_date=dt.date(2026, 8, 25))
    framework = profile.reflections.framework_of(draft)
    from dataclasses import replace

    from psi_desktop.domain.model import Perspective

    profile.reflections.update(
        replace(draft, ratings={Perspective.PRACTITIONER: dict.fromkeys(framework.dimension_ids, 4)})
    )
    data = practice_chart_data(profile)
    august = data.months[0]
    assert august.month == dt.date(2026, 8, 1)
    assert (august.reflections, august.cases) == (2, 2)
    assert default_request("practice").by is TrendBy.COMPONENT
    assert default_request("trends").by is TrendBy.DIMENSION


def test_the_chart_service_imports_no_matplotlib_until_drawing():
    code = "import sys, psi_desktop.services.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
