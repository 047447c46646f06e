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

from palermo.cases.models import Encrypted


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


class Kind(models.TextChoices):
    GENERAL = "general", _("Referral to a service")
    ASYLUM = "asylum", _("Referral to an asylum procedure (international protection)")
    CHILD = "child_protection", _("Referral of a child to child protection services")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REVOKED = "revoked", _("Consent withdrawn")
    # Sent to another installation, which refused it (or never took it): final.
    REFUSED = "refused", _("Refused by the other installation")


OPEN_STATUSES = frozenset({ReferralStatus.SENT, ReferralStatus.RECEIVED})


class Referral(models.Model):
    """A person referred from a case of one organisation to another organisation (or one of its
    services), carrying only the fields the referring worker chose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The referring case; empty for a referral received from another Palermo installation.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    # Empty for a referral received from another installation (``peer``, ``sender_name``).
    from_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    peer = models.ForeignKey(
        "Peer", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    remote_id = models.CharField(max_length=64, blank=True)
    sender_name = models.CharField(_("referring organisation"), max_length=300, blank=True)
    # A received cross-border referral carries its shared fields with it (there is no case
    # here to read them from), encrypted.
    shared_enc = models.TextField(blank=True)
    # Empty for a referral sent to another installation (``peer``, ``remote_organisation``).
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    remote_organisation = models.CharField(_("receiving organisation"), max_length=100, blank=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    kind = models.CharField(_("route"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    cross_border = models.BooleanField(_("cross-border"), default=False)
    need = models.CharField(_("need"), max_length=40)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    fields = models.JSONField(_("shared fields"), default=list)
    include_identifiers = models.BooleanField(_("identifiers shared"), default=False)
    # The referring worker's words (reasons, the child's situation, protection needs).
    note_enc = models.TextField(blank=True)
    # Asylum route: the grounds for international protection, and the language to interview in.
    protection_needs_enc = models.TextField(blank=True)
    interview_language = models.CharField(_("language of the interview"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    respond_by = models.DateTimeField(_("answer expected by"))
    answered_at = models.DateTimeField(null=True, blank=True)
    # Free text a worker writes may name the person: encrypted like the note.
    decline_reason_enc = models.TextField(blank=True)
    outcome_enc = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    linked_case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_by",
    )
    # The limited grant in force that serves this referral (several accepted referrals of a
    # case to one organisation share one grant, rebuilt from them: services._sync_grant).
    grant = models.ForeignKey(
        "cases.Grant", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    alerted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    note = Encrypted("note_enc")
    protection_needs = Encrypted("protection_needs_enc")
    shared = Encrypted("shared_enc", "json")
    decline_reason = Encrypted("decline_reason_enc")
    outcome = Encrypted("outcome_enc")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A referral from another installation is received once.
            models.UniqueConstraint(
                fields=["peer", "remote_id"],
                condition=~models.Q(remote_id=""),
                name="referrals_remote_once",
            )
        ]
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["from_organisation", "status"]),
            models.Index(fields=["status", "respond_by"]),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"

    @property
    def receiver(self) -> str:
        if self.to_organisation is not None:
            return self.to_organisation.name
        return f"{self.remote_organisation} ({self.peer.name if self.peer else ''})"

    @property
    def sender(self) -> str:
        if self.from_organisation is not None:
            return self.from_organisation.name
        return f"{self.sender_name} ({self.peer.name if self.peer else ''})"


class ReferralEvent(models.Model):
    """The history of a referral's statuses, for both organisations."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.status


class Peer(models.Model):
    """Another Palermo installation this one exchanges referrals with: its name, address and
    public key (Ed25519, base64). Messages from anyone else are refused."""

    installation_id = models.CharField(_("installation"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("address"), blank=True)
    public_key = models.CharField(_("public key"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """A signed referral message sent to, or received from, another installation: kept with
    its outcome, whether accepted or refused."""

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    direction = models.CharField(max_length=3, choices=Direction.choices)
    peer = models.ForeignKey(
        Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    message_id = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=20, blank=True)
    sender = models.CharField(max_length=200, blank=True)
    body = models.JSONField(default=dict)
    outcome = models.CharField(max_length=200, blank=True)
    # An outgoing message as signed, with the person's shared values: encrypted, and dropped
    # once delivered.
    envelope_enc = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Outgoing: how many times delivery was tried (a peer away or failing is retried, up to a
    # cap: federation.MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(default=0)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    envelope = Encrypted("envelope_enc", "json")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.message_id}"
