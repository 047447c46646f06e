"""Who may do what: roles, the actions they grant, and the checks every door uses.

Permissions are declared here as a table and nowhere else. A user's rights are always relative
to an organisation: a role in one organisation grants nothing in another. Deny by default.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet

from palermo.accounts.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User


class Action(StrEnum):
    VIEW_CASES = "view_cases"
    CHANGE_CASES = "change_cases"
    VIEW_IDENTIFIERS = "view_identifiers"
    SUPERVISE_CASES = "supervise_cases"
    IMPORT_EXPORT = "import_export"
    VIEW_STATISTICS = "view_statistics"
    # In the hosting organisation: define, compute and publish releases. In any organisation:
    # approve or decline its contribution to a release.
    RELEASE_STATISTICS = "release_statistics"
    # Keep the country's checklist, action plans and measurements (the organisation's country).
    MANAGE_MONITORING = "manage_monitoring"
    # Approve (and so lock) or unlock a period's measurements of the organisation's country.
    APPROVE_MONITORING = "approve_monitoring"
    # Register, import and edit the organisation's activities (who does what where).
    MANAGE_ACTIVITIES = "manage_activities"
    # Annotate any organisation's activities (a coordinator's notes on overlaps and gaps).
    ANNOTATE_ACTIVITIES = "annotate_activities"
    # Add resources and claims to the knowledge base for the organisation, and edit its own.
    CONTRIBUTE_KNOWLEDGE = "contribute_knowledge"
    # Approve any organisation's submitted resources for publication, or return them.
    REVIEW_KNOWLEDGE = "review_knowledge"
    # Keep the organisation's entries in the service directory (referrals).
    MANAGE_SERVICES = "manage_services"
    MANAGE_MEMBERS = "manage_members"
    CHANGE_ORGANISATION = "change_organisation"
    VIEW_AUDIT = "view_audit"
    # In the hosting organisation: edit the data standard. In any organisation: its own
    # screening instruments and mapping profiles.
    MANAGE_STANDARD = "manage_standard"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CASE_WORKER: frozenset({Action.VIEW_CASES, Action.CHANGE_CASES, Action.VIEW_IDENTIFIERS}),
    Role.SUPERVISOR: frozenset(
        {
            Action.VIEW_CASES,
            Action.CHANGE_CASES,
            Action.VIEW_IDENTIFIERS,
            Action.SUPERVISE_CASES,
            Action.VIEW_AUDIT,
            Action.MANAGE_SERVICES,
        }
    ),
    Role.DATA_MANAGER: frozenset(
        {
            Action.VIEW_CASES,
            Action.VIEW_IDENTIFIERS,
            Action.IMPORT_EXPORT,
            Action.VIEW_STATISTICS,
            Action.RELEASE_STATISTICS,
            Action.MANAGE_STANDARD,
            Action.MANAGE_ACTIVITIES,
            Action.CONTRIBUTE_KNOWLEDGE,
            Action.MANAGE_SERVICES,
        }
    ),
    Role.ANALYST: frozenset({Action.VIEW_STATISTICS, Action.CONTRIBUTE_KNOWLEDGE}),
    Role.NATIONAL_COORDINATOR: frozenset(
        {
            Action.VIEW_STATISTICS,
            Action.MANAGE_MONITORING,
            Action.MANAGE_ACTIVITIES,
            Action.ANNOTATE_ACTIVITIES,
            Action.CONTRIBUTE_KNOWLEDGE,
        }
    ),
    Role.KNOWLEDGE_REVIEWER: frozenset({Action.CONTRIBUTE_KNOWLEDGE, Action.REVIEW_KNOWLEDGE}),
    Role.MONITORING_APPROVER: frozenset({Action.VIEW_STATISTICS, Action.APPROVE_MONITORING}),
    Role.ADMINISTRATOR: frozenset(
        {
            Action.MANAGE_MEMBERS,
            Action.CHANGE_ORGANISATION,
            Action.VIEW_AUDIT,
            Action.MANAGE_SERVICES,
        }
    ),
}

# Two-factor authentication is required for roles that can read victims' identifiers, and for
# administrators, because an administrator can give anyone (themselves included) such a role.
OTP_REQUIRED_ACTIONS = frozenset({Action.VIEW_IDENTIFIERS, Action.MANAGE_MEMBERS})
OTP_REQUIRED_ROLES = frozenset(
    role for role, actions in ROLE_ACTIONS.items() if actions & OTP_REQUIRED_ACTIONS
)

_CACHE_ATTR = "_palermo_memberships"


def memberships_of(user: User | AnonymousUser) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, organisation__is_active=True).select_related(
                "organisation"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: User | AnonymousUser) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def actions_in(user: User | AnonymousUser, organisation: Organisation) -> frozenset[Action]:
    for membership in memberships_of(user):
        if membership.organisation_id == organisation.pk:
            return ROLE_ACTIONS.get(membership.role, frozenset())
    return frozenset()


def can(user: User | AnonymousUser, action: Action, organisation: Organisation) -> bool:
    return action in actions_in(user, organisation)


def organisations_where(user: User | AnonymousUser, action: Action) -> list[Organisation]:
    return [m.organisation for m in memberships_of(user) if action in ROLE_ACTIONS.get(m.role, ())]


def can_anywhere(user: User | AnonymousUser, action: Action) -> bool:
    return bool(organisations_where(user, action))


def is_platform_admin(user: User | AnonymousUser) -> bool:
    """Administrators of the hosting organisation (and superusers) manage every organisation."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        m.organisation.is_host and m.role == Role.ADMINISTRATOR for m in memberships_of(user)
    )


def can_manage_members(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return is_platform_admin(user) or can(user, Action.MANAGE_MEMBERS, organisation)


def can_change_organisation(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return is_platform_admin(user) or can(user, Action.CHANGE_ORGANISATION, organisation)


def audit_scope(user: User | AnonymousUser) -> QuerySet[Organisation] | None:
    """Organisations whose audit events the user may read; ``None`` means all of them."""
    if user.is_authenticated and user.is_superuser:
        return None
    ids = [org.pk for org in organisations_where(user, Action.VIEW_AUDIT)]
    return Organisation.objects.filter(pk__in=ids)


def requires_otp(user: User | AnonymousUser) -> bool:
    """Whether this user must pass a one-time password before using the platform."""
    if not user.is_authenticated:
        return False
    if has_otp_device(user):
        return True  # whoever set up a device uses it
    if not settings.PALERMO_REQUIRE_OTP:
        return False
    if user.is_staff or user.is_superuser or is_platform_admin(user):
        return True
    return any(m.role in OTP_REQUIRED_ROLES for m in memberships_of(user))


def has_otp_device(user: User | AnonymousUser) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def can_view_audit(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_superuser) or can_anywhere(
        user, Action.VIEW_AUDIT
    )


def can_reset_otp(actor: User | AnonymousUser, user: User) -> bool:
    """Who may remove another person's two-factor device (a lost phone).

    Superusers may reset anyone; platform administrators anyone but staff, superusers and other
    platform administrators; an organisation's administrator only a person all of whose
    organisations they administer, so that no agency can weaken another agency's accounts.
    """
    if not actor.is_authenticated or actor.pk == user.pk:
        return actor.is_authenticated
    if actor.is_superuser:
        return True
    if user.is_staff or user.is_superuser or is_platform_admin(user):
        return False
    if is_platform_admin(actor):
        return True
    theirs = memberships_of(user)
    return bool(theirs) and all(can_manage_members(actor, m.organisation) for m in theirs)


def can_add_existing_account(actor: User | AnonymousUser) -> bool:
    """Attaching an account that already exists (perhaps in another agency) to an organisation is
    for platform administrators; an organisation's administrators create new accounts."""
    return is_platform_admin(actor)


# Fields of an organisation that only platform administrators change: its identity in the
# directory (others rely on it for referrals) and its status.
PLATFORM_ONLY_ORGANISATION_FIELDS = frozenset({"name", "acronym", "type", "is_host", "is_active"})


def can_edit_standard(user: User | AnonymousUser) -> bool:
    """Editors of the common standard: platform administrators and the hosting organisation's
    data managers. Editing creates a new version; nothing is ever removed."""
    return is_platform_admin(user) or any(
        m.organisation.is_host and Action.MANAGE_STANDARD in ROLE_ACTIONS.get(m.role, ())
        for m in memberships_of(user)
    )


def can_manage_profiles(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Mapping profiles and own screening instruments belong to an organisation's data
    managers."""
    return can(user, Action.MANAGE_STANDARD, organisation)


def can_export_cases(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Exports of an organisation's cases: its data managers and its supervisors."""
    return can(user, Action.IMPORT_EXPORT, organisation) or can(
        user, Action.SUPERVISE_CASES, organisation
    )


def can_manage_releases(user: User | AnonymousUser) -> bool:
    """Data managers of the hosting organisation define, compute and publish releases."""
    return any(
        m.organisation.is_host and Action.RELEASE_STATISTICS in ROLE_ACTIONS.get(m.role, ())
        for m in memberships_of(user)
    )


def can_answer_contribution(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """An organisation's data managers decide whether its cases enter a release."""
    return can(user, Action.RELEASE_STATISTICS, organisation)


def can_view_own_statistics(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """An organisation's own figures from its raw cases, for its analysts and data managers."""
    return can(user, Action.VIEW_STATISTICS, organisation)


def activity_owners(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations whose activities ``user`` registers, imports and edits."""
    return organisations_where(user, Action.MANAGE_ACTIVITIES)


def can_edit_activity(user: User | AnonymousUser, owner: Organisation) -> bool:
    """An activity is edited only by its own organisation's data managers and coordinators."""
    return can(user, Action.MANAGE_ACTIVITIES, owner)


def can_annotate_activities(user: User | AnonymousUser) -> bool:
    """National coordinators annotate any organisation's activities."""
    return can_anywhere(user, Action.ANNOTATE_ACTIVITIES)


def sees_member_activities(user: User | AnonymousUser) -> bool:
    """Activities marked "members only" are seen by signed-in members of any organisation."""
    return bool(user.is_authenticated and user.is_active and memberships_of(user))


def knowledge_contributors(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations in whose name ``user`` adds resources and claims."""
    return organisations_where(user, Action.CONTRIBUTE_KNOWLEDGE)


def can_edit_resource(user: User | AnonymousUser, contributor: Organisation) -> bool:
    """A resource (or a claim) is changed and deleted only by the contributors of the
    organisation that contributed it; reviewers publish or return, they do not edit."""
    return can(user, Action.CONTRIBUTE_KNOWLEDGE, contributor)


def can_review_knowledge(user: User | AnonymousUser) -> bool:
    """Knowledge reviewers, in any organisation, publish or return any organisation's
    submissions and approve claims (never what they made or submitted themselves: see
    knowledge.services)."""
    return can_anywhere(user, Action.REVIEW_KNOWLEDGE)


def sees_member_knowledge(user: User | AnonymousUser) -> bool:
    """Resources restricted to members are seen by signed-in members of any organisation."""
    return sees_member_activities(user)


def service_keepers(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations whose entries in the service directory ``user`` keeps."""
    return organisations_where(user, Action.MANAGE_SERVICES)


def can_manage_service(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """A service is kept by its own organisation's supervisors, data managers and
    administrators."""
    return can(user, Action.MANAGE_SERVICES, organisation)


def monitoring_countries(user: User | AnonymousUser, action: Action) -> set[str]:
    """ISO alpha-2 codes of the countries where ``user`` may take a monitoring ``action``: the
    countries of the organisations where their role grants it."""
    return {
        org.country_id for org in organisations_where(user, action) if org.country_id is not None
    }


def can_edit_monitoring(user: User | AnonymousUser, country_id: str) -> bool:
    """A country's checklist, plans and measurements are kept by its national coordinators."""
    return country_id in monitoring_countries(user, Action.MANAGE_MONITORING)


def can_approve_monitoring(user: User | AnonymousUser, country_id: str) -> bool:
    """A country's monitoring approvers approve (lock) and unlock its plans' measurements."""
    return country_id in monitoring_countries(user, Action.APPROVE_MONITORING)
