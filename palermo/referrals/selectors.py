"""Reading the service directory: who sees which service, and finding one by need, place and
the person's profile."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from palermo.accounts import access
from palermo.cases import services as case_services
from palermo.cases import sharing
from palermo.cases.access import shared_access, visible_cases
from palermo.cases.models import ConsentPurpose
from palermo.referrals import access as referral_access
from palermo.referrals.models import (
    OPEN_STATUSES,
    Availability,
    NationalityStatus,
    Referral,
    ReferralStatus,
    Service,
    ServiceArea,
    Sex,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User


def visible_services(user: User | AnonymousUser) -> QuerySet[Service]:
    """Public, active services for everyone; members-only ones for signed-in members; an
    organisation's own inactive ones for those who keep them."""
    rule = Q(is_public=True, is_active=True)
    if access.sees_member_activities(user):
        rule |= Q(is_active=True)
    keepers = access.service_keepers(user)
    if keepers:
        rule |= Q(organisation__in=keepers)
    return Service.objects.filter(rule).select_related("organisation")


def with_areas(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.prefetch_related(
        Prefetch("areas", queryset=ServiceArea.objects.select_related("country"))
    )


@dataclass
class Need:
    """What a person needs and who they are; every field optional. Malformed values are
    ignored."""

    service_type: str = ""
    country: str = ""
    place: str = ""
    age: int | None = None
    sex: str = ""
    nationality: str = ""  # "nationals", "foreign" or "asylum"
    q: str = ""
    available_only: bool = False

    @classmethod
    def from_query(cls, params: dict[str, Any]) -> Need:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = str(params.get(f.name) or "").replace("\x00", "").strip()[:200]
            if not raw:
                continue
            if f.name == "age":
                if raw.isascii() and raw.isdigit() and int(raw) <= 120:
                    values["age"] = int(raw)
            elif f.name == "available_only":
                values["available_only"] = raw in ("1", "on", "true")
            elif f.name == "sex":
                if raw in (Sex.FEMALE, Sex.MALE):
                    values["sex"] = raw
            elif f.name == "nationality":
                if raw in (
                    NationalityStatus.NATIONALS,
                    NationalityStatus.FOREIGN,
                    NationalityStatus.ASYLUM,
                ):
                    values["nationality"] = raw
            else:
                values[f.name] = raw
        return cls(**values)


def find_services(services: QuerySet[Service], need: Need) -> QuerySet[Service]:
    """The services that meet a need in a place for a person of that profile. A service for a
    whole country serves every place in it."""
    if need.service_type:
        services = services.filter(service_type=need.service_type)
    if need.country:
        area = ServiceArea.objects.filter(service=OuterRef("pk"), country_id=need.country.upper())
        if need.place:
            area = area.filter(Q(place="") | Q(place__iexact=need.place))
        services = services.filter(Exists(area))
    if need.age is not None:
        services = services.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=need.age),
            Q(max_age__isnull=True) | Q(max_age__gte=need.age),
        )
    if need.sex:
        services = services.filter(sex__in=[Sex.ANY, need.sex])
    if need.nationality:
        accepted = [NationalityStatus.ANY, need.nationality]
        if need.nationality == NationalityStatus.ASYLUM:
            accepted.append(NationalityStatus.FOREIGN)
        services = services.filter(nationality__in=accepted)
    if need.available_only:
        services = services.filter(availability__in=[Availability.OPEN, Availability.LIMITED])
    if need.q:
        services = services.filter(
            Q(name__icontains=need.q)
            | Q(description__icontains=need.q)
            | Q(organisation__name__icontains=need.q)
            | Q(organisation__acronym__iexact=need.q)
        )
    return services.order_by("name", "pk")


# -- Referrals ----------------------------------------------------------------------------


def referrals_for(user: User | AnonymousUser) -> QuerySet[Referral]:
    """Referrals the user's organisations sent (to those who read the organisation's cases:
    the referral names a case reference) or received (to their case workers)."""
    receiving = [o.pk for o in access.organisations_where(user, access.Action.VIEW_CASES)]
    return Referral.objects.filter(
        # Sent: by the cases the user sees (a referral names its case), of the user's own
        # organisations (a whole-case grant to a third organisation shows it the case, not the
        # referrals and their answers).
        Q(
            case__in=visible_cases(user).values("pk"),
            from_organisation_id__in=referral_access.sending_organisations(user),
        )
        | Q(to_organisation_id__in=receiving)
    ).select_related("from_organisation", "to_organisation", "case", "service", "grant", "peer")


def shared_for(user: User | AnonymousUser, referral: Referral) -> dict[str, Any] | None:
    """What the receiving organisation's reader sees of the person: the shared fields, while
    the referral waits for an answer (to decide) or through the grant once accepted, and only
    while consent to referral lasts. ``None`` for anyone else, and after a decline or a
    withdrawal of consent. A referral from another installation carries its values (dropped
    when that installation withdraws it)."""
    target = referral.to_organisation
    if target is None or not access.can(user, access.Action.VIEW_CASES, target):
        return None
    if referral.status in OPEN_STATUSES:
        # Before an answer: those who answer for the organisation.
        if not access.can(user, access.Action.CHANGE_CASES, target):
            return None
    elif referral.linked_case_id is None or not (
        visible_cases(user).filter(pk=referral.linked_case_id).exists()
    ):
        # After: those who see the organisation's own case for the person.
        return None
    identifiers = referral.include_identifiers and access.can(
        user, access.Action.VIEW_IDENTIFIERS, target
    )
    readable = [
        name for name in referral.fields if identifiers or not sharing.SHAREABLE[name].identifier
    ]
    live = (*OPEN_STATUSES, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
    case = referral.case
    if case is None:
        if referral.status not in live:
            return None
        values = referral.shared or {}
        return {name: values[name] for name in readable if name in values} or None
    if referral.status in OPEN_STATUSES:
        if not case_services.consents_to(case, ConsentPurpose.REFERRAL):
            return None
        # What consent allows now (it may have been narrowed since the referral was sent).
        return sharing.shared_values(case, sharing.referable(case, readable))
    if referral.status in live:
        # The grant (one per case and organisation) may also carry other referrals' fields:
        # this page shows this referral's, as far as the grant still allows them.
        shared = shared_access(user, case)
        if shared is None:
            return None
        return sharing.shared_values(case, [f for f in readable if f in shared.fields])
    return None
