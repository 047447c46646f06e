"""Every metadata field is a filter with a facet: authors, licence, the language of the full
text, an assessment's evidence level, and case law's acts, means, form of trafficking and
verdict, through the search page, the API and the selectors, with words and without."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.utils import translation

from palermo.knowledge import selectors, vocabulary
from palermo.knowledge.models import Resource, ResourceCode, Verdict
from palermo.knowledge.selectors import Filters
from palermo.knowledge.tests.helpers import resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world: Any) -> Any:
    org = world.agency
    resource(
        org,
        "Trafficking survivors' peer support",
        kind="good_practice",
        authors=["Ana Silva", "Jean Martin"],
        licence="CC BY 4.0",
        text_language="fr",
        assessment={"evidence_level": "experimental", "evaluated": "Peer support"},
    )
    resource(
        org,
        "Trafficking hotline evaluation",
        kind="evaluation",
        authors=["Jean Martin"],
        assessment={"evidence_level": "monitoring"},
    )
    resource(
        org,
        "State v. Ortega, trafficking on farms",
        kind="case_law",
        case_law={
            "court": "High Court",
            "acts": ["recruitment", "transportation"],
            "means": ["deception"],
            "form": "transnational",
            "verdict": "convicted",
        },
    )
    resource(
        org,
        "State v. Lee, trafficking in bars",
        kind="case_law",
        case_law={"court": "District Court", "acts": ["harbouring"], "verdict": "acquitted"},
    )
    resource(org, "Trafficking secrets", authors=["Ana Silva"], is_public=False)
    return org


def titles(filters: Filters) -> set[str]:
    return {r.title["en"] for r in selectors.find(selectors.published(AnonymousUser()), filters)}


@pytest.mark.parametrize("q", ["", "trafficking"])  # with words, PostgreSQL reads the index
@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (
            {"author": "Jean Martin"},
            {"Trafficking survivors' peer support", "Trafficking hotline evaluation"},
        ),
        ({"author": "Ana Silva"}, {"Trafficking survivors' peer support"}),  # not the members' one
        ({"licence": "CC BY 4.0"}, {"Trafficking survivors' peer support"}),
        ({"text_language": "fr"}, {"Trafficking survivors' peer support"}),
        ({"evidence": "monitoring"}, {"Trafficking hotline evaluation"}),
        ({"act": "transportation"}, {"State v. Ortega, trafficking on farms"}),
        ({"means": "deception"}, {"State v. Ortega, trafficking on farms"}),
        ({"case_form": "transnational"}, {"State v. Ortega, trafficking on farms"}),
        ({"verdict": "acquitted"}, {"State v. Lee, trafficking in bars"}),
        ({"verdict": "acquitted", "act": "recruitment"}, set()),
    ],
)
def test_each_field_filters_the_search(
    library: Any, q: str, chosen: dict[str, str], expected: set[str]
) -> None:
    assert titles(Filters(q=q, **chosen)) == expected


def test_the_facets_count_each_field_and_leave_out_their_own_choice(library: Any) -> None:
    facets = selectors.facets(selectors.published(AnonymousUser()), Filters(verdict="convicted"))
    assert facets.total == 1
    # The verdict's own choice is left out of its counts; the others count what is found.
    assert sorted(facets.codes[vocabulary.VERDICT]) == [("acquitted", 1), ("convicted", 1)]
    assert facets.codes[vocabulary.ACT] == [("recruitment", 1), ("transportation", 1)]
    everything = selectors.facets(selectors.published(AnonymousUser()), Filters())
    assert dict(everything.codes[vocabulary.AUTHOR]) == {"Jean Martin": 2, "Ana Silva": 1}
    assert dict(everything.codes[vocabulary.EVIDENCE]) == {"experimental": 1, "monitoring": 1}


def test_a_facet_of_many_authors_keeps_the_most_frequent_ones(world: Any) -> None:
    """The database ranks the codes of each kind and sends only the largest
    ``FACET_SIZE``: with 30 authors, the 12 most frequent, ties by name."""
    names = [f"Author {i:02d}" for i in range(30)]
    for number in range(6):
        resource(
            world.agency,
            f"Report {number}",
            authors=[name for i, name in enumerate(names) if i % 6 >= number],
            licence=f"Licence {number % 2}",
        )
    counted = Counter({name: i % 6 + 1 for i, name in enumerate(names)})
    largest = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[: selectors.FACET_SIZE]
    anyone = selectors.published(AnonymousUser())
    facets = selectors.facets(anyone, Filters())
    assert facets.codes[vocabulary.AUTHOR] == largest
    assert largest[:3] == [("Author 05", 6), ("Author 11", 6), ("Author 17", 6)]
    assert facets.codes[vocabulary.LICENCE] == [("Licence 0", 3), ("Licence 1", 3)]
    sent = Counter(row["kind"] for row in selectors._largest(ResourceCode.objects.all()))
    assert sent[vocabulary.AUTHOR] == selectors.FACET_SIZE
    chosen = selectors.facets(anyone, Filters(author="Author 00"))
    assert chosen.total == 1
    assert chosen.codes[vocabulary.AUTHOR] == [*largest, ("Author 00", 1)]
    assert chosen.codes[vocabulary.LICENCE] == [("Licence 0", 1)]


def test_the_search_page_offers_the_fields_and_keeps_the_choice(library: Any) -> None:
    page = Client().get("/knowledge/", {"verdict": "acquitted"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "State v. Lee" in html
    assert "State v. Ortega" not in html
    # The further filters open when one is chosen, with the choice selected.
    assert '<details class="more-filters" open>' in html
    assert '<option value="acquitted" selected>' in html
    assert "Form of trafficking" in html
    assert "Evidence level" in html


def test_the_search_page_in_french_names_the_field_values(library: Any) -> None:
    html = (
        Client()
        .get("/knowledge/", {"case_form": "transnational"}, HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )
    assert "State v. Ortega" in html
    with translation.override("fr"):
        convicted = str(Verdict.CONVICTED.label)
    assert convicted != "Convicted"
    assert convicted in html


def test_the_api_filters_by_a_field(library: Any) -> None:
    body = Client().get("/api/v1/knowledge/resources/", {"evidence": "experimental"}).json()
    assert [r["title"]["en"] for r in body["results"]] == ["Trafficking survivors' peer support"]


def _field_code_rows() -> set[tuple[Any, str, str]]:
    return set(
        ResourceCode.objects.filter(kind__in=vocabulary.FIELD_KINDS).values_list(
            "resource_id", "kind", "code"
        )
    )


def test_the_migration_writes_the_field_codes_as_saving_does(library: Any) -> None:
    """Saving and migration 0006 read the same cleaned fields: an author or a licence typed
    with stray spaces and control characters is one code, the field as stored, and a filter
    by it finds the resource."""
    messy = resource(
        library,
        "Trafficking helpline notes",
        kind="good_practice",
        authors=["  Jane\x07Doe ", "\tAna Silva"],
        licence=" CC\x07BY ",
        assessment={"evidence_level": " monitoring\x0b"},
    )
    assert (messy.authors, messy.licence) == (["JaneDoe", "Ana Silva"], "CCBY")
    saved = _field_code_rows()
    assert {(kind, code) for pk, kind, code in saved if pk == messy.pk} == {
        ("author", "JaneDoe"),
        ("author", "Ana Silva"),
        ("licence", "CCBY"),
        ("evidence_level", "monitoring"),
    }
    chosen = Filters.from_query({"author": "Jane\x07Doe ", "licence": " CC\x07BY"})
    assert titles(chosen) == {"Trafficking helpline notes"}
    assert len(saved) == 19
    migration = importlib.import_module("palermo.knowledge.migrations.0006_field_codes")
    editor = _Editor()
    migration.empty(apps, editor)
    assert not ResourceCode.objects.filter(kind__in=vocabulary.FIELD_KINDS).exists()
    assert titles(Filters(q="trafficking", verdict="acquitted")) == set()
    migration.fill(apps, editor)
    assert _field_code_rows() == saved
    assert titles(Filters(q="trafficking", verdict="acquitted")) == {
        "State v. Lee, trafficking in bars"
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Only PostgreSQL has a search_vector column."
)
def test_the_migration_puts_the_field_codes_back_in_the_search_vector(library: Any) -> None:
    migration = importlib.import_module("palermo.knowledge.migrations.0006_field_codes")
    vectors = dict(Resource.objects.values_list("id", "search_vector"))
    assert all(vectors.values())
    editor = _Editor()
    migration.empty(apps, editor)
    assert dict(Resource.objects.values_list("id", "search_vector")) != vectors
    migration.fill(apps, editor)
    assert dict(Resource.objects.values_list("id", "search_vector")) == vectors


class _Editor:
    """What the migration uses of a schema editor (SQLite's cannot open inside a test's
    transaction)."""

    connection = connection

    def execute(self, sql: str, params: Any = ()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
