from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from palermo.standard.models import Section

MAX_UPLOAD = 2 * 1024 * 1024


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class VersionedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class FieldFilterForm(VersionedFilterForm):
    section = forms.ChoiceField(
        label=_("Section"), required=False, choices=[("", _("All sections")), *Section.choices]
    )


class CodeFilterForm(VersionedFilterForm):
    retired = forms.BooleanField(label=_("Show retired codes"), required=False)


class CodeAddForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=80)
    label_en = forms.CharField(label=_("Label in English"), max_length=300)
    label_ar = forms.CharField(label=_("Label in Arabic"), max_length=300, required=False)
    label_zh = forms.CharField(label=_("Label in Chinese"), max_length=300, required=False)
    label_fr = forms.CharField(label=_("Label in French"), max_length=300, required=False)
    label_ru = forms.CharField(label=_("Label in Russian"), max_length=300, required=False)
    label_es = forms.CharField(label=_("Label in Spanish"), max_length=300, required=False)
    parent = forms.ChoiceField(label=_("Broader code"), required=False)
    note = forms.CharField(label=_("Why (kept in the version history)"), max_length=500)

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parent"]).choices = [("", _("None")), *parents]
        self.fields["label_ar"].widget.attrs["dir"] = "rtl"

    def labels(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "en": data["label_en"],
            "ar": data["label_ar"],
            "zh-hans": data["label_zh"],
            "fr": data["label_fr"],
            "ru": data["label_ru"],
            "es": data["label_es"],
        }


class LabelForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    text = forms.CharField(label=_("Label"), max_length=300)


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Why is this code retired?"), max_length=500)


class InstrumentUploadForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    document = forms.FileField(
        label=_("Instrument (JSON)"),
        help_text=_("The same form as the standard's instruments: download one to start from."),
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return json.loads(upload.read().decode("utf-8-sig"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise forms.ValidationError(_("This is not a JSON file: %s") % exc) from None
        except RecursionError:
            raise forms.ValidationError(_("This JSON file is nested too deeply.")) from None


class ProfileForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations


class ColumnForm(forms.Form):
    column = forms.CharField(label=_("Your column"), max_length=200, required=False)
    field = forms.ChoiceField(label=_("Standard field"), required=False)
    separator = forms.CharField(label=_("Separator"), max_length=5, required=False, strip=False)
    values = forms.CharField(
        label=_("Your values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Filipino = PH"}),
        help_text=_("One per line: your value = standard code."),
    )

    def __init__(self, *args: Any, field_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["field"]).choices = [("", "—"), *field_choices]

    def clean_values(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["values"].splitlines(), start=1):
            if not line.strip():
                continue
            own, sep, code = line.rpartition("=")
            if not sep or not own.strip() or not code.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write “your value = code”.") % {"n": number}
                )
            table[own.strip()] = code.strip()
        return table


ColumnFormSet = forms.formset_factory(ColumnForm, extra=3, max_num=200)


def profile_columns(formset: forms.BaseFormSet, mapped_only: bool = False) -> list[dict[str, Any]]:
    """The rows of a valid column formset as ``save_profile`` takes them: every row with a
    column or a field (so that a half-filled row gets its error), or with ``mapped_only`` only
    the columns given a field (the import's mapping page lists every column of the file)."""
    return [
        {
            "column": row["column"],
            "field": row["field"],
            "separator": row["separator"],
            "values": row["values"],
        }
        for row in formset.cleaned_data
        if row
        and (
            (row.get("column") and row.get("field"))
            if mapped_only
            else (row.get("column") or row.get("field"))
        )
    ]


class ProfileTestForm(forms.Form):
    sample = forms.FileField(
        label=_("Sample file (CSV)"),
        help_text=_("The first 1,000 rows are mapped; nothing is saved."),
    )
