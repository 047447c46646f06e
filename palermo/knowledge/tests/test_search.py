"""Search in several languages with stemming, phrases, exclusions, concepts, filters and facets,
on whichever database the suite runs (PostgreSQL configurations or SQLite FTS5)."""

from __future__ import annotations

import pytest

from palermo.knowledge import selectors
from palermo.knowledge.search import is_postgresql
from palermo.knowledge.selectors import Filters
from palermo.knowledge.tests.helpers import resource

pytestmark = pytest.mark.django_db


def titles(q: str, **filters: str) -> set[str]:
    from django.contrib.auth.models import AnonymousUser

    found = selectors.find(selectors.published(AnonymousUser()), Filters(q=q, **filters))
    return {r.title.get("en") or next(iter(r.title.values())) for r in found}


@pytest.fixture
def library(world):  # type: ignore[no-untyped-def]
    org = world.agency
    resource(
        org,
        "Trafficking of migrant workers in fishing",
        abstract="Men were forced to work at sea.",
        codes={"country": {"TH"}},
    )
    resource(
        org,
        {"fr": "L'exploitation des enfants dans les mines"},
        abstract={"fr": "Les enfants exploités travaillent sans salaire."},
        language="fr",
        codes={"country": {"NG"}},
    )
    resource(
        org,
        {"es": "Explotación laboral de trabajadoras domésticas"},
        abstract={"es": "Las trabajadoras fueron explotadas por agencias de empleo."},
        codes={"country": {"MX"}},
    )
    resource(
        org,
        {"ru": "Торговля людьми в целях принудительного труда"},
        abstract={"ru": "Исследование о торговле людьми и принудительном труде."},
    )
    resource(
        org,
        "Forced labour in agriculture",
        abstract="A survey of farms.",
        codes={"intervention_theme": {"victim_assistance"}, "country": {"TH"}},
        year=2020,
    )
    resource(
        org,
        "Child labour on farms",
        abstract="Children working in agriculture.",
        year=2010,
        kind="evaluation",
        assessment={"evidence_level": "monitoring"},
    )
    return org


def test_english_stemming_finds_other_forms(library) -> None:  # type: ignore[no-untyped-def]
    assert titles("trafficked") == {"Trafficking of migrant workers in fishing"}


def test_french_stemming(library) -> None:  # type: ignore[no-untyped-def]
    # "exploitaient" is in no text; only the French stemmer joins it to "exploitation" and
    # "exploités" (the English one leaves "exploitai", the Spanish one the whole word).
    assert titles("exploitaient") == {"L'exploitation des enfants dans les mines"}


def test_spanish_stemming(library) -> None:  # type: ignore[no-untyped-def]
    # Only the Spanish stemmer joins "explotados" to "explotadas" and "explotación".
    assert titles("explotados") == {"Explotación laboral de trabajadoras domésticas"}


def test_the_search_page_stems_in_the_text_s_language(client, library) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    page = client.get(reverse("knowledge:index"), {"q": "explotados"}).content.decode()
    assert "trabajadoras domésticas" in page
    assert "Forced labour in agriculture" not in page
    api = client.get("/api/v1/knowledge/resources/", {"q": "exploitaient"}).json()
    assert [r["title"]["fr"] for r in api["results"]] == [
        "L'exploitation des enfants dans les mines"
    ]


def test_stop_words_do_not_stop_a_search(world) -> None:  # type: ignore[no-untyped-def]
    resource(world.agency, "Trafficking in persons: a global report", year=2020)
    resource(
        world.agency,
        {"fr": "La traite des personnes en Europe"},
        abstract={"fr": "Un rapport sur la traite."},
        language="fr",
        year=2021,
    )
    resource(world.agency, "Fishing fleets at sea", year=2022)
    english = {"Trafficking in persons: a global report"}
    french = {"La traite des personnes en Europe"}
    assert titles("trafficking in persons") == english
    assert titles('"trafficking in persons"') == english
    assert titles("la traite") == french
    assert titles("traite des personnes") == french
    assert titles('"traite des personnes"') == french
    # A stop word the text lacks: PostgreSQL leaves it out of the query; SQLite's index keeps
    # stop words, so it asks for it (docs/knowledge.md, "The two databases").
    expected = {"Fishing fleets at sea"} if is_postgresql() else set()
    assert titles("the fishing") == expected


def test_russian_stemming(library) -> None:  # type: ignore[no-untyped-def]
    assert titles("торговли") == {"Торговля людьми в целях принудительного труда"}


def test_phrase_and_exclusion(library) -> None:  # type: ignore[no-untyped-def]
    assert titles('"forced labour"') == {"Forced labour in agriculture"}
    assert titles("agriculture") == {"Forced labour in agriculture", "Child labour on farms"}
    assert titles("agriculture -children") == {"Forced labour in agriculture"}
    assert titles("agriculture -forced") == {"Child labour on farms"}


def test_or(library) -> None:  # type: ignore[no-untyped-def]
    assert titles("fishing OR farms") == {
        "Trafficking of migrant workers in fishing",
        "Child labour on farms",
        "Forced labour in agriculture",
    }


def test_filters(library) -> None:  # type: ignore[no-untyped-def]
    assert titles("", country="TH") == {
        "Trafficking of migrant workers in fishing",
        "Forced labour in agriculture",
    }
    assert titles("labour", kind="evaluation") == {"Child labour on farms"}
    assert titles("labour", year_from="2015") == {"Forced labour in agriculture"}


def test_facets_count(library) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    facets = selectors.facets(selectors.published(AnonymousUser()), Filters(q="labour"))
    assert facets.total == 2
    assert {k: n for k, _label, n in facets.kinds} == {"research": 1, "evaluation": 1}
    assert dict(facets.codes["country"]) == {"TH": 1}


def test_a_search_in_one_language_finds_resources_coded_alike_in_another(world) -> None:  # type: ignore[no-untyped-def]
    from palermo.knowledge import vocabulary

    labels = vocabulary.all_labels(vocabulary.THEME)["victim_assistance"]
    resource(
        world.agency,
        "Shelter standards handbook",
        codes={"intervention_theme": {"victim_assistance"}},
    )
    resource(world.agency, "Unrelated handbook")
    assert labels["es"]
    assert labels["es"] != labels["en"]
    assert titles(labels["es"]) == {"Shelter standards handbook"}
    assert titles(labels["ru"]) == {"Shelter standards handbook"}


def test_odd_queries_search_without_error(library) -> None:  # type: ignore[no-untyped-def]
    from palermo.knowledge import search

    for text in [
        '"unclosed',
        "OR",
        "- -",
        "a OR",
        '""',
        "NEAR(",
        "*",
        "col:val",
        "a AND (b",
        "title:x",
        "'; DROP TABLE x; --",
        "\\",
        "贩运人口",
    ]:
        titles(text)  # no error from the database's query syntax
    assert titles('"forced labour') == {"Forced labour in agriculture"}
    assert not search.parse("-only -exclusions")
    assert titles("-agriculture") == set()


def test_a_chosen_facet_counts_what_choosing_another_would_give(world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    resource(world.agency, "Report A", codes={"country": {"TH", "NG"}})
    resource(world.agency, "Report B", codes={"country": {"NG"}})
    resource(
        world.agency,
        "Report C",
        codes={"country": {"TH"}},
        kind="evaluation",
        assessment={"evidence_level": "anecdotal"},
    )
    facets = selectors.facets(selectors.published(AnonymousUser()), Filters(country="TH"))
    assert facets.total == 2
    assert dict(facets.codes["country"]) == {"TH": 2, "NG": 2}
    assert titles("", country="NG") == {"Report A", "Report B"}
    by_kind = selectors.facets(selectors.published(AnonymousUser()), Filters(kind="evaluation"))
    assert {k: n for k, _label, n in by_kind.kinds} == {"research": 2, "evaluation": 1}


def test_a_named_concept_stands_only_for_its_own_words(world) -> None:  # type: ignore[no-untyped-def]
    from palermo.knowledge import vocabulary

    label = vocabulary.all_labels(vocabulary.THEME)["victim_assistance"]["es"]
    resource(
        world.agency,
        "Shelter standards handbook",
        year=2001,
        codes={"intervention_theme": {"victim_assistance"}, "country": {"BR"}},
    )
    assert titles(f"{label} zzqx") == set()
    assert titles(f"{label} handbook") == {"Shelter standards handbook"}


def test_accents_are_folded_on_both_databases(library) -> None:  # type: ignore[no-untyped-def]
    assert titles("explotacion") == {"Explotación laboral de trabajadoras domésticas"}
    assert titles("domesticas") == {"Explotación laboral de trabajadoras domésticas"}


def test_undated_resources_come_last_either_way(world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    for title, year in (("Undated", None), ("Old", 1999), ("New", 2020)):
        resource(world.agency, title, year=year)
    base = selectors.published(AnonymousUser())
    newest = [r.title["en"] for r in selectors.find(base, Filters(sort="newest"))]
    oldest = [r.title["en"] for r in selectors.find(base, Filters(sort="oldest"))]
    assert newest == ["New", "Old", "Undated"]
    assert oldest == ["Old", "New", "Undated"]


def test_relevance_ranks_a_title_match_above_a_passing_mention(world) -> None:  # type: ignore[no-untyped-def]
    """The order is the text rank's, not the year's: the newest match mentions the word once in
    its abstract and comes after both title matches (which may tie, then go by year)."""
    from django.contrib.auth.models import AnonymousUser

    resource(world.agency, "Brick kilns and debt", abstract="Kiln owners lend.", year=2001)
    resource(world.agency, "Kiln workers", abstract="Workers at a kiln.", year=2010)
    resource(world.agency, "Labour markets", abstract="One kiln among farms.", year=2024)
    resource(world.agency, "Fishing fleets", abstract="No match here.", year=2025)
    found = list(selectors.find(selectors.published(AnonymousUser()), Filters(q="kiln")))
    assert {r.title["en"] for r in found[:2]} == {"Kiln workers", "Brick kilns and debt"}
    assert [r.title["en"] for r in found[2:]] == ["Labour markets"]
    scores = [r.relevance for r in found]
    assert scores == sorted(scores, reverse=True)
    assert scores[-1] > 0


def test_forms_of_exploitation_and_places_are_named_in_every_language(world) -> None:  # type: ignore[no-untyped-def]
    resource(
        world.agency,
        "Brick kiln workers",
        codes={"ctdc_exploitation": {"ForcedLabour"}},
        year=2020,
    )
    resource(world.agency, "Fishing fleets", codes={"country": {"TH"}}, year=2021)
    resource(world.agency, "Unrelated handbook", codes={"country": {"BR"}}, year=2022)
    for form in ("trabajo forzoso", "travail forcé", "принудительный труд", "强迫劳动"):
        assert titles(form) == {"Brick kiln workers"}, form
    for country in ("Tailandia", "Таиланд", "Thaïlande", "تايلاند", "泰国"):
        assert titles(country) == {"Fishing fleets"}, country
    # A region by name: Thailand is in Asia (the resource carries the region with the country).
    assert titles("Asie") == {"Fishing fleets"}
    # The UN's name without its qualifier, and the usual short name.
    resource(world.agency, "Labour inspections", codes={"country": {"BO", "RU"}}, year=2023)
    assert titles("Bolivia") == {"Labour inspections"}
    assert titles("Russia") == {"Labour inspections"}
    assert titles("trabajo forzoso Tailandia") == set()


def test_the_search_page_shows_forms_of_exploitation_in_the_reader_s_language(world) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client
    from django.urls import reverse

    resource(world.agency, "Brick kiln workers", codes={"ctdc_exploitation": {"ForcedLabour"}})
    page = (
        Client(HTTP_ACCEPT_LANGUAGE="es")
        .get(reverse("knowledge:index"), {"q": "trabajo forzoso"})
        .content.decode()
    )
    assert "Brick kiln workers" in page
    assert "Trabajo forzoso" in page


def test_a_passage_marks_the_words_searched_for_not_the_stop_words(client, world) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    resource(
        world.agency,
        "Labour inspections",
        abstract="Labour inspectors in the region reported in 2019 that workers in the sector "
        "were victims of trafficking in persons.",
    )
    resource(world.agency, "Fishing fleets at sea")
    q = "trafficking in persons"
    [found] = client.get("/api/v1/knowledge/resources/", {"q": q}).json()["results"]
    marked = {s["text"].strip(".").lower() for s in found["snippet"] if s["match"]}
    assert {"trafficking", "persons"} <= marked
    # PostgreSQL searches without the stop word, so does not mark it; SQLite's index keeps
    # stop words: there "in" is searched for, and marked (docs/knowledge.md, "Stop words").
    assert ("in" in marked) is not is_postgresql()
    page = client.get(reverse("knowledge:index"), {"q": q}).content.decode()
    assert "<mark>trafficking</mark>" in page
    assert ("<mark>in</mark>" in page) is not is_postgresql()


def test_a_stop_word_that_names_a_place_gives_no_rank_bonus_on_postgresql(world) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    # "того" is a Russian stop word ("после того", after that) and Togo's Russian name.
    text = {"ru": "Торговля людьми после того как закон принят"}
    resource(world.agency, text, language="ru", codes={"country": {"TG"}}, year=2001)
    resource(world.agency, text, language="ru", codes={"country": {"TH"}}, year=2002)
    found = selectors.find(selectors.published(AnonymousUser()), Filters(q="торговля после того"))
    relevance = {r.codes.get(kind="country").code: r.relevance for r in found}
    assert relevance.keys() == {"TG", "TH"}
    # On SQLite the stop word is searched for like any word, and names Togo there.
    assert (relevance["TG"] > relevance["TH"]) is not is_postgresql()


def test_a_new_query_reads_its_words_forms_in_one_statement(world) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from palermo.knowledge import search

    if not is_postgresql():
        pytest.skip("SQLite stems the words in Python")
    resource(world.agency, "Trafficking in persons in Thailand")
    q = "trafficking in persons Thailand -smuggling"  # five words, none read yet
    search.clear_caches()
    with CaptureQueriesContext(connection) as cold:
        assert titles(q) == {"Trafficking in persons in Thailand"}
    with CaptureQueriesContext(connection) as warm:
        titles(q)
    assert [("phraseto_tsquery" in c["sql"]) for c in cold.captured_queries].count(True) == 1
    assert not any("phraseto_tsquery" in c["sql"] for c in warm.captured_queries)
