from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from palermo.accounts import access
from palermo.accounts.authentication import token_of


class IsVerifiedWhenRequired(BasePermission):
    """Session users who need two-factor authentication must have passed it.

    Tokens can only be created from a verified session, so a token carries that verification.
    """

    message = _("Two-factor authentication is required: verify your device in the browser first.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user.is_authenticated or token_of(request) is not None:
            return True
        verified = getattr(user, "is_verified", lambda: False)()
        return bool(verified) or not access.requires_otp(user)


class IsPlatformAdminForWrites(BasePermission):
    message = _("Only administrators of the hosting organisation can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        if getattr(view, "action", None) == "create":
            return access.is_platform_admin(request.user)
        return True
