"""The common data standard: versioned fields, code lists, labels, screening instruments and
mapping profiles.

Versioning: every change to the vocabulary (a new code, a new or changed label, a retired code)
creates a new :class:`StandardVersion`. Vocabulary rows carry the version that introduced them
(``since``) and, once replaced or retired, the first version without them (``until``). Nothing is
deleted, so any older version can be read back and data coded against it stays valid.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LABEL_LANGUAGES = [code for code, _name in settings.LANGUAGES]


class StandardVersion(models.Model):
    number = models.PositiveIntegerField(_("number"), unique=True)
    note = models.TextField(_("what changed"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")

    def __str__(self) -> str:
        return f"v{self.number}"


class VersionedQuerySet(models.QuerySet):
    def at(self, version: int) -> VersionedQuerySet:
        """Rows that belong to ``version``: introduced at or before it, not retired by it."""
        return self.filter(since__lte=version).filter(Q(until__isnull=True) | Q(until__gt=version))


class Versioned(models.Model):
    since = models.PositiveIntegerField(_("since version"))
    until = models.PositiveIntegerField(_("retired in version"), null=True, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.until is None


class Source(models.TextChoices):
    HTCDS = "htcds", _("HTCDS 2.0 (IOM)")
    CTDC = "ctdc", _("CTDC global dataset")
    ISO = "iso", _("ISO")
    PALERMO = "palermo", _("Palermo")
    ILO = "ilo", _("ILO / European Commission")
    ORGANISATION = "organisation", _("An organisation")


class CodeList(Versioned):
    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["key"]
        verbose_name = _("code list")
        verbose_name_plural = _("code lists")

    def __str__(self) -> str:
        return self.key


class Code(Versioned):
    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(_("code"), max_length=80)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
        help_text=_("A broader code, possibly in another list (a sub-form of exploitation)."),
    )
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_("Other notations of the same code: ISO alpha-3, a CTDC column name..."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["code_list", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="standard_code_unique")
        ]
        verbose_name = _("code")
        verbose_name_plural = _("codes")

    def __str__(self) -> str:
        return f"{self.code_list.key}:{self.code}"


class Section(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")
    VICTIM = "victim", _("Victim context")
    PERPETRATOR = "perpetrator", _("Perpetrator context")
    CASE = "case", _("Case")
    REFERRAL = "referral", _("Referral details")
    CASE_COMMENT = "case_comment", _("Case comment")
    HISTORIC_EVENT = "historic_event", _("Historic trafficking events")
    SUPPORT_PLAN = "support_plan", _("Support plan")
    CONSENT = "consent", _("Consent")
    ANALYTIC = "analytic", _("Analytic variables (statistics)")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("One code")
    MULTI_CHOICE = "multi_choice", _("Several codes")
    REFERENCE = "reference", _("Reference to a record")
    GEOLOCATION = "geolocation", _("Geolocation")


class FieldStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RELEASED = "released", _("Released")
    DEPRECATED = "deprecated", _("Deprecated")


class Field(Versioned):
    key = models.CharField(_("key"), max_length=80, unique=True)
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    name = models.CharField(_("name"), max_length=80)
    data_type = models.CharField(_("type"), max_length=16, choices=FieldType.choices)
    is_core = models.BooleanField(_("core"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=FieldStatus.choices)
    code_list = models.ForeignKey(
        CodeList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fields",
        verbose_name=_("code list"),
    )
    description = models.TextField(_("description"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    derivation = models.JSONField(
        _("derivation"),
        default=dict,
        blank=True,
        help_text=_("For analytic variables: the standard fields they are computed from, and how."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return self.key


class LabelBase(Versioned):
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.CharField(_("text"), max_length=300)
    from_source = models.BooleanField(
        _("from the sources"),
        default=False,
        help_text=_("Loaded from a published source; an editor's label is never overwritten."),
    )

    class Meta:
        abstract = True


class CodeLabel(LabelBase):
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="labels")

    class Meta:
        indexes = [models.Index(fields=["code", "language"])]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "language"],
                condition=Q(until__isnull=True),
                name="standard_code_label_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code_id}/{self.language}: {self.text}"


class FieldLabel(LabelBase):
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="labels")

    class Meta:
        indexes = [models.Index(fields=["field", "language"])]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "language"],
                condition=Q(until__isnull=True),
                name="standard_field_label_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.field_id}/{self.language}: {self.text}"


class CodeMapping(Versioned):
    """A crosswalk between two codes, e.g. an HTCDS gender to the CTDC analytic gender."""

    source = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="mapped_to")
    target = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="mapped_from")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="standard_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"


# Screening instruments -------------------------------------------------------------------------


class Verification(models.TextChoices):
    VERIFIED = "verified", _("Verified against the original")
    UNVERIFIED = "unverified", _("Not yet verified against the original")
    PLACEHOLDER = "placeholder", _("Placeholder: no source found")


class Instrument(models.Model):
    """A screening instrument such as the ILO/EC indicators, or an agency's national checklist.

    Its content lives in immutable :class:`InstrumentVersion` documents (JSON, validated against
    the instrument schema), so that a screening always names the exact version it used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(_("key"), max_length=80)
    owner = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
        verbose_name=_("owner"),
        help_text=_("Empty for instruments of the standard itself."),
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(owner__isnull=True), name="standard_instrument_key"
            ),
            models.UniqueConstraint(fields=["owner", "key"], name="standard_instrument_owner_key"),
        ]
        verbose_name = _("screening instrument")
        verbose_name_plural = _("screening instruments")

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("document"))
    verification = models.CharField(_("verification"), max_length=12, choices=Verification.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="standard_instrument_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.key} v{self.number}"


# Mapping profiles ------------------------------------------------------------------------------


class MappingProfile(models.Model):
    """How one organisation's files name and code things, in terms of the standard."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="mapping_profiles"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    id_column = models.CharField(
        _("source identifier column"),
        max_length=200,
        blank=True,
        help_text=_("The column holding your own record number, if the files have one."),
    )
    skip_rows = models.PositiveSmallIntegerField(
        _("rows to skip under the header"),
        default=0,
        help_text=_("E.g. 1 for a row of labels under the column names."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="standard_profile_name")
        ]
        verbose_name = _("mapping profile")
        verbose_name_plural = _("mapping profiles")

    def __str__(self) -> str:
        return self.name


class ColumnMapping(models.Model):
    profile = models.ForeignKey(MappingProfile, on_delete=models.CASCADE, related_name="columns")
    column = models.CharField(_("column in the file"), max_length=200)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="+", verbose_name=_("standard field")
    )
    separator = models.CharField(
        _("separator"),
        max_length=5,
        blank=True,
        help_text=_("For several codes in one cell, e.g. ';'."),
    )
    values = models.JSONField(
        _("value mappings"), default=dict, blank=True, help_text=_("Your value → standard code.")
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["profile", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "column"], name="standard_column_unique")
        ]

    def __str__(self) -> str:
        return f"{self.column} -> {self.field_id}"
