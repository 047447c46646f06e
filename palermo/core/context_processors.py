from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from palermo.accounts import access


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav: dict[str, bool] = {}
    if user is not None and user.is_authenticated:
        nav = {
            "audit": access.can_view_audit(user),
            "profiles": access.can_anywhere(user, access.Action.MANAGE_STANDARD),
            "cases": access.can_anywhere(user, access.Action.VIEW_CASES),
            "imports": access.can_anywhere(user, access.Action.IMPORT_EXPORT),
        }
    return {"palermo_demo": settings.PALERMO_DEMO, "nav": nav}
