"""Who does what where: activities aligned with the IATI activity standard (2.03).

An activity belongs to the organisation that registered or imported it (``owner``); only that
organisation's members with the right role edit it. The IATI organisation that reports it and
the organisations taking part (funding, implementing...) are kept as IATI states them,
to the extent the file gives them (name, IATI identifier, type).

Coded attributes (pillars, themes, target groups, forms of exploitation, DAC sectors, SDG
targets) are rows of :class:`ActivityCode`, so that every filter and the overlap finder use one
index whatever the attribute.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The largest amount a budget column holds (16 digits, 2 of them decimals).
MAX_AMOUNT = Decimal(10) ** 14


def in_language(texts: dict[str, str]) -> str:
    """A text in the reader's language, else English, else the first one given."""
    language = get_language() or "en"
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class Status(models.TextChoices):
    """IATI ActivityStatus codes."""

    PIPELINE = "1", _("Pipeline / identification")
    IMPLEMENTATION = "2", _("Implementation")
    FINALISATION = "3", _("Finalisation")
    CLOSED = "4", _("Closed")
    CANCELLED = "5", _("Cancelled")
    SUSPENDED = "6", _("Suspended")


class Origin(models.TextChoices):
    DIRECT = "direct", _("Registered in Palermo")
    IATI = "iati", _("Imported from IATI")
    TABLE = "3w", _("Imported from a 3W/4W table")


class Classification(models.TextChoices):
    """Where an activity's anti-trafficking themes come from."""

    DECLARED = "declared", _("Declared by its publisher (Palermo vocabulary)")
    DERIVED = "derived", _("Derived from its DAC sectors, SDG targets and text")
    NONE = "none", _("Not anti-trafficking work, as far as its codes and text tell")


class Activity(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identifier = models.CharField(
        _("IATI identifier"),
        max_length=200,
        unique=True,
        help_text=_("The reporting organisation's identifier followed by the activity's own."),
    )
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("registered by"),
    )
    reporting_org_ref = models.CharField(_("reporting organisation (IATI ref)"), max_length=100)
    reporting_org_name = models.CharField(_("reporting organisation"), max_length=300)
    reporting_org_type = models.CharField(_("organisation type (IATI)"), max_length=4, blank=True)
    title = models.JSONField(_("title"), default=dict, help_text=_("Language code -> text."))
    description = models.JSONField(_("description"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=1, choices=Status.choices)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    # The dates the overlap finder and filters use: actual where known, else planned.
    start = models.DateField(_("start"), null=True, blank=True, db_index=True)
    end = models.DateField(_("end"), null=True, blank=True, db_index=True)
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Otherwise only signed-in members of an organisation see it."),
    )
    classification = models.CharField(
        _("classification"),
        max_length=10,
        choices=Classification.choices,
        default=Classification.DECLARED,
    )
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices)
    last_updated = models.DateTimeField(_("last updated by its publisher"), null=True, blank=True)
    # A digest of everything saved: saving the same content again changes nothing.
    fingerprint = models.CharField(max_length=64, editable=False, blank=True)
    # Lower-cased title and description in every language, for the text similarity.
    search_text = models.TextField(editable=False, blank=True)
    # Its distinct words for the overlap finder's text similarity, and its codes ("kind:code"),
    # space-separated: the finder scores thousands of candidates from one query.
    words = models.TextField(editable=False, blank=True)
    code_tokens = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "identifier"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.identifier

    @property
    def title_text(self) -> str:
        return in_language(self.title)

    @property
    def description_text(self) -> str:
        return in_language(self.description)


class ActivityCountry(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="countries")
    country = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="+")
    percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "country"], name="activity_country_once")
        ]
        indexes = [models.Index(fields=["country", "activity"])]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.country_id}"


class Place(models.Model):
    """A sub-national place: a province, a district, a town, an office."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(_("name"), max_length=300)
    country = models.ForeignKey(
        "geo.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admin_code = models.CharField(_("administrative code"), max_length=40, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Lower-cased name, for matching places across activities.
    key = models.CharField(max_length=300, db_index=True, editable=False)

    def __str__(self) -> str:
        return self.name


class ActivityCode(models.Model):
    """One coded attribute: ``kind`` is the code list (pillar, theme, target group, form of
    exploitation, DAC sector, SDG target)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="codes")
    kind = models.CharField(max_length=40)
    code = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "kind", "code"], name="activity_code_once")
        ]
        indexes = [models.Index(fields=["kind", "code", "activity"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class Role(models.TextChoices):
    """IATI OrganisationRole codes."""

    FUNDING = "1", _("Funding")
    ACCOUNTABLE = "2", _("Accountable")
    EXTENDING = "3", _("Extending")
    IMPLEMENTING = "4", _("Implementing")


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=1, choices=Role.choices)
    name = models.CharField(_("organisation"), max_length=300)
    ref = models.CharField(_("IATI ref"), max_length=100, blank=True, db_index=True)
    org_type = models.CharField(_("organisation type (IATI)"), max_length=4, blank=True)
    # The participant's own activity for this one (IATI participating-org/@activity-id).
    activity_ref = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class FundingLink(models.Model):
    """Money flowing from one activity to another, by IATI identifiers (either may not be in
    Palermo): from participating-org/@activity-id of a funder, and from transactions'
    provider-activity-id and receiver-activity-id."""

    provider = models.CharField(_("funding activity"), max_length=200, db_index=True)
    recipient = models.CharField(_("funded activity"), max_length=200, db_index=True)
    provider_org = models.CharField(_("funding organisation"), max_length=300, blank=True)
    recipient_org = models.CharField(_("funded organisation"), max_length=300, blank=True)
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    # The activity whose file stated the link: re-importing it replaces what it stated.
    stated_by = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "recipient", "stated_by"], name="funding_link_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} -> {self.recipient}"


class Indicator(models.Model):
    """A result's indicator, as IATI reports it: its baseline, target and latest actual."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="indicators")
    result = models.CharField(_("result"), max_length=500)
    title = models.CharField(_("indicator"), max_length=500)
    measure = models.CharField(_("measure"), max_length=2, blank=True)
    baseline = models.CharField(_("baseline"), max_length=40, blank=True)
    target = models.CharField(_("target"), max_length=40, blank=True)
    actual = models.CharField(_("actual"), max_length=40, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Document(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("address"), max_length=1000)
    format = models.CharField(_("format"), max_length=100, blank=True)
    category = models.CharField(_("category (IATI)"), max_length=4, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)

    def __str__(self) -> str:
        return self.title


class Contact(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="contacts")
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    person = models.CharField(_("person"), max_length=300, blank=True)
    email = models.CharField(_("e-mail"), max_length=300, blank=True)
    telephone = models.CharField(_("telephone"), max_length=100, blank=True)
    website = models.CharField(_("website"), max_length=500, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)

    def __str__(self) -> str:
        return self.organisation or self.email


class Annotation(models.Model):
    """A coordinator's note on an activity (a known overlap, a question to the implementer)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.activity_id} ({self.created_at:%Y-%m-%d})"


class ActivityImport(models.Model):
    """One file of activities (IATI XML or a 3W/4W table), imported in the background."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=300)
    path = models.CharField(max_length=500)
    kind = models.CharField(_("format"), max_length=8, choices=Origin.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    read = models.PositiveIntegerField(_("activities read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # [{"where": "activity XM-... / line 12", "message": "..."}], schema problems included.
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
