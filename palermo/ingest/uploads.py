"""The import pages' work: receive a file (kept encrypted), preview it for the mapping step, queue
its check or import as a background task, and discard it. Every function checks that its user
may import into the organisation (``accounts.access``), whatever page calls it."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.audit import services as audit
from palermo.ingest import storage
from palermo.ingest.models import ImportBatch, Upload
from palermo.ingest.readers import ReadError, open_tables
from palermo.ingest.suggest import Suggestion, sample_values, suggest

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User
    from palermo.standard.models import MappingProfile

PREVIEW_ROWS = 10
SAMPLE_ROWS = 1000
SAMPLE_VALUES = 25
PREVIEW_PIECES = 4  # MiB


def may_import(user: User, organisation: Organisation) -> bool:
    return access.can(user, access.Action.IMPORT_EXPORT, organisation)


def _require(user: User, organisation: Organisation) -> None:
    if not may_import(user, organisation):
        raise PermissionDenied("import into this organisation")


def receive(source: IO[bytes], file_name: str, organisation: Organisation, actor: User) -> Upload:
    """Keep an uploaded file, encrypted, for its mapping and import."""
    _require(actor, organisation)
    declared = getattr(source, "size", None)  # an uploaded file knows its size: refuse at once
    if declared is not None and declared > settings.PALERMO_IMPORT_MAX_BYTES:
        raise ValidationError(_too_large())
    upload = Upload(organisation=organisation, file_name=Path(file_name).name[:255], size=0)
    upload.uploaded_by = actor
    path = storage.upload_path(upload.pk)
    upload.size = storage.write_encrypted(source, path)
    if upload.size == 0:
        storage.remove(path)
        raise ValidationError(_("The file is empty."))
    if upload.size > settings.PALERMO_IMPORT_MAX_BYTES:
        storage.remove(path)
        raise ValidationError(_too_large())
    upload.save()
    audit.record(
        action="ingest.uploaded",
        actor=actor,
        organisation=organisation,
        target=upload,
        detail={"file": upload.file_name, "size": upload.size},
    )
    return upload


def _too_large() -> str:
    return _("The file is larger than %(size)s.") % {
        "size": filesizeformat(settings.PALERMO_IMPORT_MAX_BYTES)
    }


@dataclass
class Preview:
    columns: list[str]
    rows: list[list[str]]  # the first rows, cells in column order
    samples: dict[str, list[str]] = field(default_factory=dict)  # column -> distinct values
    suggestions: list[Suggestion] = field(default_factory=list)
    table: str = ""
    tables: int = 1


def preview(upload: Upload, actor: User) -> Preview:
    """The first rows of the file's first table with columns, the distinct values of each column
    in its first rows, and the suggested field and codes of each column. A file that cannot be
    read raises ``readers.ReadError`` with the reason."""
    _require(actor, upload.organisation)
    try:  # a text file's first MiBs hold its first rows: no need to decrypt 2 GB for them
        columns, first, name, count = _first_rows(upload, PREVIEW_PIECES)
    except ReadError:  # a workbook needs all of itself; a row may cross the cut: read it whole
        columns, first, name, count = _first_rows(upload, None)
    samples = sample_values(columns, first, SAMPLE_VALUES)
    rows = [[row.get(column, "") for column in columns] for row in first[:PREVIEW_ROWS]]
    return Preview(columns, rows, samples, suggest(columns, samples), name, count)


def _first_rows(
    upload: Upload, pieces: int | None
) -> tuple[list[str], list[dict[str, str]], str, int]:
    suffix = Path(upload.file_name).suffix
    with storage.decrypted_copy(storage.upload_path(upload.pk), suffix, pieces) as path:
        tables = open_tables(path, upload.file_name)
        table = tables[0]
        first = list(islice(table.rows, SAMPLE_ROWS))
        if pieces is not None and len(first) < SAMPLE_ROWS and path.stat().st_size < upload.size:
            raise ReadError("cut short")  # fewer rows than asked in a cut copy: read it whole
    return table.columns, first, table.name, len(tables)


def start(
    upload: Upload,
    profile: MappingProfile,
    actor: User,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
    check_only: bool = True,
    statistics_consent: bool = False,
) -> ImportBatch:
    """Queue the check (or the import) of an uploaded file through one of its organisation's
    profiles; the page of the returned batch follows its progress."""
    from palermo.ingest.tasks import run_batch

    _require(actor, upload.organisation)
    if profile.organisation_id != upload.organisation_id:
        raise PermissionDenied("another organisation's profile")
    batch = ImportBatch.objects.create(
        organisation=upload.organisation,
        profile=profile,
        upload=upload,
        source=str(profile.pk),
        file_name=upload.file_name,
        id_column=profile.id_column,
        mode=mode,
        check_only=check_only,
        statistics_consent=statistics_consent,
        status=ImportBatch.Status.QUEUED,
        started_by=actor,
        language=get_language() or "",
    )
    transaction.on_commit(lambda: run_batch.enqueue(str(batch.pk)))
    return batch


def discard(upload: Upload, actor: User) -> None:
    _require(actor, upload.organisation)
    storage.remove(storage.upload_path(upload.pk))
    for batch in upload.batches.filter(report_ready=True):
        storage.remove(storage.report_path(batch.pk))  # the reports hold the file's rows
        batch.report_ready = False
        batch.save(update_fields=["report_ready"])
    audit.record(
        action="ingest.discarded",
        actor=actor,
        organisation=upload.organisation,
        target=upload,
        detail={"file": upload.file_name},
    )
    upload.delete()


def report_chunks(batch: ImportBatch, actor: User) -> tuple[str, object]:
    """The batch's validation report (a workbook) to send, piece by piece; audited, since it
    holds the rejected rows as they were in the file."""
    _require(actor, batch.organisation)
    path = storage.report_path(batch.pk)
    if not batch.report_ready or not path.exists():
        raise FileNotFoundError(path)
    audit.record(
        action="ingest.report_read",
        actor=actor,
        organisation=batch.organisation,
        target=batch,
        detail={"file": batch.file_name},
    )
    name = f"{Path(batch.file_name).stem}-report.xlsx"
    return name, storage.read_encrypted(path)
