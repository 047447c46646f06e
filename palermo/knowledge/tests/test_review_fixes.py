"""What a review of the knowledge base found, held: reviewers review and do not edit other
organisations' resources; nobody reviews their own work; another organisation's claims wait for
approval; restricted sources are never named through the API; a re-import never widens who
sees a case; odd parameters never give an error page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from palermo.knowledge import selectors, services
from palermo.knowledge.models import Resource, Status, Validity
from palermo.knowledge.tests.helpers import claim, resource

pytestmark = pytest.mark.django_db


def test_a_reviewer_does_not_edit_or_delete_another_organisations_resource(login_as, world) -> None:  # type: ignore[no-untyped-def]
    theirs = resource(world.host, "Host's published handbook")
    reviewer = login_as(world.users["knowledge_reviewer"])  # a member of the agency only
    assert reviewer.get(reverse("knowledge:edit", args=[theirs.uid])).status_code == 403
    assert reviewer.post(reverse("knowledge:delete", args=[theirs.uid])).status_code == 403
    assert Resource.objects.filter(pk=theirs.pk).exists()


def test_a_reviewer_does_not_approve_what_they_created(world) -> None:  # type: ignore[no-untyped-def]
    reviewer = world.users["knowledge_reviewer"]
    data = services.ResourceData(kind="research", title={"en": "Mine"})
    mine = services.save_resource(actor=reviewer, organisation=world.agency, data=data)
    services.submit(actor=world.users["analyst"], resource=mine)  # a colleague submits it
    with pytest.raises(ValidationError, match="Another reviewer"):
        services.review(actor=reviewer, resource=mine, approve=True)


def test_an_edit_sends_a_published_resource_back_to_review(world) -> None:  # type: ignore[no-untyped-def]
    """Even a typo's correction: a reviewer approves what readers see. Making a members-only
    resource public is one such change. (More in test_edit_review.py.)"""
    analyst = world.users["analyst"]
    live = resource(world.agency, "Typo in the titel", abstract="About fishing.")
    data = services.ResourceData(
        kind="research", title={"en": "Typo in the title"}, abstract={"en": "About fishing."}
    )
    services.save_resource(actor=analyst, organisation=world.agency, data=data, resource=live)
    live.refresh_from_db()
    assert live.status == Status.SUBMITTED
    assert not selectors.visible(AnonymousUser()).filter(pk=live.pk).exists()
    restricted = resource(world.agency, "Shelter addresses", is_public=False)
    data = services.ResourceData(kind="research", title={"en": "Shelter addresses"})
    services.save_resource(actor=analyst, organisation=world.agency, data=data, resource=restricted)
    restricted.refresh_from_db()
    assert (restricted.status, restricted.is_public) == (Status.SUBMITTED, True)
    assert not selectors.visible(AnonymousUser()).filter(pk=restricted.pk).exists()


def test_another_organisations_claim_waits_for_approval(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    handbook = resource(world.host, "The host's handbook")
    analyst = login_as(world.users["analyst"])
    response = analyst.post(
        reverse("knowledge:claim_new", args=[handbook.uid]),
        {
            "organisation": world.agency.pk,
            "statement": "90% of victims are women",
            "language": "en",
            "value": "90",
            "unit": "percent",
            "validity": Validity.NO_METHOD,
        },
    )
    assert response.status_code == 302
    stated = handbook.claims.get()
    client.logout()
    page = client.get(reverse("knowledge:detail", args=[handbook.uid])).content.decode()
    assert "90% of victims" not in page
    assert client.get(reverse("knowledge:claim", args=[stated.pk])).status_code == 404
    reviewer = login_as(world.users["knowledge_reviewer"])
    assert "90% of victims" in reviewer.get(reverse("knowledge:queue")).content.decode()
    reviewer.post(reverse("knowledge:claim_approve", args=[stated.pk]))
    client.logout()
    assert (
        "90% of victims"
        in client.get(reverse("knowledge:detail", args=[handbook.uid])).content.decode()
    )


def test_the_claims_api_never_names_a_restricted_source(client, world) -> None:  # type: ignore[no-untyped-def]
    survey = resource(world.agency, "Members-only survey", is_public=False, kind="dataset")
    origin = claim(world.agency, survey, 12, validity=Validity.PRIMARY)
    leaflet = resource(world.agency, "Public leaflet")
    repeated = claim(world.agency, leaflet, 12, derived_from=origin)
    computed = claim(
        world.agency, leaflet, 13, validity=Validity.PUBLISHED_METHOD, source_resource=survey
    )
    body = client.get("/api/v1/knowledge/claims/").content.decode()
    assert str(origin.pk) not in body
    assert str(survey.uid) not in body
    detail = client.get(f"/api/v1/knowledge/claims/{repeated.pk}/").json()
    assert (detail["derived_from"], detail["source_hidden"], detail["chain_end"]) == (
        None,
        True,
        "hidden",
    )
    assert client.get(f"/api/v1/knowledge/claims/{computed.pk}/").json()["source_resource"] is None


def test_a_resource_others_rely_on_is_not_deleted(world) -> None:  # type: ignore[no-untyped-def]
    report = resource(world.agency, "Report others cite")
    theirs = resource(world.host, "Host's note")
    claim(world.host, theirs, 5, validity=Validity.PUBLISHED_METHOD, source_resource=report)
    with pytest.raises(ValidationError, match="Other claims are stated in this resource or rest"):
        services.delete_resource(actor=world.users["analyst"], resource=report)


@pytest.mark.parametrize(
    "query",
    [
        "q=-foo&sort=relevance",
        "q=!!!&sort=relevance",
        "q=%22%22&sort=relevance",
        "year_from=%C2%B2%E2%81%B0%C2%B9%E2%81%B0",
        "country=%00",
        "publisher=a%00b",
        "theme=%00&q=x",
    ],
)
def test_odd_parameters_never_give_an_error_page(client, world, query) -> None:  # type: ignore[no-untyped-def]
    resource(world.agency, "Anything")
    assert client.get(f"/knowledge/?{query}").status_code == 200
    assert client.get(f"/api/v1/knowledge/resources/?{query}").status_code == 200
    assert client.get(f"/api/v1/knowledge/resources/facets/?{query}").status_code == 200
    assert client.get("/knowledge/claims/?validity=%00").status_code == 200


def test_the_region_of_a_regional_resource_survives_an_edit(login_as, world) -> None:  # type: ignore[no-untyped-def]
    regional = resource(world.agency, "West Africa study", codes={"region": {"011"}})
    analyst = login_as(world.users["analyst"])
    response = analyst.post(
        reverse("knowledge:edit", args=[regional.uid]),
        {
            "kind": "research",
            "title_en": "West Africa study",
            "regions": ["011"],
            "is_public": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert regional.codes.filter(kind="region", code="011").exists()
