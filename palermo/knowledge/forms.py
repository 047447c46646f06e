"""Forms of the knowledge base. They read and check what a person types; the services decide."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from palermo.accounts.models import Organisation, User
from palermo.geo.models import Country, Region
from palermo.knowledge import selectors, services, vocabulary
from palermo.knowledge.models import (
    ASSESSED_KINDS,
    Claim,
    EvidenceLevel,
    Form,
    Kind,
    Party,
    Resource,
    Validity,
    Verdict,
)
from palermo.stats import selectors as releases

CODE_FIELDS = {
    "themes": vocabulary.THEME,
    "exploitation": vocabulary.EXPLOITATION,
    "target_groups": vocabulary.TARGET_GROUP,
    "articles": vocabulary.ARTICLE,
}
LANGUAGE_CHOICES = [(code, label) for code, label in vocabulary.LANGUAGES.items()]
# A case's victims and defendants counted by sex, by age and by nationality: each count is one
# Party row (role, sex, age, nationality), the others left "not stated".
_ANY_SEX, _ANY_AGE = Party.Sex.UNKNOWN, Party.Age.UNKNOWN
_ANY_NATIONALITY = Party.Nationality.UNKNOWN
PARTY_FIELDS = [
    (f"{prefix}_{name}", role, sex, age, nationality)
    for prefix, role in (("victims", Party.Role.VICTIM), ("defendants", Party.Role.DEFENDANT))
    for name, sex, age, nationality in (
        ("female", Party.Sex.FEMALE, _ANY_AGE, _ANY_NATIONALITY),
        ("male", Party.Sex.MALE, _ANY_AGE, _ANY_NATIONALITY),
        ("minors", _ANY_SEX, Party.Age.MINOR, _ANY_NATIONALITY),
        ("adults", _ANY_SEX, Party.Age.ADULT, _ANY_NATIONALITY),
        ("nationals", _ANY_SEX, _ANY_AGE, Party.Nationality.NATIONAL),
        ("foreign", _ANY_SEX, _ANY_AGE, Party.Nationality.FOREIGN),
    )
]


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _multiple(label: Any, kind: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=list(vocabulary.names(kind).items()),
        widget=forms.CheckboxSelectMultiple,
    )


class ResourceForm(forms.Form):
    contributor = forms.ModelChoiceField(
        label=_("Contributed by"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1800, max_value=2100)
    publishers = forms.CharField(
        label=_("Publishing organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    text_language = forms.ChoiceField(
        label=_("Language of the full text"),
        required=False,
        choices=[("", "—"), *LANGUAGE_CHOICES],
    )
    licence = forms.CharField(label=_("Licence"), required=False, max_length=200)
    url = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")
    file = forms.FileField(
        label=_("PDF file"),
        required=False,
        help_text=_("Its text is extracted for search. Password-protected files are refused."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    remove_file = forms.BooleanField(
        label=_("Remove the current file"),
        required=False,
        help_text=_("The file and the text read from it are deleted."),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Otherwise only signed-in members of an organisation see it."),
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        required=False,
        queryset=Country.objects.order_by("name_en"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        required=False,
        queryset=Region.objects.order_by("code"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("For a regional resource. A country's own region is added by itself."),
    )
    # Good practices and evaluations
    evidence_level = forms.ChoiceField(
        label=_("Evidence level"), required=False, choices=[("", "—"), *EvidenceLevel.choices]
    )
    evaluated = forms.CharField(
        label=_("What was evaluated"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evaluator = forms.CharField(label=_("Evaluated by"), required=False, max_length=300)
    results = forms.CharField(
        label=_("Results"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Case law
    court = forms.CharField(label=_("Court"), required=False, max_length=300)
    case_country = forms.ModelChoiceField(
        label=_("Country of the court"),
        required=False,
        queryset=Country.objects.order_by("name_en"),
    )
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=200)
    decision_date = forms.DateField(
        label=_("Date of the decision"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    fact_summary = forms.CharField(
        label=_("Summary of the facts"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    acts = forms.MultipleChoiceField(
        label=_("Acts"),
        required=False,
        choices=list(vocabulary.ACTS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    means = forms.MultipleChoiceField(
        label=_("Means"),
        required=False,
        choices=list(vocabulary.MEANS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes of exploitation"),
        required=False,
        choices=list(vocabulary.PURPOSES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    form = forms.ChoiceField(
        label=_("Form of trafficking"), required=False, choices=[("", "—"), *Form.choices]
    )
    victims = forms.IntegerField(label=_("Number of victims"), required=False, min_value=0)
    victims_female = _count(_("Female victims"))
    victims_male = _count(_("Male victims"))
    victims_minors = _count(_("Victims who were minors"))
    victims_adults = _count(_("Victims who were adults"))
    victims_nationals = _count(_("Victims who were nationals"))
    victims_foreign = _count(_("Victims who were foreign nationals"))
    defendants_female = _count(_("Female defendants"))
    defendants_male = _count(_("Male defendants"))
    defendants_minors = _count(_("Defendants who were minors"))
    defendants_adults = _count(_("Defendants who were adults"))
    defendants_nationals = _count(_("Defendants who were nationals"))
    defendants_foreign = _count(_("Defendants who were foreign nationals"))
    charges = forms.CharField(
        label=_("Charges"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    verdict = forms.ChoiceField(
        label=_("Verdict"), required=False, choices=[("", "—"), *Verdict.choices]
    )
    sentence = forms.CharField(
        label=_("Sentence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        contributors: list[Organisation],
        resource: Resource | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.fields["contributor"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in contributors]
        )
        if len(contributors) == 1:
            self.fields["contributor"].initial = contributors[0]
        for code, label in vocabulary.LANGUAGES.items():
            suffix = code.replace("-", "_")
            self.fields[f"title_{suffix}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": label},
                required=False,
                max_length=1000,
            )
            self.fields[f"abstract_{suffix}"] = forms.CharField(
                label=_("Abstract (%(language)s)") % {"language": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=20_000,
            )
        self.fields["themes"] = _multiple(_("Themes"), vocabulary.THEME)
        self.fields["exploitation"] = _multiple(_("Forms of exploitation"), vocabulary.EXPLOITATION)
        self.fields["target_groups"] = _multiple(_("Target groups"), vocabulary.TARGET_GROUP)
        self.fields["articles"] = forms.MultipleChoiceField(
            label=_("Articles of the Protocol it implements"),
            required=False,
            choices=list(vocabulary.ARTICLES.items()),
            widget=forms.CheckboxSelectMultiple,
        )
        if resource is not None:
            self.fields["contributor"].disabled = True
        if resource is None or not resource.file:
            del self.fields["remove_file"]

    def victim_counts(self) -> list[forms.BoundField]:
        return [self[name] for name, role, *_rest in PARTY_FIELDS if role == Party.Role.VICTIM]

    def defendant_counts(self) -> list[forms.BoundField]:
        return [self[name] for name, role, *_rest in PARTY_FIELDS if role == Party.Role.DEFENDANT]

    def language_fields(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        """(code, name, title field, abstract field) per language, for the template."""
        return [
            (
                code,
                str(label),
                self[f"title_{code.replace('-', '_')}"],
                self[f"abstract_{code.replace('-', '_')}"],
            )
            for code, label in vocabulary.LANGUAGES.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"title_{c.replace('-', '_')}") for c in vocabulary.LANGUAGES):
            raise ValidationError(_("Give a title in at least one language."))
        kind = data.get("kind")
        if kind in ASSESSED_KINDS and not data.get("evidence_level"):
            self.add_error(
                "evidence_level",
                _("A good practice or an evaluation says what evidence it rests on."),
            )
        if kind == Kind.CASE_LAW and not data.get("court") and not self._imported_without_court():
            self.add_error("court", _("Case law names its court."))
        upload = data.get("file")
        if upload and data.get("remove_file"):
            self.add_error(
                "remove_file", _("Either upload a new file or remove the current one, not both.")
            )
        elif upload:
            try:
                self.pdf = services.pdf_from_upload(upload)
            except ValidationError as error:
                self.add_error("file", error)
        return data

    pdf: tuple[str, bytes, services.PdfText] | None = None

    def _imported_without_court(self) -> bool:
        """A case imported without a court (the source names none) stays editable."""
        case = getattr(self.resource, "case_law", None) if self.resource else None
        return case is not None and not case.court

    def to_data(self) -> services.ResourceData:
        d = self.cleaned_data
        codes: dict[str, set[str]] = {
            kind: set(d.get(name) or []) for name, kind in CODE_FIELDS.items()
        }
        codes[vocabulary.COUNTRY] = {c.iso2 for c in d.get("countries") or []}
        codes[vocabulary.REGION] = {r.code for r in d.get("regions") or []}
        kind = d["kind"]
        data = services.ResourceData(
            kind=kind,
            title={c: d.get(f"title_{c.replace('-', '_')}") or "" for c in vocabulary.LANGUAGES},
            abstract={
                c: d.get(f"abstract_{c.replace('-', '_')}") or "" for c in vocabulary.LANGUAGES
            },
            publishers=_lines(d.get("publishers") or ""),
            authors=_lines(d.get("authors") or ""),
            year=d.get("year"),
            text_language=d.get("text_language") or "",
            licence=d.get("licence") or "",
            url=d.get("url") or "",
            is_public=bool(d.get("is_public")),
            codes=codes,
            source_key=self.resource.source_key if self.resource else None,
        )
        data.title = {k: v for k, v in data.title.items() if v.strip()}
        data.abstract = {k: v for k, v in data.abstract.items() if v.strip()}
        if kind in ASSESSED_KINDS:
            data.assessment = {
                name: d.get(name) or ""
                for name in ("evidence_level", "evaluated", "evaluator", "results")
            }
        if kind == Kind.CASE_LAW:
            data.case_law = {
                "country": d.get("case_country"),
                "court": d.get("court") or "",
                "case_number": d.get("case_number") or "",
                "decision_date": d.get("decision_date"),
                "place": d.get("place") or "",
                "fact_summary": d.get("fact_summary") or "",
                "acts": d.get("acts") or [],
                "means": d.get("means") or [],
                "purposes": d.get("purposes") or [],
                "form": d.get("form") or "",
                "victims": d.get("victims"),
                "charges": d.get("charges") or "",
                "verdict": d.get("verdict") or "",
                "sentence": d.get("sentence") or "",
            }
            if self.resource is not None and hasattr(self.resource, "case_law"):
                # What the form does not show (imported sectors, commentary, source) is kept.
                case = self.resource.case_law
                data.case_law.update(
                    sectors=case.sectors,
                    commentary=case.commentary,
                    source_url=case.source_url,
                    victims_note=case.victims_note,
                )
            data.parties = _parties(d, self.resource)
            for purpose in data.case_law["purposes"]:
                codes[vocabulary.EXPLOITATION].add(vocabulary.PURPOSE_EXPLOITATION[purpose])
        return data


def _parties(
    cleaned: dict[str, Any], resource: Resource | None
) -> list[tuple[str, str, str, str, int | None]]:
    """The form's counts, plus the parties of an existing case it does not show (parties
    counted by two attributes at once, from imports, and parties known to exist whose number
    is not stated), unless the form now gives their number."""
    slots = {(role, sex, age, nat): name for name, role, sex, age, nat in PARTY_FIELDS}
    found: list[tuple[str, str, str, str, int | None]] = [
        (str(role), str(sex), str(age), str(nat), cleaned[name])
        for name, role, sex, age, nat in PARTY_FIELDS
        if cleaned.get(name) is not None
    ]
    case = getattr(resource, "case_law", None) if resource is not None else None
    if case is None:
        return found
    for party in case.parties.all():
        slot = slots.get((party.role, party.sex, party.age, party.nationality))
        if slot is not None and (party.count is not None or cleaned.get(slot) is not None):
            continue  # the form shows it: its value is the form's
        found.append((party.role, party.sex, party.age, party.nationality, party.count))
    return found


def initial_for(resource: Resource) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "contributor": resource.contributor,
        "kind": resource.kind,
        "year": resource.year,
        "publishers": "\n".join(resource.publishers),
        "authors": "\n".join(resource.authors),
        "text_language": resource.text_language,
        "licence": resource.licence,
        "url": resource.url,
        "is_public": resource.is_public,
    }
    for code in vocabulary.LANGUAGES:
        suffix = code.replace("-", "_")
        initial[f"title_{suffix}"] = resource.title.get(code, "")
        initial[f"abstract_{suffix}"] = resource.abstract.get(code, "")
    codes: dict[str, list[str]] = {}
    for c in resource.codes.all():
        codes.setdefault(c.kind, []).append(c.code)
    for name, kind in CODE_FIELDS.items():
        initial[name] = codes.get(kind, [])
    initial["countries"] = codes.get(vocabulary.COUNTRY, [])
    initial["regions"] = codes.get(vocabulary.REGION, [])
    assessment = getattr(resource, "assessment", None)
    if assessment is not None:
        for name in ("evidence_level", "evaluated", "evaluator", "results"):
            initial[name] = getattr(assessment, name)
    case = getattr(resource, "case_law", None)
    if case is not None:
        for name in (
            "court",
            "case_number",
            "decision_date",
            "place",
            "fact_summary",
            "acts",
            "means",
            "purposes",
            "form",
            "victims",
            "charges",
            "verdict",
            "sentence",
        ):
            initial[name] = getattr(case, name)
        initial["case_country"] = case.country_id
        for party in case.parties.all():
            for name, role, sex, age, nat in PARTY_FIELDS:
                if (party.role, party.sex, party.age, party.nationality) == (role, sex, age, nat):
                    initial[name] = party.count
    return initial


_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)


def _uuid_in(text: str) -> uuid.UUID | None:
    found = _UUID.search(text or "")
    return uuid.UUID(found.group(0)) if found else None


class ClaimForm(forms.Form):
    statement = forms.CharField(
        label=_("The claim, as stated"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('Quote it, e.g. "2.4 million people are trafficked at any given time".'),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    value = forms.DecimalField(label=_("Value"), max_digits=20, decimal_places=4)
    unit = forms.CharField(
        label=_("Unit"), max_length=60, help_text=_("e.g. persons, percent, US dollars.")
    )
    scope_place = forms.CharField(
        label=pgettext_lazy("claim scope", "Where"), required=False, max_length=200
    )
    scope_period = forms.CharField(
        label=pgettext_lazy("claim scope", "When"), required=False, max_length=60
    )
    scope_population = forms.CharField(
        label=pgettext_lazy("claim scope", "Who"), required=False, max_length=200
    )
    location = forms.CharField(label=_("Page or section"), required=False, max_length=100)
    derived_from = forms.CharField(
        label=_("Taken from the claim"),
        required=False,
        max_length=300,
        help_text=_("The address of that claim's page in Palermo (or its identifier)."),
    )
    source_resource = forms.CharField(
        label=_("Computed from the resource or dataset"),
        required=False,
        max_length=300,
        help_text=_("The address of that resource's page in Palermo (or its identifier)."),
    )
    source_release = forms.ChoiceField(label=_("Computed from the Palermo release"), required=False)
    method = forms.CharField(
        label=_("Method"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    validity = forms.ChoiceField(label=_("Validity"), choices=Validity.choices)

    def __init__(
        self,
        *args: Any,
        user: User,
        stated_in: Resource,
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.stated_in = stated_in
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Recorded for"),
            queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
            initial=organisations[0] if organisations else None,
            disabled=len(organisations) == 1,
        )
        self.order_fields(["organisation"])
        self.fields["source_release"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(r.pk), f"{r.title} (v{r.version})") for r in releases.published()),
        ]

    def clean_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["value"]
        if not value.is_finite():
            raise ValidationError(_("Give a number."))
        return value

    def clean_derived_from(self) -> Claim | None:
        raw = self.cleaned_data.get("derived_from") or ""
        if not raw.strip():
            return None
        found = _uuid_in(raw)
        claim = selectors.visible_claims(self.user).filter(pk=found).first() if found else None
        if claim is None:
            raise ValidationError(_("No claim you can see has this address."))
        return claim

    def clean_source_resource(self) -> Resource | None:
        raw = self.cleaned_data.get("source_resource") or ""
        if not raw.strip():
            return None
        found = _uuid_in(raw)
        resource = selectors.visible(self.user).filter(uid=found).first() if found else None
        if resource is None:
            raise ValidationError(_("No resource you can see has this address."))
        return resource

    def clean_source_release(self) -> Any:
        raw = self.cleaned_data.get("source_release")
        if not raw:
            return None
        return releases.published().filter(pk=raw).first()

    def to_data(self) -> services.ClaimData:
        d = self.cleaned_data
        return services.ClaimData(
            statement=d["statement"],
            language=d["language"],
            value=d["value"],
            unit=d["unit"],
            stated_in=self.stated_in,
            scope_place=d.get("scope_place") or "",
            scope_period=d.get("scope_period") or "",
            scope_population=d.get("scope_population") or "",
            location=d.get("location") or "",
            derived_from=d.get("derived_from"),
            source_resource=d.get("source_resource"),
            source_release=d.get("source_release"),
            method=d.get("method") or "",
            validity=d["validity"],
        )


def claim_initial(claim: Claim) -> dict[str, Any]:
    return {
        "statement": claim.statement,
        "language": claim.language,
        "value": claim.value,
        "unit": claim.unit,
        "scope_place": claim.scope_place,
        "scope_period": claim.scope_period,
        "scope_population": claim.scope_population,
        "location": claim.location,
        "derived_from": str(claim.derived_from_id or ""),
        "source_resource": str(claim.source_resource.uid) if claim.source_resource else "",
        "source_release": str(claim.source_release_id or ""),
        "method": claim.method,
        "validity": claim.validity,
    }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Publish")), ("return", _("Return for changes"))],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    note = forms.CharField(
        label=_("Note to the contributor"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
