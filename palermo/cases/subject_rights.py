"""A person's rights over their data: a copy of their whole record, and erasure on request.

The export holds what the organisation keeps about the person (identifiers, cases, consent,
screening, assistance, movements, safeguards, notes, the list of attachments), not what it keeps
about others: perpetrators' details stay out. Erasure destroys every identifier and every free
text of the person's cases; the coded data stays, for statistics only, if the person's consent to
pooled statistics is in force, and is deleted with the case otherwise. Both are audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.audit import services as audit
from palermo.cases.access import case_access
from palermo.cases.models import Case, CaseNote, ConsentPurpose, Person, encrypted_columns
from palermo.cases.services import PERSON_IDENTIFIERS, consents_to, revoke_grant

if TYPE_CHECKING:
    from palermo.accounts.models import User

FORMAT = "palermo-person-record/1"


def _case_record(case: Case) -> dict[str, Any]:
    safeguards = getattr(case, "safeguards", None)
    return {
        "reference": case.reference,
        "organisation": case.organisation.name,
        "status": case.status,
        "case_type": case.case_type,
        "identified_on": case.identified_on,
        "identification_country": case.identification_country_id,
        "identification_place": case.identification_place,
        "identified_by": case.identified_by,
        "age_at_identification": case.age_at_identification,
        "exploitation": case.exploitation,
        "forced_labour_industry": case.forced_labour_industry,
        "sex_exploitation": case.sex_exploitation,
        "means_of_control": case.means_of_control,
        "recruitment_methods": case.recruitment_methods,
        "recruiter_relationship": case.recruiter_relationship,
        "country_of_origin": case.country_of_origin,
        "transit_countries": case.transit_countries,
        "exploitation_countries": case.exploitation_countries,
        "recruited_on": case.recruited_on,
        "exploitation_began_on": case.exploitation_began_on,
        "exploitation_ended_on": case.exploitation_ended_on,
        "narrative": case.narrative,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "consents": [
            {
                "purpose": c.purpose,
                "decision": c.decision,
                "given_by": c.given_by,
                "decided_on": c.decided_on,
            }
            for c in case.consents.order_by("recorded_at", "pk")
        ],
        "screenings": [
            {
                "instrument": s.instrument_version.instrument.key,
                "version": s.instrument_version.number,
                "performed_at": s.performed_at,
                "positive": s.positive,
                "indicators_present": s.present,
            }
            for s in case.screenings.select_related("instrument_version__instrument")
        ],
        "assistance": [
            {
                "type": s.service_type,
                "provider": s.provider,
                "started_on": s.started_on,
                "ended_on": s.ended_on,
                "outcome": s.outcome,
            }
            for s in case.services.all()
        ],
        "movements": [
            {
                "kind": m.kind,
                "from": m.from_country,
                "to": m.to_country,
                "departed_on": m.departed_on,
                "arrived_on": m.arrived_on,
                "details": m.details,
            }
            for m in case.movements.all()
        ],
        "child_safeguards": None
        if safeguards is None
        else {
            "guardian_appointed_on": safeguards.guardian_appointed_on,
            "guardian_name": safeguards.guardian_name,
            "assessment_done_on": safeguards.assessment_done_on,
            "determination_done_on": safeguards.determination_done_on,
            "determination_outcome": safeguards.determination_outcome,
            "family_tracing": safeguards.tracing_status,
            "reunification": safeguards.reunification_status,
        },
        "notes": [
            {"written_at": n.created_at, "text": n.text} for n in case.notes.order_by("created_at")
        ],
        "attachments": [
            {"name": a.name, "kind": a.kind, "type": a.content_type, "size": a.size}
            for a in case.attachments.defer("data_enc")
        ],
        "flags": [
            {
                "reason": f.reason,
                "details": f.details,
                "raised_at": f.raised_at,
                "cleared_at": f.cleared_at,
            }
            for f in case.flags.order_by("raised_at")
        ],
        "approvals": [
            {
                "kind": a.kind,
                "state": a.state,
                "content": a.content,
                "requested_at": a.requested_at,
                "decided_at": a.decided_at,
            }
            for a in case.approvals.order_by("requested_at")
        ],
        "shared_with": [
            {
                "organisation": g.organisation.name,
                "since": g.granted_at,
                "until": g.revoked_at,
                "identifiers": g.include_identifiers,
            }
            for g in case.grants.select_related("organisation").order_by("granted_at")
        ],
    }


def person_record(case: Case, actor: User) -> dict[str, Any]:
    """Everything kept about the person of ``case`` in its organisation, as plain data (dates as
    dates: JSON encoders write them as ISO 8601)."""
    person = case.person
    if person.erased_at is not None:
        raise ValidationError(_("This person's identifiers were erased."))
    if not case_access(actor, case).export:
        raise PermissionDenied("export of a person's record")
    cases = (
        Case.objects.filter(person=person)
        .select_related("organisation", "identification_country")
        .order_by("created_at")
    )
    record = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "person": {
            **{name: getattr(person, name) for name in PERSON_IDENTIFIERS},
            "gender": person.gender,
            "citizenship": person.citizenship,
        },
        "cases": [_case_record(c) for c in cases],
    }
    audit.record(
        action="case.subject_exported",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"cases": [c.reference for c in cases]},
    )
    return record


@transaction.atomic
def erase_person(case: Case, actor: User, reason: str) -> dict[str, Any]:
    """Destroy the person's identifiers and every free text of their cases. Cases whose consent
    to pooled statistics is in force keep their coded fields; the others are deleted."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say on what request the person is erased.")})
    person = Person.objects.select_for_update().filter(pk=case.person_id).first()
    if person is None or person.erased_at is not None:
        raise ValidationError(_("This person's identifiers were already erased."))
    if not case_access(actor, case).erase:
        raise PermissionDenied("erasure of a person")
    kept, deleted = [], []
    organisation = case.organisation
    from palermo.referrals.services import end_for_case  # referrals build on cases

    for each in Case.objects.filter(person=person):
        end_for_case(each, actor, erasure=True)
    for each in Case.objects.select_for_update(of=("self",)).filter(person=person):
        if consents_to(each, ConsentPurpose.STATISTICS):
            _strip(each, actor)
            # The request stays with the case, encrypted: why its texts were destroyed.
            note = CaseNote(case=each, author=actor)
            note.text = _("Person erased on request: %(reason)s") % {"reason": reason.strip()}
            note.save()
            kept.append(each.reference)
        else:
            deleted.append(each.reference)
            each.delete()
    person.index_rows.all().delete()
    for name in PERSON_IDENTIFIERS:
        setattr(person, f"{name}_enc", "")
    person.erased_at = timezone.now()
    person.save()
    if not kept:
        person.delete()
    audit.record(
        action="case.subject_erased",
        actor=actor,
        organisation=organisation,
        target=case if kept else None,
        detail={"kept_for_statistics": kept, "deleted": deleted},
    )
    return {"kept_for_statistics": kept, "deleted": deleted}


def _strip(case: Case, actor: User) -> None:
    """Every encrypted column of the case and of its records, emptied: notes and attachments are
    nothing but text and files, so they go. Every grant still in force ends, audited."""
    case.notes.all().delete()
    case.attachments.all().delete()
    case.services.update(provider="")
    for grant in case.grants.filter(revoked_at__isnull=True).select_related("case__organisation"):
        revoke_grant(grant, actor)
    # Forms opened before the erasure can no longer save: their row version is stale.
    Case.objects.filter(pk=case.pk).update(row_version=F("row_version") + 1)
    for model, columns in encrypted_columns().items():
        # The case's own records; other apps clear what they keep of the person themselves
        # (referrals: erase_person calls referrals.services.end_for_case(erasure=True)).
        if model is Person or model._meta.app_label != "cases":
            continue
        manager = model._default_manager
        rows = manager.filter(pk=case.pk) if model is Case else manager.filter(case=case)
        rows.update(**dict.fromkeys(columns, ""))
