"""The values each dimension can take (its public domain: what differentially private noise is
added to) and their names in the reader's language."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palermo.accounts.models import OrganisationType
from palermo.geo import selectors as geo
from palermo.geo.models import Country
from palermo.standard import selectors
from palermo.stats.dimensions import BY_KEY, MULTIPLE, NO, UNKNOWN, YES, Dimension


def domain(key: str, first_year: int, last_year: int) -> list[str]:
    dimension = BY_KEY[key]
    source = dimension.values
    if source == "year":
        return [str(year) for year in range(first_year, last_year + 1)]
    if source == "yes_no":
        return [YES, NO]
    if source == "organisation_type":
        return [str(value) for value in OrganisationType.values]
    if source == "country":
        return list(Country.objects.order_by("iso2").values_list("iso2", flat=True))
    if source == "region":
        return sorted({r for r in Country.objects.values_list("region_id", flat=True) if r})
    codes = _codes(source)
    return codes + ([MULTIPLE] if dimension.kind == "list" else [])


def _codes(code_list: str) -> list[str]:
    version = selectors.latest_version()
    found = selectors.codes(selectors.code_list(code_list, version), version)
    return [code.code for code in found if code.code not in UNKNOWN]


def label(key: str, value: str, language: str | None = None) -> str:
    """The name of one value of a dimension."""
    return names(key, language or get_language() or "en").get(value, value)


def dimension_label(key: str) -> str:
    dimension = BY_KEY[key]
    if dimension.kind == "flag":
        means = names("_means", get_language() or "en")
        return f"{dimension.label}: {means.get(dimension.code, dimension.code)}"
    return str(dimension.label)


def _static(source: str, language: str) -> dict[str, str]:
    """Names that change only with the reference data or the standard, kept a few minutes:
    countries and regions as geo names them, the rest from the standard's lists."""
    if source in (geo.COUNTRY, geo.REGION):
        return geo.names(source, language)
    return selectors.cached_code_names(source, language)


def names(key: str, language: str) -> dict[str, str]:
    if key == "_means":
        return _static("ctdc_means_of_control", language)
    dimension: Dimension = BY_KEY[key]
    source = dimension.values
    if source == "yes_no":
        return {YES: _("Yes"), NO: _("No")}
    if source == "year":
        return {}
    if source == "organisation_type":
        return {str(value): str(text) for value, text in OrganisationType.choices}
    found = dict(_static(source, language))
    if dimension.kind == "list":
        found[MULTIPLE] = _("Several")
    return found
