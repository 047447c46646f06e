"""Intake, consent, screening, workflow: validation, conflicts, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palermo.audit.models import AuditEvent
from palermo.cases import services, workflow
from palermo.cases.models import Case, CaseStatus, Person
from palermo.cases.tests.helpers import make_case
from palermo.standard.models import Instrument

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_intake_creates_a_draft_assigned_to_its_worker_with_a_reference(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    assert case.status == CaseStatus.DRAFT
    assert case.assigned_to == worker
    assert case.reference == f"AGA-{TODAY.year}-00001"
    assert make_case(world.agency, worker).reference.endswith("-00002")
    assert case.age_at_identification == 27
    assert not case.is_minor
    event = AuditEvent.objects.filter(action="case.created").latest("seq")
    assert set(event.detail["identifiers_changed"]) >= {"given_name", "documents"}
    assert "Amara" not in str(event.detail)


def test_a_deleted_case_leaves_its_reference_unused(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    cases = [make_case(world.agency, worker) for _ in range(3)]
    cases[1].delete()  # as erasure does without consent to statistics
    assert make_case(world.agency, worker).reference.endswith("-00004")
    Case.objects.filter(pk=cases[2].pk).update(reference=f"AGA-{TODAY.year}-99999")
    assert make_case(world.agency, worker).reference.endswith("-100000")
    assert make_case(world.agency, worker).reference.endswith("-100001")


@pytest.mark.parametrize(
    ("person", "case", "field"),
    [
        ({"birth_date": (TODAY + datetime.timedelta(days=3)).isoformat()}, {}, "birth_date"),
        ({}, {"identified_on": TODAY + datetime.timedelta(days=1)}, "identified_on"),
        ({}, {"identified_on": datetime.date(1990, 1, 1)}, "identified_on"),
        ({"gender": "Woman"}, {}, "gender"),
        ({"citizenship": ["NG", "XX"]}, {}, "citizenship"),
        ({"given_name": "", "family_name": "", "aliases": []}, {}, "given_name"),
    ],
    ids=[
        "born-in-future",
        "identified-in-future",
        "identified-before-birth",
        "unknown-gender",
        "unknown-country",
        "no-name",
    ],
)
def test_bad_intake_gets_field_errors_and_saves_nothing(world, person, case, field) -> None:  # type: ignore[no-untyped-def]
    before = (Person.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        make_case(world.agency, world.users["case_worker"], person=person, **case)
    assert field in caught.value.message_dict
    assert (Person.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == before


def test_a_stale_save_is_refused_not_applied(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker)
    seen = case.row_version
    services.update_case(case, supervisor, seen, {"exploitation": ["ForcedLabour"]})
    with pytest.raises(services.ConflictError) as caught:
        services.update_case(case, worker, seen, {"exploitation": ["SexualExploitation"]})
    assert caught.value.current.exploitation == ["ForcedLabour"]
    assert Case.objects.get(pk=case.pk).exploitation == ["ForcedLabour"]


def test_updates_are_audited_with_before_and_after_of_codes_only(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    case = services.update_case(
        case,
        worker,
        case.row_version,
        {"exploitation": ["ForcedLabour"], "forced_labour_industry": ["F_Construction"]},
        {"family_name": "Renamed", "gender": "Masculine"},
    )
    event = AuditEvent.objects.filter(action="case.changed").latest("seq")
    assert event.detail["changed"]["exploitation"] == [[], ["ForcedLabour"]]
    assert event.detail["changed"]["gender"] == ["Feminine", "Masculine"]
    assert event.detail["identifiers_changed"] == ["family_name"]
    assert "Renamed" not in str(event.detail)
    with pytest.raises(ValidationError) as caught:
        services.update_case(case, worker, case.row_version, {"exploitation": ["Slavery"]})
    assert "exploitation" in caught.value.message_dict


def test_exact_search_finds_names_aliases_and_documents(world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    orgs = [world.agency.pk]
    for query in ("amara okonkwo-testperson", "AMA", "a1234567", "+234 800 000 0000"):
        assert services.find_persons(orgs, query) == [case.person.pk], query
    assert services.find_persons(orgs, "Amar") == []  # exact match only
    assert services.find_persons([world.other.pk], "Ama") == []  # never across organisations


def test_consent_per_purpose_is_recorded_withdrawn_and_enforced(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    with pytest.raises(ValidationError, match="consent to assistance"):
        services.change_status(case, worker, case.row_version, CaseStatus.OPEN)
    services.record_consent(case, worker, "assistance", "given", "person", TODAY)
    services.record_consent(case, worker, "statistics", "refused", "person", TODAY)
    assert services.consents_to(case, "assistance")
    assert not services.consents_to(case, "statistics")
    assert not services.consents_to(case, "referral")
    with pytest.raises(ValidationError, match="Only consent that was given"):
        services.record_consent(case, worker, "statistics", "withdrawn", "person", TODAY)
    services.record_consent(case, worker, "assistance", "withdrawn", "person", TODAY)
    assert not services.consents_to(case, "assistance")
    assert case.consents.count() == 3  # history kept


def test_a_child_consents_through_a_guardian(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    child = make_case(world.agency, worker, person={"birth_date": "2012-05-01"})
    assert child.is_minor
    with pytest.raises(ValidationError, match="guardian"):
        services.record_consent(child, worker, "assistance", "given", "person", TODAY)
    services.record_consent(child, worker, "assistance", "given", "guardian", TODAY)
    assert services.consents_to(child, "assistance")


def test_screening_is_stored_with_its_instrument_version_and_explanation(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    version = Instrument.objects.get(key="ilo-ec-adult-labour").versions.get()
    record = services.screen(
        case,
        worker,
        version,
        [
            "deceptive_recruitment.deceived_job_nature_location_employer",
            "deceptive_recruitment.deceived_wages",
            "exploitation.excessive_hours_days",
            "exploitation.low_or_no_pay",
            "coercion_at_destination.documents_confiscated",
            "coercion_at_destination.debt_bondage",
        ],
        {},
    )
    assert record.positive
    assert record.explanation[0].startswith("Presumed victim")
    assert AuditEvent.objects.filter(action="case.screened").latest("seq").detail["outcome"] == (
        "presumed_victim"
    )


def test_workflow_opens_closes_on_approval_and_reopens_with_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker)
    services.record_consent(case, worker, "assistance", "given", "person", TODAY)
    case = services.change_status(case, worker, case.row_version, CaseStatus.OPEN)
    assert case.opened_on == TODAY
    with pytest.raises(ValidationError, match="approval"):
        services.change_status(case, worker, case.row_version, CaseStatus.CLOSED)
    request = workflow.request_approval(case, worker, "closure", "Returned home, reintegrated")
    workflow.decide(request, supervisor, approve=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_on == TODAY
    with pytest.raises(ValidationError, match="reopened"):
        services.change_status(case, worker, case.row_version, CaseStatus.ACTIVE)
    case = services.change_status(
        case, worker, case.row_version, CaseStatus.ACTIVE, reason="New threats from Okonkwo"
    )
    assert case.closed_on is None
    # The reason may name people: it is kept as an encrypted note, never in the audit log.
    assert case.notes.get().text == "Reopened: New threats from Okonkwo"
    event = AuditEvent.objects.filter(action="case.status").latest("seq")
    assert event.detail == {"from": "closed", "to": "active", "reason_given": True}
    with pytest.raises(ValidationError, match="cannot go from Active to Draft"):
        services.change_status(case, worker, case.row_version, CaseStatus.DRAFT)


def test_notes_and_services_are_validated_and_encrypted(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    note = services.add_note(case, worker, "Met at the shelter; afraid of the recruiter.")
    assert "afraid" not in note.text_enc
    with pytest.raises(ValidationError):
        services.add_note(case, worker, "   ")
    with pytest.raises(ValidationError) as caught:
        services.add_service(case, worker, "Massage", "", TODAY + datetime.timedelta(days=2), TODAY)
    assert set(caught.value.message_dict) == {"service_type", "provider", "started_on", "ended_on"}
    service = services.add_service(
        case, worker, "Health", "City clinic", TODAY, outcome="Treated; follow-up in May"
    )
    assert "follow-up" not in service.outcome_enc
