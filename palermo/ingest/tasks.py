"""The import as a background task (django-tasks; ``manage.py db_worker`` runs the queue). The
batch row carries the progress, saved at most every second, so that its page shows how far the
work is and survives a reload."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from palermo.ingest import storage
from palermo.ingest.models import ImportBatch, Upload
from palermo.ingest.report import write_report
from palermo.ingest.services import run_import

PROGRESS_EVERY_S = 1.0


@task()
def run_batch(batch_id: str) -> None:
    batch = (
        ImportBatch.objects.select_related("organisation", "profile", "upload", "started_by")
        .filter(pk=batch_id, status=ImportBatch.Status.QUEUED)
        .first()
    )
    if batch is None:
        return  # already run, or gone
    upload = batch.upload
    if batch.profile is None or upload is None:
        _fail(batch, "The file or its mapping profile was deleted before the import started.")
        return
    source = storage.upload_path(upload.pk)
    if not source.exists():
        _fail(batch, "The uploaded file is no longer kept: upload it again.")
        return
    try:
        _run(batch, upload, source)
    except Exception as exc:  # whatever stopped it, the page must say so
        batch.refresh_from_db()
        if batch.status in (ImportBatch.Status.QUEUED, ImportBatch.Status.VALIDATING):
            _fail(batch, f"The work stopped ({type(exc).__name__}): nothing was imported.")
        raise


def _run(batch: ImportBatch, upload: Upload, source: Path) -> None:
    profile = batch.profile
    assert profile is not None  # noqa: S101 - checked by run_batch
    last = [0.0]

    def progress(current: ImportBatch) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or current.status == ImportBatch.Status.IMPORTING:
            last[0] = now
            current.progress_at = timezone.now()
            current.save(
                update_fields=[
                    "status",
                    "rows_expected",
                    "rows_read",
                    "rows_rejected",
                    "problems_total",
                    "progress_at",
                ]
            )

    storage.sweep()
    with storage.decrypted_copy(source, Path(upload.file_name).suffix) as path:
        run_import(
            path,
            batch.organisation,
            profile,
            batch.started_by,
            batch.mode,
            batch.id_column,
            batch.file_name,
            progress=progress,
            check_only=batch.check_only,
            batch=batch,
        )
        if batch.problems:
            with (
                tempfile.TemporaryDirectory(dir=path.parent) as work,
                storage.private_temporary_files(),
            ):
                report = Path(work) / "report.xlsx"
                with translation.override(batch.language or settings.LANGUAGE_CODE):
                    write_report(batch, path, report)
                with report.open("rb") as plain:
                    storage.write_encrypted(plain, storage.report_path(batch.pk))
            batch.report_ready = True
            batch.save(update_fields=["report_ready"])
    if batch.status == ImportBatch.Status.DONE:
        storage.remove(source)  # imported: the file is not kept
        upload.delete()


def _fail(batch: ImportBatch, error: str) -> None:
    batch.status = ImportBatch.Status.FAILED
    batch.error = error
    batch.finished_at = timezone.now()
    batch.save()
