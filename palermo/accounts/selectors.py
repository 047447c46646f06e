from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from palermo.accounts import access
from palermo.accounts.models import ApiToken, Membership, Organisation, User


def organisations_for(user: User, filters: dict[str, Any] | None = None) -> QuerySet[Organisation]:
    """The directory of organisations: every active one; platform admins also see inactive ones."""
    qs = Organisation.objects.select_related("country")
    if not access.is_platform_admin(user):
        qs = qs.filter(is_active=True)
    filters = filters or {}
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(name__icontains=q) | Q(acronym__icontains=q))
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    if filters.get("country"):
        qs = qs.filter(country=filters["country"])
    return qs.order_by("name")


def organisation_for(user: User, organisation_id: Any) -> Organisation:
    try:
        return organisations_for(user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "organisation")
        .order_by("user__username")
    )


def managed_membership(user: User, membership_id: Any) -> Membership:
    """A membership the user administers; 404 for any other, as for a missing one."""
    membership = (
        Membership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    )
    if membership is None or not access.can_manage_members(user, membership.organisation):
        raise Http404
    return membership


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
