from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from palermo.accounts import access

# Paths a signed-in user can reach before passing the second factor.
_OPEN_PREFIXES = ("/static/", "/i18n/", "/api/")


class RequireOTPMiddleware:
    """Send users who must use two-factor authentication to verify (or set up) a device first.

    The API is left to its permission class, which answers 403 in JSON instead of redirecting.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(_OPEN_PREFIXES)
            and access.requires_otp(user)
        ):
            allowed = {
                reverse("accounts:otp_verify"),
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed:
                target = (
                    "accounts:otp_verify" if access.has_otp_device(user) else "accounts:otp_setup"
                )
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)
