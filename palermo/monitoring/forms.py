from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from palermo.accounts.models import Organisation, User
from palermo.geo.models import Country
from palermo.knowledge import selectors as knowledge
from palermo.knowledge.models import Resource
from palermo.monitoring.models import Indicator, Objective, Plan, PlanAction, ProfileEntry
from palermo.stats import selectors as releases
from palermo.stats.dimensions import KEYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResourceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resource) -> str:
        year = f" ({obj.year})" if obj.year else ""
        return f"{obj.display_title}{year}"


def country_resources(user: User, country: Country) -> Any:
    """Published resources the user can read that are coded with ``country``: the evidence a
    checklist entry or a plan can cite."""
    return (
        knowledge.published(user)
        .filter(codes__kind="country", codes__code=country.iso2)
        .distinct()
        .order_by("-year", "id")
    )


class EntryForm(forms.ModelForm):
    evidence_url = forms.URLField(
        label=_("Evidence (link)"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = ProfileEntry
        fields = ["status", "since", "evidence", "evidence_url", "note"]
        widgets = {"since": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, country: Country, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = ResourceChoice(
            queryset=country_resources(user, country),
            required=False,
            label=_("Evidence in the knowledge base"),
            help_text=_("Published resources coded with this country."),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in ("yes", "partly", "no") and not (
            data.get("evidence") or data.get("evidence_url")
        ):
            raise ValidationError(_("Cite the evidence: a resource or a link."))
        return data


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "starts", "ends", "adopted", "adopted_by", "document", "currency"]
        widgets = {"starts": DATE, "ends": DATE, "adopted": DATE}

    def __init__(self, *args: Any, user: User, country: Country, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"] = ResourceChoice(
            queryset=country_resources(user, country),
            required=False,
            label=_("The plan in the knowledge base"),
        )

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"].strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ValidationError(_("Give a three-letter ISO 4217 code."))
        return code


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["number", "title"]


class ActionForm(forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = [
            "objective",
            "title",
            "responsible",
            "responsible_other",
            "deadline",
            "funding_needed",
            "funding_secured",
        ]
        widgets = {"deadline": DATE, "responsible": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.all()  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed, secured = data.get("funding_needed"), data.get("funding_secured")
        if needed is not None and secured is not None and secured > needed:
            self.add_error("funding_secured", _("More is secured than needed: check the figures."))
        return data


def _filters_text(filters: dict[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in filters.items())


class IndicatorForm(forms.ModelForm):
    release_count = forms.CharField(
        label=_("Count in releases"),
        required=False,
        help_text=_(
            "Which count of a release measures it, as dimension=code pairs, e.g. "
            "'sex=Female citizenship=NG'. Leave empty to count every record."
        ),
    )

    class Meta:
        model = Indicator
        fields = [
            "objective",
            "name",
            "unit",
            "direction",
            "baseline",
            "baseline_date",
            "target",
            "deadline",
            "from_releases",
        ]
        widgets = {"baseline_date": DATE, "deadline": DATE}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.all()  # type: ignore[attr-defined]
        self.fields["release_count"].initial = _filters_text(self.instance.release_filters or {})

    def clean_release_count(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for pair in self.cleaned_data["release_count"].split():
            key, sep, value = pair.partition("=")
            if not sep or not value:
                raise ValidationError(_("Write each pair as dimension=code."))
            if key not in KEYS:
                raise ValidationError(
                    _("Unknown dimension %(key)s; known: %(keys)s.")
                    % {"key": key, "keys": ", ".join(KEYS)}
                )
            found[key] = value
        return found

    def save(self, commit: bool = True) -> Indicator:
        self.instance.release_filters = self.cleaned_data["release_count"]
        return super().save(commit)


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Date measured"), widget=DATE)
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, required=False)
    source_note = forms.CharField(
        label=_("Source of the figure"),
        max_length=500,
        required=False,
        help_text=_("Where the figure comes from: a report, a register, a survey."),
    )
    release = forms.ModelChoiceField(
        label=_("Or take it from a release"),
        queryset=releases.published(),
        required=False,
        help_text=_("The indicator's count in that release becomes the value, citing it."),
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not indicator.from_releases:
            del self.fields["release"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("release") is not None and data.get("value") is not None:
            raise ValidationError(_("Give a value or choose a release, not both."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
