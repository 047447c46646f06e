from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from palermo.accounts import access
from palermo.accounts.authentication import token_of


class IsVerifiedWhenRequired(BasePermission):
    """Session users who need two-factor authentication must have passed it.

    A token carries the verification of the session that created it; a token created without
    it is refused once its owner needs two-factor (for example after a change of role).
    """

    message = _("Two-factor authentication is required: verify your device in the browser first.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user.is_authenticated:
            return True
        token = token_of(request)
        if token is not None:
            if token.two_factor_verified or not access.requires_otp(user):
                return True
            self.message = _(
                "This token was created without two-factor authentication, which your role now "
                "requires. Verify your device in the browser and create a new token."
            )
            return False
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
