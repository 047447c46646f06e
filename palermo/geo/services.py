"""Load countries and regions from maintained packages, idempotently.

Sources: ISO 3166-1 from pycountry; UN M49 regions and the UN's own country names in the six
languages from OCHA's Countries & Territories Taxonomy (hdx-python-country); region names in the
six languages from the Unicode CLDR (Babel); pycountry's translations where the UN has no name.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale
from django.db import transaction
from hdx.location.country import Country as HdxCountry

from palermo.geo.models import Country, Region

# interface language -> (name column suffix, CLDR locale, pycountry gettext locale, OCHA column)
LANGUAGE_SOURCES = {
    "ar": ("ar", "ar", "ar", "M49 Arabic"),
    "zh": ("zh", "zh_Hans", "zh_CN", "M49 Chinese"),
    "fr": ("fr", "fr", "fr", "M49 French"),
    "ru": ("ru", "ru", "ru", "M49 Russian"),
    "es": ("es", "es", "es", "M49 Spanish"),
}


@dataclass(frozen=True)
class LoadResult:
    regions: int
    countries: int
    created: int


@cache
def _pycountry_translation(locale: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


def _region_code(raw: str | None) -> str | None:
    raw = (raw or "").strip()
    return raw.zfill(3) if raw else None


def _region_names(code: str, english: str) -> dict[str, str]:
    names = {"name_en": english}
    for suffix, (_col, cldr, _py, _ocha) in LANGUAGE_SOURCES.items():
        names[f"name_{suffix}"] = Locale.parse(cldr).territories.get(code, "")
    return names


@transaction.atomic
def load_reference_data() -> LoadResult:
    """Create or update every country and region. Safe to run any number of times."""
    regions: dict[str, Region] = {}
    created = 0

    def region(
        code: str | None, english: str | None, level: str, parent: Region | None
    ) -> Region | None:
        nonlocal created
        if not code:
            return None
        if code not in regions:
            obj, was_created = Region.objects.update_or_create(
                code=code,
                defaults={"level": level, "parent": parent, **_region_names(code, english or "")},
            )
            created += was_created
            regions[code] = obj
        return regions[code]

    countries = 0
    for entry in pycountry.countries:
        info = HdxCountry.get_country_info_from_iso3(entry.alpha_3, use_live=False) or {}
        main = region(
            _region_code(info.get("Region Code")), info.get("Region Name"), "region", None
        )
        sub = region(
            _region_code(info.get("Sub-region Code")),
            info.get("Sub-region Name"),
            "sub_region",
            main,
        )
        inter = region(
            _region_code(info.get("Intermediate Region Code")),
            info.get("Intermediate Region Name"),
            "intermediate",
            sub,
        )
        names = {"name_en": info.get("M49 English") or entry.name}
        for suffix, (_col, _cldr, py_locale, ocha) in LANGUAGE_SOURCES.items():
            names[f"name_{suffix}"] = info.get(ocha) or _pycountry_translation(py_locale).gettext(
                entry.name
            )
        _obj, was_created = Country.objects.update_or_create(
            iso2=entry.alpha_2,
            defaults={
                "iso3": entry.alpha_3,
                "numeric": entry.numeric,
                "region": main,
                "sub_region": sub,
                "intermediate_region": inter,
                **names,
            },
        )
        created += was_created
        countries += 1
    return LoadResult(regions=len(regions), countries=countries, created=created)
