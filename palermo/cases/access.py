"""The one visibility rule for cases: which cases a user may see, and what of them.

Every page, API endpoint, export and command asks :func:`visible_cases` for the cases and
:func:`case_access` for what it may show or change. The roles and their actions come from
``accounts.access`` (the role table); this module only applies them to cases:

- a case worker: their organisation's cases assigned to them, and drafts they started; all of the
  organisation's cases if it says so (``Organisation.case_workers_see_all``);
- a supervisor or data manager: all of their organisation's cases;
- analysts, national coordinators, administrators: no case at all (statistics reach them only
  through disclosure control);
- another organisation: nothing, unless a grant in force names it; a grant is read-only and
  shows identifiers only if it says so and the reader's role may read identifiers.

Superusers get nothing from that flag: operating the platform is not reading case files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from palermo.accounts.access import ROLE_ACTIONS, Action, memberships_of
from palermo.cases.models import Case, CaseStatus, Grant

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User


@dataclass(frozen=True)
class CaseAccess:
    view: bool = False
    identifiers: bool = False
    change: bool = False
    supervise: bool = False
    export: bool = False  # a copy of the person's whole record (data subject rights)
    erase: bool = False
    # Identifiers of people other than the victim (perpetrators' names): only the organisation
    # that recorded them; a grant rests on the victim's consent, which does not cover others.
    third_parties: bool = False
    via_grant: bool = False  # read only, always: a grant never gives change or supervise


NO_ACCESS = CaseAccess()


def _sees_all(actions: frozenset[Action], see_all: bool) -> bool:
    return (
        Action.SUPERVISE_CASES in actions
        or Action.CHANGE_CASES not in actions  # data managers read, they are not assigned
        or see_all
    )


def visible_cases(user: User | AnonymousUser) -> QuerySet[Case]:
    """Every case the user may see at all."""
    rule = Q(pk__in=[])
    granted_to = []
    for membership in memberships_of(user):
        actions = ROLE_ACTIONS.get(membership.role, frozenset())
        if Action.VIEW_CASES not in actions:
            continue
        org = membership.organisation
        granted_to.append(org.pk)
        if _sees_all(actions, org.case_workers_see_all):
            rule |= Q(organisation=org)
        else:
            rule |= Q(organisation=org, assigned_to=user)
            rule |= Q(organisation=org, created_by=user, status=CaseStatus.DRAFT)
    if granted_to:
        # Grants are few: a list of ids keeps the organisation's own cases on their index
        # (an OR with a subquery would sort every case of the organisation for each page).
        granted = list(
            Grant.objects.filter(
                organisation_id__in=granted_to, revoked_at__isnull=True, limited=False
            ).values_list("case_id", flat=True)
        )
        if granted:
            rule |= Q(pk__in=granted)
    return Case.objects.filter(rule)


def case_access(user: User | AnonymousUser, case: Case) -> CaseAccess:
    """What the user may do with one case."""
    if not visible_cases(user).filter(pk=case.pk).exists():
        return NO_ACCESS
    return access_to_visible(user, case)


def access_to_visible(user: User | AnonymousUser, case: Case) -> CaseAccess:
    """What the user may do with a case already read through :func:`visible_cases` (a page or a
    bulk action need not ask the database again whether it is visible)."""
    erased = case.person.erased_at is not None  # coded data kept for statistics only: read-only
    for membership in memberships_of(user):
        if membership.organisation_id == case.organisation_id:
            actions = ROLE_ACTIONS.get(membership.role, frozenset())
            if erased:
                return CaseAccess(view=True, identifiers=False)
            return CaseAccess(
                view=True,
                identifiers=Action.VIEW_IDENTIFIERS in actions,
                change=Action.CHANGE_CASES in actions,
                supervise=Action.SUPERVISE_CASES in actions,
                export=Action.VIEW_IDENTIFIERS in actions
                and bool(actions & {Action.SUPERVISE_CASES, Action.IMPORT_EXPORT}),
                erase=Action.SUPERVISE_CASES in actions,
                third_parties=Action.VIEW_IDENTIFIERS in actions,
            )
    grant = case.grants.filter(revoked_at__isnull=True, limited=False).filter(
        organisation_id__in=[m.organisation_id for m in memberships_of(user)]
    )
    identifiers = any(
        g.include_identifiers
        and Action.VIEW_IDENTIFIERS
        in ROLE_ACTIONS.get(
            next(m.role for m in memberships_of(user) if m.organisation_id == g.organisation_id),
            frozenset(),
        )
        for g in grant
    )
    return CaseAccess(view=True, identifiers=identifiers, via_grant=True)


@dataclass(frozen=True)
class SharedAccess:
    """What a limited grant (an accepted referral) lets another organisation read of a case:
    these fields and nothing else, identifiers among them only if the grant and the reader's
    role allow."""

    fields: tuple[str, ...]
    identifiers: bool


def shared_access(user: User | AnonymousUser, case: Case) -> SharedAccess | None:
    """The fields of ``case`` that limited grants in force give the user's organisations, if
    the user's role there reads cases; ``None`` when none does."""
    from palermo.cases import sharing

    fields: dict[str, None] = {}
    identifiers = False
    for grant in case.grants.filter(revoked_at__isnull=True, limited=True):
        for membership in memberships_of(user):
            if membership.organisation_id != grant.organisation_id:
                continue
            actions = ROLE_ACTIONS.get(membership.role, frozenset())
            if Action.VIEW_CASES not in actions:
                continue
            reads_identifiers = grant.include_identifiers and Action.VIEW_IDENTIFIERS in actions
            identifiers |= reads_identifiers
            for name in grant.fields:
                if name in sharing.SHAREABLE and (
                    reads_identifiers or not sharing.SHAREABLE[name].identifier
                ):
                    fields[name] = None
    if not fields:
        return None
    return SharedAccess(fields=tuple(fields), identifiers=identifiers)
