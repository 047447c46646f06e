from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from rest_framework import serializers

from palermo.standard import selectors
from palermo.standard.models import Code, CodeList, Field, InstrumentVersion, MappingProfile


class VersionQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class StandardVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class LabelledMixin(serializers.Serializer):
    label = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="In the request's language, else English."
    )
    labels = serializers.SerializerMethodField(help_text="Language code -> label.")

    def _labels(self, obj: Any) -> dict[str, str]:
        return dict(self.context["labels"].get(obj.pk, {}))

    def get_label(self, obj: Any) -> str:
        return selectors.pick_label(self._labels(obj), get_language())[0]

    def get_labels(self, obj: Any) -> dict[str, str]:
        return self._labels(obj)


class FieldSerializer(LabelledMixin, serializers.ModelSerializer):
    code_list: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )

    class Meta:
        model = Field
        fields = [
            "key",
            "section",
            "name",
            "label",
            "labels",
            "data_type",
            "is_core",
            "status",
            "code_list",
            "description",
            "notes",
            "source",
            "aliases",
            "derivation",
            "since",
            "until",
        ]
        read_only_fields = fields


class CodeSerializer(LabelledMixin, serializers.ModelSerializer):
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="'list:code' of the broader code."
    )
    status = serializers.SerializerMethodField()

    class Meta:
        model = Code
        fields = ["code", "label", "labels", "parent", "aliases", "status", "since", "until"]
        read_only_fields = fields

    def get_parent(self, code: Code) -> str | None:
        return f"{code.parent.code_list.key}:{code.parent.code}" if code.parent else None

    def get_status(self, code: Code) -> str:
        version = self.context["version"]
        return "retired" if code.until is not None and code.until <= version else "active"


class CodeListSerializer(serializers.ModelSerializer):
    code_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CodeList
        fields = ["key", "name", "description", "source", "code_count", "since"]
        read_only_fields = fields


class CodeListDetailSerializer(CodeListSerializer):
    codes = serializers.SerializerMethodField()

    class Meta(CodeListSerializer.Meta):
        fields = [*CodeListSerializer.Meta.fields, "codes"]
        read_only_fields = fields

    def get_codes(self, code_list: CodeList) -> list[dict[str, Any]]:
        return CodeSerializer(self.context["codes"], many=True, context=self.context).data  # type: ignore[return-value]


class InstrumentVersionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="instrument.id")
    key = serializers.CharField(source="instrument.key")
    name = serializers.CharField(source="instrument.name")
    owner = serializers.UUIDField(source="instrument.owner_id", allow_null=True)
    version = serializers.IntegerField(source="number")

    class Meta:
        model = InstrumentVersion
        fields = ["id", "key", "name", "owner", "version", "verification", "created_at"]
        read_only_fields = fields


class InstrumentDetailSerializer(InstrumentVersionSerializer):
    class Meta(InstrumentVersionSerializer.Meta):
        fields = [*InstrumentVersionSerializer.Meta.fields, "document"]
        read_only_fields = fields


class EvaluateInputSerializer(serializers.Serializer):
    present = serializers.ListField(
        child=serializers.CharField(max_length=170),
        max_length=500,
        help_text="Indicators found present, as 'dimension.indicator'.",
    )
    facts = serializers.DictField(child=serializers.BooleanField(), required=False)
    version = serializers.IntegerField(required=False, min_value=1)


class DimensionResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    strong = serializers.IntegerField()
    medium = serializers.IntegerField()
    weak = serializers.IntegerField()
    positive = serializers.BooleanField()
    present = serializers.SerializerMethodField()
    reason = serializers.CharField()

    def get_present(self, result: Any) -> list[dict[str, str]]:
        return [{"key": a.key, "label": a.label, "grade": a.grade} for a in result.present]


class EvaluationSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    instrument_version = serializers.IntegerField()
    verification = serializers.CharField()
    positive = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=["presumed_victim", "not_indicated"])
    dimensions = DimensionResultSerializer(many=True)
    facts = serializers.DictField(child=serializers.BooleanField())
    explanation = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())


class ColumnSerializer(serializers.Serializer):
    column = serializers.CharField(max_length=200)
    field = serializers.CharField(max_length=80, help_text="Key of a standard field.")
    separator = serializers.CharField(
        max_length=5, required=False, allow_blank=True, trim_whitespace=False
    )
    values = serializers.DictField(
        child=serializers.CharField(max_length=80), required=False, help_text="Your value -> code."
    )


class MappingProfileSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="organisation_id")
    columns = serializers.SerializerMethodField()

    class Meta:
        model = MappingProfile
        fields = ["id", "organisation", "name", "description", "columns", "updated_at"]
        read_only_fields = fields

    def get_columns(self, profile: MappingProfile) -> list[dict[str, Any]]:
        return [
            {"column": c.column, "field": c.field.key, "separator": c.separator, "values": c.values}
            for c in profile.columns.all()
        ]


class MappingProfileInputSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    columns = ColumnSerializer(many=True)


class ApplyInputSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True)),
        max_length=1000,
        help_text="At most 1,000 rows, each a mapping of your column names to cell values.",
    )


class UnmappedSerializer(serializers.Serializer):
    column = serializers.CharField()
    field = serializers.CharField()
    value = serializers.CharField()
    count = serializers.IntegerField()
    rows = serializers.ListField(child=serializers.IntegerField())
    reason = serializers.ChoiceField(
        choices=["unknown_code", "retired_code", "not_a_number", "not_a_date", "several_codes"]
    )
    detail = serializers.CharField(help_text="For retired_code: the code the profile maps to.")


class ApplyOutputSerializer(serializers.Serializer):
    records = serializers.ListField(child=serializers.DictField())
    unmapped_values = UnmappedSerializer(many=True)
    unmapped_columns = serializers.ListField(child=serializers.CharField())
    missing_columns = serializers.ListField(child=serializers.CharField())


class ValidateOutputSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
