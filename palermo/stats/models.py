"""Releases of pooled statistics: what was asked, who contributed, the frozen snapshot it was
computed from, and what it published. A computed release never changes; a newer one supersedes
it."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """The analytic table as it was when a release was computed: identifier-free rows, kept
    encrypted (Parquet, then Fernet) because rare combinations of their values could still
    point at a person. Differentially private releases spend its privacy budget."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    rows = models.PositiveIntegerField()
    # The organisations whose cases it holds: a release reusing it must have exactly these.
    organisations = models.JSONField(default=list)
    data_enc = models.TextField()
    sha256 = models.CharField(max_length=64)
    epsilon_budget = models.FloatField(_("privacy budget (epsilon)"))
    delta_budget = models.FloatField(_("privacy budget (delta)"))

    ROTATE_BATCH = 5  # rotate_keys holds a batch in memory; snapshots are large

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.first_year}-{self.last_year} ({self.rows} rows)"


class Release(models.Model):
    class Method(models.TextChoices):
        THRESHOLD = "threshold", _("Suppression below k and rounding")
        DP = "dp", _("Differential privacy (OpenDP)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Waiting for the contributors")
        COMPUTING = "computing", _("Computing")
        COMPUTED = "computed", _("Computed: not published")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(_("to year"))
    dimensions = models.JSONField(_("dimensions"))
    main_dimensions = models.JSONField(_("dimensions of the three-way tables"), default=list)
    max_length = models.PositiveSmallIntegerField(_("longest combination"), default=3)
    method = models.CharField(
        _("disclosure control"), max_length=10, choices=Method.choices, default=Method.THRESHOLD
    )
    k = models.PositiveSmallIntegerField(_("smallest published count (k)"), default=11)
    rounding_base = models.PositiveSmallIntegerField(_("rounding base"), default=5)
    epsilon = models.FloatField(_("epsilon"), null=True, blank=True)
    delta = models.FloatField(_("delta"), null=True, blank=True)
    synthetic = models.BooleanField(_("synthetic microdata"), default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # What it published: the protected number of records, the cells (Parquet), the synthetic
    # rows (Parquet), and the metadata (contributors, method, measures, software, checksum).
    records = models.PositiveIntegerField(null=True, blank=True)
    cells = models.BinaryField(null=True, blank=True)
    synthetic_rows = models.BinaryField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # Measures computed on the true data that are not published with a differentially private
    # release (publishing them would spend privacy outside its budget): for the host only.
    assessment = models.JSONField(default=dict, blank=True)
    checksum = models.CharField(max_length=64, blank=True)

    FROZEN = (
        "cells",
        "synthetic_rows",
        "metadata",
        "assessment",
        "checksum",
        "records",
        "snapshot_id",
        "title",
        "version",
        "supersedes_id",
        "first_year",
        "last_year",
        "dimensions",
        "main_dimensions",
        "max_length",
        "method",
        "k",
        "rounding_base",
        "epsilon",
        "delta",
        "synthetic",
        "computed_at",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A computed release is immutable: only its publication may follow."""
        if self.pk is not None:
            stored = Release.objects.filter(pk=self.pk).values(*self.FROZEN, "state").first()
            if stored and stored["state"] in (self.State.COMPUTED, self.State.PUBLISHED):
                changed = [
                    name
                    for name in self.FROZEN
                    if _plain(stored[name]) != _plain(getattr(self, name))
                ]
                allowed = {self.State.COMPUTED, self.State.PUBLISHED}
                if (
                    changed
                    or self.state not in allowed
                    or (stored["state"] == self.State.PUBLISHED and self.state != stored["state"])
                ):
                    raise ValidationError(_("A computed release cannot change."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if Release.objects.filter(
            pk=self.pk, state__in=[self.State.COMPUTED, self.State.PUBLISHED]
        ).exists():
            raise ValidationError(_("A computed release cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_computed(self) -> bool:
        return self.state in (self.State.COMPUTED, self.State.PUBLISHED)


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


class Contribution(models.Model):
    """One organisation's answer to a request to contribute its cases to a release."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for an answer")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="contributions")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contributions"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "organisation"], name="stats_one_contribution"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.state}"


class BudgetSpend(models.Model):
    """The privacy budget ledger: what each differentially private release spent of its
    snapshot's budget."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="spends")
    release = models.OneToOneField(Release, on_delete=models.PROTECT, related_name="spend")
    epsilon = models.FloatField()
    delta = models.FloatField()
    rho = models.FloatField(help_text="zero-concentrated DP")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"ε={self.epsilon} δ={self.delta}"
