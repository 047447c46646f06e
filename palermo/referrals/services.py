"""Writing the service directory: each write checks who may make it, runs in one transaction
and is audited."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.accounts.access import Action
from palermo.accounts.models import Membership, Organisation, Role, User
from palermo.audit.services import record
from palermo.cases import services as case_services
from palermo.cases import sharing
from palermo.cases.access import case_access as access_to_case
from palermo.cases.models import Case, ConsentPurpose
from palermo.geo.models import Country
from palermo.referrals import access as referral_access
from palermo.referrals import vocabulary
from palermo.referrals.models import (
    OPEN_STATUSES,
    Kind,
    Peer,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
    ServiceArea,
    Urgency,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text or "").strip()


@dataclass
class ServiceData:
    name: str
    service_type: str
    # (country ISO alpha-2, place or "" for the whole country)
    areas: list[tuple[str, str]]
    description: str = ""
    languages: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    sex: str = "any"
    nationality: str = "any"
    capacity: int | None = None
    availability: str = "open"
    contact: str = ""
    hours: str = ""
    is_public: bool = True
    is_active: bool = True


def check(data: ServiceData) -> None:
    errors: dict[str, list[str]] = {}
    if not _clean(data.name):
        errors["name"] = [_("Name the service.")]
    if not vocabulary.is_service_type(data.service_type):
        errors["service_type"] = [_("Choose a type of service.")]
    if not data.areas:
        errors["countries"] = [_("Say in which countries the service is offered.")]
    known = set(
        Country.objects.filter(iso2__in=[c for c, _p in data.areas]).values_list("iso2", flat=True)
    )
    unknown = sorted({c for c, _p in data.areas} - known)
    if unknown:
        errors["countries"] = [_("Unknown country: %s.") % ", ".join(unknown)[:50]]
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        errors["max_age"] = [_("The upper age is below the lower one.")]
    for age in (data.min_age, data.max_age):
        if age is not None and not 0 <= age <= 120:
            errors["min_age"] = [_("Give ages between 0 and 120.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_service(
    *, actor: User, organisation: Organisation, data: ServiceData, service: Service | None = None
) -> Service:
    """Create or change a service of ``organisation`` (its supervisors, data managers and
    administrators)."""
    owner = service.organisation if service is not None else organisation
    if not access.can_manage_service(actor, owner):
        raise PermissionDenied(_("You cannot keep this organisation's services."))
    check(data)
    created = service is None
    if service is None:
        service = Service(organisation=owner, created_by=actor)
    service.name = _clean(data.name)[:200]
    service.service_type = data.service_type
    service.description = _clean(data.description)[:10_000]
    service.languages = [_clean(lang)[:40] for lang in data.languages if _clean(lang)][:20]
    service.min_age, service.max_age = data.min_age, data.max_age
    service.sex, service.nationality = data.sex, data.nationality
    service.capacity, service.availability = data.capacity, data.availability
    service.contact = _clean(data.contact)[:2000]
    service.hours = _clean(data.hours)[:200]
    service.is_public, service.is_active = data.is_public, data.is_active
    service.full_clean()
    service.save()
    service.areas.all().delete()
    ServiceArea.objects.bulk_create(
        [
            ServiceArea(service=service, country_id=country, place=_clean(place)[:200])
            for country, place in dict.fromkeys(data.areas)
        ]
    )
    record(
        action="referrals.service_created" if created else "referrals.service_changed",
        actor=actor,
        organisation=owner,
        target=service,
    )
    return service


@transaction.atomic
def delete_service(*, actor: User, service: Service) -> None:
    if not access.can_manage_service(actor, service.organisation):
        raise PermissionDenied(_("You cannot keep this organisation's services."))
    record(
        action="referrals.service_deleted",
        actor=actor,
        organisation=service.organisation,
        target=service,
        detail={"name": service.name},
    )
    service.delete()


# -- Referrals ----------------------------------------------------------------------------

# How long the receiving organisation has to answer, by urgency.
ANSWER_WITHIN = {
    Urgency.EMERGENCY: datetime.timedelta(days=1),
    Urgency.URGENT: datetime.timedelta(days=3),
    Urgency.ROUTINE: datetime.timedelta(days=10),
}


@dataclass
class ReferralData:
    to_organisation: Organisation | None
    need: str
    fields: list[str]
    kind: str = Kind.GENERAL
    urgency: str = Urgency.ROUTINE
    service: Service | None = None
    include_identifiers: bool = False
    note: str = ""
    protection_needs: str = ""
    interview_language: str = ""


def _event(referral: Referral, status: str, actor: User | None) -> None:
    ReferralEvent.objects.create(referral=referral, status=status, actor=actor)


def _audit(
    action: str,
    actor: User | None,
    referral: Referral,
    organisation: Organisation | None,
    **detail: Any,
) -> None:
    own_case = (
        referral.case is not None
        and organisation is not None
        and organisation.pk == referral.from_organisation_id
    )
    record(
        action=f"referrals.{action}",
        actor=actor,
        organisation=organisation,
        target=referral,
        detail={"case": referral.case.reference, **detail}
        if own_case and referral.case
        else detail,
    )


def check_referral(case: Case, data: ReferralData, *, abroad: bool = False) -> None:
    """Refuse a referral the person's consent, the route or the data do not allow, with the
    field each refusal belongs to."""
    errors: dict[str, list[str]] = {}
    if not case_services.consents_to(case, ConsentPurpose.REFERRAL):
        errors["consent"] = [
            _("The person has not given consent to referral: record it on the case first.")
        ]
    if not abroad and data.to_organisation is None:
        errors["to_organisation"] = [_("Choose the organisation to refer to.")]
    elif data.to_organisation is not None and data.to_organisation.pk == case.organisation_id:
        errors["to_organisation"] = [_("Refer to another organisation.")]
    elif data.to_organisation is not None and not data.to_organisation.is_active:
        errors["to_organisation"] = [_("This organisation is not active.")]
    if (
        data.service is not None
        and data.to_organisation is not None
        and data.service.organisation_id != data.to_organisation.pk
    ):
        errors["service"] = [_("This service is not the chosen organisation's.")]
    if not vocabulary.is_service_type(data.need):
        errors["need"] = [_("Choose the need.")]
    if data.kind not in Kind.values:
        errors["kind"] = [_("Unknown route.")]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Unknown urgency.")]
    unknown = set(data.fields) - set(sharing.SHAREABLE)
    if unknown:
        errors["fields"] = [_("Unknown field: %s.") % ", ".join(sorted(unknown))]
    elif not data.fields:
        errors["fields"] = [_("Choose what the receiving organisation needs to know.")]
    chosen_identifiers = set(data.fields) & set(sharing.identifier_fields())
    if (chosen_identifiers or data.include_identifiers) and not (
        case_services.consents_to_identifiers(case)
    ):
        errors["fields"] = [
            _(
                "The person's consent to referral does not cover their identifiers: share the "
                "facts of the case only, or record a consent that covers them."
            )
        ]
    if data.kind == Kind.CHILD:
        safeguards = getattr(case, "safeguards", None)
        if not case.is_minor:
            errors["kind"] = [_("Only a child is referred to child protection services.")]
        elif safeguards is None or safeguards.determination_done_on is None:
            errors["kind"] = [
                _(
                    "A child is referred only after the best-interests determination: record "
                    "it in the child safeguards first."
                )
            ]
        elif safeguards.guardian_appointed_on is None:
            errors["kind"] = [
                _("A child is referred only once a guardian is appointed: record the guardian.")
            ]
        elif "child_safeguards" not in data.fields:
            errors["fields"] = [
                _("A child's referral carries the child safeguards (guardian, determination).")
            ]
    if data.kind == Kind.ASYLUM:
        if not _clean(data.protection_needs):
            errors["protection_needs"] = [
                _("Say why the person may need international protection.")
            ]
        if not _clean(data.interview_language):
            errors["interview_language"] = [_("Give the language the person is interviewed in.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def refer(*, actor: User, case: Case, data: ReferralData) -> Referral:
    """Send a referral from a case. Only those who change the case refer it; consent to
    referral must be in force, and identifiers go only when it covers them."""
    if not access_to_case(actor, case).change:
        raise PermissionDenied(_("You cannot refer this case."))
    check_referral(case, data)
    now = timezone.now()
    referral = Referral(
        case=case,
        from_organisation=case.organisation,
        to_organisation=data.to_organisation,
        service=data.service,
        kind=data.kind,
        cross_border=bool(
            data.to_organisation is not None
            and case.organisation.country_id
            and data.to_organisation.country_id
            and case.organisation.country_id != data.to_organisation.country_id
        ),
        need=data.need,
        urgency=data.urgency,
        fields=[name for name in sharing.SHAREABLE if name in data.fields],
        include_identifiers=bool(set(data.fields) & set(sharing.identifier_fields())),
        interview_language=_clean(data.interview_language)[:60],
        respond_by=now + ANSWER_WITHIN[Urgency(data.urgency)],
        created_by=actor,
    )
    referral.note = _clean(data.note)[:10_000]
    referral.protection_needs = _clean(data.protection_needs)[:10_000]
    referral.full_clean(exclude=["note_enc", "protection_needs_enc"])
    referral.save()
    _event(referral, ReferralStatus.SENT, actor)
    _audit(
        "sent",
        actor,
        referral,
        case.organisation,
        to=str(referral.to_organisation_id),
        fields=referral.fields,
    )
    return referral


def _lock(referral: Referral) -> None:
    """Lock the referral's row for the transaction and read it afresh (two workers answering
    at once: the second sees the first's answer)."""
    Referral.objects.select_for_update().filter(pk=referral.pk).exists()
    referral.refresh_from_db()
    for key in [k for k in referral.__dict__ if k.startswith("_plain_")]:
        del referral.__dict__[key]  # decrypted values read afresh too


def _receiving(actor: User, referral: Referral, *, change: bool) -> Organisation:
    """The receiving organisation, if ``actor`` answers (or reads) for it."""
    action = Action.CHANGE_CASES if change else Action.VIEW_CASES
    target = referral.to_organisation
    if target is None or not access.can(actor, action, target):
        raise PermissionDenied(_("Only the receiving organisation's case workers answer it."))
    return target


def _tell_peer(referral: Referral, status: str, **content: Any) -> None:
    """Send the other installation a status message about a referral it sent or received."""
    if referral.peer_id is None:
        return
    from palermo.referrals import federation

    reference = referral.remote_id if referral.case_id is None else str(referral.pk)
    federation.queue(
        referral, federation.new_message("status", referral=reference, status=status, **content)
    )


@transaction.atomic
def mark_received(*, actor: User, referral: Referral) -> Referral:
    """The receiving organisation opened it."""
    target = _receiving(actor, referral, change=False)
    # Only a referral still "sent" now: one cancelled meanwhile stays cancelled.
    opened = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.SENT).update(
        status=ReferralStatus.RECEIVED, updated_at=timezone.now()
    )
    _lock(referral)
    if opened:
        _event(referral, ReferralStatus.RECEIVED, actor)
        _audit("received", actor, referral, target)
    return referral


@transaction.atomic
def accept(*, actor: User, referral: Referral) -> Referral:
    """Accepting opens, in the receiving organisation, a case holding only the shared fields
    (a draft assigned to the accepting worker), and a limited grant on the referring case that
    shows those fields while consent lasts."""
    target = _receiving(actor, referral, change=True)
    _lock(referral)
    if referral.status not in OPEN_STATUSES:
        raise ValidationError(_("This referral is not waiting for an answer."))
    case = referral.case
    if case is None:  # from another installation: its values came with it
        values = dict(referral.shared or {})
        if not values:
            raise ValidationError(_("The person withdrew consent to referral."))
        # Checked on receipt; one received before that check, with codes this installation
        # does not know, loses them here rather than break the linked case.
        from palermo.referrals import federation

        for field_name in federation.unknown_codes(values):
            values.pop(field_name, None)
    elif not case_services.consents_to(case, ConsentPurpose.REFERRAL):
        raise ValidationError(_("The person withdrew consent to referral."))
    else:
        values = sharing.shared_values(case, sharing.referable(case, referral.fields))
    person: dict[str, Any] = {
        "gender": values.get("gender") or "",
        "citizenship": values.get("citizenship") or [],
        "birth_date": values.get("birth_date") or "",
        "phone": values.get("phone") or "",
        "aliases": values.get("aliases") or [],
        "documents": values.get("documents") or [],
    }
    # Values from another installation may use codes this one does not know: left out.
    for field_name in case_services.check_codes(person, case_services.PERSON_CODED):
        person[field_name] = [] if field_name == "citizenship" else ""
    name = values.get("name") or ""
    if name:
        person["given_name"] = name
    elif not person["aliases"]:
        # A case needs a name or an alias: the referral's reference stands in for it.
        person["aliases"] = [_("Referred by %(org)s") % {"org": referral.sender}]
    case_values: dict[str, Any] = {
        "case_type": case.case_type if case is not None and "case_type" in referral.fields else "",
        "identified_on": _date(values.get("identified_on")),
        "identification_country_id": values.get("identification_country") or None,
    }
    linked = case_services.start_intake(target, actor, person, case_values)
    linked.exploitation = values.get("exploitation") or []
    linked.country_of_origin = values.get("country_of_origin") or ""
    linked.exploitation_countries = values.get("exploitation_countries") or []
    if values.get("age") is not None:
        linked.age_at_identification = values["age"]
    linked.save()
    referral.linked_case = linked
    referral.status = ReferralStatus.ACCEPTED
    referral.answered_at = timezone.now()
    referral.save()
    if case is not None:
        _sync_grant(case, target, actor, _("Referral accepted"))
        referral.refresh_from_db(fields=["grant"])
    _event(referral, ReferralStatus.ACCEPTED, actor)
    _audit("accepted", actor, referral, target)
    _tell_peer(referral, ReferralStatus.ACCEPTED)
    return referral


def _sync_grant(case: Case, target: Organisation, actor: User | None, reason: str) -> None:
    """Make the limited grant of ``target`` on ``case`` show exactly what its accepted
    referrals share, as consent allows now: the union of their fields, or nothing when none is
    accepted any more. An unlimited grant given by hand is never touched. A new grant carries
    the referring worker's decision (recorded as given by the worker who made the first of
    those referrals), for ``reason``; its audit row names ``actor``, who acts now."""
    # One writer per case at a time: two answers at once would both make a grant.
    Case.objects.select_for_update().filter(pk=case.pk).exists()
    current = case.grants.filter(organisation=target, revoked_at__isnull=True).first()
    accepted = list(
        Referral.objects.filter(case=case, to_organisation=target, status=ReferralStatus.ACCEPTED)
    )
    if current is not None and not current.limited:
        Referral.objects.filter(pk__in=[r.pk for r in accepted]).update(grant=None)
        return
    chosen: set[str] = set()
    for referral in accepted:
        chosen.update(sharing.referable(case, referral.fields))
    fields = [name for name in sharing.SHAREABLE if name in chosen]
    identifiers = bool(chosen & set(sharing.identifier_fields()))
    if current is not None and (
        list(current.fields) == fields and current.include_identifiers == identifiers
    ):
        grant = current
    else:
        if current is not None:
            case_services.revoke_grant(current, actor or current.granted_by)
        grant = None
        if fields:
            grant = case_services.grant_access(
                case,
                actor or accepted[0].created_by,
                target,
                reason,
                include_identifiers=identifiers,
                fields=fields,
                on_behalf_of=accepted[0].created_by,
            )
    Referral.objects.filter(pk__in=[r.pk for r in accepted]).update(grant=grant)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@transaction.atomic
def decline(*, actor: User, referral: Referral, reason: str) -> Referral:
    target = _receiving(actor, referral, change=True)
    _lock(referral)
    if referral.status not in OPEN_STATUSES:
        raise ValidationError(_("This referral is not waiting for an answer."))
    reason = _clean(reason)[:5000]
    if not reason:
        raise ValidationError({"reason": [_("Say why the referral is declined.")]})
    referral.status = ReferralStatus.DECLINED
    referral.decline_reason = reason
    referral.answered_at = timezone.now()
    referral.save()
    if referral.case_id is None:
        # A declined referral from abroad keeps nothing of the person.
        referral.shared = {}
        referral.note = ""
        referral.protection_needs = ""
        referral.save(update_fields=["shared_enc", "note_enc", "protection_needs_enc"])
    _event(referral, ReferralStatus.DECLINED, actor)
    _audit("declined", actor, referral, target)
    _tell_peer(referral, ReferralStatus.DECLINED, reason=reason)
    return referral


@transaction.atomic
def complete(*, actor: User, referral: Referral, outcome: str) -> Referral:
    target = _receiving(actor, referral, change=True)
    _lock(referral)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted referral is completed."))
    referral.status = ReferralStatus.COMPLETED
    referral.outcome = _clean(outcome)[:5000]
    referral.completed_at = timezone.now()
    if referral.case_id is None:
        # From abroad: the linked case holds what came with it; the referral keeps nothing of
        # the person (at home, completing ends the grant likewise).
        referral.shared = {}
        referral.note = ""
        referral.protection_needs = ""
    referral.save()
    # Done: the linked case is the receiving organisation's record; what this referral shared
    # stops being shared (unless another accepted referral shares it too).
    if referral.case is not None:
        _sync_grant(referral.case, target, actor, _("Referral accepted"))
    _event(referral, ReferralStatus.COMPLETED, actor)
    _audit("completed", actor, referral, target)
    _tell_peer(referral, ReferralStatus.COMPLETED, outcome=referral.outcome)
    return referral


@transaction.atomic
def cancel(*, actor: User, referral: Referral) -> Referral:
    """The referring organisation withdraws a referral not yet answered."""
    if not referral_access.can_cancel(actor, referral):
        raise PermissionDenied(_("You cannot cancel this referral."))
    _lock(referral)  # answered meanwhile: too late to cancel
    if referral.status not in OPEN_STATUSES:
        raise ValidationError(_("Only a referral waiting for an answer is cancelled."))
    referral.status = ReferralStatus.CANCELLED
    referral.save(update_fields=["status", "updated_at"])
    _event(referral, ReferralStatus.CANCELLED, actor)
    _audit("cancelled", actor, referral, referral.from_organisation)
    if _unsend(referral):
        _tell_peer(referral, ReferralStatus.CANCELLED)
    return referral


def _unsend(referral: Referral) -> bool:
    """Drop the messages about a referral not yet delivered to the other installation. True
    when the referral itself had reached it (so that it must be told)."""
    from palermo.referrals.models import Message

    waiting = Message.objects.filter(
        referral=referral, direction=Message.Direction.OUT, delivered_at__isnull=True, outcome=""
    )
    reached = (
        referral.case_id is None
        or Message.objects.filter(
            referral=referral,
            direction=Message.Direction.OUT,
            kind="referral",
            delivered_at__isnull=False,
        ).exists()
    )
    waiting.delete()
    return reached


@transaction.atomic
def end_for_case(case: Case, actor: User | None = None, *, erasure: bool = False) -> int:
    """The person withdrew consent to referral, or was erased: end every referral of the case
    that still shares something (open, accepted, or completed abroad), revoke their grants,
    drop what waits to be sent, and tell other installations. Returns how many.

    For an erasure (``erasure``), every referral about the person, whatever its status, also
    loses its free texts and shared values: from the referring case, and to the case this
    organisation opened on accepting one (``linked_case``)."""
    ended = 0
    # Locked: an answer being written at the same time is read once committed. The grant is
    # read after the lock, by a query of its own: joined to the locked row it would be read
    # from the snapshot taken before the wait, without an accept's new grant.
    live = [*OPEN_STATUSES, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED]
    if erasure:
        # Erased where the referral was received: the receiving organisation no longer keeps
        # the person, so what this referral added to its grant on the referring case ends
        # (its other accepted referrals of the case keep theirs). A completed one has nothing
        # left to end; one from another installation is only emptied (_erase_texts): "revoked"
        # is the referring side's word.
        ended_for: set[tuple[Any, Any]] = set()
        for received in Referral.objects.select_for_update(of=("self",)).filter(
            linked_case=case,
            case__isnull=False,
            status__in=[*OPEN_STATUSES, ReferralStatus.ACCEPTED],
        ):
            _revoke(received, actor, received.to_organisation, erasure)
            ended_for.add((received.case, received.to_organisation))
            ended += 1
        for referring_case, receiver in ended_for:
            _sync_grant(
                referring_case, receiver, actor, _("Still shared by other accepted referrals")
            )
    for referral in Referral.objects.select_for_update(of=("self",)).filter(
        case=case, status__in=live
    ):
        if referral.status == ReferralStatus.COMPLETED and referral.peer_id is None:
            continue  # its grant ended with it
        if referral.grant is not None:  # consent to referral is gone: every grant ends
            case_services.revoke_grant(referral.grant, actor or referral.created_by)
        _revoke(referral, actor, referral.from_organisation, erasure)
        if referral.peer_id is not None and _unsend(referral):
            _tell_peer(referral, ReferralStatus.REVOKED)
        ended += 1
    if erasure:
        _erase_texts(case)
    return ended


def _revoke(
    referral: Referral, actor: User | None, organisation: Organisation | None, erasure: bool
) -> None:
    """End one locked referral (its grant is the caller's): its status, its history and the
    audit row (in the name of ``organisation``, the side whose person it was)."""
    referral.status = ReferralStatus.REVOKED
    referral.save(update_fields=["status", "updated_at"])
    _event(referral, ReferralStatus.REVOKED, actor)
    _audit("revoked", actor, referral, organisation, erasure=erasure)


def _erase_texts(case: Case) -> None:
    """Empty every encrypted column of the referrals about the person of ``case`` (the note,
    the asylum grounds, the decline reason, the outcome, values received from abroad) and
    drop the person's words from their messages still waiting to be sent."""
    from palermo.referrals.models import Message

    about = Referral.objects.filter(models.Q(case=case) | models.Q(linked_case=case))
    about.update(
        note_enc="",
        protection_needs_enc="",
        decline_reason_enc="",
        outcome_enc="",
        shared_enc="",
    )
    from palermo.referrals import federation

    for message in Message.objects.filter(referral__in=about).exclude(envelope_enc=""):
        envelope = message.envelope
        if envelope.get("type") == "referral":
            message.delete()  # the person's referral itself never leaves now
            continue
        federation.strip_persons_words(message, envelope)


def follow_consent(case: Case) -> int:
    """After consent to referral is withdrawn."""
    return end_for_case(case)


@transaction.atomic
def follow_narrowed_consent(case: Case) -> int:
    """After consent to referral stops covering identifiers: every referral of the case that
    carried identifiers to another installation, and still shares there, tells it to drop
    them (``narrowed``). One not yet delivered needs nothing: its values are read when it
    leaves. Returns how many were told."""
    from palermo.referrals import federation
    from palermo.referrals.models import Message

    told = 0
    for referral in Referral.objects.select_for_update().filter(
        case=case,
        peer__isnull=False,
        include_identifiers=True,
        status__in=[*OPEN_STATUSES, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED],
    ):
        delivered = Message.objects.filter(
            referral=referral, kind="referral", delivered_at__isnull=False
        ).exists()
        if delivered:
            _tell_peer(referral, federation.NARROWED)
            _audit("narrowed", None, referral, referral.from_organisation)
            told += 1
    return told


def overdue(now: datetime.datetime | None = None) -> Any:
    """Referrals whose answer is late."""
    return Referral.objects.filter(
        status__in=list(OPEN_STATUSES), respond_by__lt=now or timezone.now()
    ).select_related("from_organisation", "to_organisation", "case")


@transaction.atomic
def send_alerts(now: datetime.datetime | None = None) -> int:
    """Tell both organisations about each referral whose answer is late, once: a mail to the
    receiving organisation's supervisors and the referring worker, naming the referral, never
    the person. Returns how many referrals were alerted."""
    count = 0
    for referral in overdue(now).filter(alerted_at__isnull=True):
        # A referral sent to another installation: only its referring worker here is told.
        recipients = {
            m.user.email
            for m in Membership.objects.filter(
                organisation_id=referral.to_organisation_id,
                role__in=[Role.SUPERVISOR, Role.CASE_WORKER],
            ).select_related("user")
            if m.user.email and m.user.is_active
        }
        if referral.created_by.email:
            recipients.add(referral.created_by.email)
        if recipients:
            _mail_after_commit(
                _("A referral is waiting for an answer"),
                _(
                    "Referral %(id)s from %(sender)s to %(receiver)s was to be answered by "
                    "%(deadline)s. Open it in Palermo: /referrals/%(id)s/"
                )
                % {
                    "id": referral.pk,
                    "sender": referral.sender,
                    "receiver": referral.receiver,
                    "deadline": referral.respond_by.strftime("%Y-%m-%d %H:%M UTC"),
                },
                sorted(recipients),
            )
        referral.alerted_at = now or timezone.now()
        referral.save(update_fields=["alerted_at"])
        _audit("overdue", None, referral, referral.to_organisation, recipients=len(recipients))
        count += 1
    return count


def _tellers(referral: Referral) -> set[str]:
    """Who hears about a referral here: its referring worker, or for one received from
    another installation, the receiving organisation's case workers and supervisors."""
    recipients: set[str] = set()
    if referral.case_id is None and referral.to_organisation_id is not None:
        recipients = {
            m.user.email
            for m in Membership.objects.filter(
                organisation_id=referral.to_organisation_id,
                role__in=[Role.SUPERVISOR, Role.CASE_WORKER],
            ).select_related("user")
            if m.user.email and m.user.is_active
        }
    if referral.created_by.email and referral.created_by.is_active:
        recipients.add(referral.created_by.email)
    return recipients


def tell_of_refusal(referral: Referral, kind: str, reason: str) -> None:
    """Mail those who follow ``referral`` here that the other installation refused a message
    about it (the referral itself, or a status): naming the referral, never the person."""
    recipients = _tellers(referral)
    if not recipients:
        return
    _mail_after_commit(
        _("The other installation refused a referral message"),
        _(
            "The other installation (%(peer)s) refused the %(kind)s message about referral "
            "%(id)s: %(reason)s. Open it in Palermo: /referrals/%(id)s/"
        )
        % {
            "peer": referral.peer.name if referral.peer else "",
            "kind": kind,
            "id": referral.pk,
            "reason": reason,
        },
        sorted(recipients),
    )


def _mail_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Send once the transaction is committed (never for an alert rolled back)."""
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


@transaction.atomic
def refer_abroad(
    *, actor: User, case: Case, peer: Peer, remote_organisation: str, data: ReferralData
) -> Referral:
    """Refer a person to an organisation of another Palermo installation: the same checks as
    at home, then a signed message carrying only the chosen fields, queued for
    ``send_referral_messages``."""
    from palermo.referrals import federation

    if not access_to_case(actor, case).change:
        raise PermissionDenied(_("You cannot refer this case."))
    if not peer.is_active:
        raise ValidationError({"peer": [_("This installation is not active.")]})
    remote_organisation = _clean(remote_organisation)[:100]
    if not remote_organisation:
        raise ValidationError({"remote_organisation": [_("Name the receiving organisation.")]})
    check_referral(case, data, abroad=True)
    now = timezone.now()
    referral = Referral(
        case=case,
        from_organisation=case.organisation,
        peer=peer,
        remote_organisation=remote_organisation,
        kind=data.kind,
        cross_border=True,
        need=data.need,
        urgency=data.urgency,
        fields=[name for name in sharing.SHAREABLE if name in data.fields],
        include_identifiers=bool(set(data.fields) & set(sharing.identifier_fields())),
        interview_language=_clean(data.interview_language)[:60],
        respond_by=now + ANSWER_WITHIN[Urgency(data.urgency)],
        created_by=actor,
    )
    referral.note = _clean(data.note)[:10_000]
    referral.protection_needs = _clean(data.protection_needs)[:10_000]
    referral.full_clean(exclude=["note_enc", "protection_needs_enc", "shared_enc"])
    referral.save()
    _event(referral, ReferralStatus.SENT, actor)
    federation.queue(
        referral,
        federation.new_message(
            "referral",
            referral=str(referral.pk),
            from_organisation=case.organisation.name,
            to_organisation=remote_organisation,
            kind=referral.kind,
            need=referral.need,
            urgency=referral.urgency,
            respond_by=referral.respond_by.isoformat(),
            # The values are read when the message is delivered, as consent then allows.
            fields=list(referral.fields),
            note=referral.note,
            protection_needs=referral.protection_needs,
            interview_language=referral.interview_language,
        ),
    )
    _audit(
        "sent",
        actor,
        referral,
        case.organisation,
        to=f"{remote_organisation}@{peer.installation_id}",
        fields=referral.fields,
    )
    return referral
