from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from palermo.accounts import access
from palermo.audit.models import AuditEvent


def events_visible_to(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[AuditEvent]:
    """Events of the organisations whose audit the user may read (all of them for superusers).

    Events without an organisation (logins, tokens) are shown only to superusers.
    """
    scope = access.audit_scope(user)
    qs = AuditEvent.objects.select_related("actor", "organisation")
    if scope is not None:
        qs = qs.filter(organisation__in=scope)
    filters = filters or {}
    if filters.get("action"):
        qs = qs.filter(action__startswith=filters["action"])
    if filters.get("organisation"):
        qs = qs.filter(organisation=filters["organisation"])
    return qs.order_by("-seq")
