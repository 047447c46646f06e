from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from palermo.audit.context import current_ip


def _normalised(address: str | None) -> str | None:
    """The canonical text of an address, as PostgreSQL's inet returns it (so hashes verify)."""
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class AuditContextMiddleware:
    """Remember the client address for the audit events that this request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(_normalised(request.META.get("REMOTE_ADDR")))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
