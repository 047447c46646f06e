"""The service directory: organisations keep their services; anyone finds a public service by
need, place and the person's profile; members-only services stay with members."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palermo.audit.models import AuditEvent
from palermo.referrals import selectors, services
from palermo.referrals.models import Service

pytestmark = pytest.mark.django_db


def add(world, name: str, **extra):  # type: ignore[no-untyped-def]
    data = services.ServiceData(
        name=name,
        service_type=extra.pop("service_type", "shelter"),
        areas=extra.pop("areas", [("NG", "")]),
        **extra,
    )
    return services.save_service(
        actor=world.users["supervisor"], organisation=world.agency, data=data
    )


def names(client, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(reverse("referrals:directory"), params)
    assert response.status_code == 200
    return [s.name for s in response.context["page"].object_list]


def test_a_supervisor_adds_a_service_that_anyone_finds(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    supervisor = login_as(world.users["supervisor"])
    response = supervisor.post(
        reverse("referrals:service_new"),
        {
            "organisation": world.agency.pk,
            "name": "Women's shelter, Lagos",
            "service_type": "shelter",
            "countries": ["NG"],
            "places": "NG: Lagos",
            "sex": "female",
            "nationality": "any",
            "availability": "open",
            "min_age": "18",
            "is_public": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert names(client, service_type="shelter", country="NG", place="lagos") == [
        "Women's shelter, Lagos"
    ]
    assert names(client, service_type="shelter", country="NG", place="Kano") == []
    assert names(client, country="NG", sex="male") == []
    assert names(client, country="NG", age="15") == []
    created = Service.objects.get()
    assert AuditEvent.objects.filter(
        action="referrals.service_created", object_id=str(created.pk)
    ).exists()


def test_a_whole_country_service_serves_every_place_and_profiles_filter(client, world) -> None:  # type: ignore[no-untyped-def]
    add(world, "Legal aid clinic", service_type="legal_aid", nationality="foreign")
    add(world, "Child protection unit", service_type="child_protection", max_age=17)
    add(world, "Full shelter", availability="full")
    assert names(client, country="NG", place="Kano") == [
        "Child protection unit",
        "Full shelter",
        "Legal aid clinic",
    ]
    assert names(client, country="NG", nationality="nationals") == [
        "Child protection unit",
        "Full shelter",
    ]
    assert names(client, country="NG", nationality="asylum") == [
        "Child protection unit",
        "Full shelter",
        "Legal aid clinic",
    ]
    assert names(client, age="12") == ["Child protection unit", "Full shelter", "Legal aid clinic"]
    assert names(client, age="30") == ["Full shelter", "Legal aid clinic"]
    assert names(client, available_only="1") == ["Child protection unit", "Legal aid clinic"]
    assert names(client, country="TH") == []


def test_members_only_services_stay_with_members(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    hidden = add(world, "Safe house", is_public=False, contact="Call +234 000 000")
    assert names(client) == []
    assert client.get(reverse("referrals:service", args=[hidden.pk])).status_code == 404
    member = login_as(world.users["other_case_worker"])
    assert names(member) == ["Safe house"]
    assert (
        "+234 000 000"
        in member.get(reverse("referrals:service", args=[hidden.pk])).content.decode()
    )


def test_only_the_offering_organisation_keeps_its_services(login_as, world) -> None:  # type: ignore[no-untyped-def]
    service = add(world, "Health post")
    assert (
        login_as(world.users["case_worker"]).get(reverse("referrals:service_new")).status_code
        == 403
    )
    other = login_as(world.users["other_administrator"])
    assert other.get(reverse("referrals:service_edit", args=[service.pk])).status_code == 403
    assert other.post(reverse("referrals:service_delete", args=[service.pk])).status_code == 403
    assert Service.objects.filter(pk=service.pk).exists()


def test_a_bad_place_line_is_refused_and_nothing_saved(login_as, world) -> None:  # type: ignore[no-untyped-def]
    supervisor = login_as(world.users["supervisor"])
    response = supervisor.post(
        reverse("referrals:service_new"),
        {
            "organisation": world.agency.pk,
            "name": "X",
            "service_type": "health",
            "countries": ["NG"],
            "places": "Lagos without a country",
            "sex": "any",
            "nationality": "any",
            "availability": "open",
        },
    )
    assert response.status_code == 200
    assert "write a chosen country" in response.content.decode()
    assert not Service.objects.exists()


@pytest.mark.parametrize("query", ["age=abc", "age=%C2%B2", "country=%00", "sex=x", "page=zz"])
def test_odd_parameters_never_give_an_error_page(client, world, query) -> None:  # type: ignore[no-untyped-def]
    add(world, "Anything")
    assert client.get(f"/referrals/services/?{query}").status_code == 200


def test_need_reads_a_query_defensively() -> None:
    need = selectors.Need.from_query({"age": "²", "sex": "x", "nationality": "nationals"})
    assert (need.age, need.sex, need.nationality) == (None, "", "nationals")


def test_the_demo_directory_loads_once(world) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.referrals.demo import SERVICES, load_demo_services

    for acronym in {row[0] for row in SERVICES}:
        org = OrganisationFactory(acronym=acronym)
        MembershipFactory(organisation=org, role="supervisor")
    assert load_demo_services() == len(SERVICES)
    assert load_demo_services() == 0
    assert Service.objects.filter(is_public=False).count() == 2
