"""Reading cases, always through the visibility rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from palermo.cases.access import visible_cases
from palermo.cases.models import Case, CaseCode
from palermo.cases.services import find_persons


def case_list(user: Any, filters: Mapping[str, Any]) -> QuerySet[Case]:
    """The user's visible cases, filtered; newest first."""
    qs = visible_cases(user).select_related(
        "person", "assigned_to", "identification_country", "organisation"
    )
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("exploitation"):
        # A correlated EXISTS lets the database walk the organisation's cases in list order and
        # probe each one (a join would start from every case with that code, in all
        # organisations, and sort them).
        qs = qs.filter(
            Exists(
                CaseCode.objects.filter(
                    case=OuterRef("pk"), field="exploitation", code=filters["exploitation"]
                )
            )
        )
    if filters.get("country"):
        qs = qs.filter(identification_country_id=filters["country"])
    assigned = filters.get("assigned")
    if assigned == "me":
        qs = qs.filter(assigned_to=user)
    elif assigned:
        qs = qs.filter(assigned_to_id=assigned)
    if filters.get("identified_from"):
        qs = qs.filter(identified_on__gte=filters["identified_from"])
    if filters.get("identified_to"):
        qs = qs.filter(identified_on__lte=filters["identified_to"])
    text = (filters.get("q") or "").strip()
    if text:
        org_ids = set(qs.values_list("organisation_id", flat=True).distinct())
        qs = qs.filter(Q(reference__iexact=text) | Q(person_id__in=find_persons(org_ids, text)))
    return qs.order_by("-created_at")
