"""Referral mechanisms: the directory of services organisations offer, and (to come) the
referrals that send a person to them.

A service belongs to the organisation that offers it; its type is a code of the standard's
``referral_service`` list. Where it serves is a set of countries, each optionally narrowed to
places; who it serves is its eligibility (age, sex, nationality status).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    ANY = "any", _("Any")
    FEMALE = "female", _("Women and girls")
    MALE = "male", _("Men and boys")


class NationalityStatus(models.TextChoices):
    ANY = "any", _("Any nationality or status")
    NATIONALS = "nationals", _("Nationals only")
    FOREIGN = "foreign", _("Foreign nationals only")
    ASYLUM = "asylum", _("Asylum seekers and refugees")


class Availability(models.TextChoices):
    OPEN = "open", _("Taking new people")
    LIMITED = "limited", _("Limited places")
    FULL = "full", _("Full")
    CLOSED = "closed", _("Temporarily closed")


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("offered by"),
    )
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("type of service"), max_length=40, db_index=True)
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    sex = models.CharField(_("for"), max_length=6, choices=Sex.choices, default=Sex.ANY)
    nationality = models.CharField(
        _("nationality or status"),
        max_length=10,
        choices=NationalityStatus.choices,
        default=NationalityStatus.ANY,
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    availability = models.CharField(
        _("availability"), max_length=8, choices=Availability.choices, default=Availability.OPEN
    )
    contact = models.TextField(
        _("contact points"),
        blank=True,
        help_text=_("Who to call or write to for a referral, with telephone or e-mail."),
    )
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_(
            "Otherwise only signed-in members of an organisation see it (a shelter's address, "
            "for example)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    """A country the service serves, all of it (``place`` empty) or one place in it."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    country = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)

    class Meta:
        ordering = ["country_id", "place"]
        indexes = [models.Index(fields=["country", "service"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.place}".strip()
