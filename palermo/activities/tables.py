"""3W/4W tables (who does what where, and when): HXL-tagged CSV or XLSX, the format humanitarian
coordinators keep. Reading finds columns by their HXL hashtags, not by their headers, so any
coordinator's table with the usual tags imports; writing produces the same layout.

A table has one row per activity and place (or country). Rows with the same activity code are
one activity; a table without activity codes gets a stable one from the organisation, the
title and the country, so that importing it again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import hxl
import pycountry
from django.utils.translation import gettext as _

from palermo.activities.data import (
    EXPLOITATION,
    PILLAR,
    TARGET_GROUP,
    THEME,
    ActivityData,
    ParticipantData,
    PlaceData,
)
from palermo.activities.iati import Parsed, Problem
from palermo.activities.models import Role, Status
from palermo.activities.vocabulary import classify, names
from palermo.geo.models import Country
from palermo.ingest import readers
from palermo.standard.models import LABEL_LANGUAGES


class TableError(Exception):
    """The file cannot be read as a 3W/4W table; the message says why."""


# Our layout: (header, HXL hashtag, field). Reading accepts these tags and the variants below.
COLUMNS: list[tuple[str, str, str]] = [
    ("Activity code", "#activity+code", "identifier"),
    ("Activity", "#activity+name", "title"),
    ("Description", "#activity+description", "description"),
    ("Reporting organisation", "#org+reporting+name", "reporting_name"),
    ("Reporting organisation code", "#org+reporting+code", "reporting_ref"),
    ("Implementing organisations", "#org+impl+name", "implementing"),
    ("Funding organisations", "#org+funder+name", "funding"),
    ("Country code", "#country+code", "country"),
    ("Country", "#country+name", "country_name"),
    ("Place", "#loc+name", "place"),
    ("Latitude", "#geo+lat", "latitude"),
    ("Longitude", "#geo+lon", "longitude"),
    ("Status", "#status", "status"),
    ("Start", "#date+start", "start"),
    ("End", "#date+end", "end"),
    ("Pillars", "#sector+pillar+code", "pillars"),
    ("Themes", "#sector+theme+code", "themes"),
    ("Target groups", "#beneficiary+type+code", "groups"),
    ("Forms of exploitation", "#impact+exploitation+code", "forms"),
    ("Budget", "#value+budget", "budget"),
    ("Currency", "#currency", "currency"),
]
# Other tags coordinators use for the same fields: (tag, attributes it must have) -> field.
VARIANTS: list[tuple[str, frozenset[str], str]] = [
    ("#activity", frozenset({"id"}), "identifier"),
    ("#meta", frozenset({"id"}), "identifier"),
    ("#activity", frozenset({"description"}), "description"),
    ("#description", frozenset(), "description"),
    ("#activity", frozenset(), "title"),
    ("#org", frozenset({"funder"}), "funding"),
    ("#org", frozenset({"donor"}), "funding"),
    ("#org", frozenset({"reporting"}), "reporting_name"),
    ("#org", frozenset({"impl"}), "implementing"),
    ("#org", frozenset(), "implementing"),
    ("#adm2", frozenset({"name"}), "place"),
    ("#adm1", frozenset({"name"}), "place"),
    ("#loc", frozenset(), "place"),
    ("#country", frozenset({"code"}), "country"),
    ("#country", frozenset(), "country_name"),
    ("#sector", frozenset({"pillar"}), "pillars"),
    ("#sector", frozenset(), "themes"),
    ("#subsector", frozenset(), "themes"),
    ("#beneficiary", frozenset(), "groups"),
    ("#targeted", frozenset({"type"}), "groups"),
    ("#impact", frozenset(), "forms"),
    ("#value", frozenset(), "budget"),
    ("#date", frozenset({"start"}), "start"),
    ("#date", frozenset({"end"}), "end"),
]
_STATUS_WORDS = {
    Status.PIPELINE: ("pipeline", "planned", "planning", "identification", "prévu", "previsto"),
    Status.IMPLEMENTATION: ("ongoing", "active", "implementation", "in progress", "en cours"),
    Status.FINALISATION: ("finalisation", "finalization", "closing"),
    Status.CLOSED: ("closed", "completed", "complete", "finished", "terminé", "terminado"),
    Status.CANCELLED: ("cancelled", "canceled", "annulé", "cancelado"),
    Status.SUSPENDED: ("suspended", "suspendu", "suspendido"),
}
SPLIT = re.compile(r"\s*[|;,]\s*")
# What the export writes for a status: a word every reader of the table understands (not the
# interface's translated label), and that the import reads back.
STATUS_WORDS = {status: words[0] for status, words in _STATUS_WORDS.items()}


def _field_of(spec: str) -> str | None:
    column = hxl.model.Column.parse(spec)
    if not column or not column.tag:
        return None
    attributes = set(column.attributes)
    for _header, tag, name in COLUMNS:
        ours = hxl.model.Column.parse(tag)
        if ours.tag == column.tag and set(ours.attributes) <= attributes:
            return name
    for tag, required, name in VARIANTS:
        if tag == column.tag and required <= attributes:
            if tag == "#org" and "code" in attributes:
                return None
            return name
    return None


def read(path: Path, file_name: str) -> Iterator[Parsed]:
    """The activities of a 3W/4W file. Raises :class:`TableError` for a file that is not a
    table or has no HXL hashtags."""
    try:
        tables = readers.open_tables(path, file_name)
    except readers.ReadError as exc:
        raise TableError(str(exc)) from None
    tagged = [table for table in tables if table.hxl_tags]
    if not tagged:
        raise TableError(
            _(
                "No HXL hashtags found. A 3W/4W table needs a row of hashtags (such as "
                "#org+impl, #activity+name, #country+code, #date+start) under its header."
            )
        )
    found: dict[str, ActivityData] = {}
    problems: dict[str, list[Problem]] = {}
    lines: dict[str, int] = {}
    rejected: list[Parsed] = []
    context = _Context()
    for table in tagged:
        fields = {col: name for col, spec in table.hxl_tags.items() if (name := _field_of(spec))}
        if "title" not in fields.values():
            raise TableError(
                _("The sheet %(sheet)s has no activity column (#activity+name).")
                % {"sheet": table.name}
            )
        try:
            for number, row in enumerate(table.rows, start=3):
                values: dict[str, str] = {}
                for column, name in fields.items():
                    cell = row.get(column, "").strip()
                    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@"):
                        cell = cell[1:]  # a cell our export neutralised for spreadsheets
                    if cell:
                        values.setdefault(name, cell)
                where = _("%(sheet)s, row %(row)d") % {"sheet": table.name, "row": number}
                row_problems: list[Problem] = []
                data = _row(values, where, row_problems, context)
                if data is None:
                    rejected.append(Parsed(None, number, row_problems))
                    continue
                known = found.get(data.identifier)
                if known is None:
                    found[data.identifier] = data
                    problems[data.identifier] = row_problems
                    lines[data.identifier] = number
                else:
                    _merge(known, data)
                    problems[data.identifier] += row_problems
        except readers.ReadError as exc:
            raise TableError(str(exc)) from None
    yield from rejected
    for identifier, data in found.items():
        classify(data)
        yield Parsed(data, lines[identifier], problems[identifier])


class _Context:
    """Look-ups built once per file: country codes and names, code names in every language."""

    def __init__(self) -> None:
        self.iso2 = {c.iso2: c.iso2 for c in Country.objects.all()}
        self.iso3 = {c.iso3: c.iso2 for c in Country.objects.all()}
        self.country_names: dict[str, str] = {}
        for country in Country.objects.all():
            for lang in LABEL_LANGUAGES:
                name = country.name_in(lang)
                if name:
                    self.country_names[name.lower()] = country.iso2
        self.codes: dict[str, dict[str, str]] = {}
        for kind in (PILLAR, THEME, TARGET_GROUP, EXPLOITATION):
            lookup: dict[str, str] = {}
            for lang in LABEL_LANGUAGES:
                for code, label in names(kind, lang).items():
                    lookup[label.lower()] = code
                    lookup[code.lower()] = code
            self.codes[kind] = lookup


def _row(
    values: dict[str, str], where: str, problems: list[Problem], ctx: _Context
) -> ActivityData | None:
    title = values.get("title", "")
    if not title:
        problems.append(Problem(where, _("The row has no activity name; it is left out.")))
        return None
    implementing = SPLIT.split(values["implementing"]) if values.get("implementing") else []
    reporting = values.get("reporting_name") or (implementing[0] if implementing else "")
    if not reporting:
        problems.append(Problem(where, _("The row names no organisation; it is left out.")))
        return None
    country = _country(values, where, problems, ctx)
    if country is None:
        return None
    reporting_ref = values.get("reporting_ref") or _slug(reporting)
    identifier = values.get("identifier") or (
        f"{reporting_ref}-3W-"
        + hashlib.sha256(f"{reporting}|{title}|{country}".lower().encode()).hexdigest()[:10]
    )
    data = ActivityData(
        identifier=identifier[:200],
        reporting_org_ref=reporting_ref[:100],
        reporting_org_name=reporting[:300],
        title={"en": title[:1000]},
        status=_status(values.get("status", ""), where, problems),
        description={"en": values["description"]} if values.get("description") else {},
    )
    if country:
        data.countries[country] = None
    data.planned_start = _date(values.get("start", ""), where, problems)
    data.planned_end = _date(values.get("end", ""), where, problems)
    for name in implementing:
        data.participants.append(ParticipantData(Role.IMPLEMENTING, name[:300]))
    for name in SPLIT.split(values.get("funding", "")):
        if name:
            data.participants.append(ParticipantData(Role.FUNDING, name[:300]))
    if values.get("place"):
        place = PlaceData(name=values["place"][:300], country=country or "")
        place.latitude = _float(values.get("latitude", ""), -90, 90)
        place.longitude = _float(values.get("longitude", ""), -180, 180)
        data.places.append(place)
    for field, kind in (
        ("pillars", PILLAR),
        ("themes", THEME),
        ("groups", TARGET_GROUP),
        ("forms", EXPLOITATION),
    ):
        for value in SPLIT.split(values.get(field, "")):
            if not value:
                continue
            code = ctx.codes[kind].get(value.lower())
            if code is None and kind == THEME:
                code = ctx.codes[PILLAR].get(value.lower())
                kind_found = PILLAR if code else kind
            else:
                kind_found = kind
            if code is None:
                problems.append(
                    Problem(
                        where,
                        _("%(value)r is not a known code; it is left out.") % {"value": value},
                    )
                )
                continue
            data.add_code(kind_found, code)
    budget = values.get("budget", "")
    if budget:
        try:
            amount = Decimal(budget.replace(",", "").replace(" ", ""))
        except InvalidOperation:
            amount = None
        if amount is not None and amount.is_finite():
            data.budget = amount
            data.currency = (values.get("currency") or "USD").upper()[:3]
        else:
            problems.append(Problem(where, _("%(value)r is not an amount.") % {"value": budget}))
    return data


def _country(
    values: dict[str, str], where: str, problems: list[Problem], ctx: _Context
) -> str | None:
    """The row's ISO alpha-2 code, "" for none given, None for one that is not a country. A
    code column holding a name (coordinators mix them) is read as a name."""
    given = values.get("country", "").strip() or values.get("country_name", "").strip()
    if not given:
        return ""
    code = ctx.iso2.get(given.upper()) or ctx.iso3.get(given.upper())
    code = code or ctx.country_names.get(given.lower())
    if code is None and len(given) > 3:
        try:
            code = pycountry.countries.search_fuzzy(given)[0].alpha_2
        except LookupError:
            code = None
    if code is None or code not in ctx.iso2:
        problems.append(
            Problem(
                where,
                _("%(value)r is not a country; the row is left out.") % {"value": given},
            )
        )
        return None
    return code


def _status(raw: str, where: str, problems: list[Problem]) -> str:
    value = raw.strip().lower()
    if not value:
        return Status.IMPLEMENTATION
    if value in Status.values:
        return value
    for status, words in _STATUS_WORDS.items():
        if value in words:
            return status
    problems.append(
        Problem(where, _("Unknown status %(value)r: read as implementation.") % {"value": raw})
    )
    return Status.IMPLEMENTATION


def _date(raw: str, where: str, problems: list[Problem]) -> date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    day_first = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if day_first:
        try:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        except ValueError:
            pass
    problems.append(
        Problem(
            where, _("%(value)r is not a date (YYYY-MM-DD); it is left empty.") % {"value": raw}
        )
    )
    return None


def _float(raw: str, low: float, high: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").upper()[:40] or "ORG"


def _merge(into: ActivityData, other: ActivityData) -> None:
    into.countries.update(other.countries)
    into.places += [p for p in other.places if p.name not in {q.name for q in into.places}]
    for kind, codes in other.codes.items():
        for code in codes:
            into.add_code(kind, code)
    seen = {(p.role, p.name) for p in into.participants}
    into.participants += [p for p in other.participants if (p.role, p.name) not in seen]
    into.planned_start = min(filter(None, [into.planned_start, other.planned_start]), default=None)
    into.planned_end = max(filter(None, [into.planned_end, other.planned_end]), default=None)


# Writing -------------------------------------------------------------------------------------


def rows(activities: Iterable[Any]) -> Iterator[list[str]]:
    """The table's rows after its header and hashtag rows: one per activity and place (or
    country, or one when it has neither)."""
    for activity in activities:
        codes: dict[str, list[str]] = {}
        for row in activity.codes.all():
            codes.setdefault(row.kind, []).append(row.code)
        participants = list(activity.participants.all())
        common = {
            "identifier": activity.identifier,
            "title": next(iter(activity.title.values()), ""),
            "description": next(iter(activity.description.values()), ""),
            "reporting_name": activity.reporting_org_name,
            "reporting_ref": activity.reporting_org_ref,
            "implementing": " | ".join(p.name for p in participants if p.role == Role.IMPLEMENTING),
            "funding": " | ".join(p.name for p in participants if p.role == Role.FUNDING),
            "status": STATUS_WORDS[activity.status],
            "start": activity.start.isoformat() if activity.start else "",
            "end": activity.end.isoformat() if activity.end else "",
            "pillars": " | ".join(sorted(codes.get(PILLAR, []))),
            "themes": " | ".join(sorted(codes.get(THEME, []))),
            "groups": " | ".join(sorted(codes.get(TARGET_GROUP, []))),
            "forms": " | ".join(sorted(codes.get(EXPLOITATION, []))),
            "budget": str(activity.budget) if activity.budget is not None else "",
            "currency": activity.currency,
        }
        countries = {c.country_id: c.country for c in activity.countries.all()}
        places = list(activity.places.all())
        lines: list[dict[str, str]] = []
        for place in places:
            country = countries.get(place.country_id or "") or (
                next(iter(countries.values())) if len(countries) == 1 else None
            )
            lines.append(
                {
                    "place": place.name,
                    "latitude": "" if place.latitude is None else str(place.latitude),
                    "longitude": "" if place.longitude is None else str(place.longitude),
                    "country": country.iso3 if country else "",
                    "country_name": country.name_in("en") if country else "",
                }
            )
        placed = {line["country"] for line in lines}
        for country in countries.values():
            if country.iso3 not in placed:
                lines.append({"country": country.iso3, "country_name": country.name_in("en")})
        for line in lines or [{}]:
            merged = {**common, **line}
            yield [readers.neutralise(merged.get(name, "")) for _h, _t, name in COLUMNS]


def write(activities: Iterable[Any], stream: IO[str]) -> None:
    writer = csv.writer(stream)
    writer.writerow([header for header, _t, _n in COLUMNS])
    writer.writerow([tag for _h, tag, _n in COLUMNS])
    for row in rows(activities):
        writer.writerow(row)
