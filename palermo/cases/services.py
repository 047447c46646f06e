"""Writing cases: intake step by step, consent, screening, notes, services, workflow. Every write
checks the case's row version (a second worker's stale save is refused, never applied), and is
audited: coded fields with their before and after, identifiers only as "changed"."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts.models import Organisation
from palermo.audit import services as audit
from palermo.cases.models import (
    AssistanceService,
    Case,
    CaseCode,
    CaseNote,
    CaseStatus,
    Consent,
    ConsentPurpose,
    Person,
    PersonIndex,
    Screening,
)
from palermo.cases.safeguards import child_closure_errors, ensure_safeguards, reschedule
from palermo.core import crypto
from palermo.standard import screening as screening_rule
from palermo.standard import selectors as standard_selectors
from palermo.standard.models import InstrumentVersion
from palermo.standard.services import field_infos, vocabulary

if TYPE_CHECKING:
    from palermo.accounts.models import User

# Coded case fields and the standard field whose list they take their codes from.
CODED_CASE_FIELDS = {
    "exploitation": "vic_TypeOfExploitation",
    "forced_labour_industry": "vic_ForcedLabourIndustry",
    "sex_exploitation": "vic_TypeOfSexExploitation",
    "means_of_control": "vic_MethodsOfControl",
    "recruitment_methods": "vic_MethodOfRecruitment",
    "recruiter_relationship": "vic_RelationshipToTrafficker",
    "identified_by": "vic_TraffickingStatusDecisionMakingOrg",
    "country_of_origin": "prs_Citizenship",
    "transit_countries": "prs_Citizenship",
    "exploitation_countries": "prs_Citizenship",
}
PERSON_CODED = {"gender": "prs_Gender", "citizenship": "prs_Citizenship"}
PERSON_IDENTIFIERS = (
    "given_name",
    "family_name",
    "aliases",
    "birth_date",
    "documents",
    "phone",
    "address",
)
CASE_PLAIN = (
    "case_type",
    "identified_on",
    "identification_country_id",
    "recruited_on",
    "exploitation_began_on",
    "exploitation_ended_on",
    "age_at_entry",
    "age_at_exploitation",
)
CASE_ENCRYPTED = ("identification_place", "narrative")


class ConflictError(Exception):
    """The case changed since the form was loaded; ``current`` is the case as it is now."""

    def __init__(self, current: Case) -> None:
        super().__init__("the case was changed by someone else")
        self.current = current


def check_codes(values: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, list[str]]:
    """Field-level errors for values that are not codes of their standard field's list."""
    infos = field_infos()
    vocab = vocabulary()
    errors: dict[str, list[str]] = {}
    for name, standard_field in fields.items():
        if name not in values:
            continue
        value = values[name]
        codes = value if isinstance(value, list) else [value] if value else []
        code_list = infos[standard_field].code_list or ""
        unknown = [c for c in codes if c not in vocab.codes.get(code_list, ())]
        if unknown:
            errors[name] = [
                _("Not a code of the standard: %(codes)s") % {"codes": ", ".join(map(str, unknown))}
            ]
    return errors


def age_on(birth_date: str, day: datetime.date | None) -> int | None:
    if not birth_date or day is None:
        return None
    born = datetime.date.fromisoformat(birth_date)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _check_dates(case_values: Mapping[str, Any], birth_date: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    born = datetime.date.fromisoformat(birth_date) if birth_date else None
    if born and born > today:
        errors["birth_date"] = [_("A birth date cannot be in the future.")]
    if born and born.year < today.year - 120:
        errors["birth_date"] = [_("This birth date is more than 120 years ago.")]
    for name in ("identified_on", "recruited_on", "exploitation_began_on", "exploitation_ended_on"):
        day = case_values.get(name)
        if day and day > today:
            errors[name] = [_("This date is in the future.")]
        elif day and born and day < born:
            errors[name] = [_("This date is before the birth date.")]
    began, ended = (
        case_values.get("exploitation_began_on"),
        case_values.get("exploitation_ended_on"),
    )
    if began and ended and ended < began:
        errors["exploitation_ended_on"] = [_("Exploitation cannot end before it began.")]
    return errors


def _reindex(person: Person) -> None:
    person.index_rows.all().delete()
    PersonIndex.objects.bulk_create(index_rows(person), ignore_conflicts=True)


def index_rows(person: Person) -> list[PersonIndex]:
    """The blind-index rows of a person's names, aliases, document numbers and phone."""
    entries = index_entries([person.display_name, *person.aliases], person.documents, person.phone)
    return [PersonIndex(person=person, kind=kind, digest=digest) for kind, digest in entries]


def index_entries(
    names: Iterable[str], documents: Iterable[Mapping[str, Any]], phone: str
) -> list[tuple[str, str]]:
    """(kind, digest) of each searchable identifier: names, document numbers, the phone."""
    values = [(PersonIndex.Kind.NAME, name, "name") for name in names]
    values += [
        (PersonIndex.Kind.DOCUMENT, str(document.get("number", "")), "document")
        for document in documents
    ]
    values.append((PersonIndex.Kind.PHONE, phone, "phone"))
    entries = []
    for kind, value, purpose in values:
        if value and (digest := crypto.blind_index(value, purpose)):  # "" has no digest
            entries.append((str(kind), digest))
    return list(dict.fromkeys(entries))


INDEXED_CODES = ("exploitation", "forced_labour_industry", "sex_exploitation", "means_of_control")


def code_rows(case: Case) -> list[CaseCode]:
    """The index rows of a case's multi-valued codes (each code once)."""
    entries = code_entries({name: getattr(case, name) for name in INDEXED_CODES})
    return [CaseCode(case=case, field=name, code=code) for name, code in entries]


def code_entries(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, code) of each indexed multi-valued code in ``values`` (case attribute -> list)."""
    return [
        (name, code) for name in INDEXED_CODES for code in dict.fromkeys(values.get(name) or [])
    ]


def _index_codes(case: Case) -> None:
    case.codes.all().delete()
    CaseCode.objects.bulk_create(code_rows(case))


def next_references(organisation: Organisation, count: int = 1) -> list[str]:
    """The next ``count`` case references of the organisation (``AGA-2026-00042``); the
    organisation's row stays locked until the caller's transaction ends, so that no one else
    takes the same numbers."""
    prefix, taken = reference_start(organisation)
    return [f"{prefix}{taken + n:05d}" for n in range(1, count + 1)]


def reference_start(organisation: Organisation) -> tuple[str, int]:
    """This year's reference prefix of the organisation and how many references it has taken;
    locks the organisation's row until the caller's transaction ends (see next_references)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).get()
    prefix = f"{organisation.acronym}-{timezone.localdate().year}-"
    last = (
        Case.objects.filter(organisation=organisation, reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")  # 100000 after 99999
        .values_list("reference", flat=True)
        .first()
    )
    suffix = last[len(prefix) :] if last else ""
    # The highest number taken, not how many: erased cases leave gaps that must stay unused.
    return prefix, int(suffix) if suffix.isdigit() else 0


def _next_reference(organisation: Organisation) -> str:
    return next_references(organisation)[0]


@dataclass
class Changes:
    coded: dict[str, tuple[Any, Any]]
    identifiers: list[str]


def _apply(
    obj: Any, values: Mapping[str, Any], plain: Iterable[str], secret: Iterable[str]
) -> Changes:
    changes = Changes({}, [])
    for name in plain:
        if name in values and getattr(obj, name) != values[name]:
            changes.coded[name] = (getattr(obj, name), values[name])
            setattr(obj, name, values[name])
    for name in secret:
        if name in values and getattr(obj, name) != values[name]:
            changes.identifiers.append(name)
            setattr(obj, name, values[name])
    return changes


def _audit_changes(action: str, actor: User, case: Case, changes: Changes) -> None:
    audit.record(
        action=action,
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={
            "reference": case.reference,
            "changed": {
                k: [a, b] for k, (a, b) in changes.coded.items()
            },  # dates: the log's encoder
            "identifiers_changed": sorted(changes.identifiers),
        },
    )


@transaction.atomic
def start_intake(
    organisation: Organisation,
    actor: User,
    person_values: Mapping[str, Any],
    case_values: Mapping[str, Any],
) -> Case:
    """Step one of intake: the person and the case as a draft, assigned to the worker."""
    errors = check_codes(person_values, PERSON_CODED)
    errors |= _check_dates(case_values, person_values.get("birth_date", ""))
    if not (person_values.get("given_name") or person_values.get("family_name")) and not (
        person_values.get("aliases")
    ):
        errors["given_name"] = [_("Give a name or an alias, even a provisional one.")]
    if errors:
        raise ValidationError(errors)
    person = Person(organisation=organisation)
    changes = _apply(person, person_values, PERSON_CODED, PERSON_IDENTIFIERS)
    person.save()
    _reindex(person)
    case = Case(
        organisation=organisation,
        person=person,
        reference=_next_reference(organisation),
        case_type=case_values.get("case_type") or "presumed_victim",
        standard_version=standard_selectors.latest_version(),
        assigned_to=actor,
        created_by=actor,
        intake_step=2,
    )
    changes_case = _apply(case, case_values, CASE_PLAIN, CASE_ENCRYPTED)
    case.age_at_identification = age_on(person.birth_date, case.identified_on)
    case.save()
    _index_codes(case)
    ensure_safeguards(case)
    changes.coded |= changes_case.coded
    changes.identifiers += changes_case.identifiers
    _audit_changes("case.created", actor, case, changes)
    return case


def lock_case(case: Case, row_version: int) -> Case:
    """The case, locked, if nobody saved it since ``row_version``; else ConflictError."""
    current = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if current.row_version != row_version:
        raise ConflictError(current)
    return current


@transaction.atomic
def update_case(
    case: Case,
    actor: User,
    row_version: int,
    case_values: Mapping[str, Any] | None = None,
    person_values: Mapping[str, Any] | None = None,
    intake_step: int | None = None,
) -> Case:
    """Save any part of a case (an intake step, or an edit). Refused if stale."""
    case_values = dict(case_values or {})
    person_values = dict(person_values or {})
    current = lock_case(case, row_version)
    person = current.person
    birth_date = person_values.get("birth_date", person.birth_date)
    errors = check_codes(case_values, CODED_CASE_FIELDS) | check_codes(person_values, PERSON_CODED)
    errors |= _check_dates(
        {
            "identified_on": case_values.get("identified_on", current.identified_on),
            **{k: v for k, v in case_values.items() if k.endswith("_on")},
        },
        birth_date,
    )
    if errors:
        raise ValidationError(errors)
    changes = _apply(current, case_values, [*CASE_PLAIN, *CODED_CASE_FIELDS], CASE_ENCRYPTED)
    person_changes = _apply(person, person_values, PERSON_CODED, PERSON_IDENTIFIERS)
    if person_changes.coded or person_changes.identifiers:
        person.save()
        _reindex(person)
    current.age_at_identification = age_on(person.birth_date, current.identified_on)
    if intake_step is not None:
        current.intake_step = max(current.intake_step, intake_step)
    current.row_version = F("row_version") + 1
    current.save()
    current.refresh_from_db()
    if set(changes.coded) & set(INDEXED_CODES):
        _index_codes(current)
    ensure_safeguards(current)
    if "identified_on" in changes.coded:
        reschedule(current)
    changes.coded |= person_changes.coded
    changes.identifiers += person_changes.identifiers
    if changes.coded or changes.identifiers:
        _audit_changes("case.changed", actor, current, changes)
    return current


@transaction.atomic
def record_consent(
    case: Case,
    actor: User,
    purpose: str,
    decision: str,
    given_by: str,
    decided_on: datetime.date,
    covers_identifiers: bool = False,
) -> Consent:
    if purpose not in ConsentPurpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if decision not in Consent.Decision.values:
        raise ValidationError({"decision": _("Unknown decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date is in the future.")})
    previous = current_consent(case).get(purpose)
    if decision == Consent.Decision.WITHDRAWN and (
        previous is None or previous.decision != "given"
    ):
        raise ValidationError({"decision": _("Only consent that was given can be withdrawn.")})
    if case.is_minor and given_by == "person" and decision == Consent.Decision.GIVEN:
        raise ValidationError(
            {"given_by": _("For a child, consent is given by a guardian or legal representative.")}
        )
    consent = Consent.objects.create(
        case=case,
        purpose=purpose,
        decision=decision,
        given_by=given_by,
        decided_on=decided_on,
        covers_identifiers=bool(covers_identifiers)
        and purpose == ConsentPurpose.REFERRAL
        and decision == Consent.Decision.GIVEN,
        recorded_by=actor,
    )
    audit.record(
        action="case.consent",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={
            "purpose": purpose,
            "decision": decision,
            "given_by": given_by,
            "covers_identifiers": consent.covers_identifiers,
        },
    )
    if purpose == ConsentPurpose.REFERRAL and decision != Consent.Decision.GIVEN:
        # Every grant to another organisation rests on consent to referral: withdrawing it
        # ends them all.
        for grant in case.grants.filter(revoked_at__isnull=True):
            revoke_grant(grant, actor)
        from palermo.referrals.services import follow_consent  # referrals build on cases

        follow_consent(case)
    elif (
        purpose == ConsentPurpose.REFERRAL
        and previous is not None
        and previous.covers_identifiers
        and not consent.covers_identifiers
    ):
        for grant in case.grants.filter(revoked_at__isnull=True, include_identifiers=True):
            narrow_grant(grant, actor)
        from palermo.referrals.services import follow_narrowed_consent

        follow_narrowed_consent(case)
    return consent


def consents_to_identifiers(case: Case) -> bool:
    """Whether consent to referral is in force and covers the person's identifiers."""
    consent = current_consent(case).get(ConsentPurpose.REFERRAL)
    return (
        consent is not None
        and consent.decision == Consent.Decision.GIVEN
        and consent.covers_identifiers
    )


def current_consent(case: Case) -> dict[str, Consent]:
    """The decision in force for each purpose."""
    found: dict[str, Consent] = {}
    for consent in case.consents.order_by("purpose", "-recorded_at", "-pk"):
        found.setdefault(consent.purpose, consent)
    return found


def consents_to(case: Case, purpose: str) -> bool:
    """Whether consent for ``purpose`` is given and in force: the rest of the platform asks
    this before acting for that purpose."""
    consent = current_consent(case).get(purpose)
    return consent is not None and consent.decision == Consent.Decision.GIVEN


@transaction.atomic
def screen(
    case: Case,
    actor: User,
    instrument_version: InstrumentVersion,
    present: Iterable[str],
    facts: Mapping[str, bool],
) -> Screening:
    result = screening_rule.evaluate(instrument_version.document, present, facts)
    record = Screening.objects.create(
        case=case,
        instrument_version=instrument_version,
        present=sorted(set(present)),
        facts=dict(facts),
        positive=result.positive,
        explanation=list(result.explanation),
        performed_by=actor,
    )
    audit.record(
        action="case.screened",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={
            "instrument": instrument_version.instrument.key,
            "instrument_version": instrument_version.number,
            "outcome": result.outcome,
        },
    )
    return record


@transaction.atomic
def add_note(case: Case, actor: User, text: str) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The note is empty.")})
    if len(text) > 20_000:
        raise ValidationError({"text": _("A note may have at most 20,000 characters.")})
    note = CaseNote(case=case, author=actor)
    note.text = text
    note.save()
    audit.record(action="case.note_added", actor=actor, organisation=case.organisation, target=case)
    return note


@transaction.atomic
def add_service(
    case: Case,
    actor: User,
    service_type: str,
    provider: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    outcome: str = "",
) -> AssistanceService:
    errors: dict[str, list[str]] = {}
    if not service_type or check_codes({"t": service_type}, {"t": "spl_Type"}):
        errors["service_type"] = [_("Not a type of service of the standard.")]
    if not (provider or "").strip():
        errors["provider"] = [_("Say who provides the service.")]
    if started_on > timezone.localdate():
        errors["started_on"] = [_("This date is in the future.")]
    if ended_on and ended_on < started_on:
        errors["ended_on"] = [_("A service cannot end before it started.")]
    if errors:
        raise ValidationError(errors)
    service = AssistanceService(
        case=case,
        service_type=service_type,
        provider=provider.strip(),
        started_on=started_on,
        ended_on=ended_on,
        recorded_by=actor,
    )
    service.outcome = outcome
    service.save()
    audit.record(
        action="case.service_added",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"service_type": service_type},
    )
    return service


TRANSITIONS = {
    CaseStatus.DRAFT: {CaseStatus.OPEN},
    CaseStatus.OPEN: {CaseStatus.ACTIVE, CaseStatus.CLOSED},
    CaseStatus.ACTIVE: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: {CaseStatus.ACTIVE},  # reopened, with a reason
}


@transaction.atomic
def change_status(
    case: Case,
    actor: User,
    row_version: int,
    status: str,
    reason: str = "",
    approved: bool = False,
) -> Case:
    """Move a case along its life cycle. Closing needs a supervisor's approval (``approved`` is
    set only by ``workflow.decide``); reopening needs a reason."""
    current = lock_case(case, row_version)
    if status not in TRANSITIONS.get(CaseStatus(current.status), set()):
        raise ValidationError(
            _("A case cannot go from %(old)s to %(new)s.")
            % {
                "old": CaseStatus(current.status).label,
                "new": CaseStatus(status).label if status in CaseStatus.values else status,
            }
        )
    if status == CaseStatus.CLOSED and not approved:
        raise ValidationError(_("Closing a case needs a supervisor's approval: request it."))
    if status == CaseStatus.CLOSED and current.is_minor:
        errors = child_closure_errors(current)
        if errors:
            raise ValidationError(errors)
    if current.status == CaseStatus.CLOSED and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    if status == CaseStatus.OPEN and not consents_to(current, ConsentPurpose.ASSISTANCE):
        raise ValidationError(
            _("Record the person's consent to assistance before opening the case.")
        )
    old = current.status
    current.status = status
    today = timezone.localdate()
    if status == CaseStatus.OPEN:
        current.opened_on = today
    elif status == CaseStatus.CLOSED:
        current.closed_on = today
    elif old == CaseStatus.CLOSED:
        current.closed_on = None
    current.row_version = F("row_version") + 1
    current.save()
    current.refresh_from_db()
    reason = (reason or "").strip()
    if reason:  # free text may name people: it is kept as an encrypted note, not in the log
        note = CaseNote(case=current, author=actor)
        note.text = _("Reopened: %(reason)s") % {"reason": reason}
        note.save()
    audit.record(
        action="case.status",
        actor=actor,
        organisation=current.organisation,
        target=current,
        detail={"from": old, "to": status, "reason_given": bool(reason)},
    )
    return current


def find_persons(organisation_ids: Iterable[Any], text: str) -> list[Any]:
    """Exact-match search on names, aliases, document numbers and phones through the blind
    index: ids of matching persons of the given organisations."""
    digests = [crypto.blind_index(text, kind) for kind in ("name", "document", "phone")]
    return list(
        PersonIndex.objects.filter(
            digest__in=[d for d in digests if d],
            person__organisation_id__in=list(organisation_ids),
        ).values_list("person_id", flat=True)
    )


def audit_identifiers_viewed(case: Case, actor: User, where: str) -> None:
    audit.record(
        action="case.identifiers_viewed",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"where": where},
    )


def audit_list_viewed(actor: User, cases: list[Case]) -> None:
    """Names shown in a list are identifiers read: one event per page, naming the cases."""
    audit.record(
        action="case.identifiers_listed",
        actor=actor,
        detail={"references": [c.reference for c in cases]},
    )


@transaction.atomic
def grant_access(
    case: Case,
    actor: User,
    organisation: Organisation,
    reason: str,
    include_identifiers: bool,
    fields: list[str] | None = None,
    on_behalf_of: User | None = None,
) -> Any:
    """Let another organisation read one case: the whole of it read-only, or only ``fields``
    (an accepted referral: see cases.sharing). Audited under ``actor``. ``on_behalf_of``: the
    user whose decision the grant carries out, when that is not ``actor`` (the worker who made
    the referrals a grant shares, when another user's action rebuilds it); the grant is
    recorded as theirs, and the audit row names both."""
    from palermo.cases.models import Grant

    if organisation.pk == case.organisation_id:
        raise ValidationError({"organisation": _("The case is already this organisation's.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why access is granted.")})
    if include_identifiers and not consents_to(case, ConsentPurpose.REFERRAL):
        raise ValidationError(
            {"include_identifiers": _("Identifiers are shared only with consent to referral.")}
        )
    if fields is not None:
        from palermo.cases import sharing

        unknown = set(fields) - set(sharing.SHAREABLE)
        if unknown:
            raise ValidationError({"fields": _("Unknown field: %s.") % ", ".join(sorted(unknown))})
        if not include_identifiers:
            fields = [f for f in fields if not sharing.SHAREABLE[f].identifier]
    grant = Grant(
        case=case,
        organisation=organisation,
        include_identifiers=include_identifiers,
        limited=fields is not None,
        fields=list(fields or []),
        granted_by=on_behalf_of or actor,
    )
    grant.reason = reason
    grant.save()
    audit.record(
        action="case.granted",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={
            "to": str(organisation.pk),
            "identifiers": include_identifiers,
            "fields": grant.fields if grant.limited else "all",
            **({"on_behalf_of": on_behalf_of.pk} if on_behalf_of else {}),
        },
    )
    return grant


def narrow_grant(grant: Any, actor: User) -> None:
    """A grant stops carrying the person's identifiers (consent no longer covers them)."""
    if grant.include_identifiers:
        _change_grant(grant, actor, "case.grant_narrowed", include_identifiers=False)


def revoke_grant(grant: Any, actor: User) -> None:
    """A grant ends (nothing if it already has)."""
    if grant.revoked_at is None:
        _change_grant(grant, actor, "case.grant_revoked", revoked_at=timezone.now())


@transaction.atomic
def _change_grant(grant: Any, actor: User | None, action: str, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(grant, name, value)
    grant.save(update_fields=list(changes))
    audit.record(
        action=action,
        actor=actor,
        organisation=grant.case.organisation,
        target=grant.case,
        detail={"to": str(grant.organisation_id)},
    )
