"""Who works on a case and who decides: assignment (one case or many), a supervisor's approval of
case plans and closures, flags, child safeguards with their due dates, and the task list that
shows what is waiting or overdue. Every change is audited; changes to the case itself go through
its row version like any other save."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts.access import ROLE_ACTIONS, Action, organisations_where
from palermo.accounts.models import Membership, User
from palermo.audit import services as audit
from palermo.cases.access import access_to_visible, case_access, visible_cases
from palermo.cases.models import Approval, Case, CaseStatus, ChildSafeguards, Flag
from palermo.cases.safeguards import (
    SAFEGUARD_LABELS,
    SAFEGUARD_STEPS,
    child_closure_errors,
    overdue_filter,
    pending,
)
from palermo.cases.services import change_status, lock_case

# Assignment ------------------------------------------------------------------------------------


def assignable_workers(organisation_ids: Iterable[Any]) -> QuerySet[Membership]:
    """Members of these organisations who can be given cases (they may change cases)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.CHANGE_CASES in actions]
    return (
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids), role__in=roles, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )


def _check_worker(organisation_id: Any, worker: User) -> None:
    if not assignable_workers([organisation_id]).filter(user=worker).exists():
        raise ValidationError(
            {"worker": _("This person cannot be given cases of this organisation.")}
        )


def _require_supervisor(actor: User, case: Case) -> None:
    if not case_access(actor, case).supervise:
        raise ValidationError(_("Only a supervisor of the case's organisation may do this."))


@transaction.atomic
def assign(case: Case, actor: User, worker: User, row_version: int) -> Case:
    """Give one case to a worker of its organisation (a supervisor's decision)."""
    _require_supervisor(actor, case)
    current = lock_case(case, row_version)
    _check_worker(current.organisation_id, worker)
    if current.assigned_to_id == worker.pk:
        return current  # nothing changes: no new version, no conflict for others
    old = current.assigned_to_id
    current.assigned_to = worker
    current.row_version = F("row_version") + 1
    current.save(update_fields=["assigned_to", "row_version", "updated_at"])
    current.refresh_from_db()
    audit.record(
        action="case.assigned",
        actor=actor,
        organisation=current.organisation,
        target=current,
        detail={"from": str(old) if old else None, "to": str(worker.pk)},
    )
    return current


@dataclass
class BulkResult:
    reassigned: list[str]
    refused: dict[str, str]  # reference -> why


@transaction.atomic
def reassign_many(case_ids: Iterable[Any], actor: User, worker: User) -> BulkResult:
    """Give several cases to one worker at once: all the cases the actor supervises are moved,
    in one transaction; the others are listed with the reason and left untouched."""
    result = BulkResult([], {})
    cases = list(
        visible_cases(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=list(case_ids))
        .select_related("organisation", "person")
        .order_by("reference")
    )
    if not cases:
        raise ValidationError(_("Choose at least one case."))
    takes_cases_in = set(
        assignable_workers({c.organisation_id for c in cases})
        .filter(user=worker)
        .values_list("organisation_id", flat=True)
    )
    moved = []
    for case in cases:
        if not access_to_visible(actor, case).supervise:
            result.refused[case.reference] = _("you do not supervise this case")
            continue
        if case.organisation_id not in takes_cases_in:
            result.refused[case.reference] = _("this person cannot be given its cases")
            continue
        if case.assigned_to_id == worker.pk:
            continue
        moved.append(case)
        result.reassigned.append(case.reference)
    Case.objects.filter(pk__in=[c.pk for c in moved]).update(
        assigned_to=worker, row_version=F("row_version") + 1, updated_at=timezone.now()
    )
    for case in moved:
        audit.record(
            action="case.assigned",
            actor=actor,
            organisation=case.organisation,
            target=case,
            detail={
                "from": str(case.assigned_to_id) if case.assigned_to_id else None,
                "to": str(worker.pk),
                "bulk": True,
            },
        )
    return result


# Approvals -------------------------------------------------------------------------------------


@transaction.atomic
def request_approval(case: Case, actor: User, kind: str, content: str) -> Approval:
    """A worker asks a supervisor to approve the case plan, or the closure of the case."""
    if kind not in Approval.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of approval.")})
    # Locked, so that two simultaneous requests cannot both pass the checks below.
    case = Case.objects.select_for_update(of=("self",)).select_related("person").get(pk=case.pk)
    rights = case_access(actor, case)
    if not rights.change:
        raise ValidationError(_("You cannot change this case."))
    content = (content or "").strip()
    errors: dict[str, list[str]] = {}
    if not content:
        errors["content"] = [
            _("Write the plan.") if kind == Approval.Kind.CASE_PLAN else _("Say why it can close.")
        ]
    elif len(content) > 20_000:
        errors["content"] = [_("At most 20,000 characters.")]
    if kind == Approval.Kind.CLOSURE:
        if case.status not in (CaseStatus.OPEN, CaseStatus.ACTIVE):
            errors.setdefault("kind", []).append(_("Only an open or active case can be closed."))
        if case.is_minor:
            for field, messages in child_closure_errors(case).items():
                errors.setdefault(field, []).extend(messages)
    if case.approvals.filter(kind=kind, state=Approval.State.REQUESTED).exists():
        errors.setdefault("kind", []).append(_("A request of this kind is already waiting."))
    if errors:
        raise ValidationError(errors)
    approval = Approval(
        case=case,
        kind=kind,
        requested_by=actor,
        due_on=timezone.localdate() + datetime.timedelta(days=settings.PALERMO_APPROVAL_DAYS),
    )
    approval.content = content
    approval.save()
    audit.record(
        action="case.approval_requested",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"kind": kind, "approval": approval.pk},
    )
    return approval


@transaction.atomic
def decide(approval: Approval, actor: User, approve: bool, comment: str = "") -> Approval:
    """A supervisor approves or rejects a request; nobody decides on their own request. Approving
    a closure closes the case."""
    approval = Approval.objects.select_for_update().select_related("case").get(pk=approval.pk)
    case = approval.case
    _require_supervisor(actor, case)
    if approval.state != Approval.State.REQUESTED:
        raise ValidationError(_("This request was already decided."))
    if approval.requested_by_id == actor.pk:
        raise ValidationError(_("Someone other than the person who asked must decide."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Say why the request is rejected.")})
    if approve and approval.kind == Approval.Kind.CLOSURE:
        change_status(case, actor, case.row_version, CaseStatus.CLOSED, approved=True)
    approval.state = Approval.State.APPROVED if approve else Approval.State.REJECTED
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.comment = comment
    approval.save()
    audit.record(
        action="case.approval_decided",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"kind": approval.kind, "approval": approval.pk, "state": approval.state},
    )
    return approval


@transaction.atomic
def withdraw(approval: Approval, actor: User) -> Approval:
    approval = Approval.objects.select_for_update().select_related("case").get(pk=approval.pk)
    if approval.requested_by_id != actor.pk:
        raise ValidationError(_("Only the person who asked can withdraw a request."))
    if approval.state != Approval.State.REQUESTED:
        raise ValidationError(_("This request was already decided."))
    approval.state = Approval.State.WITHDRAWN
    approval.save(update_fields=["state"])
    audit.record(
        action="case.approval_withdrawn",
        actor=actor,
        organisation=approval.case.organisation,
        target=approval.case,
        detail={"kind": approval.kind, "approval": approval.pk},
    )
    return approval


# Flags -----------------------------------------------------------------------------------------


@transaction.atomic
def raise_flag(case: Case, actor: User, reason: str, details: str = "") -> Flag:
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    details = (details or "").strip()
    if reason == Flag.Reason.OTHER and not details:
        raise ValidationError({"details": _("Say what the flag is for.")})
    flag = Flag(case=case, reason=reason, raised_by=actor)
    flag.details = details
    flag.save()
    audit.record(
        action="case.flag_raised",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"reason": reason, "flag": flag.pk},
    )
    return flag


@transaction.atomic
def clear_flag(flag: Flag, actor: User) -> Flag:
    flag = Flag.objects.select_for_update().select_related("case").get(pk=flag.pk)
    if flag.cleared_at is not None:
        raise ValidationError(_("This flag was already cleared."))
    flag.cleared_at = timezone.now()
    flag.cleared_by = actor
    flag.save(update_fields=["cleared_at", "cleared_by"])
    audit.record(
        action="case.flag_cleared",
        actor=actor,
        organisation=flag.case.organisation,
        target=flag.case,
        detail={"reason": flag.reason, "flag": flag.pk},
    )
    return flag


# Tasks -----------------------------------------------------------------------------------------


@dataclass
class Task:
    case: Case
    kind: str  # "approval", "rejected", "safeguard", "flag"
    label: str
    due: datetime.date | None
    overdue: bool
    approval: Approval | None = None


def tasks_for(user: User, today: datetime.date | None = None) -> list[Task]:
    """What waits for this user: requests to decide (supervisors), their own requests that were
    rejected, child safeguards due or overdue on their cases, and open flags; overdue first."""
    today = today or timezone.localdate()
    mine = visible_cases(user).filter(Q(assigned_to=user) | Q(organisation__in=_supervised(user)))
    tasks: list[Task] = []
    waiting = (
        Approval.objects.filter(
            state=Approval.State.REQUESTED, case__organisation__in=_supervised(user)
        )
        .exclude(requested_by=user)
        .select_related("case", "requested_by")
    )
    for approval in waiting:
        tasks.append(
            Task(
                approval.case,
                "approval",
                _("Decide: %(kind)s") % {"kind": approval.get_kind_display()},
                approval.due_on,
                approval.due_on < today,
                approval,
            )
        )
    rejected = Approval.objects.filter(
        case__in=mine,
        state=Approval.State.REJECTED,
        requested_by=user,
        decided_at__gte=timezone.now() - datetime.timedelta(days=30),
    ).select_related("case")
    for approval in rejected:
        tasks.append(
            Task(
                approval.case,
                "rejected",
                _("Rejected: %(kind)s") % {"kind": approval.get_kind_display()},
                None,
                False,
                approval,
            )
        )
    open_cases = mine.exclude(status=CaseStatus.CLOSED)
    children = open_cases.filter(age_at_identification__lt=18)
    for safeguards in ChildSafeguards.objects.filter(case__in=children).select_related("case"):
        for step, (due_field, _field, _not_done) in SAFEGUARD_STEPS.items():
            due = getattr(safeguards, due_field)
            if pending(safeguards, step) and due <= today + datetime.timedelta(days=7):
                tasks.append(
                    Task(
                        safeguards.case, "safeguard", str(SAFEGUARD_LABELS[step]), due, due < today
                    )
                )
    for flag in Flag.objects.filter(case__in=open_cases, cleared_at__isnull=True).select_related(
        "case"
    ):
        tasks.append(Task(flag.case, "flag", flag.get_reason_display(), None, False))
    tasks.sort(key=lambda t: (not t.overdue, t.due or datetime.date.max, t.case.reference))
    return tasks


def _supervised(user: User) -> list[Any]:
    return [o.pk for o in organisations_where(user, Action.SUPERVISE_CASES)]


def overdue_by_worker(today: datetime.date | None = None) -> dict[Any, list[Task]]:
    """Overdue tasks of every user who has any (the reminder command sends them)."""
    today = today or timezone.localdate()
    users: set[Any] = set()
    safeguards_due = ChildSafeguards.objects.exclude(case__status=CaseStatus.CLOSED).filter(
        case__age_at_identification__lt=18
    )
    safeguards_due = safeguards_due.filter(overdue_filter(today))
    users |= set(
        safeguards_due.exclude(case__assigned_to=None).values_list("case__assigned_to", flat=True)
    )
    late = Approval.objects.filter(state=Approval.State.REQUESTED, due_on__lt=today)
    # Supervisors hear of late decisions and of every overdue safeguard in their organisation
    # (a child's case may have no one assigned, or someone who left).
    organisations = set(late.values_list("case__organisation", flat=True)) | set(
        safeguards_due.values_list("case__organisation", flat=True)
    )
    for org_id in organisations:
        users |= set(
            Membership.objects.filter(
                organisation_id=org_id,
                role__in=[r for r, a in ROLE_ACTIONS.items() if Action.SUPERVISE_CASES in a],
            ).values_list("user_id", flat=True)
        )
    found = {}
    for user in User.objects.filter(pk__in=users, is_active=True):
        overdue = [t for t in tasks_for(user, today) if t.overdue]
        if overdue:
            found[user] = overdue
    return found
