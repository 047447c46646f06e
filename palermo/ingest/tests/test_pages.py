"""The import pages: send a file, map its columns from the suggestions, check it, import it, read
the report; who may do it; what a bad file gets. Background tasks run at once in the tests
(django-tasks' immediate backend), after the request's transaction commits."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.audit.models import AuditEvent
from palermo.cases.models import Case
from palermo.ingest.models import ImportBatch, Upload
from palermo.standard.models import MappingProfile

pytestmark = pytest.mark.django_db

FILE = (
    "Case ID,Given name,Gender,Citizenship,Identification date,Type of exploitation\n"
    "P-1,Ana Pagetest,Feminine,PH,2025-05-01,ForcedLabour\n"
    "P-2,Ben Pagetest,Masculine,Nigeria,2025-06-01,Sexual exploitation\n"
    "P-3,Cruz Pagetest,Feminine,MX,2025-07-01,ForcedLabour\n"
)


@pytest.fixture(autouse=True)
def uploads_in(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PALERMO_UPLOAD_DIR = tmp_path / "uploads"
    return settings.PALERMO_UPLOAD_DIR


def _send(client, world, content: bytes, name: str = "register.csv", profile: str = ""):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("ingest:upload"),
        {
            "organisation": str(world.agency.pk),
            "file": SimpleUploadedFile(name, content),
            "profile": profile,
        },
    )


def _mapping(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The mapping form as the page offers it (the suggestions as pre-selected), to post back."""
    columns = response.context["columns"]
    data = {
        "name": "Register",
        "description": "",
        "id_column": "Case ID",
        "skip_rows": "0",
        "columns-TOTAL_FORMS": str(columns.total_form_count()),
        "columns-INITIAL_FORMS": str(columns.initial_form_count()),
    }
    for form in columns.forms:
        for name in ("column", "field", "separator", "values"):
            data[form.add_prefix(name)] = form.initial.get(name, "")
    return data


def test_a_data_manager_sends_maps_checks_and_imports_a_file(
    client, login_as, world, uploads_in, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    response = _send(client, world, FILE.encode())
    upload = Upload.objects.get()
    assert response.url == reverse("ingest:map", args=[upload.pk])
    stored = next(uploads_in.iterdir()).read_bytes()
    assert b"Pagetest" not in stored  # kept encrypted

    page = client.get(response.url)
    suggested = {f.initial["column"]: f.initial["field"] for f in page.context["columns"].forms}
    assert suggested["Gender"] == "prs_Gender"
    assert suggested["Citizenship"] == "prs_Citizenship"
    assert suggested["Type of exploitation"] == "vic_TypeOfExploitation"
    assert "Nigeria" in page.content.decode()
    assert "→ NG" in page.content.decode()
    data = _mapping(page)
    data |= {f"columns-{n}-field": "" for n in range(6) if data[f"columns-{n}-column"] == "Case ID"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:map", args=[upload.pk]), data)
    profile = MappingProfile.objects.get(organisation=world.agency, name="Register")
    assert profile.id_column == "Case ID"
    checked = ImportBatch.objects.get()
    assert response.url == reverse("ingest:batch", args=[checked.pk])
    assert (checked.status, checked.rows_read, checked.rows_rejected) == ("checked", 3, 0)
    assert Case.objects.count() == 0  # checked, nothing written
    page = client.get(response.url).content.decode()
    assert "Import the 3 rows" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:run", args=[checked.pk]), {"mode": "all_or_nothing"})
    done = ImportBatch.objects.exclude(pk=checked.pk).get()
    assert response.url == reverse("ingest:batch", args=[done.pk])
    assert (done.status, done.created) == ("done", 3)
    assert Case.objects.filter(organisation=world.agency).count() == 3
    assert not Upload.objects.exists()  # imported: the file is not kept
    assert not list(uploads_in.glob("upload-*"))
    assert "3 created, 0 updated, 0 unchanged" in client.get(response.url).content.decode()


def test_a_file_with_errors_gets_a_report_and_imports_only_its_valid_rows_when_asked(
    client, login_as, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    manager = world.users["data_manager"]
    login_as(manager)
    bad = FILE + "P-4,Dee Pagetest,Feminine,Atlantis,2025-13-01,ForcedLabour\n"
    response = _send(client, world, bad.encode())
    data = _mapping(client.get(response.url))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, data)
    checked = ImportBatch.objects.get()
    assert (checked.status, checked.rows_rejected) == ("checked", 1)
    page = client.get(reverse("ingest:batch", args=[checked.pk])).content.decode()
    assert "Atlantis" in page
    assert "not a date" in page
    assert "Import the 3 valid rows" in page

    report = client.get(reverse("ingest:report", args=[checked.pk]))
    assert report["Cache-Control"] == "no-store"
    workbook = load_workbook(BytesIO(b"".join(report.streaming_content)))
    rejected = list(workbook["Rejected rows"].iter_rows(values_only=True))
    assert rejected[1][0] == "5"
    assert "Atlantis" in rejected[1]
    assert AuditEvent.objects.filter(action="ingest.report_read", actor=manager).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ingest:run", args=[checked.pk]), {"mode": "valid_rows"})
    assert Case.objects.filter(organisation=world.agency).count() == 3


def test_a_checked_file_is_deleted_from_its_page_with_its_report(
    client, login_as, world, uploads_in, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    response = _send(client, world, (FILE + "P-4,Dee,Feminine,Atlantis,,\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, _mapping(client.get(response.url)))
    checked = ImportBatch.objects.get()
    assert checked.report_ready
    page = client.get(reverse("ingest:batch", args=[checked.pk])).content.decode()
    assert "Delete the file" in page
    client.post(reverse("ingest:discard", args=[checked.upload_id]))
    assert not Upload.objects.exists()
    assert not list(uploads_in.glob("*.enc"))  # the file and its report
    checked.refresh_from_db()
    assert not checked.report_ready


def test_only_the_organisations_data_managers_reach_its_imports(
    client, login_as, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    response = _send(client, world, FILE.encode())
    upload = Upload.objects.get()
    login_as(world.users["case_worker"])
    assert client.get(reverse("ingest:list")).status_code == 403
    assert client.get(reverse("ingest:map", args=[upload.pk])).status_code == 403
    login_as(world.users["other_administrator"])  # imports nowhere
    assert client.get(response.url).status_code == 403
    assert client.post(reverse("ingest:discard", args=[upload.pk])).status_code == 403
    other_manager = MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user
    login_as(other_manager)  # imports, but into another organisation: the file does not exist
    assert client.get(response.url).status_code == 404
    assert client.post(reverse("ingest:discard", args=[upload.pk])).status_code == 404
    assert Upload.objects.exists()

    login_as(world.users["data_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, _mapping(client.get(response.url)))
    checked = ImportBatch.objects.get()
    doors = [
        ("get", reverse("ingest:batch", args=[checked.pk]), {}),
        ("get", reverse("ingest:report", args=[checked.pk]), {}),
        ("post", reverse("ingest:run", args=[checked.pk]), {"mode": "valid_rows"}),
    ]
    for user, status in ((world.users["case_worker"], 403), (other_manager, 404)):
        login_as(user)
        for method, url, data in doors:
            assert getattr(client, method)(url, data).status_code == status, (user, url)
    assert ImportBatch.objects.count() == 1  # nothing queued by them
    assert not Case.objects.exists()


def test_a_file_that_cannot_be_read_gets_its_reason_not_an_error_page(
    client, login_as, world
) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    response = _send(client, world, b"PK\x03\x04 not really a workbook", "register.xlsx")
    page = client.get(response.url)
    assert page.status_code == 400
    assert "not an XLSX workbook" in page.content.decode()
    from django.test import override_settings

    with override_settings(PALERMO_IMPORT_MAX_BYTES=100):
        large = _send(client, world, b"gender\n" + b"Feminine\n" * 20, "large.csv")
    assert "The file is larger than 100\xa0bytes." in large.content.decode()
    empty = _send(client, world, b"", "empty.csv")
    assert empty.status_code == 200
    assert "The submitted file is empty." in empty.content.decode()


def test_the_progress_box_shows_rows_rate_and_time_left_and_keeps_asking_while_it_runs(
    client, login_as, world
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    login_as(world.users["data_manager"])
    batch = ImportBatch.objects.create(
        organisation=world.agency,
        file_name="big.csv",
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
        status=ImportBatch.Status.VALIDATING,
        started_by=world.users["data_manager"],
        rows_expected=100_000,
        rows_read=25_000,
        rows_rejected=12,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - timedelta(seconds=10), progress_at=timezone.now()
    )
    partial = client.get(reverse("ingest:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert "25%" in text
    assert "25000 rows read: 24988 valid, 12 rejected" in text
    assert "Less than a minute left." in text  # 75,000 rows to go at 2,500 a second
    ImportBatch.objects.filter(pk=batch.pk).update(rows_read=1_200)
    text = client.get(reverse("ingest:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "About 14 minutes left." in text.content.decode()  # 98,800 at 120 a second
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CHECKED)
    finished = client.get(reverse("ingest:batch", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in finished.content.decode()  # stops asking


def test_an_export_streams_from_its_page_and_a_refusal_says_why(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    from palermo.cases.tests.helpers import make_case

    make_case(world.agency, world.users["case_worker"], {"given_name": "=HYPERLINK(1)"})
    login_as(world.users["supervisor"])
    assert "Export cases" in client.get(reverse("cases:list")).content.decode()
    response = client.post(
        reverse("ingest:export"),
        {"organisation": str(world.agency.pk), "format": "hxl", "layout": "standard"},
    )
    assert response.streaming
    assert response["Cache-Control"] == "no-store"
    assert "AGA-cases-standard-hxl.csv" in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1].startswith("#x_htcds+case_id,")
    assert len(lines) == 3
    event = AuditEvent.objects.filter(action="ingest.exported").latest("pk")
    assert event.detail["cases"] == 1

    login_as(world.users["data_manager"])
    refused = client.post(
        reverse("ingest:export"),
        {
            "organisation": str(world.agency.pk),
            "format": "csv",
            "layout": "ctdc",
            "identifiers": "on",
        },
    )
    assert refused.status_code == 200
    assert "the CTDC layout holds no identifiers" in refused.content.decode()
    login_as(world.users["case_worker"])
    assert client.get(reverse("ingest:export")).status_code == 403


def test_a_queued_task_without_a_worker_and_a_stopped_import_say_so(
    client, login_as, world
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    login_as(world.users["data_manager"])
    batch = ImportBatch.objects.create(
        organisation=world.agency,
        file_name="late.csv",
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
        status=ImportBatch.Status.QUEUED,
        started_by=world.users["data_manager"],
    )
    url = reverse("ingest:batch", args=[batch.pk])
    assert "No background worker" not in client.get(url).content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(started_at=timezone.now() - timedelta(minutes=2))
    assert "No background worker has taken this work yet" in client.get(url).content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.IMPORTING, progress_at=timezone.now() - timedelta(minutes=20)
    )
    assert "probably stopped" not in client.get(url).content.decode()  # a long write
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.VALIDATING)
    assert "its process has probably stopped" in client.get(url).content.decode()


def test_a_damaged_workbook_sent_with_a_profile_fails_with_its_reason_not_stuck(
    client, login_as, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from palermo.standard.services import save_profile

    profile = save_profile(
        world.agency,
        "Register",
        [{"column": "Gender", "field": "prs_Gender"}],
        world.users["data_manager"],
    )
    packed = BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name=")
    login_as(world.users["data_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, world, packed.getvalue(), "register.xlsx", str(profile.pk))
    batch = ImportBatch.objects.get()
    assert response.url == reverse("ingest:batch", args=[batch.pk])
    assert batch.status == "failed"
    assert "workbook" in batch.error
    assert "workbook" in client.get(response.url).content.decode()


def test_rotate_keys_re_encrypts_the_kept_files(client, login_as, world, settings) -> None:  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from palermo.ingest import storage

    login_as(world.users["data_manager"])
    _send(client, world, FILE.encode())
    path = storage.upload_path(Upload.objects.get().pk)
    old = settings.PALERMO_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.PALERMO_ENCRYPTION_KEYS = [new, old]
    assert storage.rotate_files(check_only=True) == (1, 0)
    call_command("rotate_keys", stdout=StringIO())
    settings.PALERMO_ENCRYPTION_KEYS = [new]  # the old key is gone
    assert b"".join(storage.read_encrypted(path)) == FILE.encode()
    assert storage.rotate_files(check_only=True) == (0, 0)


def test_the_preview_of_a_large_file_reads_only_its_beginning(
    client, login_as, world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from palermo.ingest import storage, uploads

    read = []
    real = storage.read_encrypted

    def counting(path):  # type: ignore[no-untyped-def]
        for piece in real(path):
            read.append(len(piece))
            yield piece

    monkeypatch.setattr(storage, "read_encrypted", counting)
    monkeypatch.setattr(uploads, "PREVIEW_PIECES", 1)
    rows = "".join(f"P-{n},Name {n},Feminine,PH,2025-05-01,ForcedLabour\n" for n in range(60_000))
    login_as(world.users["data_manager"])
    response = _send(client, world, (FILE.splitlines(True)[0] + rows).encode())
    page = client.get(response.url)
    assert page.context["preview"].rows[0][:2] == ["P-0", "Name 0"]
    assert len(read) == 1  # one MiB of about three decrypted


def test_a_task_whose_user_lost_the_role_fails_with_nothing_imported(
    client, login_as, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Membership
    from palermo.ingest.tasks import run_batch

    manager = world.users["data_manager"]
    login_as(manager)
    response = _send(client, world, FILE.encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, _mapping(client.get(response.url)))
    checked = ImportBatch.objects.get()
    batch = ImportBatch.objects.create(
        organisation=world.agency,
        profile=checked.profile,
        upload=checked.upload,
        file_name="register.csv",
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
        status=ImportBatch.Status.QUEUED,
        started_by=manager,
    )
    Membership.objects.filter(user=manager).update(role=Role.CASE_WORKER)  # before it runs
    run_batch.enqueue(str(batch.pk))
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "PermissionDenied" in batch.error
    assert not Case.objects.exists()


def test_the_report_is_written_in_the_language_of_the_page_that_asked_for_it(
    client, login_as, world, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    bad = FILE + "P-4,Dee Pagetest,Feminine,PH,2025-13-01,ForcedLabour\n"
    response = _send(client, world, bad.encode())
    with django_capture_on_commit_callbacks() as queued:
        client.post(response.url, _mapping(client.get(response.url)))
    with translation.override("en"):  # as a worker runs it, in its own language
        for callback in queued:
            callback()
    checked = ImportBatch.objects.get()
    assert checked.language == "fr"
    report = client.get(reverse("ingest:report", args=[checked.pk]))
    workbook = load_workbook(BytesIO(b"".join(report.streaming_content)))
    assert workbook.sheetnames == ["Problèmes", "Lignes refusées"]
    listed = list(workbook["Problèmes"].iter_rows(values_only=True))
    assert listed[0] == ("Ligne", "Colonne", "Valeur", "Problème")
    assert listed[1] == ("5", "Identification date", "2025-13-01", "pas une date (AAAA-MM-JJ)")
    (header, row) = workbook["Lignes refusées"].iter_rows()
    assert header[0].value == "Ligne"
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    assert cells["Identification date"].comment.text == "pas une date (AAAA-MM-JJ)"
