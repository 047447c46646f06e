"""The demo knowledge base: real publications (metadata only), generated items marked as
such, and claims that show each way a chain can end."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from palermo.accounts.tests.factories import OrganisationFactory
from palermo.knowledge import selectors
from palermo.knowledge.demo import GENERATED, REAL, load_demo_knowledge
from palermo.knowledge.models import Claim, Resource

pytestmark = pytest.mark.django_db


def test_demo_knowledge_loads_once_with_its_chains() -> None:
    OrganisationFactory(acronym="ICS", is_host=True)
    OrganisationFactory(acronym="GMA")
    assert load_demo_knowledge() == len(REAL) + len(GENERATED)
    assert load_demo_knowledge() == 0
    anonymous = AnonymousUser()
    found = selectors.find(selectors.published(anonymous), selectors.Filters(q="forced labour"))
    assert "A Global Alliance against Forced Labour" in {r.title["en"] for r in found}
    leaflet_claim = Claim.objects.get(statement__startswith="Every year 2.4 million")
    chain = selectors.chain(leaflet_claim, anonymous)
    assert (chain.end, chain.length) == ("origin", 2)
    untraceable = Claim.objects.get(statement__startswith="One in three")
    assert selectors.chain(untraceable, anonymous).end == "untraceable"
    brief = Resource.objects.get(source_key="demo:demo-members-brief")
    assert not selectors.visible(anonymous).filter(pk=brief.pk).exists()
    for resource in Resource.objects.filter(source_key__startswith="demo:demo-"):
        assert "demo" in resource.display_title.lower()
