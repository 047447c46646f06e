"""The monitoring pages, map, comparison, exports and PDF report through HTTP."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

import hxl
import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from palermo.monitoring import services
from palermo.monitoring.models import Indicator, Plan, ProfileEntry


def record(
    user: Any, status: str, item: str = "action_plan", country: str = "NG", **kw: Any
) -> None:
    services.record_entry(
        user,
        ProfileEntry(
            country_id=country,
            item=item,
            status=status,
            since=kw.get("since", date(2020, 1, 1)),
            evidence_url="https://example.org/law",
            note=kw.get("note", ""),
        ),
    )


def test_everyone_reads_and_only_the_countrys_coordinators_see_edit_doors(
    client: Client, world: Any, monitors: dict[str, Any]
) -> None:
    page = reverse("monitoring:country", args=["NG"])
    edit = reverse("monitoring:entry", args=["NG", "action_plan"])
    assert client.get(page).status_code == 200
    assert edit not in client.get(page).content.decode()
    assert client.get(edit).status_code == 302  # to the login page
    client.force_login(monitors["other_coordinator"])
    assert edit not in client.get(page).content.decode()
    assert client.get(edit).status_code == 403
    assert (
        client.post(
            edit, {"status": "no", "since": "2020-01-01", "evidence_url": "https://x.org"}
        ).status_code
        == 403
    )
    assert not ProfileEntry.objects.exists()
    client.force_login(monitors["coordinator"])
    assert edit in client.get(page).content.decode()
    response = client.post(
        edit, {"status": "no", "since": "2020-01-01", "evidence_url": "https://x.org"}
    )
    assert response.status_code == 302
    assert ProfileEntry.objects.get().status == "no"
    bad = client.post(edit, {"status": "yes", "since": "not a date"})
    assert bad.status_code == 400
    assert "Enter a valid date" in bad.content.decode()
    assert client.get(reverse("monitoring:country", args=["ZZ"])).status_code == 404
    assert client.get(reverse("monitoring:entry", args=["NG", "nonsense"])).status_code == 404


def test_the_map_and_the_comparison_follow_a_changed_item(
    client: Client, world: Any, monitors: dict[str, Any]
) -> None:
    year = timezone.localdate().year
    record(monitors["coordinator"], "no")
    record(monitors["other_coordinator"], "yes", country="TH")
    map_page = client.get(
        reverse("monitoring:index"), {"item": "action_plan", "year": year}
    ).content.decode()
    assert "Nigeria: Not in place" in map_page
    assert "Thailand: In place" in map_page
    compare = client.get(reverse("monitoring:compare"), {"year": year}).content.decode()
    assert compare.count("status-no") == 1
    assert compare.count("status-yes") == 1

    record(monitors["coordinator"], "yes", since=date(year, 1, 1))
    map_page = client.get(
        reverse("monitoring:index"), {"item": "action_plan", "year": year}
    ).content.decode()
    assert "Nigeria: In place" in map_page
    assert "Nigeria: Not in place" not in map_page
    # The year before, the old status still holds: the history is kept.
    before = client.get(
        reverse("monitoring:index"), {"item": "action_plan", "year": year - 1}
    ).content.decode()
    assert "Nigeria: Not in place" in before
    across = client.get(
        reverse("monitoring:compare"), {"item": "action_plan", "year": year}
    ).content.decode()
    # 2017-2026: Nigeria "no" from 2020 to 2025, then "yes"; Thailand "yes" from 2020.
    assert across.count("status-no") == 6
    assert across.count("status-yes") == 8


def test_exports_carry_the_profile_and_the_progress(
    client: Client, world: Any, monitors: dict[str, Any], indicator: Indicator, tmp_path: Any
) -> None:
    record(monitors["coordinator"], "partly", note='=HYPERLINK("http://evil")')
    services.add_measurement(
        monitors["coordinator"],
        indicator,
        measured_on=date(2026, 1, 1),
        value=Decimal(130),
        source_note="Police",
    )
    data = json.loads(client.get(reverse("monitoring:export", args=["NG", "json"])).content)
    assert data["format"] == "palermo-monitoring/1"
    assert data["country"]["iso3"] == "NGA"
    plan = {e["item"]: e for e in data["checklist"]}["action_plan"]
    assert plan["status"] == "partly"
    found = data["plans"][0]["indicators"][0]
    assert (found["latest"], found["progress"], found["achieved_percent"]) == (130, "off_track", 30)

    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("monitoring:export", args=["NG", "xlsx"])).content)
    )
    notes = [row[6] for row in book["checklist"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in notes
    assert book["indicators"]["I2"].value == "off_track"

    path = tmp_path / "ng-hxl.csv"
    path.write_bytes(client.get(reverse("monitoring:export", args=["NG", "hxl"])).content)
    table = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    rows = list(table)
    assert {"#country+code", "#indicator+name", "#status"} <= set(table.display_tags)
    statuses = {r.get("#indicator+code"): r.get("#status") for r in rows}
    assert statuses["action_plan"] == "partly"
    assert any(r.get("#meta+kind") == "indicator" and r.get("#status") == "off_track" for r in rows)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Нигерия"), ("zh-hans", "尼日利亚"), ("ar", "نيجيريا")],
)
def test_the_report_prints_with_charts_in_non_latin_scripts(
    client: Client,
    world: Any,
    monitors: dict[str, Any],
    indicator: Indicator,
    language: str,
    expected: str,
) -> None:
    record(monitors["coordinator"], "yes")
    services.add_measurement(
        monitors["coordinator"],
        indicator,
        measured_on=date(2026, 1, 1),
        value=Decimal(160),
        source_note="x",
    )
    response = client.get(reverse("monitoring:report", args=["NG"]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # CID-keyed fonts extract with NULs between characters; Arabic comes out in its joined
    # presentation forms, which NFKC turns back into letters.
    text = unicodedata.normalize(
        "NFKC", "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
    )
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 1  # the plan's progress chart
    assert any("NotoSans" in f for f in fonts)
    if language == "ar":
        assert any("NotoNaskhArabic" in f for f in fonts)
    assert expected in text
    if language == "zh-hans":
        assert any("NotoSansSChinese" in f for f in fonts)


def test_members_only_evidence_is_not_named_to_the_public(
    client: Client, world: Any, monitors: dict[str, Any]
) -> None:
    from palermo.knowledge.models import Resource, ResourceCode

    law = Resource.objects.create(
        kind="legislation",
        title={"en": "Draft anti-trafficking bill (members only)"},
        contributor=world.agency,
        status="published",
        is_public=False,
    )
    ResourceCode.objects.create(resource=law, kind="country", code="NG")
    services.record_entry(
        monitors["coordinator"],
        ProfileEntry(
            country_id="NG",
            item="non_punishment",
            status="partly",
            since=date(2022, 1, 1),
            evidence=law,
        ),
    )
    page = reverse("monitoring:country", args=["NG"])
    export = reverse("monitoring:export", args=["NG", "json"])
    assert "Draft anti-trafficking bill" not in client.get(page).content.decode()
    assert "Draft anti-trafficking bill" not in client.get(export).content.decode()
    plan = services.save_part(
        monitors["coordinator"],
        Plan(
            country_id="NG",
            title="Plan 2025",
            starts=date(2025, 1, 1),
            ends=date(2027, 1, 1),
            document=law,
        ),
    )
    plan_page = reverse("monitoring:plan", args=[plan.pk])
    assert "Draft anti-trafficking bill" not in client.get(plan_page).content.decode()
    # Members see it through every door (so the checks above can fail).
    client.force_login(monitors["coordinator"])
    for door in (page, export, plan_page):
        assert "Draft anti-trafficking bill" in client.get(door).content.decode()
