"""Forms of the service directory: they read and check what a person types; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from palermo.accounts.models import Organisation
from palermo.cases import sharing
from palermo.geo.models import Country
from palermo.referrals import services, vocabulary
from palermo.referrals.models import (
    Availability,
    Kind,
    NationalityStatus,
    Peer,
    Service,
    Sex,
    Urgency,
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class ServiceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Offered by"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    service_type = forms.ChoiceField(label=_("Type of service"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries served"),
        queryset=Country.objects.order_by("name_en"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    places = forms.CharField(
        label=_("Places served"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Towns or provinces, one per line, as ISO country code, a colon and the place "
            "(NG: Lagos). Leave empty when the service covers the whole of each country."
        ),
    )
    languages = forms.CharField(
        label=_("Languages spoken"), required=False, help_text=_("Separated by commas.")
    )
    min_age = forms.IntegerField(label=_("From age"), required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label=_("To age"), required=False, min_value=0, max_value=120)
    sex = forms.ChoiceField(label=_("For"), choices=Sex.choices, initial=Sex.ANY)
    nationality = forms.ChoiceField(
        label=_("Nationality or status"), choices=NationalityStatus.choices
    )
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=0)
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    contact = forms.CharField(
        label=_("Contact points"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hours = forms.CharField(label=_("Hours"), required=False, max_length=200)
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("Otherwise only signed-in members of an organisation see it."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, keepers: list[Organisation], service: Service | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in keepers]
        )
        if keepers:
            self.fields["organisation"].initial = keepers[0]
        if service is not None:
            self.fields["organisation"].disabled = True
        self.fields["service_type"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *vocabulary.service_types().items(),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = {c.iso2 for c in data.get("countries") or []}
        areas: list[tuple[str, str]] = []
        for line in _lines(data.get("places") or ""):
            country, _sep, place = line.partition(":")
            country = country.strip().upper()
            if not place.strip() or country not in chosen:
                self.add_error(
                    "places",
                    ValidationError(
                        _("“%(line)s”: write a chosen country's code, a colon and the place.")
                        % {"line": line[:60]}
                    ),
                )
                continue
            areas.append((country, place.strip()))
        narrowed = {country for country, _p in areas}
        areas += [(country, "") for country in sorted(chosen - narrowed)]
        self.areas = areas
        return data

    areas: list[tuple[str, str]] = []

    def to_data(self) -> services.ServiceData:
        d = self.cleaned_data
        return services.ServiceData(
            name=d["name"],
            service_type=d["service_type"],
            areas=self.areas,
            description=d.get("description") or "",
            languages=[x.strip() for x in (d.get("languages") or "").split(",") if x.strip()],
            min_age=d.get("min_age"),
            max_age=d.get("max_age"),
            sex=d["sex"],
            nationality=d["nationality"],
            capacity=d.get("capacity"),
            availability=d["availability"],
            contact=d.get("contact") or "",
            hours=d.get("hours") or "",
            is_public=bool(d.get("is_public")),
            is_active=bool(d.get("is_active")),
        )


def initial_for(service: Service) -> dict[str, Any]:
    areas = list(service.areas.all())
    return {
        "organisation": service.organisation,
        "name": service.name,
        "service_type": service.service_type,
        "description": service.description,
        "countries": sorted({a.country_id for a in areas}),
        "places": "\n".join(f"{a.country_id}: {a.place}" for a in areas if a.place),
        "languages": ", ".join(service.languages),
        "min_age": service.min_age,
        "max_age": service.max_age,
        "sex": service.sex,
        "nationality": service.nationality,
        "capacity": service.capacity,
        "availability": service.availability,
        "contact": service.contact,
        "hours": service.hours,
        "is_public": service.is_public,
        "is_active": service.is_active,
    }


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Organisation.objects.filter(is_active=True), required=False
    )
    peer = forms.ModelChoiceField(
        label=_("Or to another Palermo installation"),
        queryset=Peer.objects.filter(is_active=True),
        required=False,
        help_text=_("For an organisation that works on another country's Palermo."),
    )
    remote_organisation = forms.CharField(
        label=_("Organisation there (acronym)"), required=False, max_length=100
    )
    service = forms.ModelChoiceField(
        label=_("Service (optional)"), queryset=Service.objects.none(), required=False
    )
    kind = forms.ChoiceField(label=_("Route"), choices=Kind.choices)
    need = forms.ChoiceField(label=_("Need"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    shared_fields = forms.MultipleChoiceField(
        label=_("What the receiving organisation may see"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what it needs to help the person. Identifiers only when the person's consent "
            "to referral covers them."
        ),
    )
    note = forms.CharField(
        label=_("Note to the receiving organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    protection_needs = forms.CharField(
        label=_("Why the person may need international protection (asylum route)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    interview_language = forms.CharField(
        label=_("Language of the interview (asylum route)"), required=False, max_length=60
    )

    def __init__(self, *args: Any, case: Any, services_seen: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["to_organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).exclude(pk=case.organisation_id)
        self.fields["service"].queryset = services_seen  # type: ignore[attr-defined]
        self.fields["need"].choices = list(vocabulary.service_types().items())  # type: ignore[attr-defined]
        self.fields["shared_fields"].choices = [  # type: ignore[attr-defined]
            (name, f"{field.label}" + (f" ({_('identifier')})" if field.identifier else ""))
            for name, field in sharing.SHAREABLE.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        here = data.get("to_organisation")
        abroad = data.get("peer")
        if bool(here) == bool(abroad):
            raise ValidationError(
                _("Choose an organisation here, or another installation and its organisation.")
            )
        if abroad and not (data.get("remote_organisation") or "").strip():
            self.add_error("remote_organisation", _("Name the organisation there."))
        return data

    def to_data(self) -> services.ReferralData:
        d = self.cleaned_data
        return services.ReferralData(
            to_organisation=d["to_organisation"],
            need=d["need"],
            fields=list(d.get("shared_fields") or []),
            kind=d["kind"],
            urgency=d["urgency"],
            service=d.get("service"),
            note=d.get("note") or "",
            protection_needs=d.get("protection_needs") or "",
            interview_language=d.get("interview_language") or "",
        )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for declining"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
