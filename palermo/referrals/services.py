"""Writing the service directory: each write checks who may make it, runs in one transaction
and is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.accounts.models import Organisation, User
from palermo.audit.services import record
from palermo.geo.models import Country
from palermo.referrals import vocabulary
from palermo.referrals.models import Service, ServiceArea

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text or "").strip()


@dataclass
class ServiceData:
    name: str
    service_type: str
    # (country ISO alpha-2, place or "" for the whole country)
    areas: list[tuple[str, str]]
    description: str = ""
    languages: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    sex: str = "any"
    nationality: str = "any"
    capacity: int | None = None
    availability: str = "open"
    contact: str = ""
    hours: str = ""
    is_public: bool = True
    is_active: bool = True


def check(data: ServiceData) -> None:
    errors: dict[str, list[str]] = {}
    if not _clean(data.name):
        errors["name"] = [_("Name the service.")]
    if data.service_type not in vocabulary.service_types("en"):
        errors["service_type"] = [_("Choose a type of service.")]
    if not data.areas:
        errors["countries"] = [_("Say in which countries the service is offered.")]
    known = set(
        Country.objects.filter(iso2__in=[c for c, _p in data.areas]).values_list("iso2", flat=True)
    )
    unknown = sorted({c for c, _p in data.areas} - known)
    if unknown:
        errors["countries"] = [_("Unknown country: %s.") % ", ".join(unknown)[:50]]
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        errors["max_age"] = [_("The upper age is below the lower one.")]
    for age in (data.min_age, data.max_age):
        if age is not None and not 0 <= age <= 120:
            errors["min_age"] = [_("Give ages between 0 and 120.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_service(
    *, actor: User, organisation: Organisation, data: ServiceData, service: Service | None = None
) -> Service:
    """Create or change a service of ``organisation`` (its supervisors, data managers and
    administrators)."""
    owner = service.organisation if service is not None else organisation
    if not access.can_manage_service(actor, owner):
        raise PermissionDenied(_("You cannot keep this organisation's services."))
    check(data)
    created = service is None
    if service is None:
        service = Service(organisation=owner, created_by=actor)
    service.name = _clean(data.name)[:200]
    service.service_type = data.service_type
    service.description = _clean(data.description)[:10_000]
    service.languages = [_clean(lang)[:40] for lang in data.languages if _clean(lang)][:20]
    service.min_age, service.max_age = data.min_age, data.max_age
    service.sex, service.nationality = data.sex, data.nationality
    service.capacity, service.availability = data.capacity, data.availability
    service.contact = _clean(data.contact)[:2000]
    service.hours = _clean(data.hours)[:200]
    service.is_public, service.is_active = data.is_public, data.is_active
    service.full_clean()
    service.save()
    service.areas.all().delete()
    ServiceArea.objects.bulk_create(
        [
            ServiceArea(service=service, country_id=country, place=_clean(place)[:200])
            for country, place in dict.fromkeys(data.areas)
        ]
    )
    record(
        action="referrals.service_created" if created else "referrals.service_changed",
        actor=actor,
        organisation=owner,
        target=service,
    )
    return service


@transaction.atomic
def delete_service(*, actor: User, service: Service) -> None:
    if not access.can_manage_service(actor, service.organisation):
        raise PermissionDenied(_("You cannot keep this organisation's services."))
    record(
        action="referrals.service_deleted",
        actor=actor,
        organisation=service.organisation,
        target=service,
        detail={"name": service.name},
    )
    service.delete()
