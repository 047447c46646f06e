"""What of a case may be shared with another organisation (a referral), field by field: the
minimum necessary is chosen from this list, and a limited grant shows these fields and nothing
else. Identifiers are shared only when the person's consent to referral covers them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from palermo.cases.models import Case


@dataclass(frozen=True)
class Shareable:
    label: str | Promise
    read: Callable[[Case], Any]
    identifier: bool = False


def _safeguard(case: Case, name: str) -> Any:
    safeguards = getattr(case, "safeguards", None) if case.is_minor else None
    return getattr(safeguards, name, None) if safeguards is not None else None


SHAREABLE: dict[str, Shareable] = {
    "gender": Shareable(_("Gender"), lambda c: c.person.gender),
    "age": Shareable(_("Age at identification"), lambda c: c.age_at_identification),
    "citizenship": Shareable(_("Citizenship"), lambda c: list(c.person.citizenship)),
    "case_type": Shareable(_("Case type"), lambda c: c.get_case_type_display()),
    "identified_on": Shareable(_("Identification date"), lambda c: c.identified_on),
    "identification_country": Shareable(
        _("Country of identification"), lambda c: c.identification_country_id
    ),
    "exploitation": Shareable(_("Forms of exploitation"), lambda c: list(c.exploitation)),
    "country_of_origin": Shareable(_("Country of origin"), lambda c: c.country_of_origin),
    "exploitation_countries": Shareable(
        _("Countries of exploitation"), lambda c: list(c.exploitation_countries)
    ),
    "child_safeguards": Shareable(
        _("Child safeguards (guardian appointed, best-interests determination)"),
        lambda c: (
            {
                "guardian_appointed_on": _safeguard(c, "guardian_appointed_on"),
                "determination_done_on": _safeguard(c, "determination_done_on"),
            }
            if c.is_minor
            else None
        ),
    ),
    "name": Shareable(
        _("Name"),
        lambda c: " ".join(p for p in (c.person.given_name, c.person.family_name) if p),
        identifier=True,
    ),
    "aliases": Shareable(_("Aliases"), lambda c: list(c.person.aliases or []), identifier=True),
    "birth_date": Shareable(_("Date of birth"), lambda c: c.person.birth_date, identifier=True),
    "phone": Shareable(_("Telephone"), lambda c: c.person.phone, identifier=True),
    "documents": Shareable(
        _("Identity documents"), lambda c: list(c.person.documents or []), identifier=True
    ),
}


def identifier_fields() -> list[str]:
    return [name for name, field in SHAREABLE.items() if field.identifier]


def referable(case: Case, fields: list[str] | tuple[str, ...]) -> list[str]:
    """The fields that may go to another organisation now: identifiers only while the
    person's consent to referral covers them (it may have been narrowed since)."""
    from palermo.cases.services import consents_to_identifiers

    identifiers = consents_to_identifiers(case)
    return [f for f in fields if f in SHAREABLE and (identifiers or not SHAREABLE[f].identifier)]


def shared_values(case: Case, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The values of ``fields`` (in the registry's order), as plain JSON-ready values."""
    found: dict[str, Any] = {}
    for name, field in SHAREABLE.items():
        if name in fields:
            value = field.read(case)
            found[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return found


def display(value: Any) -> str:
    """A shared value as a line of text for a page."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{display(v)}" for v in value.values() if v not in (None, "")) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(display(v) for v in value)
    return str(value)


_ISO2 = re.compile(r"[A-Z]{2}")
_CODE = re.compile(r"[A-Za-z0-9_.+\-]{1,80}")


def _text(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit


def _date(v: Any) -> bool:
    if not isinstance(v, str) or not v:
        return v in ("", None)
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _strings(pattern: re.Pattern[str], most: int = 20) -> Callable[[Any], bool]:
    return lambda v: (
        isinstance(v, list)
        and len(v) <= most
        and all(isinstance(x, str) and pattern.fullmatch(x) for x in v)
    )


# What a shared value from another installation may be, field by field (checked on receipt).
VALID: dict[str, Callable[[Any], bool]] = {
    "gender": _text(40),
    "age": lambda v: (
        v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120)
    ),
    "citizenship": _strings(_ISO2),
    "case_type": _text(100),
    "identified_on": _date,
    "identification_country": lambda v: (
        v in (None, "") or (isinstance(v, str) and bool(_ISO2.fullmatch(v)))
    ),
    "exploitation": _strings(_CODE),
    "country_of_origin": lambda v: (
        v in (None, "") or (isinstance(v, str) and bool(_ISO2.fullmatch(v)))
    ),
    "exploitation_countries": _strings(_ISO2, 50),
    "child_safeguards": lambda v: (
        v is None
        or (
            isinstance(v, dict)
            and set(v) <= {"guardian_appointed_on", "determination_done_on"}
            and all(_date(x) for x in v.values())
        )
    ),
    "name": _text(200),
    "aliases": lambda v: isinstance(v, list) and len(v) <= 20 and all(_text(200)(x) for x in v),
    "birth_date": _date,
    "phone": _text(60),
    "documents": lambda v: (
        isinstance(v, list)
        and len(v) <= 10
        and all(
            isinstance(d, dict)
            and set(d) <= {"type", "number"}
            and all(isinstance(x, str) and len(x) <= 100 for x in d.values())
            for d in v
        )
    ),
}


def valid(name: str, value: Any) -> bool:
    check = VALID.get(name)
    return check is not None and check(value)
