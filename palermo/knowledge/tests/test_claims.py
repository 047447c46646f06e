"""Claims and their provenance: the chain back to the origin, untraceable numbers, sources a
reader may not see, and the rules a claim's source follows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse

from palermo.knowledge import selectors, services
from palermo.knowledge.models import Validity
from palermo.knowledge.tests.helpers import claim, resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain_of_three(world):  # type: ignore[no-untyped-def]
    org = world.agency
    survey = resource(org, "National household survey microdata", kind="dataset", year=2004)
    estimate_doc = resource(org, "Global estimate of forced labour", year=2005)
    report = resource(org, "Regional report on trafficking", year=2008)
    leaflet = resource(org, "Awareness leaflet", year=2012)
    origin = claim(
        org,
        estimate_doc,
        2450000,
        validity=Validity.PUBLISHED_METHOD,
        source_resource=survey,
        method="Capture-recapture on reported cases.",
    )
    middle = claim(org, report, 2400000, derived_from=origin)
    last = claim(org, leaflet, 2400000, derived_from=middle)
    return {"survey": survey, "origin": origin, "middle": middle, "last": last}


def test_chain_follows_three_hops_to_the_origin(chain_of_three) -> None:  # type: ignore[no-untyped-def]
    chain = selectors.chain(chain_of_three["last"], AnonymousUser())
    assert chain.end == "origin"
    assert chain.length == 3
    assert [hop.claim for hop in chain.hops[:3]] == [
        chain_of_three["last"],
        chain_of_three["middle"],
        chain_of_three["origin"],
    ]
    assert chain.hops[3].resource == chain_of_three["survey"]


def test_untraceable_claim_is_flagged(world) -> None:  # type: ignore[no-untyped-def]
    leaflet = resource(world.agency, "Campaign poster", year=2015)
    stated = claim(world.agency, leaflet, 33.3, unit="percent", validity=Validity.NO_METHOD)
    repeated = claim(world.agency, resource(world.agency, "Blog post"), 33.3, derived_from=stated)
    chain = selectors.chain(repeated, AnonymousUser())
    assert chain.end == "untraceable"
    assert not chain.traced


def test_a_restricted_step_is_hidden_from_anonymous(world, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    middle_doc = chain_of_three["middle"].stated_in
    middle_doc.is_public = False
    middle_doc.save()
    chain = selectors.chain(chain_of_three["last"], AnonymousUser())
    assert chain.end == "hidden"
    assert chain.hops[1].claim is None
    # ...and a member follows it to the end.
    member = world.users["other_case_worker"]
    assert selectors.chain(chain_of_three["last"], member).end == "origin"


def test_claim_page_shows_the_graph(client, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("knowledge:claim", args=[chain_of_three["last"].pk])).content.decode()
    assert "<svg" in page
    assert "Traced to its origin in 3 steps." in page
    assert "National household survey microdata" in page
    resource_page = client.get(
        reverse("knowledge:detail", args=[chain_of_three["origin"].stated_in.uid])
    ).content.decode()
    assert "Regional report on trafficking" in resource_page  # cited by


def test_api_gives_the_chain(client, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/v1/knowledge/claims/{chain_of_three['last'].pk}/").json()
    assert data["chain_end"] == "origin"
    assert len(data["chain"]) == 4
    assert data["chain"][3]["resource"] == str(chain_of_three["survey"].uid)


def test_rules_of_a_claims_source(login_as, world, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    analyst = world.users["analyst"]
    origin = chain_of_three["origin"]
    data = services.ClaimData(
        statement="x",
        value=1,
        unit="persons",
        stated_in=origin.stated_in,
        validity=Validity.REPEATED,
        derived_from=chain_of_three["last"],
    )
    with pytest.raises(ValidationError, match="circle"):
        services.save_claim(actor=analyst, organisation=world.agency, data=data, claim=origin)
    data = services.ClaimData(
        statement="x",
        value=1,
        unit="persons",
        stated_in=origin.stated_in,
        validity=Validity.REPEATED,
    )
    with pytest.raises(ValidationError, match="repeats"):
        services.save_claim(actor=analyst, organisation=world.agency, data=data)


def test_claim_form_records_a_claim(login_as, world, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    report = chain_of_three["middle"].stated_in
    analyst = login_as(world.users["analyst"])
    response = analyst.post(
        reverse("knowledge:claim_new", args=[report.uid]),
        {
            "statement": "One in three victims is a child",
            "language": "en",
            "value": "33.3",
            "unit": "percent",
            "validity": Validity.REPEATED,
            "derived_from": "http://testserver"
            + reverse("knowledge:claim", args=[chain_of_three["origin"].pk]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert report.claims.filter(statement="One in three victims is a child").exists()
    refused = analyst.post(
        reverse("knowledge:claim_new", args=[report.uid]),
        {
            "statement": "x",
            "language": "en",
            "value": "1",
            "unit": "persons",
            "validity": Validity.REPEATED,
            "derived_from": "not a claim",
        },
    )
    assert "No claim you can see has this address." in refused.content.decode()
