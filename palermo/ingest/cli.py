"""What the ingest commands share: the organisation and the user they act for."""

from __future__ import annotations

from django.core.management.base import CommandError

from palermo.accounts import access
from palermo.accounts.models import Organisation, User


def acting(
    acronym: str, username: str, action: access.Action, refusal: str
) -> tuple[Organisation, User]:
    """The organisation and the active user, if that user may take ``action`` in it."""
    organisation = Organisation.objects.filter(acronym=acronym).first()
    if organisation is None:
        raise CommandError(f"No organisation {acronym}.")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not access.can(user, action, organisation):
        raise CommandError(refusal % {"user": username, "org": organisation.acronym})
    return organisation, user
