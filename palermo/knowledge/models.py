"""The knowledge base: research, good practices, evaluations, legislation, case law, training
material, and the claims (numbers) they state, with the source each number was derived from.

A resource belongs to the organisation that contributed it. It is published only after a
reviewer approves it, and is then public or restricted to signed-in members of organisations.
Coded attributes (countries, themes, forms of exploitation, target groups, languages, the
Protocol's articles a law implements, publishers) are rows of :class:`ResourceCode`, so that
every filter and every facet count reads one index whatever the attribute.

Search: on PostgreSQL, ``search_vector`` holds each text stemmed with its language's text-search
configuration (GIN index); on SQLite, a FTS5 table holds the same texts stemmed by Snowball in
Python (see :mod:`palermo.knowledge.search`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(texts: dict[str, str]) -> str:
    """A text in the reader's language, else English, else the first one given."""
    language = get_language() or "en"
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class Kind(models.TextChoices):
    RESEARCH = "research", _("Research report")
    EVALUATION = "evaluation", _("Evaluation")
    GOOD_PRACTICE = "good_practice", _("Good practice")
    LEGISLATION = "legislation", _("Legislation")
    CASE_LAW = "case_law", _("Case law")
    POLICY = "policy", _("Policy or action plan")
    TRAINING = "training", _("Training material")
    TOOL = "tool", _("Tool or handbook")
    DATASET = "dataset", _("Dataset description")


# Kinds that carry an assessment of the evidence.
ASSESSED_KINDS = frozenset({Kind.EVALUATION, Kind.GOOD_PRACTICE})


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")


class Resource(models.Model):
    # The integer key is the full-text index's row id; pages and the API use ``uid``.
    id = models.BigAutoField(primary_key=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.JSONField(_("title"), default=dict, help_text=_("Language code -> text."))
    abstract = models.JSONField(_("abstract"), default=dict, blank=True)
    publishers = models.JSONField(_("publishing organisations"), default=list, blank=True)
    authors = models.JSONField(_("authors"), default=list, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    text_language = models.CharField(_("language of the full text"), max_length=7, blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="knowledge/%Y/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    # Text extracted from the uploaded PDF, for search (capped, see services.MAX_TEXT).
    full_text = models.TextField(blank=True, editable=False)
    pages = models.PositiveIntegerField(null=True, blank=True, editable=False)
    contributor = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("contributed by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Otherwise only signed-in members of an organisation see it."),
    )
    review_note = models.TextField(_("reviewer's note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Where an imported record came from ("sherloc:178"): importing it again updates it.
    source_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL only (GIN index made by the migration); empty on SQLite, which uses FTS5.
    # Stored in the row (STORAGE MAIN, migration 0005): a migration that alters this column's
    # type must set it again.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = [models.F("year").desc(nulls_last=True), "-id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [models.Index(fields=["status", "is_public", "year"])]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return in_language(self.title)

    @property
    def display_abstract(self) -> str:
        return in_language(self.abstract)


class ResourceCode(models.Model):
    """One coded attribute; ``kind`` says which list (see :mod:`palermo.knowledge.vocabulary`)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="codes")
    kind = models.CharField(max_length=40)
    code = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "kind", "code"], name="resource_code_once")
        ]
        indexes = [models.Index(fields=["kind", "code", "resource"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class EvidenceLevel(models.TextChoices):
    EXPERIMENTAL = "experimental", _("Experimental or quasi-experimental evaluation")
    COMPARISON = "comparison", _("Before and after, with a comparison group")
    MONITORING = "monitoring", _("Documented practice with monitoring data")
    ANECDOTAL = "anecdotal", _("Described practice, not evaluated")


class Assessment(models.Model):
    """What a good practice or an evaluation rests on."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="assessment")
    evidence_level = models.CharField(
        _("evidence level"), max_length=14, choices=EvidenceLevel.choices
    )
    evaluated = models.TextField(_("what was evaluated"), blank=True)
    evaluator = models.CharField(_("evaluated by"), max_length=300, blank=True)
    results = models.TextField(_("results"), blank=True)

    def __str__(self) -> str:
        return self.get_evidence_level_display()


class Form(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    TRANSNATIONAL = "transnational", _("Transnational")
    BOTH = "both", _("Domestic and transnational")


class Verdict(models.TextChoices):
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    MIXED = "mixed", _("Some convicted, some acquitted")
    PENDING = "pending", _("Pending")


class CaseLaw(models.Model):
    """A court decision coded as in UNODC's SHERLOC case law database."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="case_law")
    country = models.ForeignKey(
        "geo.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Empty when the source does not name it (four SHERLOC records); forms require it.
    court = models.CharField(_("court"), max_length=300, blank=True)
    case_number = models.CharField(_("case number"), max_length=200, blank=True)
    decision_date = models.DateField(_("date of the decision"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    fact_summary = models.TextField(_("summary of the facts"), blank=True)
    acts = models.JSONField(_("acts"), default=list, blank=True)
    means = models.JSONField(_("means"), default=list, blank=True)
    purposes = models.JSONField(_("purposes of exploitation"), default=list, blank=True)
    sectors = models.JSONField(_("sectors of exploitation"), default=list, blank=True)
    form = models.CharField(
        _("form of trafficking"), max_length=14, choices=Form.choices, blank=True
    )
    victims = models.PositiveIntegerField(_("number of victims"), null=True, blank=True)
    # As the source words it when it gives no number ("several teenage girls").
    victims_note = models.CharField(_("victims, as stated"), max_length=300, blank=True)
    charges = models.TextField(_("charges"), blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True)
    sentence = models.TextField(_("sentence"), blank=True)
    commentary = models.TextField(_("commentary"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.court} {self.case_number}".strip()


class Party(models.Model):
    """Victims or defendants of a case by sex, age and nationality. ``count`` is empty when the
    source says only that there were some (SHERLOC's "female victims: yes")."""

    class Role(models.TextChoices):
        VICTIM = "victim", _("Victims")
        DEFENDANT = "defendant", _("Defendants")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        UNKNOWN = "", _("Sex not stated")

    class Age(models.TextChoices):
        MINOR = "minor", _("Minors")
        ADULT = "adult", _("Adults")
        UNKNOWN = "", _("Age not stated")

    class Nationality(models.TextChoices):
        NATIONAL = "national", _("Nationals")
        FOREIGN = "foreign", _("Foreign nationals")
        UNKNOWN = "", _("Nationality not stated")

    case = models.ForeignKey(CaseLaw, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=9, choices=Role.choices)
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True)
    age = models.CharField(max_length=5, choices=Age.choices, blank=True)
    nationality = models.CharField(max_length=8, choices=Nationality.choices, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["role", "sex", "age", "nationality"]

    def __str__(self) -> str:
        return f"{self.role} {self.sex} {self.age} {self.nationality}: {self.count}"


class Validity(models.TextChoices):
    PRIMARY = "primary", _("Primary data")
    PUBLISHED_METHOD = "published_method", _("Estimate with a published method")
    NO_METHOD = "no_method", _("Estimate without a published method")
    REPEATED = "repeated", _("Repeats another claim")
    UNTRACEABLE = "untraceable", _("Untraceable")


# Claims that are an origin: the chain ends there with data or a documented estimate.
ORIGIN_VALIDITIES = frozenset({Validity.PRIMARY, Validity.PUBLISHED_METHOD})


class Claim(models.Model):
    """A number as it circulates, the resource that states it, and where it was taken from:
    another claim (``derived_from``, which makes a chain), a resource or dataset it was computed
    from, or a Palermo release."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    statement = models.TextField(_("the claim, as stated"))
    language = models.CharField(_("language"), max_length=7, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=60)
    scope_place = models.CharField(_("where"), max_length=200, blank=True)
    scope_period = models.CharField(_("when"), max_length=60, blank=True)
    scope_population = models.CharField(_("who"), max_length=200, blank=True)
    stated_in = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="claims", verbose_name=_("stated in")
    )
    location = models.CharField(_("page or section"), max_length=100, blank=True)
    derived_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # A claim others are taken from is not deleted while they cite it, whoever deletes
        # it; deleting a resource deletes its claims taken from one another with it.
        on_delete=models.RESTRICT,
        related_name="repeated_by",
        verbose_name=_("taken from the claim"),
    )
    source_resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="cited_by_claims",
        verbose_name=_("computed from the resource or dataset"),
    )
    source_release = models.ForeignKey(
        "stats.Release",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("computed from the Palermo release"),
    )
    method = models.TextField(_("method"), blank=True)
    validity = models.CharField(_("validity"), max_length=16, choices=Validity.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A claim recorded by another organisation than the one that contributed the resource
    # stating it is seen by others only once a reviewer approves it.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return self.statement[:80]
