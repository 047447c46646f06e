"""The work around a case through the API: the same services and rules as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from palermo.cases import services
from palermo.cases.models import CaseStatus
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_closure_is_requested_and_approved_through_the_api(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = make_case(world.agency, worker)
    services.record_consent(case, worker, "assistance", "given", "person", TODAY)
    case = services.change_status(case, worker, case.row_version, CaseStatus.OPEN)
    login_as(worker)
    url = f"/api/v1/cases/{case.pk}"
    bad = client.post(f"{url}/approvals/", {"kind": "closure", "content": ""}, "application/json")
    assert bad.status_code == 400
    made = client.post(
        f"{url}/approvals/", {"kind": "closure", "content": "Done"}, "application/json"
    )
    assert made.status_code == 201
    assert made.json()["state"] == "requested"
    approval = made.json()["id"]
    assert client.post(f"{url}/decide/", {"approval": approval, "approve": True}).status_code == 403
    login_as(supervisor)
    assert client.get("/api/v1/cases/tasks/").json()[0]["reference"] == case.reference
    decided = client.post(
        f"{url}/decide/", {"approval": approval, "approve": True}, "application/json"
    )
    assert decided.json()["state"] == "approved"
    assert client.get(f"{url}/").json()["status"] == "closed"


def test_assignment_flags_movements_and_safeguards_through_the_api(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    birth = (TODAY - datetime.timedelta(days=16 * 365)).isoformat()
    case = make_case(world.agency, worker, {"birth_date": birth}, identified_on=TODAY)
    url = f"/api/v1/cases/{case.pk}"
    login_as(supervisor)
    stale = client.post(
        f"{url}/assign/", {"worker": worker.username, "row_version": 99}, "application/json"
    )
    assert stale.status_code == 409
    bulk = client.post(
        "/api/v1/cases/reassign/",
        {"cases": [str(case.pk)], "worker": world.users["analyst"].username},
        "application/json",
    )
    assert bulk.json()["refused"] == {case.reference: "this person cannot be given its cases"}
    login_as(worker)
    flag = client.post(f"{url}/flags/", {"reason": "medical"}, "application/json")
    assert flag.status_code == 201
    movement = client.post(
        f"{url}/movements/",
        {"kind": "return", "from_country": "TH", "to_country": "TH", "departed_on": str(TODAY)},
        "application/json",
    )
    assert movement.status_code == 400
    assert "to_country" in movement.json()["error"]["fields"]
    fields = {"guardian_appointed_on": str(TODAY), "guardian_name": "Guardian Example"}
    saved = client.post(f"{url}/safeguards/", {**fields, "row_version": 1}, "application/json")
    assert saved.status_code == 200
    assert saved.json() == {"overdue": [], "row_version": 2}
    stale = client.post(f"{url}/safeguards/", {**fields, "row_version": 1}, "application/json")
    assert stale.status_code == 409


def test_files_are_uploaded_through_the_api_with_the_pages_checks(
    client, login_as, world, settings
) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from palermo.cases.models import Attachment

    settings.PALERMO_ATTACHMENT_MAX_BYTES = 100
    case = make_case(world.agency, world.users["case_worker"])
    url = f"/api/v1/cases/{case.pk}/attachments/"
    login_as(world.users["case_worker"])
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 200, "application/pdf")
    refused = client.post(url, {"kind": "document", "file": big})
    assert refused.status_code == 400
    assert "file" in refused.json()["error"]["fields"]
    small = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 small", "application/pdf")
    made = client.post(url, {"kind": "document", "file": small})
    assert made.status_code == 201
    assert Attachment.objects.get().name == "scan.pdf"
    login_as(world.users["analyst"])
    assert client.post(url, {"kind": "document", "file": small}).status_code == 404


def test_only_supervisors_reassign_through_the_api(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["case_worker"])
    response = client.post(
        "/api/v1/cases/reassign/", {"cases": [], "worker": "nobody"}, "application/json"
    )
    assert response.status_code == 403


def test_a_code_sent_twice_is_kept_once(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["case_worker"])
    response = client.patch(
        f"/api/v1/cases/{case.pk}/",
        {"row_version": case.row_version, "exploitation": ["ForcedLabour", "ForcedLabour"]},
        "application/json",
    )
    assert response.status_code == 200
    assert list(case.codes.values_list("code", flat=True)) == ["ForcedLabour"]
