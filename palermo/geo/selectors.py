"""Reading countries and regions, and their names in the six languages."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.db.models import QuerySet

from palermo.core import caching
from palermo.geo.models import NAME_COLUMNS, Country, Region

COUNTRY = "country"
REGION = "region"
# Names: kind (COUNTRY by ISO alpha-2 code, REGION by M49 code) -> language -> code -> name.
Names = dict[str, dict[str, dict[str, str]]]


def countries() -> QuerySet[Country]:
    return Country.objects.select_related("region", "sub_region", "intermediate_region")


_NAMES: dict[int, Names] = {}


def cached_names() -> Names:
    """Every country's and region's name in every language (``name_in``: English where a
    language has none), read again every few minutes. Reference data not loaded yet gives no
    names, kept as long as any (not read again on every call)."""
    found: Names = caching.kept(_NAMES, caching.slot(), _read_names)
    return found


def names(kind: str, language: str | None) -> dict[str, str]:
    """Code -> name in ``language`` (English for a language geo does not name in)."""
    by_language = cached_names()[kind]
    return by_language.get((language or "en").lower()) or by_language["en"]


def _read_names() -> Names:
    found: Names = {}
    for kind, model in ((COUNTRY, Country), (REGION, Region)):
        rows = list(model.objects.all())
        found[kind] = {
            language: {str(row.pk): row.name_in(language) for row in rows}
            for language in NAME_COLUMNS
        }
    return found  # never empty: the kinds are there even without rows


@cache
def cldr_country_names(language: str) -> dict[str, str]:
    """The Unicode CLDR's usual short names of countries and regions in ``language`` ("Russia",
    "Vietnam"), where the UN's are long: package data, read once."""
    from palermo.geo.services import LANGUAGE_SOURCES  # the sources geo's names come from

    suffix = NAME_COLUMNS.get(language.lower(), "en")
    locale = LANGUAGE_SOURCES[suffix][1] if suffix in LANGUAGE_SOURCES else "en"
    return dict(Locale.parse(locale).territories)
