"""Monitoring implementation: each country's legal and institutional framework (a checklist with
its history), its national action plans with indicators and measurements, and official figures
imported from international sources (the UNODC Global Report).

Checklist entries are never edited in place: each change is a new :class:`ProfileEntry`, so the
status of an item at any date is the latest entry that took effect by then. A plan's measurements
belong to a reporting period (a calendar year); an approved period is locked.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from palermo.monitoring.checklist import ITEM_CHOICES, Status


class ProfileEntry(models.Model):
    """One recorded status of one checklist item of a country, from the date it took effect."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    country = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, related_name="profile_entries"
    )
    item = models.CharField(_("item"), max_length=40, choices=ITEM_CHOICES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    since = models.DateField(
        _("in effect since"),
        help_text=_("When this status took effect: the date a law entered into force, say."),
    )
    evidence = models.ForeignKey(
        "knowledge.Resource",
        verbose_name=_("evidence in the knowledge base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    evidence_url = models.URLField(_("evidence (link)"), blank=True, max_length=500)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "item", "-since", "-recorded_at"]
        indexes = [models.Index(fields=["item", "country", "since"])]
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")

    def __str__(self) -> str:
        return f"{self.country_id} {self.item}: {self.status} ({self.since})"

    def cites_resource(self) -> str:
        """Why a knowledge-base resource this entry cites cannot be deleted, in a sentence."""
        return gettext("The country profile of %(country)s cites it as evidence.") % {
            "country": self.country.name
        }


class Plan(models.Model):
    """A national action plan against trafficking in persons."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    country = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("title"), max_length=300)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    adopted = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(
        _("adopted by"), max_length=200, blank=True, help_text=_("A decree, a cabinet decision…")
    )
    document = models.ForeignKey(
        "knowledge.Resource",
        verbose_name=_("the plan in the knowledge base"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code, e.g. USD, EUR.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "-starts"]
        verbose_name = _("national action plan")
        verbose_name_plural = _("national action plans")

    def __str__(self) -> str:
        return self.title

    def cites_resource(self) -> str:
        """Why the knowledge-base resource that is this plan's document cannot be deleted."""
        return gettext("The action plan “%(plan)s” (%(country)s) names it as its document.") % {
            "plan": self.title,
            "country": self.country.name,
        }


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("objective"), max_length=500)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_objective_number")
        ]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class PlanAction(models.Model):
    """An action of a plan, under one of its objectives, with who is responsible and its money."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=500)
    responsible = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("responsible organisations on the platform"),
        blank=True,
        related_name="+",
    )
    responsible_other = models.CharField(_("other responsible bodies"), max_length=300, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    funding_needed = models.DecimalField(
        _("funding needed"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    funding_secured = models.DecimalField(
        _("funding secured"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        ordering = ["objective", "deadline", "title"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """What the plan measures, from a baseline to a target by a deadline.

    ``release_filters`` says which count of a Palermo release measures it (for example
    ``{"sex": "female"}``); an empty mapping counts every record of the release. Leave
    ``from_releases`` off for an indicator measured only by hand.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )
    name = models.CharField(_("indicator"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60, help_text=_("e.g. persons, %, cases"))
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(
        _("better when"),
        max_length=10,
        choices=[("increase", _("it increases")), ("decrease", _("it decreases"))],
        default="increase",
    )
    deadline = models.DateField(_("target date"))
    from_releases = models.BooleanField(
        _("measured from Palermo releases"),
        default=False,
        help_text=_("Its measurements can take a published count from a release."),
    )
    release_filters = models.JSONField(_("release count"), default=dict, blank=True)

    class Meta:
        ordering = ["plan", "objective__number", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    """A plan's reporting year. Its measurements are entered while it is open, submitted by a
    coordinator, and locked by an approver's approval."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved (locked)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)

    class Meta:
        ordering = ["plan", "year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="one_period_a_year")]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year}"

    @property
    def locked(self) -> bool:
        return self.state != self.State.OPEN


class PeriodEvent(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")
        UNLOCKED = "unlocked", _("Unlocked for correction")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["period", "at"]

    def __str__(self) -> str:
        return f"{self.period_id} {self.kind}"


class Measurement(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        RELEASE = "release", _("A Palermo release")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField(_("date measured"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_note = models.CharField(
        _("source of the figure"),
        max_length=500,
        blank=True,
        help_text=_("Where the figure comes from: a report, a register, a survey."),
    )
    release = models.ForeignKey(
        "stats.Release",
        verbose_name=_("release"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "measured_on", "recorded_at"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.measured_on}: {self.value}"


class FigureSource(models.Model):
    """A dataset of official figures, such as one export of the UNODC Global Report data."""

    key = models.CharField(max_length=60, unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    published = models.DateField(null=True, blank=True)
    url = models.URLField(blank=True)
    file_name = models.CharField(max_length=300, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class Figure(models.Model):
    """One published official figure: a country's count for an indicator, a breakdown, a year.

    ``value`` is None exactly when ``suppressed`` (the source printed ``<5``). ``occurrence``
    tells apart rows that the source repeats for the same key (the GLOTIP export has 336 such
    keys, some with different values): every row is kept, as the source gives it.
    """

    source = models.ForeignKey(FigureSource, on_delete=models.CASCADE, related_name="figures")
    country = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=100)
    dimension = models.CharField(max_length=60)
    category = models.CharField(max_length=100)
    sex = models.CharField(max_length=20)
    age = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField()
    occurrence = models.PositiveSmallIntegerField(default=1)
    value = models.PositiveIntegerField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    printed = models.CharField(max_length=30)

    class Meta:
        ordering = ["country", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source",
                    "country",
                    "indicator",
                    "dimension",
                    "category",
                    "sex",
                    "age",
                    "year",
                    "occurrence",
                ],
                name="one_figure_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed=True, value__isnull=True)
                | models.Q(suppressed=False, value__isnull=False),
                name="suppressed_has_no_value",
            ),
        ]
        indexes = [models.Index(fields=["country", "indicator", "dimension", "year"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.indicator} {self.year}: {self.printed}"
