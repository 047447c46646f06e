"""Findings of the case-management review, each pinned by a test."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from palermo.accounts.access import forget_memberships
from palermo.accounts.models import Membership
from palermo.cases import records, safeguards, services, subject_rights, workflow
from palermo.cases.access import case_access
from palermo.cases.models import Approval, CaseStatus, ChildSafeguards
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CHILD = {"birth_date": (TODAY - datetime.timedelta(days=15 * 365)).isoformat()}


def test_an_erased_persons_case_is_read_only_and_stale_forms_cannot_write_back(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker, narrative="Kept in a flat by Somchai")
    services.record_consent(case, worker, "statistics", "given", "person", TODAY)
    other = world.other
    services.grant_access(case, supervisor, other, "Referral", False)
    read_before = case.row_version
    subject_rights.erase_person(case, supervisor, "Request in writing")
    case.refresh_from_db()
    with pytest.raises(services.ConflictError):
        services.update_case(case, worker, read_before, {"narrative": "Written back"})
    rights = case_access(worker, case)
    assert rights.view
    assert not (rights.change)
    assert not (rights.identifiers)
    assert not (rights.export)
    assert not (rights.erase)
    assert not case_access(world.users["other_case_worker"], case).view  # grants revoked
    with pytest.raises(ValidationError, match="erased"):
        subject_rights.person_record(case, supervisor)


def test_services_check_access_themselves(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    with pytest.raises(PermissionDenied):
        subject_rights.person_record(case, worker)  # a case worker does not export
    with pytest.raises(PermissionDenied):
        subject_rights.erase_person(case, world.users["data_manager"], "Request")
    pdf = b"%PDF-1.4 x"
    attachment = records.add_attachment(
        case, worker, "document", "a.pdf", "application/pdf", len(pdf), io.BytesIO(pdf)
    )
    with pytest.raises(PermissionDenied):
        records.read_attachment(attachment, world.users["analyst"])


def test_a_zip_renamed_as_a_document_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def zipped(names: list[str]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in names:
                archive.writestr(name, "x")
        return buffer.getvalue()

    apk = zipped(["AndroidManifest.xml", "classes.dex"])
    with pytest.raises(ValidationError, match="does not match"):
        records.add_attachment(case, worker, "document", "a.docx", docx, len(apk), io.BytesIO(apk))
    real = zipped(["[Content_Types].xml", "word/document.xml"])
    assert records.add_attachment(
        case, worker, "document", "a.docx", docx, len(real), io.BytesIO(real)
    ).size == len(real)
    text = b"line one\nline two" + b"\x00" * 3
    with pytest.raises(ValidationError, match="does not match"):
        records.add_attachment(
            case, worker, "document", "a.txt", "text/plain", len(text), io.BytesIO(text)
        )


def test_safeguards_are_judged_as_they_would_be_after_the_save(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    identified = TODAY - datetime.timedelta(days=40)
    case = make_case(world.agency, worker, CHILD, identified_on=identified)
    day = identified + datetime.timedelta(days=5)
    safeguards.update_safeguards(
        case, worker, {"guardian_appointed_on": day, "guardian_name": "Named Guardian"}
    )
    # A partial update does not need the name again.
    safeguards.update_safeguards(case, worker, {"guardian_appointed_on": day})
    safeguards.update_safeguards(
        case,
        worker,
        {
            "assessment_done_on": day + datetime.timedelta(days=5),
            "determination_done_on": day + datetime.timedelta(days=10),
            "determination_outcome": "Foster care",
        },
    )
    with pytest.raises(ValidationError) as caught:
        safeguards.update_safeguards(case, worker, {"assessment_done_on": None})
    assert "assessment_done_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        safeguards.update_safeguards(
            case, worker, {"assessment_done_on": day + datetime.timedelta(days=20)}
        )
    assert "determination_done_on" in caught.value.message_dict


def test_due_dates_follow_a_corrected_identification_date(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker, CHILD, identified_on=TODAY)
    earlier = TODAY - datetime.timedelta(days=100)
    services.update_case(case, worker, case.row_version, {"identified_on": earlier})
    record = ChildSafeguards.objects.get(case=case)
    assert record.determination_due == earlier + datetime.timedelta(days=90)
    assert "determination" in safeguards.overdue_steps(record)


def test_a_case_no_longer_a_childs_gives_no_safeguard_tasks(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker, CHILD, identified_on=TODAY - datetime.timedelta(days=30))
    assert any(t.kind == "safeguard" for t in workflow.tasks_for(worker))
    services.update_case(case, worker, case.row_version, person_values={"birth_date": "1990-01-01"})
    assert not any(t.kind == "safeguard" for t in workflow.tasks_for(worker))


def test_rejected_requests_leave_the_task_list_with_access(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker)
    services.record_consent(case, worker, "assistance", "given", "person", TODAY)
    case = services.change_status(case, worker, case.row_version, CaseStatus.OPEN)
    request = workflow.request_approval(case, worker, "case_plan", "Plan")
    workflow.decide(request, supervisor, approve=False, comment="Redo")
    assert [t.kind for t in workflow.tasks_for(worker)] == ["rejected"]
    Membership.objects.filter(user=worker).delete()
    forget_memberships(worker)
    assert workflow.tasks_for(worker) == []


def test_assigning_to_the_same_worker_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker)
    same = workflow.assign(case, supervisor, worker, case.row_version)
    assert same.row_version == case.row_version


def test_closure_of_a_childs_draft_reports_both_reasons(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker, CHILD, identified_on=TODAY)
    with pytest.raises(ValidationError) as caught:
        workflow.request_approval(case, worker, "closure", "Done")
    assert len(caught.value.message_dict["kind"]) == 2
    assert not Approval.objects.exists()


@pytest.mark.parametrize("value", ["x", "²", "", "-1"])
def test_mangled_numbers_in_forms_give_messages_not_errors(client, login_as, world, value) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["supervisor"])
    for url, data in (
        (reverse("cases:assign", args=[case.pk]), {"worker": value, "row_version": value}),
        (
            reverse("cases:change_status", args=[case.pk]),
            {"status": "active", "row_version": value},
        ),
        (reverse("cases:bulk_assign"), {"case": [str(case.pk)], "worker": value}),
        (reverse("cases:finish_intake", args=[case.pk]), {"row_version": value}),
    ):
        assert client.post(url, data).status_code == 302


def test_only_supervisors_may_post_a_bulk_reassignment(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["analyst"])
    assert client.post(reverse("cases:bulk_assign"), {"worker": "1"}).status_code == 403


def test_the_printable_record_is_never_cached_and_needs_a_post(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["supervisor"])
    url = reverse("cases:export_person", args=[case.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "passport A1234567" in body  # documents readable, not a Python list
    assert "[{" not in body
