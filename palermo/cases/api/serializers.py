from __future__ import annotations

from typing import Any

from rest_framework import serializers

from palermo.cases.models import (
    Approval,
    Attachment,
    Case,
    CaseStatus,
    CaseType,
    ChildSafeguards,
    Flag,
    Movement,
)


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    exploitation = serializers.CharField(max_length=80, required=False)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False)
    assigned = serializers.CharField(max_length=40, required=False)
    identified_from = serializers.DateField(required=False)
    identified_to = serializers.DateField(required=False)
    q = serializers.CharField(max_length=200, required=False)


class PersonSerializer(serializers.Serializer):
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    birth_date = serializers.CharField()
    documents = serializers.ListField(child=serializers.DictField())
    phone = serializers.CharField()
    address = serializers.CharField()


class CaseSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="organisation_id")
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, default=None
    )
    identification_country = serializers.CharField(
        source="identification_country_id", allow_null=True
    )
    gender = serializers.CharField(source="person.gender")
    citizenship = serializers.ListField(source="person.citizenship", child=serializers.CharField())
    person = serializers.SerializerMethodField(
        help_text="Identifiers, only when the visibility rule lets the reader see them."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "organisation",
            "status",
            "case_type",
            "standard_version",
            "assigned_to",
            "identified_on",
            "identification_country",
            "identified_by",
            "age_at_identification",
            "gender",
            "citizenship",
            "exploitation",
            "forced_labour_industry",
            "sex_exploitation",
            "means_of_control",
            "recruitment_methods",
            "recruiter_relationship",
            "country_of_origin",
            "transit_countries",
            "exploitation_countries",
            "recruited_on",
            "exploitation_began_on",
            "exploitation_ended_on",
            "age_at_entry",
            "age_at_exploitation",
            "opened_on",
            "closed_on",
            "row_version",
            "person",
        ]
        read_only_fields = fields

    def get_person(self, case: Case) -> dict[str, Any] | None:
        if case.pk not in self.context.get("identifiers_for", set()):
            return None
        person = case.person
        return {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "aliases": person.aliases,
            "birth_date": person.birth_date,
            "documents": person.documents,
            "phone": person.phone,
            "address": person.address,
        }


class CaseCreateSerializer(serializers.Serializer):
    """Intake's first step: the person and the identification."""

    given_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    gender = serializers.CharField(max_length=40, required=False, allow_blank=True)
    citizenship = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    documents = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(max_length=60)), required=False
    )
    phone = serializers.CharField(max_length=60, required=False, allow_blank=True)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    identified_on = serializers.DateField()
    identification_country = serializers.RegexField(r"^[A-Z]{2}$")
    identified_by = serializers.CharField(max_length=60, required=False, allow_blank=True)


class CaseUpdateSerializer(serializers.Serializer):
    """A change of coded fields; ``row_version`` must be the version read."""

    row_version = serializers.IntegerField(min_value=1)
    exploitation = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    forced_labour_industry = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False
    )
    sex_exploitation = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False
    )
    means_of_control = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False
    )
    recruitment_methods = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False
    )
    recruiter_relationship = serializers.CharField(max_length=40, required=False, allow_blank=True)
    country_of_origin = serializers.CharField(max_length=2, required=False, allow_blank=True)
    transit_countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False
    )
    exploitation_countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False
    )
    recruited_on = serializers.DateField(required=False, allow_null=True)
    exploitation_began_on = serializers.DateField(required=False, allow_null=True)
    exploitation_ended_on = serializers.DateField(required=False, allow_null=True)
    age_at_entry = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )
    age_at_exploitation = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True
    )


class AssignSerializer(serializers.Serializer):
    worker = serializers.CharField(max_length=150, help_text="Username of the case worker.")
    row_version = serializers.IntegerField(min_value=1)


class BulkAssignSerializer(serializers.Serializer):
    cases = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=500)
    worker = serializers.CharField(max_length=150, help_text="Username of the case worker.")


class BulkAssignResultSerializer(serializers.Serializer):
    reassigned = serializers.ListField(child=serializers.CharField())
    refused = serializers.DictField(child=serializers.CharField())


class ApprovalRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Approval.Kind.choices)
    content = serializers.CharField(max_length=20_000)


class DecisionSerializer(serializers.Serializer):
    approval = serializers.IntegerField(help_text="Id of the request.")
    approve = serializers.BooleanField()
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = ["id", "kind", "state", "requested_at", "due_on", "decided_at"]
        read_only_fields = fields


class FlagSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Flag.Reason.choices)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SafeguardsSerializer(serializers.Serializer):
    row_version = serializers.IntegerField(
        min_value=1, help_text="The version you read; 409 if it changed since."
    )
    guardian_appointed_on = serializers.DateField(required=False, allow_null=True)
    guardian_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    guardian_contact = serializers.CharField(max_length=300, required=False, allow_blank=True)
    assessment_done_on = serializers.DateField(required=False, allow_null=True)
    determination_done_on = serializers.DateField(required=False, allow_null=True)
    determination_outcome = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    tracing_status = serializers.ChoiceField(
        choices=ChildSafeguards.Tracing.choices, required=False
    )
    reunification_status = serializers.ChoiceField(
        choices=ChildSafeguards.Reunification.choices, required=False
    )


class MovementSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Movement.Kind.choices)
    from_country = serializers.CharField(max_length=2)
    to_country = serializers.CharField(max_length=2)
    departed_on = serializers.DateField()
    arrived_on = serializers.DateField(required=False, allow_null=True)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices)
    file = serializers.FileField()


class PerpetratorSerializer(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, max_length=20
    )
    gender = serializers.CharField(max_length=40, required=False, allow_blank=True)
    citizenship = serializers.CharField(max_length=2, required=False, allow_blank=True)
    relationship = serializers.CharField(max_length=40, required=False, allow_blank=True)
    part_of_group = serializers.BooleanField(required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    details = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class EraseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class EraseResultSerializer(serializers.Serializer):
    kept_for_statistics = serializers.ListField(child=serializers.CharField())
    deleted = serializers.ListField(child=serializers.CharField())


class TaskSerializer(serializers.Serializer):
    case = serializers.UUIDField(source="case.pk")
    reference = serializers.CharField(source="case.reference")
    kind = serializers.CharField()
    what = serializers.CharField(source="label")
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
