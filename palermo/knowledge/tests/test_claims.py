"""Claims and their provenance: the chain back to the origin, untraceable numbers, sources a
reader may not see, and the rules a claim's source follows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from palermo.knowledge import selectors, services
from palermo.knowledge.models import Claim, Validity
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


UNTRACEABLE_NOTICE = "Untraceable: this number cannot be followed back"
NO_METHOD_NOTICE = "Estimate without a published method: where this number comes from"


def _claim_page(client, found) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("knowledge:claim", args=[found.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_an_untraceable_claim_is_flagged_on_the_page(client, world) -> None:  # type: ignore[no-untyped-def]
    poster = resource(world.agency, "Campaign poster", year=2015)
    stated = claim(world.agency, poster, 33.3, unit="percent", validity=Validity.UNTRACEABLE)
    repeated = claim(world.agency, resource(world.agency, "Blog post"), 33.3, derived_from=stated)
    chain = selectors.chain(repeated, AnonymousUser())
    assert chain.end == "untraceable"
    assert not chain.traced
    assert [hop.claim for hop in chain.hops] == [repeated, stated]
    page = _claim_page(client, repeated)
    assert UNTRACEABLE_NOTICE in page
    assert NO_METHOD_NOTICE not in page
    assert "No source: untraceable" in page  # the end of the list
    assert '<g class="node untraceable">' in page  # ...and of the graph
    assert "No source given" in page
    assert "Campaign poster" in page


def test_a_chain_that_stops_without_a_source_is_untraceable(client, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    # The claim it repeated is gone (a repeat whose source was deleted names no source).
    Claim.objects.filter(pk=chain_of_three["middle"].pk).update(derived_from=None)
    chain = selectors.chain(chain_of_three["last"], AnonymousUser())
    assert chain.end == "untraceable"
    assert chain.length == 1
    page = _claim_page(client, chain_of_three["last"])
    assert UNTRACEABLE_NOTICE in page
    assert '<g class="node untraceable">' in page
    assert "National household survey microdata" not in page


def test_an_estimate_without_method_is_not_untraceable(client, world) -> None:  # type: ignore[no-untyped-def]
    poster = resource(world.agency, "Campaign poster", year=2015)
    stated = claim(world.agency, poster, 33.3, unit="percent", validity=Validity.NO_METHOD)
    repeated = claim(world.agency, resource(world.agency, "Blog post"), 33.3, derived_from=stated)
    chain = selectors.chain(repeated, AnonymousUser())
    assert chain.end == "no_method"
    assert not chain.traced
    assert [hop.claim for hop in chain.hops] == [repeated, stated]
    page = _claim_page(client, repeated)
    assert NO_METHOD_NOTICE in page
    assert UNTRACEABLE_NOTICE not in page
    assert '<g class="node no_method">' in page
    assert '<g class="node untraceable">' not in page
    assert "Origin known, method not published" in page


def test_an_estimate_without_method_from_a_dataset_names_the_dataset(client, world) -> None:  # type: ignore[no-untyped-def]
    survey = resource(world.agency, "Shelter admissions register", kind="dataset")
    stated = claim(
        world.agency,
        resource(world.agency, "Annual report"),
        120,
        validity=Validity.NO_METHOD,
        source_resource=survey,
    )
    chain = selectors.chain(stated, AnonymousUser())
    assert chain.end == "no_method"
    assert chain.hops[-1].resource == survey
    page = _claim_page(client, stated)
    assert NO_METHOD_NOTICE in page
    assert "Shelter admissions register" in page
    assert "Traced to its origin" not in page


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
    page = _claim_page(client, chain_of_three["last"])
    assert "<svg" in page
    assert "Traced to its origin in 3 steps." in page
    assert UNTRACEABLE_NOTICE not in page
    assert NO_METHOD_NOTICE not in page
    # The graph: this claim, the two it comes through, then the survey it was computed from.
    assert page.count('<g class="node this">') == 1
    assert page.count('<g class="node claim">') == 2
    assert page.count('<g class="node origin">') == 1
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


def _sources_cited(page: str) -> str:
    """The page's "Sources it cites" list, up to "Cited by"."""
    start = page.index("Sources it cites")
    return page[start : page.index("Cited by", start)]


def test_resource_page_lists_the_sources_it_cites(client, chain_of_three) -> None:  # type: ignore[no-untyped-def]
    report = chain_of_three["middle"].stated_in
    cites = _sources_cited(_page(client, report))
    # The claim it was taken from, and the resource stating that claim.
    assert reverse("knowledge:claim", args=[chain_of_three["origin"].pk]) in cites
    assert "Global estimate of forced labour" in cites
    assert "A source you cannot see" not in cites
    # The origin's resource cites the dataset its number was computed from.
    estimate = _sources_cited(_page(client, chain_of_three["origin"].stated_in))
    assert "National household survey microdata" in estimate
    # A resource whose claims name no source says so.
    survey = _sources_cited(_page(client, chain_of_three["survey"]))
    assert "Its claims name no source." in survey


def test_a_hidden_source_is_not_named_on_the_resource_page(  # type: ignore[no-untyped-def]
    client, login_as, world, chain_of_three
) -> None:
    estimate_doc = chain_of_three["origin"].stated_in
    estimate_doc.is_public = False
    estimate_doc.save()
    report = chain_of_three["middle"].stated_in
    cites = _sources_cited(_page(client, report))
    assert "A source you cannot see" in cites
    assert "Global estimate of forced labour" not in cites
    assert str(chain_of_three["origin"].pk) not in cites
    # A member sees it: the source is there, withheld from the anonymous reader only.
    member = login_as(world.users["other_case_worker"])
    cites = _sources_cited(_page(member, report))
    assert "Global estimate of forced labour" in cites
    assert "A source you cannot see" not in cites


def _page(client, found) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("knowledge:detail", args=[found.uid]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_claims_api_costs_the_same_queries_for_a_longer_page(client, world) -> None:  # type: ignore[no-untyped-def]
    """Whether a source is seen is found once per page, not per claim (no N+1)."""
    org = world.agency
    dataset = resource(org, "Open dataset", kind="dataset")
    hidden = resource(org, "Members-only dataset", kind="dataset", is_public=False)
    origin = claim(org, resource(org, "Origin report"), 10, validity=Validity.PRIMARY)

    def add(n: int) -> None:
        for i in range(n):
            stated_in = resource(org, f"Repeating report {i}")
            claim(org, stated_in, 10, derived_from=origin)
            claim(org, stated_in, 10, validity=Validity.PRIMARY, source_resource=dataset)
            claim(org, stated_in, 10, validity=Validity.PRIMARY, source_resource=hidden)

    def cost() -> tuple[int, list[dict[str, object]]]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/knowledge/claims/?page_size=200")
        assert response.status_code == 200
        return len(queries), response.json()["results"]

    add(2)
    few, rows = cost()
    add(10)
    many, rows = cost()
    assert len(rows) == 1 + 12 * 3
    assert many == few
    # ...and the sources are still told apart right.
    by_source = {(r["derived_from"], r["source_resource"], r["source_hidden"]) for r in rows}
    assert by_source == {
        (None, None, False),  # the origin
        (str(origin.pk), None, False),
        (None, str(dataset.uid), False),
        (None, None, True),  # the members-only dataset, not named
    }


def test_a_page_past_the_last_is_a_404_in_the_api_and_the_last_page_on_the_page(  # type: ignore[no-untyped-def]
    client, chain_of_three
) -> None:
    """As docs/knowledge.md says: the API does not clamp ``?page=``, the pages do."""
    assert client.get("/api/v1/knowledge/claims/?page=99").status_code == 404
    page = client.get(reverse("knowledge:claims"), {"page": "99"})
    assert page.status_code == 200
    assert chain_of_three["last"].statement in page.content.decode()
