"""The registry's pages and API: who may do what, filters, the form with its overlap panel,
imports through the page, exports and the vocabulary."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree

from palermo.activities import iati
from palermo.activities.data import PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import Activity, Annotation, Status
from palermo.activities.tests.helpers import IATI_SAMPLE, make_activity
from palermo.audit.models import AuditEvent
from palermo.standard.interventions import VOCABULARY_URI

pytestmark = pytest.mark.django_db

FORM = {
    "identifier": "AGA-NEW-1",
    "language": "en",
    "title": "Shelter for women survivors in Lagos",
    "description": "Shelter, counselling and legal aid.",
    "status": "2",
    "planned_start": "2025-01-01",
    "planned_end": "2026-12-31",
    "countries": ["NG"],
    "places": "Lagos",
    "pillars": ["protection"],
    "themes": ["victim_assistance"],
    "target_groups": ["women"],
    "budget": "25000",
    "currency": "usd",
    "documents": "Project sheet | https://example.org/sheet.pdf",
    "is_public": "on",
}


@pytest.fixture
def registry(world: Any) -> dict[str, Activity]:
    return {
        "public": make_activity(
            world.agency,
            "AGA-1",
            title={"en": "Shelter for women survivors in Lagos", "fr": "Foyer à Lagos"},
            countries=["NG"],
            places=["Lagos"],
            codes={PILLAR: ["protection"], THEME: ["victim_assistance"], TARGET_GROUP: ["women"]},
            budget=100_000,
            currency="USD",
        ),
        "hidden": make_activity(
            world.other,
            "OTH-SAFE-HOUSE",
            title={"en": "Confidential safe house"},
            countries=["NG"],
            is_public=False,
        ),
        "mexico": make_activity(
            world.other,
            "OTH-MX",
            title={"en": "Training judges in Chiapas"},
            countries=["MX"],
            codes={THEME: ["criminal_justice"]},
            status=Status.CLOSED,
            start=date(2019, 1, 1),
            end=date(2019, 12, 31),
        ),
    }


def test_the_public_list_filters_and_never_shows_members_only_activities(
    registry: Any, client: Client
) -> None:
    page = client.get("/activities/").content.decode()
    assert "Shelter for women survivors in Lagos" in page
    assert "Training judges" in page
    assert "Confidential safe house" not in page
    assert "<svg" in page  # the map
    filtered = client.get("/activities/?country=MX").content.decode()
    assert "Training judges" in filtered
    assert "Shelter for women" not in filtered
    for query, expected in (
        ("theme=victim_assistance", "AGA-1"),
        ("target_group=women", "AGA-1"),
        ("pillar=protection", "AGA-1"),
        ("organisation=AGA", "AGA-1"),
        ("q=judges", "OTH-MX"),
        ("active_from=2025-06-01", "AGA-1"),
        ("active_to=2020-01-01", "OTH-MX"),
        ("budget_min=50000", "AGA-1"),
        ("status=2", "AGA-1"),
        ("status=4", "OTH-MX"),
    ):
        body = client.get(f"/activities/?{query}").content.decode()
        others = {"AGA-1", "OTH-MX"} - {expected}
        assert expected in body, query
        assert not any(o in body for o in others), query
    assert client.get(f"/activities/{registry['hidden'].pk}/").status_code == 404
    assert "No activity matches" in client.get("/activities/?q=nothing-like-this").content.decode()
    # Malformed filters are ignored, not an error.
    assert client.get("/activities/?active_from=yesterday&budget_min=lots").status_code == 200


def test_members_see_members_only_activities(
    registry: Any, world: Any, login_as: Callable[..., Client]
) -> None:
    member = login_as(world.users["analyst"])
    assert "Confidential safe house" in member.get("/activities/").content.decode()
    assert member.get(f"/activities/{registry['hidden'].pk}/").status_code == 200


def test_the_detail_page_shows_the_activity_and_its_overlaps(
    registry: Any, world: Any, client: Client
) -> None:
    make_activity(
        world.other,
        "OTH-DUP",
        title={"en": "Shelter for women survivors in Lagos"},
        countries=["NG"],
        places=["Lagos"],
        codes={PILLAR: ["protection"], THEME: ["victim_assistance"], TARGET_GROUP: ["women"]},
    )
    page = client.get(f"/activities/{registry['public'].pk}/").content.decode()
    assert "Victim assistance" in page
    assert "Nigeria" in page
    assert "OTH-DUP" in page
    assert "Same themes: Victim assistance" in page
    assert "Edit" not in page  # anonymous


def test_a_data_manager_registers_an_activity_through_the_form(
    registry: Any, world: Any, login_as: Callable[..., Client]
) -> None:
    client = login_as(world.users["data_manager"])
    assert client.get("/activities/new/").status_code == 200
    response = client.post("/activities/new/", {**FORM, "owner": world.agency.pk})
    activity = Activity.objects.get(identifier="AGA-NEW-1")
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert activity.owner == world.agency
    assert activity.currency == "USD"
    assert [d.url for d in activity.documents.all()] == ["https://example.org/sheet.pdf"]
    assert AuditEvent.objects.filter(action="activity.created").exists()
    # Editing in French keeps the English title.
    client.post(
        f"/activities/{activity.pk}/edit/",
        {**FORM, "language": "fr", "title": "Foyer pour survivantes à Lagos"},
    )
    activity.refresh_from_db()
    assert activity.title == {
        "en": "Shelter for women survivors in Lagos",
        "fr": "Foyer pour survivantes à Lagos",
    }


def test_the_form_reports_wrong_input_and_saves_nothing(
    world: Any, login_as: Callable[..., Client]
) -> None:
    client = login_as(world.users["data_manager"])
    bad = {
        **FORM,
        "owner": world.agency.pk,
        "planned_end": "2024-01-01",
        "currency": "US$",
        "documents": "not a link",
        "countries": ["ZZ"],
    }
    response = client.post("/activities/new/", bad)
    assert response.status_code == 200, response.content
    page = response.content.decode()
    assert "ends before it starts" in page
    assert "Three letters" in page
    assert "not an address" in page
    assert not Activity.objects.exists()


def test_the_overlap_panel_warns_while_drafting(
    registry: Any, world: Any, login_as: Callable[..., Client]
) -> None:
    client = login_as(world.users["data_manager"])
    panel = client.post("/activities/overlaps/", {**FORM, "owner": world.agency.pk})
    body = panel.content.decode()
    assert "may overlap" in body
    assert "AGA-1" in body
    assert "Same place: Lagos" in body
    # A draft in another country and period: nothing.
    quiet = client.post(
        "/activities/overlaps/",
        {
            **FORM,
            "countries": ["KE"],
            "places": "",
            "planned_start": "2010-01-01",
            "planned_end": "2011-01-01",
        },
    ).content.decode()
    assert "No overlapping activity found" in quiet
    # Editing an activity does not list the activity itself.
    own = client.post(
        f"/activities/overlaps/?activity={registry['public'].pk}", FORM
    ).content.decode()
    assert "AGA-1" not in own


@pytest.mark.parametrize("role", ["case_worker", "analyst", "supervisor"])
def test_roles_without_the_right_cannot_register(
    world: Any, login_as: Callable[..., Client], role: str
) -> None:
    client = login_as(world.users[role])
    assert client.get("/activities/new/").status_code == 403
    assert client.get("/activities/import/").status_code == 403


def test_only_the_owning_organisation_edits_or_deletes(
    registry: Any, world: Any, login_as: Callable[..., Client]
) -> None:
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory

    other_manager = MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user
    client = login_as(other_manager)
    activity = registry["public"]
    assert client.get(f"/activities/{activity.pk}/edit/").status_code == 403
    assert client.post(f"/activities/{activity.pk}/delete/").status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()
    # Not even through a form for its own organisation with the other's identifier.
    response = client.post(
        "/activities/new/", {**FORM, "identifier": "AGA-1", "owner": world.other.pk}
    )
    assert "already registered" in response.content.decode()
    owner = login_as(world.users["data_manager"])
    assert owner.post(f"/activities/{activity.pk}/delete/").status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_coordinators_annotate_and_others_cannot(
    registry: Any, world: Any, login_as: Callable[..., Client]
) -> None:
    activity = registry["mexico"]  # another organisation's
    coordinator = login_as(world.users["national_coordinator"])
    coordinator.post(f"/activities/{activity.pk}/annotate/", {"text": "Overlaps the EU project."})
    assert Annotation.objects.get().text == "Overlaps the EU project."
    page = coordinator.get(f"/activities/{activity.pk}/").content.decode()
    assert "Overlaps the EU project." in page
    analyst = login_as(world.users["analyst"])
    assert analyst.post(f"/activities/{activity.pk}/annotate/", {"text": "x"}).status_code == 403
    assert Annotation.objects.count() == 1


def test_an_import_through_the_page_runs_and_reports(
    world: Any, login_as: Callable[..., Client], django_capture_on_commit_callbacks: Any
) -> None:
    client = login_as(world.users["data_manager"])
    upload = SimpleUploadedFile("iom.xml", IATI_SAMPLE.read_bytes(), "application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activities/import/", {"owner": world.agency.pk, "file": upload})
    assert response.status_code == 302
    status = client.get(response["Location"]).content.decode()
    assert "Imported" in status
    assert "New activities" in status
    assert Activity.objects.filter(identifier="XM-DAC-47066-DP.2154").exists()
    broken = SimpleUploadedFile("broken.xml", b"<iati-activities><iati", "application/xml")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activities/import/", {"owner": world.agency.pk, "file": broken})
    page = client.get(response["Location"]).content.decode()
    assert "not well-formed XML" in page
    assert "Nothing was imported" in page
    wrong = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    page = client.post("/activities/import/", {"owner": world.agency.pk, "file": wrong})
    assert "Choose an .xml, .csv or .xlsx file" in page.content.decode()


def test_exports_follow_the_filters_and_visibility(registry: Any, client: Client) -> None:
    response = client.get("/activities/export.iati?country=NG")
    document = etree.fromstring(response.content)
    assert iati.schema().validate(document.getroottree()), iati.schema().error_log
    assert [a.findtext("iati-identifier") for a in document.findall("iati-activity")] == ["AGA-1"]
    table = client.get("/activities/export.hxl").content.decode()
    assert "#activity+code" in table
    assert "OTH-MX" in table
    assert "OTH-SAFE-HOUSE" not in table
    assert client.get("/activities/export.pdf").status_code == 404


def test_the_vocabulary_is_published_for_people_and_machines(client: Client) -> None:
    page = client.get("/activities/vocabulary/").content.decode()
    assert VOCABULARY_URI in page
    assert "15180" in page
    data = json.loads(client.get("/activities/vocabulary/?format=json").content)
    assert data["uri"] == VOCABULARY_URI
    themes = {item["code"]: item for item in data["lists"]["intervention_theme"]}
    assert themes["victim_assistance"]["pillar"] == "protection"
    assert "8.7" in themes["victim_assistance"]["sdg_targets"]
    assert themes["victim_assistance"]["labels"]["ar"] == "مساعدة الضحايا"


def test_the_organisation_page_lists_its_activities(registry: Any, client: Client) -> None:
    page = client.get("/activities/organisations/AGA/").content.decode()
    assert "Shelter for women survivors" in page
    assert "Training judges" not in page
    assert client.get("/activities/organisations/NOBODY/").status_code == 404


# API -----------------------------------------------------------------------------------------


def test_the_api_lists_with_the_same_filters(registry: Any, client: Client) -> None:
    data = client.get("/api/v1/activities/?country=NG").json()
    assert [a["identifier"] for a in data["results"]] == ["AGA-1"]
    one = client.get(f"/api/v1/activities/{registry['public'].pk}/").json()
    assert one["codes"]["intervention_theme"] == ["victim_assistance"]
    assert client.get(f"/api/v1/activities/{registry['hidden'].pk}/").status_code == 404
    overlaps = client.get(f"/api/v1/activities/{registry['public'].pk}/overlaps/").json()
    assert overlaps == []


def test_the_api_registers_for_the_owning_organisation_only(
    registry: Any, world: Any, login_as: Callable[..., Client]
) -> None:
    body = {
        "owner": world.agency.acronym,
        "identifier": "AGA-API-1",
        "title": {"en": "Referral desk in Lagos"},
        "status": "2",
        "countries": ["NG"],
        "places": ["Lagos"],
        "codes": {"intervention_theme": ["referral_mechanisms"], "target_group": ["women"]},
    }
    anonymous = Client()
    assert anonymous.post(
        "/api/v1/activities/", body, content_type="application/json"
    ).status_code in (401, 403)
    client = login_as(world.users["data_manager"])
    created = client.post("/api/v1/activities/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["codes"]["intervention_pillar"] == ["protection"]
    again = client.post("/api/v1/activities/", body, content_type="application/json")
    assert again.status_code == 200
    assert Activity.objects.filter(identifier="AGA-API-1").count() == 1
    wrong = client.post(
        "/api/v1/activities/",
        {**body, "identifier": "AGA-API-2", "codes": {"intervention_theme": ["nonsense"]}},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert "nonsense" in wrong.content.decode()
    draft = client.post(
        "/api/v1/activities/overlaps/", {**body, "identifier": "D"}, content_type="application/json"
    )
    assert [m["identifier"] for m in draft.json()][:1] == ["AGA-API-1"]
    other = login_as(world.users["other_case_worker"])
    refused = other.post(
        "/api/v1/activities/",
        {**body, "owner": world.other.acronym},
        content_type="application/json",
    )
    assert refused.status_code == 403
