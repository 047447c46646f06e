"""Countries' and regions' names in the six languages, read by one reader kept a few minutes
(statistics and the knowledge base both use it), also while geo is not loaded yet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from palermo.geo import selectors
from palermo.geo.models import NAME_COLUMNS, Country, Region
from palermo.standard import selectors as standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_names() -> Iterator[None]:
    """The kept names forgotten before and after (a test that empties geo must not leave its
    empty names to the next)."""
    selectors._NAMES.clear()
    yield
    selectors._NAMES.clear()


def test_every_name_in_every_language_is_read_once(
    fresh_names: None, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(2):
        names = selectors.cached_names()
    thailand = Country.objects.get(iso2="TH")
    asia = Region.objects.get(code="142")
    for language in NAME_COLUMNS:
        assert names["country"][language]["TH"] == thailand.name_in(language)
        assert names["region"][language]["142"] == asia.name_in(language)
    with django_assert_num_queries(0):
        assert selectors.names("country", "fr")["TH"] == "Thaïlande"
        assert selectors.names("region", "pt")["142"] == "Asia"  # English for other languages


def test_the_standard_names_countries_as_geo_does(fresh_names: None) -> None:
    for language in NAME_COLUMNS:
        assert standard.cached_code_names("country", language) == selectors.names(
            "country", language
        )


def test_no_reference_data_is_not_asked_again_on_every_read(
    fresh_names: None, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    Country.objects.all().delete()
    for level in ("intermediate", "sub_region", "region"):
        Region.objects.filter(level=level).delete()
    with django_assert_num_queries(2):
        assert selectors.names("country", "en") == {}
    with django_assert_num_queries(0):
        assert selectors.names("country", "en") == {}
        assert selectors.names("region", "fr") == {}
