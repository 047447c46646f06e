"""Victims' case files, coded against the data standard.

Direct identifiers and free-text narratives are stored only as ciphertext (``*_enc`` columns,
see :mod:`palermo.core.crypto`) and read through :class:`Encrypted` attributes; exact-match
search on them goes through keyed blind indexes (:class:`PersonIndex`). Coded fields (codes of
the standard, dates, countries) stay in clear: they are what statistics are made of, and they
leave an organisation only through disclosure control.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palermo.core import crypto


class Encrypted:
    """An attribute stored encrypted in the text column ``column``; ``kind`` "json" keeps
    lists and dicts. Reading decrypts (once per instance); writing encrypts."""

    def __init__(self, column: str, kind: str = "text") -> None:
        self.column = column
        self.kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self.cache = f"_plain_{name}"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        if self.cache not in instance.__dict__:
            plain = crypto.decrypt(getattr(instance, self.column) or "")
            if self.kind == "json":
                instance.__dict__[self.cache] = json.loads(plain) if plain else []
            else:
                instance.__dict__[self.cache] = plain
        return instance.__dict__[self.cache]

    def __set__(self, instance: Any, value: Any) -> None:
        setattr(instance, self.column, self.stored(value))
        instance.__dict__[self.cache] = value if self.kind == "json" else (value or "").strip()

    def stored(self, value: Any) -> str:
        """The ciphertext kept in the column for ``value`` (what a set-based write inserts)."""
        if self.kind == "json":
            plain = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
        else:
            plain = (value or "").strip()
        return crypto.encrypt(plain)


def encrypted_columns() -> dict[type[models.Model], list[str]]:
    """The columns holding ciphertext, per model, in every installed app (rotate_keys and the
    dump test walk them): a ``*_enc`` column holds ciphertext wherever it is."""
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        columns = [f.name for f in model._meta.concrete_fields if f.name.endswith("_enc")]
        if columns:
            found[model] = columns
    return found


class Person(models.Model):
    """The person a case is about. Every direct identifier is encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="persons"
    )
    given_name_enc = models.TextField(blank=True)
    family_name_enc = models.TextField(blank=True)
    aliases_enc = models.TextField(blank=True)
    birth_date_enc = models.TextField(blank=True)
    documents_enc = models.TextField(blank=True)
    phone_enc = models.TextField(blank=True)
    address_enc = models.TextField(blank=True)
    # Coded, not identifying on their own.
    gender = models.CharField(_("gender"), max_length=40, blank=True)
    citizenship = models.JSONField(_("citizenship"), default=list, blank=True)
    erased_at = models.DateTimeField(_("identifiers erased at"), null=True, blank=True)

    given_name = Encrypted("given_name_enc")
    family_name = Encrypted("family_name_enc")
    aliases = Encrypted("aliases_enc", "json")
    birth_date = Encrypted("birth_date_enc")  # ISO date, or empty
    documents = Encrypted("documents_enc", "json")  # [{"type": ..., "number": ...}]
    phone = Encrypted("phone_enc")
    address = Encrypted("address_enc")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"person {self.pk}"  # never a name: str() ends up in logs

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class PersonIndex(models.Model):
    """Blind index rows: one per searchable identifier value of a person."""

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        DOCUMENT = "document", _("Identity document")
        PHONE = "phone", _("Phone")

    # Indexed by the unique constraint, which leads with it.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="index_rows", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["kind", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="cases_index_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.digest[:8]}"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class CaseType(models.TextChoices):
    IDENTIFIED = "identified_victim", _("Identified victim")
    PRESUMED = "presumed_victim", _("Presumed victim")
    AT_RISK = "at_risk", _("Person at risk")


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: the Meta indexes and the unique reference lead with it, and every
    # index more is one more to update for each case written.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=40)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType.choices)
    standard_version = models.PositiveIntegerField(_("coded against standard version"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    # Identification
    identified_on = models.DateField(_("identification date"), null=True, blank=True)
    identification_country = models.ForeignKey(
        "geo.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("country of identification"),
    )
    identification_place_enc = models.TextField(blank=True)
    identified_by = models.CharField(_("identified by"), max_length=60, blank=True)
    age_at_identification = models.PositiveSmallIntegerField(null=True, blank=True)
    # Victim context (HTCDS), coded
    exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    forced_labour_industry = models.JSONField(default=list, blank=True)
    sex_exploitation = models.JSONField(default=list, blank=True)
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    recruitment_methods = models.JSONField(default=list, blank=True)
    recruiter_relationship = models.CharField(max_length=40, blank=True)
    country_of_origin = models.CharField(max_length=2, blank=True)
    transit_countries = models.JSONField(default=list, blank=True)
    exploitation_countries = models.JSONField(default=list, blank=True)
    recruited_on = models.DateField(null=True, blank=True)
    exploitation_began_on = models.DateField(null=True, blank=True)
    exploitation_ended_on = models.DateField(null=True, blank=True)
    age_at_entry = models.PositiveSmallIntegerField(null=True, blank=True)
    age_at_exploitation = models.PositiveSmallIntegerField(null=True, blank=True)
    narrative_enc = models.TextField(blank=True)
    # Records imported in the analytic form only (e.g. the CTDC datasets): the standard's
    # analytic variables (ana_*) as the source coded them, where no HTCDS detail is known.
    analytic = models.JSONField(_("analytic variables"), default=dict, blank=True)
    # Life cycle
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    intake_step = models.PositiveSmallIntegerField(default=1)
    row_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    identification_place = Encrypted("identification_place_enc")
    narrative = Encrypted("narrative_enc")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="cases_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["organisation", "status", "-created_at"]),
            models.Index(fields=["organisation", "assigned_to", "-created_at"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_minor(self) -> bool:
        return self.age_at_identification is not None and self.age_at_identification < 18


class CaseCode(models.Model):
    """One code of one multi-valued coded field of a case, so that lists filter on codes with an
    index on every database (JSON containment is not portable)."""

    # Indexed by the unique constraint, which leads with it.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="codes", db_index=False)
    field = models.CharField(max_length=40)
    code = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["field", "code"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "field", "code"], name="cases_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.field}={self.code}"


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance")
    REFERRAL = "referral", _("Referral to another organisation")
    STATISTICS = "statistics", _("Inclusion in pooled statistics")


class Consent(models.Model):
    """One decision about one purpose. The latest decision per purpose is in force; history is
    kept."""

    class Decision(models.TextChoices):
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=ConsentPurpose.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    given_by = models.CharField(
        _("given by"),
        max_length=20,
        choices=[("person", _("The person")), ("guardian", _("Guardian or legal representative"))],
    )
    decided_on = models.DateField(_("date of the decision"))
    # For referral: whether the person agreed that their identifiers (name, date of birth,
    # contacts, documents) go with a referral, not only the coded facts.
    covers_identifiers = models.BooleanField(_("covers identifiers"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "purpose", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.decision}"


class Screening(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    instrument_version = models.ForeignKey(
        "standard.InstrumentVersion", on_delete=models.PROTECT, related_name="+"
    )
    present = models.JSONField(default=list)
    facts = models.JSONField(default=dict)
    positive = models.BooleanField()
    explanation = models.JSONField(default=list)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-performed_at"]

    def __str__(self) -> str:
        return f"screening {self.pk}"


class AssistanceService(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.CharField(_("type of service"), max_length=60)
    provider = models.CharField(_("provider"), max_length=200)
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"), null=True, blank=True)
    outcome_enc = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    outcome = Encrypted("outcome_enc")

    class Meta:
        ordering = ["case", "-started_on"]

    def __str__(self) -> str:
        return self.service_type


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text_enc = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    text = Encrypted("text_enc")

    class Meta:
        ordering = ["case", "-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class Grant(models.Model):
    """Another organisation's access to one case, given explicitly (by a referral), audited and
    revocable. The visibility rule honours only grants in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="case_grants"
    )
    include_identifiers = models.BooleanField(default=False)
    # A limited grant (an accepted referral) shows only ``fields`` (keys of
    # cases.sharing.SHAREABLE), through cases.access.shared_access, and never puts the case in
    # the other organisation's lists, searches or case pages; an unlimited one (the former
    # kind) shows the case read-only.
    limited = models.BooleanField(default=False)
    fields = models.JSONField(default=list, blank=True)
    reason_enc = models.TextField(blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    reason = Encrypted("reason_enc")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(revoked_at__isnull=True),
                name="cases_one_grant_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"grant {self.pk}"


class ChildSafeguards(models.Model):
    """The safeguards owed to a person identified under 18: best-interests assessment (BIA) and
    determination (BID), a guardian, family tracing and reunification. Each step has a due date
    set from the identification date (``settings.PALERMO_CHILD_SAFEGUARD_DAYS``); a step not
    done by then is overdue and shows in the task list."""

    class Tracing(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        TRACED = "traced", _("Family traced")
        NOT_TRACEABLE = "not_traceable", _("Family could not be traced")
        NOT_IN_INTEREST = "not_in_interest", _("Not in the child's best interests")

    class Reunification(models.TextChoices):
        NOT_ASSESSED = "not_assessed", _("Not assessed yet")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Reunified")
        NOT_IN_INTEREST = "not_in_interest", _("Not in the child's best interests")
        NOT_POSSIBLE = "not_possible", _("Not possible")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="safeguards")
    guardian_due = models.DateField(_("guardian due by"))
    guardian_appointed_on = models.DateField(_("guardian appointed on"), null=True, blank=True)
    guardian_name_enc = models.TextField(blank=True)
    guardian_contact_enc = models.TextField(blank=True)
    assessment_due = models.DateField(_("best-interests assessment due by"))
    assessment_done_on = models.DateField(
        _("best-interests assessment done on"), null=True, blank=True
    )
    determination_due = models.DateField(_("best-interests determination due by"))
    determination_done_on = models.DateField(
        _("best-interests determination done on"), null=True, blank=True
    )
    determination_outcome_enc = models.TextField(blank=True)
    tracing_due = models.DateField(_("family tracing to start by"))
    tracing_status = models.CharField(
        _("family tracing"), max_length=20, choices=Tracing.choices, default=Tracing.NOT_STARTED
    )
    reunification_status = models.CharField(
        _("reunification"),
        max_length=20,
        choices=Reunification.choices,
        default=Reunification.NOT_ASSESSED,
    )
    row_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    guardian_name = Encrypted("guardian_name_enc")
    guardian_contact = Encrypted("guardian_contact_enc")
    determination_outcome = Encrypted("determination_outcome_enc")

    class Meta:
        verbose_name = _("child safeguards")
        verbose_name_plural = _("child safeguards")

    def __str__(self) -> str:
        return f"safeguards of {self.case_id}"


class Approval(models.Model):
    """A supervisor's decision on a case worker's request: a case plan, or closing the case."""

    class Kind(models.TextChoices):
        CASE_PLAN = "case_plan", _("Case plan")
        CLOSURE = "closure", _("Closure")

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    content_enc = models.TextField(blank=True)  # the plan, or the reason for closing
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("decision due by"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment_enc = models.TextField(blank=True)

    content = Encrypted("content_enc")
    comment = Encrypted("comment_enc")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(state="requested"),
                name="cases_one_open_request",
            )
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.state}"


class Flag(models.Model):
    """A warning on a case (a safety risk, an urgent need), with its reason, until cleared."""

    class Reason(models.TextChoices):
        SAFETY = "safety", _("Safety risk to the person")
        STAFF_SAFETY = "staff_safety", _("Safety risk to staff")
        MEDICAL = "medical", _("Urgent medical need")
        RETRAFFICKING = "retrafficking", _("Risk of re-trafficking")
        MISSING = "missing", _("Person missing or out of contact")
        LEGAL = "legal", _("Legal deadline")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details_enc = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    details = Encrypted("details_enc")

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return self.reason


class Movement(models.Model):
    """A return, relocation or transfer of the person, with its dates and countries."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Return to the country of origin")
        RELOCATION = "relocation", _("Relocation to a third country")
        TRANSFER = "transfer", _("Transfer within the country")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_country = models.CharField(_("from country"), max_length=2)
    to_country = models.CharField(_("to country"), max_length=2)
    departed_on = models.DateField(_("departure"))
    arrived_on = models.DateField(_("arrival"), null=True, blank=True)
    details_enc = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    details = Encrypted("details_enc")

    class Meta:
        ordering = ["case", "-departed_on"]

    def __str__(self) -> str:
        return self.kind


class Attachment(models.Model):
    """A file kept with a case (a document, or the person's photo), encrypted whole in the
    database: the file name is an identifier too."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        PHOTO = "photo", _("Photo of the person")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_enc = models.TextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data_enc = models.TextField()  # the file's bytes, see crypto.encrypt_blob
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    name = Encrypted("name_enc")
    ROTATE_BATCH = 5  # rotate_keys holds a batch in memory; files are large

    class Meta:
        ordering = ["case", "-uploaded_at"]

    def __str__(self) -> str:
        return f"attachment {self.pk}"


class Perpetrator(models.Model):
    """What is known of a person involved in the trafficking (HTCDS per_* fields); names are
    identifiers and encrypted like the victim's."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="perpetrators")
    roles = models.JSONField(_("role in the trafficking process"), default=list, blank=True)
    gender = models.CharField(_("gender"), max_length=40, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=2, blank=True)
    relationship = models.CharField(_("relationship to the person"), max_length=40, blank=True)
    part_of_group = models.BooleanField(_("part of an organised group"), null=True, blank=True)
    name_enc = models.TextField(blank=True)
    details_enc = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    name = Encrypted("name_enc")
    details = Encrypted("details_enc")

    class Meta:
        ordering = ["case", "recorded_at"]

    def __str__(self) -> str:
        return f"perpetrator {self.pk}"
