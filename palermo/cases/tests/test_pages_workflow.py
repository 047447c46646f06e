"""The case tabs for the work around a case, through the pages: every tab renders, bad input
comes back as a message on the tab with nothing saved, files are served only to who may read
identifiers, and erasure asks for the reference."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from palermo.cases.models import Attachment, Case, Movement
from palermo.cases.tests.helpers import make_case
from palermo.cases.views import TABS

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CHILD = {"birth_date": (TODAY - datetime.timedelta(days=14 * 365)).isoformat()}


@pytest.fixture
def child(world):  # type: ignore[no-untyped-def]
    return make_case(
        world.agency,
        world.users["case_worker"],
        CHILD,
        identified_on=TODAY - datetime.timedelta(30),
    )


@pytest.mark.parametrize("tab", list(TABS))
@pytest.mark.parametrize("who", ["case_worker", "supervisor", "data_manager"])
def test_every_tab_renders(client, login_as, world, child, tab, who) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users[who])
    response = client.get(reverse("cases:detail", args=[child.pk]), {"tab": tab})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="?tab={tab}" aria-current="page"' in body
    assert "Child safeguards overdue" in body  # the reminder shows on every tab


def test_safeguards_tab_shows_due_dates_and_field_errors(client, login_as, world, child) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["case_worker"])
    url = reverse("cases:safeguards", args=[child.pk])
    response = client.post(
        url,
        {
            "guardian_appointed_on": (TODAY + datetime.timedelta(days=2)).isoformat(),
            "tracing_status": "not_started",
            "reunification_status": "not_assessed",
            "row_version": child.safeguards.row_version,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "This date is in the future." in body
    assert "Name the guardian." in body
    child.safeguards.refresh_from_db()
    assert child.safeguards.guardian_appointed_on is None


def test_an_oversized_attachment_is_refused_with_a_message(
    client, login_as, world, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PALERMO_ATTACHMENT_MAX_BYTES = 100
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["case_worker"])
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 500, "application/pdf")
    response = client.post(
        reverse("cases:add_attachment", args=[case.pk]),
        {"kind": "document", "file": upload},
        follow=True,
    )
    assert "at most 100" in response.content.decode()
    assert not Attachment.objects.exists()
    small = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 small", "application/pdf")
    client.post(
        reverse("cases:add_attachment", args=[case.pk]), {"kind": "document", "file": small}
    )
    attachment = Attachment.objects.get()
    url = reverse("cases:attachment", args=[case.pk, attachment.pk])
    served = client.get(url)
    assert served.content == b"%PDF-1.4 small"
    assert served["Content-Disposition"].startswith("attachment")
    login_as(world.users["analyst"])
    assert client.get(url).status_code == 404
    login_as(world.users["other_case_worker"])
    assert client.get(url).status_code == 404


def test_a_bad_movement_is_not_saved(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["case_worker"])
    response = client.post(
        reverse("cases:add_movement", args=[case.pk]),
        {"kind": "return", "from_country": "TH", "to_country": "TH", "departed_on": "2026-13-01"},
        follow=True,
    )
    assert "Enter a valid date." in response.content.decode()
    assert not Movement.objects.exists()


def test_bulk_reassignment_from_the_list(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    cases = [make_case(world.agency, worker) for _ in range(2)]
    login_as(supervisor)
    listing = client.get(reverse("cases:list")).content.decode()
    assert 'form="bulk"' in listing
    response = client.post(
        reverse("cases:bulk_assign"),
        {"case": [str(c.pk) for c in cases], "worker": str(supervisor.pk)},
        follow=True,
    )
    assert "2 case(s) given to" in response.content.decode()
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {supervisor.pk}
    login_as(worker)
    assert 'form="bulk"' not in client.get(reverse("cases:list")).content.decode()
    login_as(supervisor)
    for data in ({"case": ["junk"], "worker": str(worker.pk)}, {"case": [], "worker": "x"}):
        response = client.post(reverse("cases:bulk_assign"), data, follow=True)
        assert response.status_code == 200  # back on the list with a message, no error page
        assert 'class="message error"' in response.content.decode()


def test_erasure_needs_the_reference_typed(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users["case_worker"])
    assert client.get(reverse("cases:erase_person", args=[case.pk])).status_code == 403
    login_as(world.users["supervisor"])
    url = reverse("cases:erase_person", args=[case.pk])
    response = client.post(url, {"reason": "Written request", "confirm": "WRONG"})
    assert "not the case" in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    response = client.post(url, {"reason": "Written request", "confirm": case.reference})
    assert response.url == reverse("cases:list")
    assert not Case.objects.filter(pk=case.pk).exists()


def test_a_stale_safeguards_save_is_refused(client, login_as, world, child) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["case_worker"])
    url = reverse("cases:safeguards", args=[child.pk])
    form = {
        "guardian_appointed_on": TODAY.isoformat(),
        "guardian_name": "First Guardian",
        "tracing_status": "not_started",
        "reunification_status": "not_assessed",
        "row_version": 1,
    }
    client.post(url, form)
    response = client.post(url, {**form, "guardian_name": "Second Guardian"}, follow=True)
    assert "Someone else saved this case meanwhile" in response.content.decode()
    child.safeguards.refresh_from_db()
    assert child.safeguards.guardian_name == "First Guardian"
    assert child.safeguards.row_version == 2


def test_perpetrators_names_stay_with_the_organisation_that_recorded_them(
    client, login_as, world
) -> None:  # type: ignore[no-untyped-def]
    from palermo.cases import records, services

    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    records.add_perpetrator(case, worker, {"citizenship": "TH", "name": "Boss Pagetest"})
    services.record_consent(case, worker, "referral", "given", "person", TODAY)
    services.grant_access(case, world.users["supervisor"], world.other, "Referral", True)
    url = reverse("cases:detail", args=[case.pk])
    login_as(worker)
    assert "Boss Pagetest" in client.get(url, {"tab": "perpetrators"}).content.decode()
    login_as(world.users["other_case_worker"])  # reads the victim's identifiers by the grant
    body = client.get(url, {"tab": "person"}).content.decode()
    assert "Okonkwo-Testperson" in body
    assert "Boss Pagetest" not in client.get(url, {"tab": "perpetrators"}).content.decode()
