"""What is restricted to members never reaches an anonymous reader, on every path that could
leak it: facet counts (page and API), the file download, the claims list, a public claim taken
from a restricted one (page and graph), "Cited by" and "Sources it cites". Each check is paired
with a signed-in member who sees the same item, so that it proves the data is there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from palermo.geo.models import Country
from palermo.knowledge import vocabulary
from palermo.knowledge.models import Claim, Kind, Resource, Validity
from palermo.knowledge.tests.helpers import claim, resource

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Safe house locations review"
SECRET_STATEMENT = "Twelve women sheltered at the harbour house"
SECRET_BYTES = b"%PDF-1.4 the harbour house address"


@dataclass
class Library:
    public: Resource  # public, about Thailand
    secret: Resource  # members only, about Nigeria, with a file
    secret_claim: Claim  # stated in the secret resource
    public_claim: Claim  # stated in a public resource, taken from the secret claim
    citing_secret: Claim  # in the secret resource, computed from the public resource


@pytest.fixture
def library(world) -> Library:  # type: ignore[no-untyped-def]
    org = world.agency
    public = resource(org, "Harbour labour inspections", codes={"country": {"TH"}}, year=2019)
    secret = resource(
        org,
        SECRET_TITLE,
        kind=Kind.POLICY,
        codes={"country": {"NG"}},
        year=2021,
        is_public=False,
    )
    secret.file.save("secret.pdf", ContentFile(SECRET_BYTES), save=False)
    secret.file_name = "secret.pdf"
    secret.save()
    secret_claim = claim(
        org, secret, 12, statement=SECRET_STATEMENT, validity=Validity.PRIMARY, unit="women"
    )
    public_claim = claim(
        org,
        resource(org, "Newsletter on shelters"),
        12,
        statement="About a dozen women are sheltered",
        unit="women",
        derived_from=secret_claim,
    )
    citing_secret = claim(
        org,
        secret,
        40,
        statement="Forty inspections found forced labour",
        unit="inspections",
        validity=Validity.PUBLISHED_METHOD,
        source_resource=public,
    )
    return Library(public, secret, secret_claim, public_claim, citing_secret)


@pytest.fixture
def member(login_as, world) -> Client:  # type: ignore[no-untyped-def]
    """The test's one client, signed in as a member of another organisation than the
    contributor: each test reads as the member first, then signs out to read anonymously."""
    return login_as(world.users["other_case_worker"])  # type: ignore[no-any-return]


def _text(client: Client, url: str, **headers: Any) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return str(response.content.decode())


def _facets_aside(page: str) -> str:
    start = page.index('id="facets-title"')
    return page[start : page.index("</aside>", start)]


def test_facet_counts_on_the_search_page(client, library, member) -> None:  # type: ignore[no-untyped-def]
    seen = _facets_aside(_text(member, reverse("knowledge:index")))
    assert "country=NG" in seen
    assert "kind=policy" in seen
    client.logout()
    anonymous = _facets_aside(_text(client, reverse("knowledge:index")))
    assert "country=TH" in anonymous  # the public resource is counted...
    assert "country=NG" not in anonymous  # ...the members-only one is not
    assert "kind=policy" not in anonymous
    assert "2021" not in anonymous


def test_facet_counts_in_the_api(client, library, member) -> None:  # type: ignore[no-untyped-def]
    url = "/api/v1/knowledge/resources/facets/"

    def codes(data: dict[str, Any], kind: str) -> set[str]:
        return {item["code"] for item in data["codes"].get(kind, [])}

    seen = member.get(url).json()
    assert codes(seen, "country") == {"TH", "NG"}
    assert "policy" in {item["code"] for item in seen["kinds"]}
    client.logout()
    anonymous = client.get(url).json()
    assert codes(anonymous, "country") == {"TH"}
    assert "policy" not in {item["code"] for item in anonymous["kinds"]}
    assert "2021" not in {item["code"] for item in anonymous["years"]}
    assert anonymous["total"] == seen["total"] - 1


def test_the_file_is_not_served(client, library, member) -> None:  # type: ignore[no-untyped-def]
    url = reverse("knowledge:file", args=[library.secret.uid])
    served = member.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == SECRET_BYTES
    client.logout()
    refused = client.get(url)
    assert refused.status_code in (302, 404)  # to the sign-in page, or as if it did not exist
    assert not getattr(refused, "streaming", False)


def test_the_claims_list(client, library, member) -> None:  # type: ignore[no-untyped-def]
    url = reverse("knowledge:claims")
    assert SECRET_STATEMENT in _text(member, url)
    client.logout()
    page = _text(client, url)
    assert "About a dozen women are sheltered" in page
    assert SECRET_STATEMENT not in page
    assert "Forty inspections" not in page
    assert SECRET_TITLE not in page


def test_a_public_claim_taken_from_a_restricted_one(client, library, member) -> None:  # type: ignore[no-untyped-def]
    url = reverse("knowledge:claim", args=[library.public_claim.pk])
    seen = _text(member, url)
    assert SECRET_TITLE in seen
    assert str(library.secret_claim.pk) in seen
    client.logout()
    page = _text(client, url)
    assert "The chain goes on in a resource you cannot see." in page
    graph = page[page.index("<svg") : page.index("</svg>")]
    assert '<g class="node hidden">' in graph
    assert "A source you cannot see" in graph
    for leak in (SECRET_TITLE, SECRET_STATEMENT, str(library.secret_claim.pk)):
        assert leak not in page
    # ...and the restricted claim itself is a 404, as a missing one is.
    secret_url = reverse("knowledge:claim", args=[library.secret_claim.pk])
    assert client.get(secret_url).status_code == 404


def test_cited_by_on_a_public_resource(client, library, member) -> None:  # type: ignore[no-untyped-def]
    url = reverse("knowledge:detail", args=[library.public.uid])
    assert "Forty inspections found forced labour" in _text(member, url)
    client.logout()
    page = _text(client, url)
    assert "No claim cites this resource." in page
    assert "Forty inspections" not in page
    assert SECRET_TITLE not in page


def test_api_facets_have_labels_in_the_readers_language(client, library) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/knowledge/resources/facets/", HTTP_ACCEPT_LANGUAGE="fr").json()
    thailand = Country.objects.get(iso2="TH")
    assert data["codes"]["country"] == [{"code": "TH", "label": thailand.name_in("fr"), "count": 1}]
    assert thailand.name_in("fr") != thailand.name_in("en")  # the label is the French one
    assert {"code": "2019", "label": "2019", "count": 1} in data["years"]
    research = next(item for item in data["kinds"] if item["code"] == Kind.RESEARCH)
    page = _facets_aside(_text(client, reverse("knowledge:index"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert f">{research['label']}</a>" in page  # the name the search page shows
    assert research["label"] != "Research report"
    # A standard list's code has its name too.
    resource(
        library.public.contributor,
        "Shelter evaluation",
        codes={"intervention_theme": {"victim_assistance"}},
    )
    data = client.get("/api/v1/knowledge/resources/facets/", HTTP_ACCEPT_LANGUAGE="fr").json()
    [theme] = data["codes"]["intervention_theme"]
    assert theme["label"] == vocabulary.names(vocabulary.THEME, "fr")["victim_assistance"]
    assert theme["label"] != "victim_assistance"
