"""Movements, attachments, perpetrators; the person's record and erasure."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from palermo.audit.models import AuditEvent
from palermo.cases import records, services, subject_rights, workflow
from palermo.cases.models import (
    Attachment,
    Case,
    CaseNote,
    Movement,
    Person,
    PersonIndex,
)
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 100


def test_movements_are_checked_against_their_kind(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    with pytest.raises(ValidationError) as caught:
        records.add_movement(
            case, worker, "return", "TH", "TH", TODAY, TODAY - datetime.timedelta(1)
        )
    assert set(caught.value.message_dict) == {"to_country", "arrived_on"}
    with pytest.raises(ValidationError) as caught:
        records.add_movement(case, worker, "transfer", "TH", "XX", TODAY)
    assert "to_country" in caught.value.message_dict
    movement = records.add_movement(
        case, worker, "return", "TH", "NG", TODAY, details="Escorted by Amara's aunt"
    )
    assert "aunt" not in movement.details_enc
    assert Movement.objects.get(pk=movement.pk).details == "Escorted by Amara's aunt"


def _upload(case, worker, data: bytes, content_type: str, kind: str = "document", size=None):  # type: ignore[no-untyped-def]
    return records.add_attachment(
        case, worker, kind, "passport-scan.pdf", content_type, size or len(data), io.BytesIO(data)
    )


def test_attachments_are_encrypted_limited_and_checked(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PALERMO_ATTACHMENT_MAX_BYTES = 1000
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    with pytest.raises(ValidationError, match="at most"):
        _upload(case, worker, PDF * 20, "application/pdf")
    with pytest.raises(ValidationError, match="larger than it said"):
        _upload(case, worker, PDF * 20, "application/pdf", size=500)
    with pytest.raises(ValidationError, match="not accepted"):
        _upload(case, worker, b"MZ\x90\x00", "application/x-msdownload")
    with pytest.raises(ValidationError, match="does not match"):
        _upload(case, worker, PNG, "application/pdf")
    with pytest.raises(ValidationError, match="photo"):
        _upload(case, worker, PDF, "application/pdf", kind="photo")
    with pytest.raises(ValidationError, match="empty"):
        _upload(case, worker, b"", "application/pdf")
    assert not Attachment.objects.exists()  # nothing half-saved

    attachment = _upload(case, worker, PDF, "application/pdf")
    stored = Attachment.objects.get(pk=attachment.pk)
    assert PDF not in stored.data_enc.encode()
    assert "passport" not in stored.name_enc
    assert stored.name == "passport-scan.pdf"
    assert stored.size == len(PDF)
    assert records.read_attachment(stored, worker) == PDF
    assert AuditEvent.objects.filter(action="case.attachment_read").count() == 1
    photo = _upload(case, worker, PNG, "image/png", kind="photo")
    assert photo.kind == "photo"


def test_perpetrators_are_coded_and_their_names_encrypted(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    with pytest.raises(ValidationError):
        records.add_perpetrator(case, worker, {})
    with pytest.raises(ValidationError) as caught:
        records.add_perpetrator(case, worker, {"gender": "Robot", "citizenship": "ZZ"})
    assert set(caught.value.message_dict) == {"gender", "citizenship"}
    found = records.add_perpetrator(
        case, worker, {"citizenship": "TH", "part_of_group": True, "name": "Boss Somchai"}
    )
    assert "Somchai" not in found.name_enc
    event = AuditEvent.objects.filter(action="case.perpetrator_added").latest("seq")
    assert "Somchai" not in str(event.detail)
    assert event.detail["citizenship"] == "TH"


def _full_case(world):  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker, narrative="Held in a fishing boat by Somchai")
    services.add_note(case, worker, "Amara asked about her sister")
    services.add_service(case, worker, "Health", "City clinic", TODAY, outcome="Treated")
    records.add_movement(case, worker, "return", "TH", "NG", TODAY, details="By air")
    records.add_perpetrator(case, worker, {"citizenship": "TH", "name": "Boss Somchai"})
    _upload(case, worker, PDF, "application/pdf")
    workflow.raise_flag(case, worker, "safety", "Threats by phone")
    return case


def test_the_persons_record_holds_their_data_not_the_perpetrators(world) -> None:  # type: ignore[no-untyped-def]
    case = _full_case(world)
    record = subject_rights.person_record(case, world.users["supervisor"])
    assert record["format"] == "palermo-person-record/1"
    assert record["person"]["family_name"] == "Okonkwo-Testperson"
    (exported,) = record["cases"]
    assert exported["narrative"] == "Held in a fishing boat by Somchai"
    assert exported["notes"][0]["text"] == "Amara asked about her sister"
    assert exported["assistance"][0]["outcome"] == "Treated"
    assert exported["movements"][0]["details"] == "By air"
    assert exported["attachments"][0]["name"] == "passport-scan.pdf"
    assert "Boss Somchai" not in str(record)  # third parties stay out
    event = AuditEvent.objects.filter(action="case.subject_exported").latest("seq")
    assert event.detail["cases"] == [case.reference]


def test_erasure_keeps_coded_data_only_with_consent_to_statistics(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = _full_case(world)
    services.record_consent(case, worker, "statistics", "given", "person", TODAY)
    with pytest.raises(ValidationError):
        subject_rights.erase_person(case, supervisor, " ")
    result = subject_rights.erase_person(case, supervisor, "Written request, ID checked")
    assert result == {"kept_for_statistics": [case.reference], "deleted": []}
    kept = Case.objects.get(pk=case.pk)
    assert kept.exploitation == case.exploitation
    assert kept.narrative == ""
    person = Person.objects.get(pk=case.person_id)
    assert person.erased_at is not None
    assert person.given_name == ""
    assert person.documents == []
    assert not PersonIndex.objects.filter(person=person).exists()
    # Only the erasure request remains, encrypted: why the texts were destroyed.
    (note,) = CaseNote.objects.filter(case=kept)
    assert note.text == "Person erased on request: Written request, ID checked"
    assert not Attachment.objects.filter(case=kept).exists()
    assert kept.perpetrators.get().name == ""
    assert kept.services.get().outcome == ""
    assert kept.flags.get().details == ""
    assert kept.movements.get().details == ""
    assert services.find_persons([world.agency.pk], "A1234567") == []
    with pytest.raises(ValidationError, match="already erased"):
        subject_rights.erase_person(kept, supervisor, "again")
    with pytest.raises(ValidationError, match="erased"):
        subject_rights.person_record(kept, supervisor)

    other = make_case(world.agency, worker, {"given_name": "Second"})
    result = subject_rights.erase_person(other, supervisor, "Request by phone, verified")
    assert result == {"kept_for_statistics": [], "deleted": [other.reference]}
    assert not Case.objects.filter(pk=other.pk).exists()
    assert not Person.objects.filter(pk=other.person_id).exists()
    event = AuditEvent.objects.filter(action="case.subject_erased").latest("seq")
    assert event.detail["deleted"] == [other.reference]


def test_erasure_ends_every_grant_with_its_audit_row(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker)
    services.record_consent(case, worker, "statistics", "given", "person", TODAY)
    grant = services.grant_access(case, supervisor, world.other, "By hand", False)
    subject_rights.erase_person(case, supervisor, "Written request")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    revoked = AuditEvent.objects.get(action="case.grant_revoked")
    assert (revoked.actor, revoked.detail) == (supervisor, {"to": str(world.other.pk)})
