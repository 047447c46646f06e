"""Names of the service types (the standard's ``referral_service`` list) in the reader's
language, kept a few minutes."""

from __future__ import annotations

import time
from functools import lru_cache

from django.http import Http404
from django.utils.translation import get_language

from palermo.standard import selectors as standard
from palermo.standard.referral_services import REFERRAL_SERVICES

NAMES_SECONDS = 300


def service_types(language: str | None = None) -> dict[str, str]:
    slot = int(time.monotonic() // NAMES_SECONDS)
    found = _names(language or get_language() or "en", slot)
    if not found:
        _names.cache_clear()
    return found


@lru_cache(maxsize=16)
def _names(language: str, slot: int) -> dict[str, str]:
    try:
        return standard.code_names(REFERRAL_SERVICES, language)
    except Http404:  # the standard is not loaded yet
        return {}
