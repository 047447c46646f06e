"""Names of the service types (the standard's ``referral_service`` list) in the reader's
language, kept a few minutes."""

from __future__ import annotations

from django.utils.translation import get_language

from palermo.standard import selectors as standard
from palermo.standard.referral_services import REFERRAL_SERVICES


def service_types(language: str | None = None) -> dict[str, str]:
    return standard.cached_code_names(REFERRAL_SERVICES, language or get_language() or "en")


def is_service_type(code: object) -> bool:
    """Whether ``code`` is a type of service of the standard's list (what a service offers, what
    a referral needs, here or from another installation)."""
    return isinstance(code, str) and code in service_types("en")
