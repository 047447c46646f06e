"""Case pages through the visibility rule: list, intake, case tabs, actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palermo.audit.models import AuditEvent
from palermo.cases.models import Case, CaseStatus
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db


def _intake_form(**overrides: str) -> dict[str, str]:
    data = {
        "person-given_name": "Leila",
        "person-family_name": "Testcase",
        "person-aliases": "Lulu",
        "person-birth_date": "2001-06-30",
        "person-gender": "Feminine",
        "person-citizenship": "MX",
        "person-document_type": "passport",
        "person-document_number": "MX998877",
        "case-case_type": "presumed_victim",
        "case-identified_on": "2026-02-14",
        "case-identification_country": "TH",
        "case-identification_place": "Bus station",
        "case-identified_by": "NGO",
    }
    data.update(overrides)
    return data


def test_a_case_worker_takes_a_case_through_intake(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["case_worker"])
    response = client.post(reverse("cases:intake_start"), _intake_form())
    case = Case.objects.get()
    assert response.url == reverse("cases:intake", args=[case.pk, 3])
    response = client.post(
        reverse("cases:intake", args=[case.pk, 3]),
        {
            "row_version": case.row_version,
            "exploitation": ["ForcedLabour"],
            "forced_labour_industry": ["A_AgricultureForestryAndFishing"],
            "means_of_control": ["DebtBondage", "WithholdsDocuments"],
            "exploitation_countries": ["TH"],
        },
    )
    assert response.url == reverse("cases:intake", args=[case.pk, 4])
    client.post(
        reverse("cases:intake", args=[case.pk, 4]),
        {
            "purpose": "assistance",
            "decision": "given",
            "given_by": "person",
            "decided_on": "2026-02-14",
        },
    )
    response = client.post(
        reverse("cases:screen", args=[case.pk]),
        {
            "present": [
                "deceptive_recruitment.deceived_job_nature_location_employer",
                "deceptive_recruitment.deceived_wages",
                "exploitation.excessive_hours_days",
                "exploitation.low_or_no_pay",
                "coercion_at_destination.documents_confiscated",
                "coercion_at_destination.debt_bondage",
            ]
        },
        follow=True,
    )
    assert "Outcome: presumed victim of trafficking" in response.content.decode()
    case.refresh_from_db()
    client.post(reverse("cases:finish_intake", args=[case.pk]), {"row_version": case.row_version})
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.exploitation == ["ForcedLabour"]
    page = client.get(reverse("cases:detail", args=[case.pk]) + "?tab=person").content.decode()
    assert "MX998877" in page
    assert AuditEvent.objects.filter(action="case.identifiers_viewed").exists()


def test_intake_errors_are_shown_by_field_and_nothing_is_saved(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["case_worker"])
    response = client.post(
        reverse("cases:intake_start"),
        _intake_form(**{"person-birth_date": "2030-01-01", "case-identified_on": "2020-13-45"}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in page
    assert not Case.objects.exists()
    response = client.post(
        reverse("cases:intake_start"), _intake_form(**{"person-birth_date": "2030-01-01"})
    )
    assert "A birth date cannot be in the future." in response.content.decode()
    assert not Case.objects.exists()


def test_a_second_stale_save_shows_the_conflict(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["supervisor"])
    url = reverse("cases:intake", args=[case.pk, 3])
    client.post(url, {"row_version": case.row_version, "exploitation": ["ForcedLabour"]})
    response = client.post(
        url, {"row_version": case.row_version, "exploitation": ["SexualExploitation"]}
    )
    page = response.content.decode()
    assert "Someone else saved this case meanwhile" in page
    assert "ForcedLabour" in page
    case.refresh_from_db()
    assert case.exploitation == ["ForcedLabour"]


@pytest.mark.parametrize(
    ("who", "list_status", "detail_status", "sees_name", "action_status"),
    [
        ("case_worker", 200, 200, True, 302),
        ("supervisor", 200, 200, True, 302),
        ("data_manager", 200, 200, True, 403),  # reads, does not change
        ("analyst", 403, 404, False, 404),
        ("national_coordinator", 403, 404, False, 404),
        ("administrator", 403, 404, False, 404),
        ("platform_admin", 403, 404, False, 404),
        ("other_case_worker", 200, 404, False, 404),
        ("no_membership", 403, 404, False, 404),
    ],
)
def test_case_pages_follow_the_rule(  # type: ignore[no-untyped-def]
    client, login_as, world, who, list_status, detail_status, sees_name, action_status
) -> None:
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users[who])
    response = client.get(reverse("cases:list"))
    assert response.status_code == list_status
    if list_status == 200:
        assert ("Okonkwo-Testperson" in response.content.decode()) is sees_name
    response = client.get(reverse("cases:detail", args=[case.pk]) + "?tab=person")
    assert response.status_code == detail_status
    for url in ("cases:add_note", "cases:add_service", "cases:add_consent", "cases:change_status"):
        status = client.post(reverse(url, args=[case.pk]), {}).status_code
        assert status == action_status, (url, status)


def test_list_filters_and_exact_search(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    labour = make_case(world.agency, worker, exploitation=["ForcedLabour"])
    from palermo.cases import services

    services.update_case(labour, worker, labour.row_version, {"exploitation": ["ForcedLabour"]})
    other = make_case(
        world.agency,
        worker,
        person={"given_name": "Zainab", "family_name": "Sample", "aliases": [], "documents": []},
    )
    login_as(worker)
    page = client.get(reverse("cases:list") + "?exploitation=ForcedLabour").content.decode()
    assert labour.reference in page
    assert other.reference not in page
    page = client.get(reverse("cases:list") + "?q=zainab+sample").content.decode()
    assert other.reference in page
    assert labour.reference not in page
    page = client.get(reverse("cases:list") + f"?q={labour.reference}").content.decode()
    assert labour.reference in page
    response = client.get(
        reverse("cases:list") + "?identified_from=2026-05-01&identified_to=2026-01-01"
    )
    assert "The end is before the start." in response.content.decode()
