"""Searches filtered by a kind or a code: on PostgreSQL matched in the text index (the codes'
lexemes in ``search_vector``), they find exactly what a filter on the code rows finds, in the
same order and with the same relevance, and follow every change of a resource's codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from palermo.knowledge import search, selectors, services
from palermo.knowledge.models import Resource
from palermo.knowledge.selectors import Filters
from palermo.knowledge.tests.helpers import resource

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the codes are in the text index on PostgreSQL"
)


def found(filters: Filters) -> list[tuple[str, float]]:
    """(title, relevance) of what the search finds, in its order."""
    rows = selectors.find(selectors.published(AnonymousUser()), filters)
    return [(r.title["en"], round(r.relevance, 6)) for r in rows]


def by_code_rows(filters: Filters) -> list[tuple[str, float]]:
    """The same search with the kind and codes filtered on the resource and its code rows."""
    resources = selectors.filtered(selectors.published(AnonymousUser()), filters)
    rows = search.matching(resources, search.parse(filters.q)).order_by(
        *selectors.SORTS[filters.effective_sort]
    )
    return [(r.title["en"], round(r.relevance, 6)) for r in rows]


@pytest.fixture
def reports(world: Any) -> Any:
    org = world.agency
    resource(org, "Trafficking in fishing fleets", codes={"country": {"TH"}}, year=2019)
    resource(
        org,
        "Trafficking trafficking trafficking at sea",
        codes={"country": {"TH", "KH"}, "intervention_theme": {"victim_assistance"}},
        year=2021,
    )
    resource(org, "Trafficking in Nigeria", codes={"country": {"NG"}}, year=2018)
    resource(
        org,
        "Trafficking law of Thailand",
        kind="legislation",
        codes={"country": {"TH"}},
        publishers=["Ministry of Justice of Thailand"],
    )
    resource(
        org,
        "Trafficking law of Nigeria",
        kind="legislation",
        publishers=["O'Brien \\ Partners"],
    )
    resource(org, "Fishing without a word about it", codes={"country": {"TH"}})
    # Members only: no anonymous search finds it, through the index or the code rows.
    resource(org, "Trafficking members brief", codes={"country": {"TH"}}, is_public=False)
    return org


QUERIES = [
    Filters(q="trafficking", country="TH"),
    Filters(q="trafficking", kind="legislation"),
    Filters(q="trafficking", kind="legislation", country="TH"),
    Filters(q="trafficking", country="TH", year_from=2020),
    Filters(q="trafficking", region="142"),  # Asia, from the countries
    Filters(q="trafficking", publisher="O'Brien \\ Partners"),
    Filters(q="trafficking fishing", country="TH"),
    Filters(q="trafficking -sea", country="TH"),
    Filters(q="trafficking", country="TH", sort="newest"),
    Filters(q="trafficking", country="XX"),
    Filters(q="trafficking", country="TH" * 600),
]


@on_postgresql  # on SQLite both sides take the code-row path: equal by construction
def test_a_word_and_codes_find_what_the_code_rows_find(reports: Any) -> None:
    for filters in QUERIES:
        assert found(filters) == by_code_rows(filters), filters
    assert [t for t, _r in found(QUERIES[0])] == [
        "Trafficking trafficking trafficking at sea",
        "Trafficking in fishing fleets",
        "Trafficking law of Thailand",
    ]
    assert sorted(t for t, _r in found(QUERIES[1])) == [
        "Trafficking law of Nigeria",
        "Trafficking law of Thailand",
    ]
    assert [t for t, _r in found(QUERIES[5])] == ["Trafficking law of Nigeria"]
    assert found(QUERIES[-1]) == found(QUERIES[-2]) == []


@on_postgresql  # on SQLite both sides take the code-row path: equal by construction
def test_a_named_concept_and_a_code_find_what_the_code_rows_find(reports: Any) -> None:
    from palermo.knowledge import vocabulary

    label = vocabulary.all_labels(vocabulary.THEME)["victim_assistance"]["es"]
    for filters in (Filters(q=label, country="TH"), Filters(q=f"{label} sea", country="KH")):
        assert found(filters) == by_code_rows(filters)
        assert [t for t, _r in found(filters)] == ["Trafficking trafficking trafficking at sea"]


def test_changing_a_resource_s_codes_changes_what_a_filtered_search_finds(world: Any) -> None:
    report = resource(world.agency, "Trafficking in mines", codes={"country": {"TH"}})
    assert [t for t, _r in found(Filters(q="trafficking", country="TH"))] == [
        "Trafficking in mines"
    ]
    data = services.ResourceData(
        kind="legislation", title={"en": "Trafficking in mines"}, codes={"country": {"NG"}}
    )
    services.save_resource(
        actor=None, organisation=world.agency, data=data, resource=report, publish=True
    )
    assert found(Filters(q="trafficking", country="TH")) == []
    assert found(Filters(q="trafficking", kind="research")) == []
    for filters in (
        Filters(q="trafficking", country="NG"),
        Filters(q="trafficking", kind="legislation"),
    ):
        assert [t for t, _r in found(filters)] == ["Trafficking in mines"]
        assert found(filters) == by_code_rows(filters)


@on_postgresql
def test_the_migration_writes_the_codes_as_reindexing_does(reports: Any) -> None:
    import importlib

    migration = importlib.import_module("palermo.knowledge.migrations.0004_codes_in_search_vector")

    def vectors() -> dict[int, str]:
        return dict(Resource.objects.values_list("id", "search_vector"))

    indexed = vectors()
    assert all("'country=TH'" in v for k, v in indexed.items() if k in _ids("Thailand"))
    with connection.cursor() as cursor:
        cursor.execute(migration.EMPTY)
        assert all("=" not in v for v in vectors().values())
        cursor.execute(migration.FILL)
    assert vectors() == indexed


def _ids(word: str) -> set[int]:
    return {r.pk for r in Resource.objects.all() if word in r.title["en"]}
