"""Import batches and the record of which case each imported row became."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportBatch(models.Model):
    """One import of one file: what was read, what was refused and why, what changed."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("Import nothing until every row is valid")
        VALID_ROWS = "valid_rows", _("Import the valid rows, report the others")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        VALIDATING = "validating", _("Checking the rows")
        CHECKED = "checked", _("Checked: nothing imported yet")
        REFUSED = "refused", _("Refused: nothing imported")
        IMPORTING = "importing", _("Importing")
        DONE = "done", pgettext_lazy("import status", "Done")
        FAILED = "failed", _("Failed: nothing imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="import_batches"
    )
    profile = models.ForeignKey(
        "standard.MappingProfile",
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    source = models.CharField(_("source"), max_length=64)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    id_column = models.CharField(_("source identifier column"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING
    )
    upload = models.ForeignKey(
        "ingest.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="batches"
    )
    check_only = models.BooleanField(default=False)
    # The importer attests that the source recorded each person's consent to pooled
    # statistics: the new cases get that consent (given by the person, on the import's date).
    statistics_consent = models.BooleanField(
        _("the source recorded each person's consent to pooled statistics"), default=False
    )
    report_ready = models.BooleanField(default=False)
    # The language of the page that queued the batch: its report is written in it.
    language = models.CharField(max_length=16, blank=True, default="")
    progress_at = models.DateTimeField(null=True, blank=True)  # the last progress saved
    rows_expected = models.PositiveIntegerField(null=True, blank=True)  # an estimate
    rows_read = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # Changed rows of records whose person's identifiers were erased: never written again.
    skipped_erased = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{row, column, value, reason}]
    problems_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"import {self.pk}"

    def silent_for(self) -> datetime.timedelta:
        """How long since the batch last showed progress (or was queued)."""
        return timezone.now() - (self.progress_at or self.started_at)


class Upload(models.Model):
    """A file sent through the import pages, kept encrypted (``ingest.storage``) until it is
    imported or discarded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="uploads"
    )
    file_name = models.CharField(_("file"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return f"upload {self.pk}"


class ImportedRecord(models.Model):
    """Which case a source's row became: the key that makes a second import of the same file
    change nothing, and an updated row update its case only."""

    # Indexed by the unique constraint, which leads with it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, db_index=False
    )
    source = models.CharField(max_length=64)
    source_key = models.CharField(max_length=200)
    row_hash = models.CharField(max_length=64)
    # Null once the case is deleted (the person erased without consent to statistics): the key
    # stays, so that importing the same row again does not bring the person back.
    case = models.OneToOneField(
        "cases.Case", null=True, on_delete=models.SET_NULL, related_name="imported_from"
    )
    batch = models.ForeignKey(ImportBatch, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "source_key"], name="ingest_record_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_key}"
