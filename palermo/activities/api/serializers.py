from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from palermo.activities import vocabulary
from palermo.activities.data import (
    KINDS,
    ActivityData,
    DocumentData,
    ParticipantData,
    PlaceData,
)
from palermo.activities.models import Activity, Role, Status


class ActivitySerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.acronym")
    countries = serializers.SerializerMethodField()
    places = serializers.SerializerMethodField()
    codes = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "identifier",
            "owner",
            "reporting_org_ref",
            "reporting_org_name",
            "title",
            "description",
            "status",
            "planned_start",
            "actual_start",
            "planned_end",
            "actual_end",
            "budget",
            "currency",
            "classification",
            "origin",
            "is_public",
            "countries",
            "places",
            "codes",
            "participants",
            "documents",
            "indicators",
            "updated_at",
        ]

    def get_countries(self, obj: Activity) -> list[str]:
        return [c.country_id for c in obj.countries.all()]

    def get_places(self, obj: Activity) -> list[dict[str, Any]]:
        return [
            {"name": p.name, "country": p.country_id, "lat": p.latitude, "lon": p.longitude}
            for p in obj.places.all()
        ]

    def get_codes(self, obj: Activity) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for row in obj.codes.all():
            found.setdefault(row.kind, []).append(row.code)
        return found

    def get_participants(self, obj: Activity) -> list[dict[str, str]]:
        return [
            {"role": p.role, "name": p.name, "ref": p.ref, "activity": p.activity_ref}
            for p in obj.participants.all()
        ]

    def get_documents(self, obj: Activity) -> list[dict[str, str]]:
        return [{"title": d.title, "url": d.url} for d in obj.documents.all()]

    def get_indicators(self, obj: Activity) -> list[dict[str, str]]:
        return [
            {
                "result": i.result,
                "title": i.title,
                "baseline": i.baseline,
                "target": i.target,
                "actual": i.actual,
            }
            for i in obj.indicators.all()
        ]


class ParticipantSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    name = serializers.CharField(max_length=300)
    ref = serializers.CharField(max_length=100, required=False, default="")


class DocumentSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    url = serializers.URLField(max_length=1000)


class ActivityWriteSerializer(serializers.Serializer):
    """An activity to register or replace. ``codes`` maps a code list (intervention_pillar,
    intervention_theme, target_group, ctdc_exploitation, dac_sector, sdg_target) to codes."""

    owner = serializers.CharField(help_text=_("The registering organisation's acronym"))
    identifier = serializers.CharField(max_length=200)
    title = serializers.DictField(child=serializers.CharField(max_length=1000))
    description = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    status = serializers.ChoiceField(choices=Status.choices)
    planned_start = serializers.DateField(required=False, allow_null=True, default=None)
    planned_end = serializers.DateField(required=False, allow_null=True, default=None)
    actual_start = serializers.DateField(required=False, allow_null=True, default=None)
    actual_end = serializers.DateField(required=False, allow_null=True, default=None)
    countries = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, default=list
    )
    places = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list
    )
    codes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=80)),
        required=False,
        default=dict,
    )
    participants = ParticipantSerializer(many=True, required=False, default=list)
    documents = DocumentSerializer(many=True, required=False, default=list)
    budget = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, required=False, default="")
    is_public = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Left out: kept as it is (public for a new activity)."),
    )

    def validate_codes(self, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise serializers.ValidationError(f"Unknown code lists: {', '.join(unknown)}")
        return value

    def to_data(self, reporting_ref: str, reporting_name: str) -> ActivityData:
        v = self.validated_data
        data = ActivityData(
            identifier=v["identifier"],
            reporting_org_ref=reporting_ref,
            reporting_org_name=reporting_name,
            title=v["title"],
            description=v["description"],
            status=v["status"],
            planned_start=v["planned_start"],
            planned_end=v["planned_end"],
            actual_start=v["actual_start"],
            actual_end=v["actual_end"],
            countries={c.upper(): None for c in v["countries"]},
            places=[PlaceData(name=p) for p in v["places"]],
            budget=v["budget"],
            currency=v["currency"].upper(),
            is_public=v["is_public"],
            participants=[
                ParticipantData(p["role"], p["name"], p["ref"]) for p in v["participants"]
            ],
            documents=[DocumentData(d["title"], d["url"]) for d in v["documents"]],
        )
        for kind, codes in v["codes"].items():
            for code in codes:
                data.add_code(kind, code)
        vocabulary.classify(data)
        return data


class MatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="activity_id")
    identifier = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.CharField()
    status = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    score = serializers.IntegerField(
        help_text=_("0-100: the weighted share of criteria that match")
    )
    reasons = serializers.ListField(child=serializers.CharField())
    past = serializers.BooleanField()
