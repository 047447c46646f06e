from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from palermo.accounts.models import Organisation
from palermo.activities import services, vocabulary
from palermo.activities.data import (
    EXPLOITATION,
    PILLAR,
    TARGET_GROUP,
    THEME,
    ActivityData,
    ContactData,
    DocumentData,
    ParticipantData,
    PlaceData,
)
from palermo.activities.models import Activity, Role, Status
from palermo.geo.models import Country

CODE_FIELDS = {
    "pillars": PILLAR,
    "themes": THEME,
    "target_groups": TARGET_GROUP,
    "exploitation": EXPLOITATION,
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ActivityForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Registered by"), queryset=Organisation.objects.none())
    identifier = forms.CharField(
        label=_("IATI identifier"),
        max_length=200,
        help_text=_(
            "Your organisation's IATI identifier followed by the activity's own code "
            "(e.g. XM-DAC-47066-PRJ-123). Keep it when the activity is also published to IATI."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the title and description"), choices=settings.LANGUAGES
    )
    title = forms.CharField(label=_("Title"), max_length=1000)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.PIPELINE)
    planned_start = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end = forms.DateField(
        label=_("Planned end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actual_start = forms.DateField(
        label=_("Actual start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actual_end = forms.DateField(
        label=_("Actual end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Recipient countries"),
        queryset=Country.objects.order_by("name_en"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    places = forms.CharField(
        label=_("Places"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Provinces, districts or towns, one per line."),
    )
    pillars = forms.MultipleChoiceField(
        label=_("Pillars"), required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation addressed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when the activity addresses every form."),
    )
    implementing = forms.CharField(
        label=_("Implementing organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    funding = forms.CharField(
        label=_("Funding organisations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    budget = forms.DecimalField(
        label=_("Budget"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"), required=False, max_length=3, help_text=_("ISO 4217, such as USD.")
    )
    documents = forms.CharField(
        label=_("Documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: title | https://address"),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Untick to show it to signed-in members of organisations only."),
    )

    def __init__(
        self,
        *args: Any,
        owners: list[Organisation],
        activity: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.owners = owners
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in owners]
        )
        if len(owners) == 1:
            self.fields["owner"].initial = owners[0].pk
        for name, kind in CODE_FIELDS.items():
            cast(forms.ChoiceField, self.fields[name]).choices = vocabulary.choices(kind)
        if activity is not None:
            self.fields["identifier"].disabled = True
            self.fields["owner"].disabled = True

    def clean_identifier(self) -> str:
        value = self.cleaned_data["identifier"].strip()
        if self.activity is None and Activity.objects.filter(identifier=value).exists():
            raise ValidationError(
                _("An activity with this identifier is already registered: edit it instead.")
            )
        return value

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        if value and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValidationError(_("Three letters, such as USD."))
        return value

    def clean_documents(self) -> list[tuple[str, str]]:
        found = []
        for line in _lines(self.cleaned_data["documents"]):
            title, _sep, url = line.rpartition("|")
            url = url.strip()
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise ValidationError(
                    _("%(line)s: not an address starting with https://") % {"line": line}
                ) from None
            found.append(((title.strip() or url)[:500], url))
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("actual_start") or data.get("planned_start")
        end = data.get("actual_end") or data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The activity ends before it starts."))
        if data.get("budget") is not None and not data.get("currency"):
            self.add_error("currency", _("A budget needs its currency."))
        return data

    def to_data(self) -> ActivityData:
        """The form's content as an activity. An edit starts from everything the activity holds
        and changes only what the form shows: the other languages' title and description,
        funding links, DAC sectors, coordinates, results, other contacts and organisations in
        other roles are kept."""
        data = self.cleaned_data
        if self.activity is not None:
            found = services.data_of(self.activity)
        else:
            owner: Organisation = data.get("owner") or self.owners[0]
            found = ActivityData(
                identifier=data.get("identifier", ""),
                reporting_org_ref=owner.acronym,
                reporting_org_name=owner.name,
                title={},
                status=Status.PIPELINE,
            )
        language = data.get("language") or "en"
        found.title[language] = data.get("title", "")
        if data.get("description"):
            found.description[language] = data["description"]
        else:
            found.description.pop(language, None)
        found.status = data.get("status") or Status.PIPELINE
        for name in ("planned_start", "planned_end", "actual_start", "actual_end"):
            setattr(found, name, data.get(name))
        found.countries = {c.iso2: found.countries.get(c.iso2) for c in data.get("countries") or []}
        known_places = {p.name: p for p in found.places}
        found.places = [
            known_places.get(line[:300]) or PlaceData(name=line[:300])
            for line in _lines(data.get("places", ""))
        ]
        if len(found.countries) == 1:
            for place in found.places:
                place.country = place.country or next(iter(found.countries))
        found.budget = data.get("budget")
        found.currency = data.get("currency", "") if found.budget is not None else ""
        found.is_public = bool(data.get("is_public"))
        for name, kind in CODE_FIELDS.items():
            found.codes[kind] = set(data.get(name) or [])
        shown = (Role.IMPLEMENTING, Role.FUNDING)
        known_participants = {(p.role, p.name): p for p in found.participants}
        found.participants = [p for p in found.participants if p.role not in shown]
        for role, name in ((Role.IMPLEMENTING, "implementing"), (Role.FUNDING, "funding")):
            found.participants += [
                known_participants.get((role, line[:300])) or ParticipantData(role, line[:300])
                for line in _lines(data.get(name, ""))
            ]
        known_documents = {d.url: d for d in found.documents}
        found.documents = [
            known_documents.get(u) or DocumentData(t, u) for t, u in data.get("documents") or []
        ]
        # The form shows the first e-mail; the other contacts are kept as they are.
        email = data.get("contact_email", "")
        shown_contact = next((c for c in found.contacts if c.email), None)
        if shown_contact is not None and not email:
            found.contacts.remove(shown_contact)
        elif shown_contact is not None:
            shown_contact.email = email
        elif email:
            found.contacts.append(ContactData(email=email))
        found.codes = {kind: codes for kind, codes in found.codes.items() if codes}
        found.classification = ""
        vocabulary.classify(found)
        return found


def initial_for(activity: Activity, language: str) -> dict[str, Any]:
    codes: dict[str, list[str]] = {}
    for row in activity.codes.all():
        codes.setdefault(row.kind, []).append(row.code)
    shown = language if language in activity.title else next(iter(activity.title), "en")
    participants = list(activity.participants.all())
    contact = next((c.email for c in activity.contacts.all() if c.email), "")
    return {
        "owner": activity.owner_id,
        "identifier": activity.identifier,
        "language": shown,
        "title": activity.title.get(shown, ""),
        "description": activity.description.get(shown, ""),
        "status": activity.status,
        "planned_start": activity.planned_start,
        "planned_end": activity.planned_end,
        "actual_start": activity.actual_start,
        "actual_end": activity.actual_end,
        "countries": [c.country_id for c in activity.countries.all()],
        "places": "\n".join(p.name for p in activity.places.all()),
        **{name: codes.get(kind, []) for name, kind in CODE_FIELDS.items()},
        "implementing": "\n".join(p.name for p in participants if p.role == Role.IMPLEMENTING),
        "funding": "\n".join(p.name for p in participants if p.role == Role.FUNDING),
        "budget": activity.budget,
        "currency": activity.currency,
        "documents": "\n".join(f"{d.title} | {d.url}" for d in activity.documents.all()),
        "contact_email": contact,
        "is_public": activity.is_public,
    }


class ImportForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Import for"), queryset=Organisation.objects.none())
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "IATI activity XML (version 2.0x), or a 3W/4W table with HXL hashtags (CSV or XLSX)."
        ),
    )

    def __init__(self, *args: Any, owners: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in owners]
        )
        if len(owners) == 1:
            self.fields["owner"].initial = owners[0].pk

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xml", ".csv", ".xlsx")):
            raise ValidationError(_("Choose an .xml, .csv or .xlsx file."))
        if upload.size > settings.PALERMO_IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is too large."))
        return upload


class AnnotationForm(forms.Form):
    text = forms.CharField(
        label=_("Coordinator's note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
