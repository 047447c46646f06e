"""Writes for monitoring. Each checks who may act, validates, writes, and audits in one
transaction. A country's national coordinators keep its checklist, plans and measurements; its
monitoring approvers approve a period's measurements, which locks them, and unlock them with a
reason when a correction is needed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.accounts.access import Action
from palermo.accounts.models import Organisation, User
from palermo.audit.services import record
from palermo.monitoring.models import (
    Indicator,
    Measurement,
    Objective,
    Period,
    PeriodEvent,
    Plan,
    PlanAction,
    ProfileEntry,
)
from palermo.stats import selectors as releases
from palermo.stats.models import Release

M = TypeVar("M", bound=models.Model)


def require_coordinator(actor: User | AnonymousUser, country_id: str) -> None:
    """403 for anyone but ``country_id``'s national coordinators (pages check it before showing
    a form; every write checks it again)."""
    if not access.can_edit_monitoring(actor, country_id):
        raise PermissionDenied(_("Only the country's national coordinators can change this."))


def _coordinating(actor: User, country_id: str) -> Organisation:
    """The organisation through which ``actor`` keeps ``country_id``'s monitoring."""
    require_coordinator(actor, country_id)
    return next(
        org
        for org in access.organisations_where(actor, Action.MANAGE_MONITORING)
        if org.country_id == country_id
    )


def _approving(actor: User, country_id: str) -> Organisation:
    if not access.can_approve_monitoring(actor, country_id):
        raise PermissionDenied(_("Only the country's monitoring approvers can do this."))
    return next(
        org
        for org in access.organisations_where(actor, Action.APPROVE_MONITORING)
        if org.country_id == country_id
    )


@transaction.atomic
def record_entry(actor: User, entry: ProfileEntry) -> ProfileEntry:
    """Add a status of a checklist item (the item's earlier entries stay as its history)."""
    organisation = _coordinating(actor, entry.country_id)
    entry.recorded_by, entry.organisation = actor, organisation
    entry.full_clean()
    entry.save()
    record(
        action="monitoring.checklist_recorded",
        actor=actor,
        organisation=organisation,
        target=entry,
        detail={
            "country": entry.country_id,
            "item": entry.item,
            "status": entry.status,
            "since": entry.since.isoformat(),
        },
    )
    return entry


def _plan_of(instance: models.Model) -> Plan:
    if isinstance(instance, Plan):
        return instance
    if isinstance(instance, Objective | Indicator):
        return instance.plan
    if isinstance(instance, PlanAction):
        return instance.objective.plan
    raise TypeError(instance)


@transaction.atomic
def save_part(actor: User, instance: M, *, m2m: Any = None) -> M:
    """Create or change a plan, or an objective, action or indicator of one. ``m2m`` (a form's
    ``save_m2m``) saves many-to-many fields after the instance."""
    plan = _plan_of(instance)
    organisation = _coordinating(actor, plan.country_id)
    if isinstance(instance, Plan) and instance._state.adding:
        instance.created_by = actor
    if isinstance(instance, Plan) and instance.ends < instance.starts:
        raise ValidationError({"ends": _("A plan cannot end before it starts.")})
    if isinstance(instance, Indicator):
        _check_indicator(instance)
    adding = instance._state.adding
    instance.full_clean()
    instance.save()
    if m2m is not None:
        m2m()
    record(
        action="monitoring.plan_created"
        if adding and isinstance(instance, Plan)
        else "monitoring.plan_changed",
        actor=actor,
        organisation=organisation,
        target=instance,
        detail={"plan": str(plan.pk), "part": type(instance).__name__, "new": adding},
    )
    return instance


def _check_indicator(indicator: Indicator) -> None:
    if indicator.objective is not None and indicator.objective.plan_id != indicator.plan_id:
        raise ValidationError({"objective": _("Choose an objective of this plan.")})
    if indicator.baseline is not None and indicator.baseline == indicator.target:
        raise ValidationError({"target": _("The target must differ from the baseline.")})
    if indicator.baseline is not None:
        increase = indicator.target > indicator.baseline
        if increase != (indicator.direction == "increase"):
            raise ValidationError(
                {"direction": _("The target lies the other way from the baseline.")}
            )
    if indicator.baseline_date and indicator.baseline_date >= indicator.deadline:
        raise ValidationError({"deadline": _("The target date must come after the baseline date.")})
    if not isinstance(indicator.release_filters, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in indicator.release_filters.items()
    ):
        raise ValidationError({"release_filters": _("Give the release count as pairs of words.")})


def period_for(plan: Plan, year: int) -> Period:
    period, _created = Period.objects.select_for_update().get_or_create(plan=plan, year=year)
    return period


def release_value(indicator: Indicator, release: Release) -> Decimal:
    """The indicator's count in a published release; ValidationError when the release does not
    publish it (suppressed, or not a count it holds)."""
    if release.state != Release.State.PUBLISHED:
        raise ValidationError({"release": _("Only a published release can be cited.")})
    filters = dict(indicator.release_filters)
    if any(key not in release.dimensions for key in filters):
        raise ValidationError(
            {"release": _("This release does not count records by the indicator's dimensions.")}
        )
    count = releases.total(release, filters)
    if count is None:
        raise ValidationError(
            {"release": _("The release does not publish this count (suppressed or not counted).")}
        )
    return Decimal(count)


@transaction.atomic
def add_measurement(
    actor: User,
    indicator: Indicator,
    *,
    measured_on: date,
    value: Decimal | None = None,
    source_note: str = "",
    release: Release | None = None,
) -> Measurement:
    """Record a measurement in the open period of its year: a value entered by hand with its
    source, or the indicator's count in a published release (the value is the release's)."""
    plan = indicator.plan
    organisation = _coordinating(actor, plan.country_id)
    period = period_for(plan, measured_on.year)
    if period.locked:
        raise ValidationError(
            _("The measurements of %(year)d are %(state)s and locked.")
            % {"year": period.year, "state": period.get_state_display().lower()}
        )
    if release is not None:
        if not indicator.from_releases:
            raise ValidationError({"release": _("This indicator is not measured from releases.")})
        value = release_value(indicator, release)
        source = Measurement.Source.RELEASE
        source_note = f"{release.title} (v{release.version})"
    else:
        if value is None:
            raise ValidationError({"value": _("Give the value, or take it from a release.")})
        if not source_note.strip():
            raise ValidationError({"source_note": _("Say where the figure comes from.")})
        source = Measurement.Source.MANUAL
    measurement = Measurement(
        indicator=indicator,
        period=period,
        measured_on=measured_on,
        value=value,
        source=source,
        source_note=source_note.strip(),
        release=release,
        recorded_by=actor,
    )
    measurement.full_clean()
    measurement.save()
    record(
        action="monitoring.measurement_recorded",
        actor=actor,
        organisation=organisation,
        target=measurement,
        detail={
            "indicator": str(indicator.pk),
            "value": str(value),
            "measured_on": measured_on.isoformat(),
            "release": str(release.pk) if release else None,
        },
    )
    return measurement


@transaction.atomic
def delete_measurement(actor: User, measurement: Measurement) -> None:
    plan = measurement.indicator.plan
    organisation = _coordinating(actor, plan.country_id)
    period = Period.objects.select_for_update().get(pk=measurement.period_id)
    if period.locked:
        raise ValidationError(_("This measurement's period is locked."))
    record(
        action="monitoring.measurement_deleted",
        actor=actor,
        organisation=organisation,
        target=measurement,
        detail={"indicator": str(measurement.indicator_id), "value": str(measurement.value)},
    )
    measurement.delete()


def _locked_period(period: Period) -> Period:
    return Period.objects.select_for_update().select_related("plan").get(pk=period.pk)


def _event(
    actor: User, organisation: Organisation, period: Period, kind: str, reason: str = ""
) -> None:
    PeriodEvent.objects.create(period=period, kind=kind, by=actor, reason=reason)
    record(
        action=f"monitoring.period_{kind}",
        actor=actor,
        organisation=organisation,
        target=period,
        detail={"plan": str(period.plan_id), "year": period.year, "reason": reason},
    )


@transaction.atomic
def submit_period(actor: User, period: Period) -> Period:
    period = _locked_period(period)
    organisation = _coordinating(actor, period.plan.country_id)
    if period.state != Period.State.OPEN:
        raise ValidationError(_("Only an open period can be submitted."))
    if not period.measurements.exists():
        raise ValidationError(_("There is no measurement to submit for this year."))
    period.state = Period.State.SUBMITTED
    period.save(update_fields=["state"])
    _event(actor, organisation, period, PeriodEvent.Kind.SUBMITTED)
    return period


@transaction.atomic
def approve_period(actor: User, period: Period) -> Period:
    """Approve a submitted period, locking its measurements. Nobody approves what they
    submitted."""
    period = _locked_period(period)
    organisation = _approving(actor, period.plan.country_id)
    if period.state != Period.State.SUBMITTED:
        raise ValidationError(_("Only a submitted period can be approved."))
    submitted = period.events.filter(kind=PeriodEvent.Kind.SUBMITTED).order_by("-at").first()
    if submitted is not None and submitted.by_id == actor.pk:
        raise PermissionDenied(_("Someone other than the person who submitted must approve."))
    period.state = Period.State.APPROVED
    period.save(update_fields=["state"])
    _event(actor, organisation, period, PeriodEvent.Kind.APPROVED)
    return period


@transaction.atomic
def return_period(actor: User, period: Period, reason: str) -> Period:
    """Send a submitted period back to the coordinators, with the approver's reason."""
    return _reopen(actor, period, reason, Period.State.SUBMITTED, PeriodEvent.Kind.RETURNED)


@transaction.atomic
def unlock_period(actor: User, period: Period, reason: str) -> Period:
    """Unlock an approved period so that it can be corrected; the reason is kept."""
    return _reopen(actor, period, reason, Period.State.APPROVED, PeriodEvent.Kind.UNLOCKED)


def _reopen(actor: User, period: Period, reason: str, state: str, kind: str) -> Period:
    period = _locked_period(period)
    organisation = _approving(actor, period.plan.country_id)
    if period.state != state:
        raise ValidationError(_("The period is not in a state that allows this."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    period.state = Period.State.OPEN
    period.save(update_fields=["state"])
    _event(actor, organisation, period, kind, reason.strip())
    return period
