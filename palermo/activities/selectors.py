"""Reading activities: who sees which, and the filters every door (pages, API, exports) shares."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from palermo.accounts import access
from palermo.activities.data import EXPLOITATION, PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import (
    MAX_AMOUNT,
    Activity,
    ActivityCode,
    ActivityCountry,
    Classification,
    FundingLink,
    Participation,
    Status,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User


def visible(user: User | AnonymousUser) -> QuerySet[Activity]:
    """Public activities for everyone; "members only" ones for signed-in members too."""
    found = Activity.objects.select_related("owner")
    if access.sees_member_activities(user):
        return found
    return found.filter(is_public=True)


def with_details(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """What pages, exports and the API show of each activity, in a fixed number of queries."""
    return queryset.prefetch_related(
        Prefetch("countries", queryset=ActivityCountry.objects.select_related("country")),
        "places",
        "codes",
        "participants",
        "indicators",
        "documents",
        "contacts",
    )


@dataclass
class Filters:
    """A search: every field optional; a malformed value is ignored (and reported by forms)."""

    q: str = ""
    country: str = ""
    organisation: str = ""
    pillar: str = ""
    theme: str = ""
    target_group: str = ""
    exploitation: str = ""
    status: str = ""
    active_from: date | None = None
    active_to: date | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    trafficking_only: bool = False

    @classmethod
    def from_query(cls, raw: dict[str, str]) -> Filters:
        found = cls()
        for item in fields(cls):
            value = (raw.get(item.name) or "").replace("\x00", "").strip()
            if not value:
                continue
            if item.name in ("active_from", "active_to"):
                try:
                    setattr(found, item.name, date.fromisoformat(value))
                except ValueError:
                    continue
            elif item.name in ("budget_min", "budget_max"):
                try:
                    amount = Decimal(value)
                except InvalidOperation:
                    continue
                if amount.is_finite() and abs(amount) < MAX_AMOUNT:
                    setattr(found, item.name, amount)
            elif item.name == "trafficking_only":
                found.trafficking_only = value.lower() in ("1", "on", "true", "yes")
            else:
                setattr(found, item.name, value[:200])
        return found

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links to the next page, exports and maps)."""
        found = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value not in (None, "", False):
                found[item.name] = "1" if value is True else str(value)
        return found


def _has_code(kind: str, code: str) -> Exists:
    return Exists(ActivityCode.objects.filter(activity=OuterRef("pk"), kind=kind, code=code))


def search(queryset: QuerySet[Activity], filters: Filters) -> QuerySet[Activity]:
    found = queryset
    if filters.q:
        for word in filters.q.lower().split()[:10]:
            found = found.filter(Q(search_text__contains=word) | Q(identifier__iexact=word))
    if filters.country:
        found = found.filter(
            Exists(
                ActivityCountry.objects.filter(
                    activity=OuterRef("pk"), country_id=filters.country.upper()
                )
            )
        )
    if filters.organisation:
        key = filters.organisation
        found = found.filter(
            Q(owner__acronym__iexact=key)
            | Q(reporting_org_ref__iexact=key)
            | Exists(
                Participation.objects.filter(activity=OuterRef("pk")).filter(
                    Q(ref__iexact=key) | Q(name__iexact=key)
                )
            )
        )
    for kind, code in (
        (PILLAR, filters.pillar),
        (THEME, filters.theme),
        (TARGET_GROUP, filters.target_group),
        (EXPLOITATION, filters.exploitation),
    ):
        if code:
            found = found.filter(_has_code(kind, code))
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.active_from:
        found = found.filter(Q(end__isnull=True) | Q(end__gte=filters.active_from))
    if filters.active_to:
        found = found.filter(Q(start__isnull=True) | Q(start__lte=filters.active_to))
    if filters.budget_min is not None:
        found = found.filter(budget__gte=filters.budget_min)
    if filters.budget_max is not None:
        found = found.filter(budget__lte=filters.budget_max)
    if filters.trafficking_only:
        found = found.exclude(classification=Classification.NONE)
    return found


def funding_chain(
    user: User | AnonymousUser, activity: Activity
) -> tuple[list[tuple[FundingLink, Activity | None]], list[tuple[FundingLink, Activity | None]]]:
    """Who funds ``activity`` and whom it funds, as far as ``user`` may see: a link counts only
    when an activity the user sees states it, and the other end is given (to link to) only
    when the user sees it too; otherwise only the identifier the visible side stated shows."""
    seen = visible(user)
    links = FundingLink.objects.filter(stated_by__in=seen.values("pk"))
    funders = list(links.filter(recipient=activity.identifier).order_by("provider"))
    funded = list(links.filter(provider=activity.identifier).order_by("recipient"))
    ends = {link.provider for link in funders} | {link.recipient for link in funded}
    others = {a.identifier: a for a in seen.filter(identifier__in=ends)}
    return (
        [(link, others.get(link.provider)) for link in funders],
        [(link, others.get(link.recipient)) for link in funded],
    )


def by_country(queryset: QuerySet[Activity]) -> dict[str, int]:
    """Activities per recipient country (ISO alpha-2), for maps."""
    rows = (
        ActivityCountry.objects.filter(activity__in=queryset.values("pk"))
        .values("country_id")
        .annotate(n=Count("activity", distinct=True))
    )
    return {row["country_id"]: row["n"] for row in rows}


ONGOING = (Status.PIPELINE, Status.IMPLEMENTATION, Status.FINALISATION)
