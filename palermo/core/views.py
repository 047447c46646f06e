"""Home page and the error pages. Error pages never show a stack trace."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from palermo.accounts import access

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    memberships = access.memberships_of(request.user)
    return render(request, "core/home.html", {"memberships": memberships})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"error": {"status": status, "code": code, "message": message, "fields": {}}},
            status=status,
        )
    return render(request, f"{status}.html", {"status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("You do not have permission to do this."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return _error(request, 500, "server_error", _("Something went wrong on our side."))
    try:
        return render(request, "500.html", {"status": 500}, status=500)
    except Exception:  # a broken template or context must still give a plain page
        logger.exception("Rendering the 500 page failed")
        return HttpResponse(loader.get_template("500_plain.html").render(), status=500)
