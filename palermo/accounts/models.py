from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]


class OrganisationType(models.TextChoices):
    # HTCDS 2.0 organisation types (field org_Type; IOM, CC BY 4.0) ...
    NGO = "NGO", _("NGO")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    HEALTH_SERVICE = "HealthServiceOrganisation", _("Health service organisation")
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation", _("Central government organisation")
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation", _("Local government organisation")
    IMMIGRATION_SERVICE = "ImmigrationService", _("Immigration service")
    LEGAL_SERVICE = "LegalService", _("Legal service")
    CORPORATE_BUSINESS = "CorporateBusiness", _("Corporate business")
    SCHOOL_OR_COLLEGE = "SchoolOrCollege", _("School or college")
    # ... and Palermo's additions.
    UN_AGENCY = "UNAgency", _("UN agency")
    INTERGOVERNMENTAL = "IntergovernmentalOrganisation", _("Intergovernmental organisation")
    NATIONAL_COORDINATION_BODY = "NationalCoordinationBody", _("National coordination body")


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, unique=True)
    type = models.CharField(_("type"), max_length=40, choices=OrganisationType.choices)
    country = models.ForeignKey(
        "geo.Country",
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Where it is based. Leave empty for an international organisation."),
    )
    is_host = models.BooleanField(
        _("hosts the platform"),
        default=False,
        help_text=_("Its administrators manage every organisation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    case_workers_see_all = models.BooleanField(
        _("case workers see every case of the organisation"),
        default=False,
        help_text=_("Otherwise a case worker sees the cases assigned to them."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_host"],
                condition=models.Q(is_host=True),
                name="one_host_organisation",
                violation_error_message=_("Another organisation already hosts the platform."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})"


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("Case worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    DATA_MANAGER = "data_manager", _("Data manager")
    ANALYST = "analyst", _("Analyst")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    KNOWLEDGE_REVIEWER = "knowledge_reviewer", _("Knowledge reviewer")
    MONITORING_APPROVER = "monitoring_approver", _("Monitoring approver")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A user's place in an organisation, with the one role they hold there."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.organisation.acronym} / {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, at creation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    two_factor_verified = models.BooleanField(
        _("created after two-factor authentication"), default=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
