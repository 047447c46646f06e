from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palermo.accounts.models import Organisation
from palermo.stats import vocabulary
from palermo.stats.dimensions import CATALOGUE, DEFAULT, MAIN
from palermo.stats.models import Release


class ReleaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    first_year = forms.IntegerField(label=_("From year"), min_value=1990, max_value=2100)
    last_year = forms.IntegerField(label=_("To year"), min_value=1990, max_value=2100)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Contributing organisations"),
        queryset=Organisation.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each is asked to approve its contribution; only those who approve count."),
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Dimensions"), widget=forms.CheckboxSelectMultiple
    )
    main_dimensions = forms.MultipleChoiceField(
        label=_("Dimensions of the three-way tables"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every combination of three of these is counted too."),
    )
    max_length = forms.TypedChoiceField(
        label=_("Longest combination"),
        coerce=int,
        choices=[(1, "1"), (2, "2"), (3, "3")],
        initial=3,
    )
    method = forms.ChoiceField(
        label=_("Disclosure control"), choices=Release.Method.choices, widget=forms.RadioSelect
    )
    k = forms.IntegerField(
        label=_("Smallest published count (k)"),
        min_value=3,
        max_value=1000,
        initial=11,
        help_text=_("Counts below k are never published (CTDC publishes from 11)."),
    )
    rounding_base = forms.IntegerField(
        label=_("Round to a multiple of"), min_value=2, max_value=100, initial=5
    )
    epsilon = forms.FloatField(
        label=_("Epsilon (differential privacy)"),
        required=False,
        min_value=0.01,
        help_text=_("Smaller is more private and noisier; 4 is what CTDC's showcase used."),
    )
    synthetic = forms.BooleanField(
        label=_("Also publish synthetic microdata (no rare combination)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(d.key, vocabulary.dimension_label(d.key)) for d in CATALOGUE]
        for name in ("dimensions", "main_dimensions"):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
            field.choices = choices
        if not self.is_bound:
            year = timezone.localdate().year
            self.initial.setdefault("first_year", year - 10)
            self.initial.setdefault("last_year", year - 1)
            self.initial.setdefault("dimensions", list(DEFAULT))
            self.initial.setdefault("main_dimensions", list(MAIN))
            self.initial.setdefault("method", Release.Method.THRESHOLD)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("method") == Release.Method.DP and not data.get("epsilon"):
            self.add_error("epsilon", _("Give epsilon for a differentially private release."))
        return data
