"""Who acts for which side of a referral. The referring side is the referring organisation:
seeing or changing its case is not enough (another organisation may hold a whole-case grant on
it), one must also be a member of the organisation that sent the referral."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from palermo.accounts import access
from palermo.cases.access import case_access

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User
    from palermo.referrals.models import Referral


def sending_organisations(user: User | AnonymousUser) -> list[uuid.UUID]:
    """The organisations whose sent referrals ``user`` may read (those whose cases they read);
    each referral also needs its case to be one the user sees."""
    return [o.pk for o in access.organisations_where(user, access.Action.VIEW_CASES)]


def can_cancel(user: User | AnonymousUser, referral: Referral) -> bool:
    """A member of the referring organisation who changes its case."""
    sender = referral.from_organisation
    return (
        referral.case is not None
        and sender is not None
        and access.can(user, access.Action.CHANGE_CASES, sender)
        and case_access(user, referral.case).change
    )
