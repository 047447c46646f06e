"""Forms of the case pages. Choices come from the data standard, labelled in the reader's
language; the services validate codes and dates again, so an API client gets the same rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from palermo.cases.models import (
    Approval,
    Attachment,
    CaseStatus,
    CaseType,
    ChildSafeguards,
    Consent,
    ConsentPurpose,
    Flag,
    Movement,
)
from palermo.standard.selectors import choices_for

DATE = forms.DateInput(attrs={"type": "date"})


def _coded(form: forms.Form, name: str, field_key: str, blank: bool = True) -> None:
    choices = choices_for(field_key, get_language())
    field = cast(forms.ChoiceField, form.fields[name])
    field.choices = (
        [("", "—")] if blank and not isinstance(field, forms.MultipleChoiceField) else []
    ) + choices


class PersonForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    aliases = forms.CharField(
        label=_("Aliases"), max_length=500, required=False, help_text=_("Separate with commas.")
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    citizenship = forms.MultipleChoiceField(label=_("Citizenship"), required=False)
    document_type = forms.CharField(label=_("Identity document"), max_length=60, required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _coded(self, "gender", "prs_Gender")
        _coded(self, "citizenship", "prs_Citizenship")

    def person_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        documents = (
            [{"type": data["document_type"].strip(), "number": data["document_number"].strip()}]
            if data["document_number"].strip()
            else []
        )
        return {
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "aliases": [a.strip() for a in data["aliases"].split(",") if a.strip()],
            "birth_date": data["birth_date"].isoformat() if data["birth_date"] else "",
            "gender": data["gender"],
            "citizenship": data["citizenship"],
            "documents": documents,
            "phone": data["phone"],
            "address": data["address"],
        }


class IdentificationForm(forms.Form):
    case_type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    identified_on = forms.DateField(label=_("Identification date"), widget=DATE)
    identification_country = forms.ChoiceField(label=_("Country of identification"))
    identification_place = forms.CharField(
        label=_("Place of identification"), max_length=300, required=False
    )
    identified_by = forms.ChoiceField(label=_("Identified by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _coded(self, "identification_country", "prs_MailingCountry")
        _coded(self, "identified_by", "vic_TraffickingStatusDecisionMakingOrg")

    def case_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["identification_country_id"] = data.pop("identification_country") or None
        return data


class ExperienceForm(forms.Form):
    exploitation = forms.MultipleChoiceField(label=_("Forms of exploitation"), required=False)
    forced_labour_industry = forms.MultipleChoiceField(
        label=_("Forced labour: industry"), required=False
    )
    sex_exploitation = forms.MultipleChoiceField(
        label=_("Sexual exploitation: type"), required=False
    )
    means_of_control = forms.MultipleChoiceField(label=_("Means of control"), required=False)
    recruitment_methods = forms.MultipleChoiceField(label=_("Recruitment"), required=False)
    recruiter_relationship = forms.ChoiceField(
        label=_("Relationship to the recruiter"), required=False
    )
    country_of_origin = forms.ChoiceField(label=_("Country of origin"), required=False)
    transit_countries = forms.MultipleChoiceField(label=_("Countries of transit"), required=False)
    exploitation_countries = forms.MultipleChoiceField(
        label=_("Countries of exploitation"), required=False
    )
    recruited_on = forms.DateField(label=_("Recruited on"), required=False, widget=DATE)
    exploitation_began_on = forms.DateField(
        label=_("Exploitation began"), required=False, widget=DATE
    )
    exploitation_ended_on = forms.DateField(
        label=_("Exploitation ended"), required=False, widget=DATE
    )
    age_at_entry = forms.IntegerField(
        label=_("Age when trafficked"), required=False, min_value=0, max_value=120
    )
    age_at_exploitation = forms.IntegerField(
        label=_("Age at exploitation"), required=False, min_value=0, max_value=120
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, key in [
            ("exploitation", "vic_TypeOfExploitation"),
            ("forced_labour_industry", "vic_ForcedLabourIndustry"),
            ("sex_exploitation", "vic_TypeOfSexExploitation"),
            ("means_of_control", "vic_MethodsOfControl"),
            ("recruitment_methods", "vic_MethodOfRecruitment"),
            ("recruiter_relationship", "vic_RelationshipToTrafficker"),
            ("country_of_origin", "prs_MailingCountry"),
            ("transit_countries", "prs_Citizenship"),
            ("exploitation_countries", "prs_Citizenship"),
        ]:
            _coded(self, name, key)

    def case_values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    decision = forms.ChoiceField(label=_("Decision"), choices=Consent.Decision.choices)
    given_by = forms.ChoiceField(
        label=_("Given by"),
        choices=[("person", _("The person")), ("guardian", _("Guardian or legal representative"))],
    )
    decided_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    covers_identifiers = forms.BooleanField(
        label=_("Identifiers may go with a referral"),
        required=False,
        help_text=_(
            "For consent to referral: the person agreed that their name, date of birth, "
            "contacts and documents may be shared, not only the facts of the case."
        ),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Type of service"))
    provider = forms.CharField(label=_("Provider"), max_length=200)
    started_on = forms.DateField(label=_("Start"), widget=DATE, initial=timezone.localdate)
    ended_on = forms.DateField(label=_("End"), widget=DATE, required=False)
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _coded(self, "service_type", "spl_Type")


class StatusForm(forms.Form):
    """Closing goes through a supervisor's approval (ApprovalRequestForm); this form makes an
    open case active, or reopens a closed one with a reason."""

    status = forms.ChoiceField(
        label=_("New status"), choices=[(CaseStatus.ACTIVE, CaseStatus.ACTIVE.label)]
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Required to reopen a closed case."),
    )


class AssignForm(forms.Form):
    worker = forms.ChoiceField(label=_("Assign to"))

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["worker"]).choices = [("", "—"), *workers]


class ApprovalRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ask a supervisor to approve"), choices=Approval.Kind.choices)
    content = forms.CharField(
        label=_("Case plan, or why the case can close"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject."),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Flag.Reason.choices)
    details = forms.CharField(label=_("Details"), max_length=2000, required=False)


class SafeguardsForm(forms.Form):
    row_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    guardian_appointed_on = forms.DateField(
        label=_("Guardian appointed on"), required=False, widget=DATE
    )
    guardian_name = forms.CharField(label=_("Guardian"), max_length=200, required=False)
    guardian_contact = forms.CharField(
        label=_("Guardian's contact"), max_length=300, required=False
    )
    assessment_done_on = forms.DateField(
        label=_("Best-interests assessment done on"), required=False, widget=DATE
    )
    determination_done_on = forms.DateField(
        label=_("Best-interests determination done on"), required=False, widget=DATE
    )
    determination_outcome = forms.CharField(
        label=_("What was determined"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tracing_status = forms.ChoiceField(
        label=_("Family tracing"), choices=ChildSafeguards.Tracing.choices
    )
    reunification_status = forms.ChoiceField(
        label=_("Reunification"), choices=ChildSafeguards.Reunification.choices
    )


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Movement.Kind.choices)
    from_country = forms.ChoiceField(label=_("From country"))
    to_country = forms.ChoiceField(label=_("To country"))
    departed_on = forms.DateField(label=_("Departure"), widget=DATE)
    arrived_on = forms.DateField(label=_("Arrival"), widget=DATE, required=False)
    details = forms.CharField(label=_("Details"), max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _coded(self, "from_country", "prs_Citizenship")
        _coded(self, "to_country", "prs_Citizenship")


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.PALERMO_ATTACHMENT_MAX_BYTES)
        self.fields["file"].help_text = _(
            "PDF, image, Word or OpenDocument text, or plain text; at most %(limit)s."
        ) % {"limit": limit}
        self.fields["file"].widget.attrs["accept"] = ",".join(settings.PALERMO_ATTACHMENT_TYPES)


class PerpetratorForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Role in the trafficking process"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    citizenship = forms.ChoiceField(label=_("Citizenship"), required=False)
    relationship = forms.ChoiceField(label=_("Relationship to the person"), required=False)
    part_of_group = forms.NullBooleanField(
        label=_("Part of an organised group"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )
    name = forms.CharField(label=_("Name or alias"), max_length=200, required=False)
    details = forms.CharField(label=_("Details"), max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _coded(self, "roles", "per_RoleInProcess")
        _coded(self, "gender", "prs_Gender")
        _coded(self, "citizenship", "prs_Citizenship")
        _coded(self, "relationship", "vic_RelationshipToTrafficker")


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Request"),
        max_length=500,
        help_text=_("Who asked, when, and how the request was verified."),
    )
    confirm = forms.CharField(label=_("Type the case reference to confirm"), max_length=40)

    def __init__(self, *args: Any, reference: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != self.reference:
            raise forms.ValidationError(_("This is not the case's reference."))
        return value


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Reference, exact name or document number"), max_length=200, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *CaseStatus.choices]
    )
    exploitation = forms.ChoiceField(label=_("Form of exploitation"), required=False)
    country = forms.ChoiceField(label=_("Country of identification"), required=False)
    assigned = forms.ChoiceField(label=_("Assigned to"), required=False)
    identified_from = forms.DateField(label=_("Identified from"), required=False, widget=DATE)
    identified_to = forms.DateField(label=_("Identified until"), required=False, widget=DATE)

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _coded(self, "exploitation", "vic_TypeOfExploitation")
        _coded(self, "country", "prs_MailingCountry")
        cast(forms.ChoiceField, self.fields["assigned"]).choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            *workers,
        ]
        for name in ("exploitation", "country"):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [("", _("Any")), *list(cast(list[Any], field.choices))[1:]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("identified_from"), data.get("identified_to")
        if start and end and end < start:
            self.add_error("identified_to", _("The end is before the start."))
        return data
