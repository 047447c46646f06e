"""What of a case may be shared with another organisation (a referral), field by field: the
minimum necessary is chosen from this list, and a limited grant shows these fields and nothing
else. Identifiers are shared only when the person's consent to referral covers them."""

from __future__ import annotations

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


def shared_values(case: Case, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The values of ``fields`` (in the registry's order), as plain JSON-ready values."""
    found: dict[str, Any] = {}
    for name, field in SHAREABLE.items():
        if name in fields:
            value = field.read(case)
            found[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return found
