"""Child safeguards: when the person was under 18 at identification, a guardian, a best-interests
assessment and determination, family tracing and reunification, each due a number of days after
identification (``settings.PALERMO_CHILD_SAFEGUARD_DAYS``) and overdue when not done by then."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palermo.audit import services as audit
from palermo.cases.models import Case, ChildSafeguards

if TYPE_CHECKING:
    from palermo.accounts.models import User

# step: (due date field, the field that says it is done, that field's value while it is not)
SAFEGUARD_STEPS: dict[str, tuple[str, str, Any]] = {
    "guardian": ("guardian_due", "guardian_appointed_on", None),
    "assessment": ("assessment_due", "assessment_done_on", None),
    "tracing": ("tracing_due", "tracing_status", ChildSafeguards.Tracing.NOT_STARTED),
    "determination": ("determination_due", "determination_done_on", None),
}
SAFEGUARD_LABELS = {
    "guardian": gettext_lazy("Appoint a guardian"),
    "assessment": gettext_lazy("Best-interests assessment"),
    "tracing": gettext_lazy("Start family tracing"),
    "determination": gettext_lazy("Best-interests determination"),
}
SAFEGUARD_DATES = ("guardian_appointed_on", "assessment_done_on", "determination_done_on")


def due_dates(identified_on: datetime.date) -> dict[str, datetime.date]:
    """When each step is due, for a child identified on that day."""
    days = settings.PALERMO_CHILD_SAFEGUARD_DAYS
    return {
        f"{step}_due": identified_on + datetime.timedelta(days=days[step])
        for step in SAFEGUARD_STEPS
    }


def ensure_safeguards(case: Case) -> ChildSafeguards | None:
    """The safeguards record of a child's case, created with its due dates when the case is
    found to be a child's; ``None`` for an adult."""
    if not case.is_minor:
        return None
    safeguards, _created = ChildSafeguards.objects.get_or_create(
        case=case, defaults=due_dates(case.identified_on or timezone.localdate())
    )
    return safeguards


def pending(safeguards: ChildSafeguards, step: str) -> bool:
    _due, field, not_done = SAFEGUARD_STEPS[step]
    return getattr(safeguards, field) == not_done


def overdue_steps(safeguards: ChildSafeguards, today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    return [
        step
        for step, (due, _field, _not_done) in SAFEGUARD_STEPS.items()
        if pending(safeguards, step) and getattr(safeguards, due) < today
    ]


def overdue_filter(today: datetime.date) -> Q:
    """The same rule as :func:`overdue_steps`, for the database: any step overdue."""
    rule = Q(pk__in=[])
    for due, field, not_done in SAFEGUARD_STEPS.values():
        lookup = {f"{field}__isnull": True} if not_done is None else {field: not_done}
        rule |= Q(**{f"{due}__lt": today}, **lookup)
    return rule


@transaction.atomic
def update_safeguards(
    case: Case, actor: User, values: Mapping[str, Any], row_version: int | None = None
) -> ChildSafeguards:
    """Save the safeguards; with ``row_version`` (as pages and API clients send it), a save
    based on an older version is refused with ``ConflictError``, never applied."""
    from palermo.cases.services import ConflictError

    safeguards = ensure_safeguards(case)
    if safeguards is None:
        raise ValidationError(_("Child safeguards apply only to a person under 18."))
    safeguards = ChildSafeguards.objects.select_for_update().get(pk=safeguards.pk)
    if row_version is not None and row_version != safeguards.row_version:
        raise ConflictError(case)
    errors = _check(case, safeguards, values)
    if errors:
        raise ValidationError(errors)
    coded: dict[str, list[Any]] = {}
    secret = []
    for name in (*SAFEGUARD_DATES, "tracing_status", "reunification_status"):
        if name in values and getattr(safeguards, name) != values[name]:
            before = getattr(safeguards, name)
            coded[name] = [before, values[name]]
            setattr(safeguards, name, values[name])
    for name in ("guardian_name", "guardian_contact", "determination_outcome"):
        if name in values and getattr(safeguards, name) != (values[name] or "").strip():
            secret.append(name)
            setattr(safeguards, name, values[name])
    if coded or secret:
        safeguards.row_version += 1
    safeguards.save()
    if coded or secret:
        audit.record(
            action="case.safeguards_changed",
            actor=actor,
            organisation=case.organisation,
            target=case,
            detail={"changed": coded, "identifiers_changed": sorted(secret)},
        )
    return safeguards


def _check(
    case: Case, safeguards: ChildSafeguards, values: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Field errors for the safeguards as they would be after the save (the posted values over
    the stored ones), so that a partial update is judged on the whole record."""
    after = {
        name: values[name] if name in values else getattr(safeguards, name)
        for name in (
            *SAFEGUARD_DATES,
            "guardian_name",
            "determination_outcome",
        )
    }
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for name in SAFEGUARD_DATES:
        day = values.get(name)
        if day and day > today:
            errors[name] = [_("This date is in the future.")]
        elif day and case.identified_on and day < case.identified_on:
            errors[name] = [_("This date is before the identification date.")]
    if after["guardian_appointed_on"] and not (after["guardian_name"] or "").strip():
        errors["guardian_name"] = [_("Name the guardian.")]
    if after["determination_done_on"]:
        if not (after["determination_outcome"] or "").strip():
            errors["determination_outcome"] = [_("Record what was determined.")]
        if not after["assessment_done_on"]:
            errors["assessment_done_on"] = [_("The assessment comes before the determination.")]
        elif after["assessment_done_on"] > after["determination_done_on"]:
            errors["determination_done_on"] = [
                _("The determination cannot come before the assessment.")
            ]
    return errors


def reschedule(case: Case) -> None:
    """Due dates follow the identification date when it is corrected."""
    safeguards = ChildSafeguards.objects.filter(case=case).first()
    if safeguards is None or case.identified_on is None:
        return
    for due_field, day in due_dates(case.identified_on).items():
        setattr(safeguards, due_field, day)
    safeguards.save()


def child_closure_errors(case: Case) -> dict[str, list[str]]:
    safeguards = ChildSafeguards.objects.filter(case=case).first()  # fresh, not a cached one
    if safeguards is None or safeguards.determination_done_on is None:
        return {
            "kind": [
                _("A child's case closes only after the best-interests determination is recorded.")
            ]
        }
    return {}
