"""The analytic table: the one place where ``stats`` reads cases.

:func:`analytic_table` turns the cases that may enter pooled statistics into one row per case,
coded with the standard's analytic variables (see :mod:`palermo.stats.dimensions`), with no
identifier: no reference, no name, no date finer than the year, no free text, not even the
case's key. A case enters when

- its organisation is one of those given (the contributors who approved the release),
- the person's consent to pooled statistics is given and in force (the latest decision for that
  purpose; a withdrawal removes the case from the next snapshot),
- it is not a draft and not a person merely at risk,
- its year of registration is within the period.

The organisation's key stays on each row, so that the release can say who contributed how many
records; it is never published.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import OuterRef, Subquery

from palermo.cases.models import Case, CaseStatus, CaseType, Consent, ConsentPurpose
from palermo.geo.models import Country
from palermo.standard import derive
from palermo.stats import vocabulary
from palermo.stats.dimensions import CATALOGUE, NO, UNKNOWN, YES, Dimension, list_value

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation

CHUNK = 2000
CASE_VALUES = {
    "cas_IdentificationDate": "identified_on",
    "vic_RelationshipToTrafficker": "recruiter_relationship",
    "vic_AgeWhenTrafficked": "age_at_entry",
    "vic_TypeOfExploitation": "exploitation",
    "vic_ForcedLabourIndustry": "forced_labour_industry",
    "vic_TypeOfSexExploitation": "sex_exploitation",
    "vic_MethodsOfControl": "means_of_control",
    "vic_MethodOfRecruitment": "recruitment_methods",
}


def schema() -> dict[str, Any]:
    return {"organisation": pl.String, **{d.key: pl.String for d in CATALOGUE}}


def analytic_table(
    organisations: Iterable[Organisation], first_year: int, last_year: int, pooled: bool = True
) -> pl.DataFrame:
    """One identifier-free row per case that may enter pooled statistics (see the module).
    ``pooled=False`` is for an organisation's own figures about its own cases, which never
    leave it: every case then counts, whatever its consent to pooled statistics."""
    organisations = list(organisations)
    types = {str(org.pk): org.type for org in organisations}
    rules = derive.rules()
    regions = dict(Country.objects.values_list("iso2", "region_id"))
    rows = [
        row
        for row in _rows(_cases(organisations, pooled), rules, regions, types)
        if row["year"] is not None and first_year <= int(row["year"]) <= last_year
    ]
    if not rows:
        return empty()
    return _known_values(pl.DataFrame(rows, schema=schema(), orient="row"), first_year, last_year)


def _known_values(frame: pl.DataFrame, first_year: int, last_year: int) -> pl.DataFrame:
    """A value that is not in its dimension's public domain (a code no list knows, brought in by
    an old import, say) is left empty rather than counted as a value of its own."""
    return frame.with_columns(
        pl.when(pl.col(d.key).is_in(vocabulary.domain(d.key, first_year, last_year)))
        .then(pl.col(d.key))
        .otherwise(None)
        .alias(d.key)
        for d in CATALOGUE
        if d.values != "organisation_type"
    )


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=schema())


def _cases(organisations: list[Organisation], pooled: bool) -> Iterator[dict[str, Any]]:
    cases = (
        Case.objects.filter(organisation__in=organisations)
        .exclude(status=CaseStatus.DRAFT)
        .exclude(case_type=CaseType.AT_RISK)
    )
    if pooled:
        latest = (
            Consent.objects.filter(case=OuterRef("pk"), purpose=ConsentPurpose.STATISTICS)
            .order_by("-recorded_at", "-pk")
            .values("decision")[:1]
        )
        cases = cases.annotate(consent=Subquery(latest)).filter(consent=Consent.Decision.GIVEN)
    rows = cases.values(
        "organisation_id",
        "person__gender",
        "person__citizenship",
        "exploitation_countries",
        "age_at_identification",
        "age_at_exploitation",
        "analytic",
        *CASE_VALUES.values(),
    )
    return rows.iterator(chunk_size=CHUNK)


def _rows(
    cases: Iterator[dict[str, Any]],
    rules: derive.Rules,
    regions: Mapping[str, str | None],
    types: Mapping[str, str],
) -> Iterator[dict[str, str | None]]:
    for case in cases:
        record: dict[str, Any] = {key: case[name] for key, name in CASE_VALUES.items()}
        if record["cas_IdentificationDate"] is not None:
            record["cas_IdentificationDate"] = record["cas_IdentificationDate"].isoformat()
        countries = case["exploitation_countries"] or []
        record |= {
            "prs_Gender": case["person__gender"],
            "prs_Citizenship": case["person__citizenship"],
            "hte_Country": countries[0] if countries else "",
            "age_at_identification": case["age_at_identification"],
            "age_at_exploitation": case["age_at_exploitation"],
        }
        values = derive.case_analytic(record, case["analytic"], rules)
        row = {d.key: _value(d, values, regions) for d in CATALOGUE}
        organisation = str(case["organisation_id"])
        row["organisation"] = organisation
        row["organisation_type"] = types.get(organisation)
        yield row


def _value(dimension: Dimension, values: Mapping[str, Any], regions: Mapping[str, Any]) -> Any:
    if not dimension.variable:
        return None
    value = values.get(dimension.variable)
    if dimension.kind == "list":
        return list_value(_codes(value), dimension.variable)
    if dimension.kind == "flag":
        codes = {c for c in _codes(value) if c not in UNKNOWN}
        return (YES if dimension.code in codes else NO) if codes else None
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    if dimension.values == "yes_no":
        return YES if value in (True, "TRUE", "true", "1", "1.0", 1) else NO
    if dimension.values == "year":
        try:
            return str(int(float(value)))
        except (TypeError, ValueError):
            return None  # not a year: the case has no year of registration
    text = str(value)
    if text in UNKNOWN:
        return None
    if dimension.values == "region":
        region = regions.get(text.upper())
        return str(region) if region else None
    return text


def _codes(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]
