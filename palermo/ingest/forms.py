from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from palermo.ingest.models import ImportBatch


class UploadForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (any delimiter or encoding), XLSX, HXL-tagged CSV or JSON."),
    )
    profile = forms.ChoiceField(
        label=_("Mapping profile"),
        required=False,
        help_text=_("Leave empty to map the file's columns now and save a new profile."),
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[tuple[str, str]],
        profiles: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations
        cast(forms.ChoiceField, self.fields["profile"]).choices = [
            ("", _("— map the columns now —")),
            *profiles,
        ]


class MappingForm(forms.Form):
    """The profile's own settings on the mapping page (its columns are a ColumnFormSet)."""

    name = forms.CharField(label=_("Name of the profile"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    id_column = forms.ChoiceField(
        label=_("Source identifier column"),
        required=False,
        help_text=_(
            "The column holding your own identifier of each person, if there is one: importing "
            "an updated file then updates the rows whose identifier it finds."
        ),
    )
    skip_rows = forms.IntegerField(
        label=_("Rows to skip under the header"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_("For example a row of labels or instructions."),
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["id_column"]).choices = [
            ("", _("— none: rows are told apart by their content —")),
            *[(c, c) for c in columns],
        ]


class RunForm(forms.Form):
    mode = forms.ChoiceField(
        choices=ImportBatch.Mode.choices, initial=ImportBatch.Mode.ALL_OR_NOTHING
    )
    statistics_consent = forms.BooleanField(
        required=False,
        label=_("The source recorded each person's consent to pooled statistics"),
        help_text=_(
            "Only if it did: the new cases then enter pooled statistics. Otherwise record each "
            "person's consent in their case."
        ),
    )


class ExportForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", _("CSV (UTF-8)")),
            ("xlsx", _("Excel workbook (XLSX)")),
            ("hxl", _("HXL-tagged CSV")),
            ("json", _("JSON")),
        ],
    )
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            ("standard", _("The standard's fields (imports again into Palermo)")),
            ("ctdc", _("CTDC's analytic variables (to contribute to the CTDC hub)")),
        ],
        help_text=_("The CTDC layout holds coded variables only, never identifiers."),
    )
    identifiers = forms.BooleanField(
        label=_("Include names, birth dates, documents, phones and addresses"),
        required=False,
        help_text=_(
            "Only if your role reads identifiers. Every export is recorded in the audit log."
        ),
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisation"]).choices = organisations
