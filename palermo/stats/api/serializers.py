from __future__ import annotations

from rest_framework import serializers

from palermo.stats.models import Release


class ReleaseSerializer(serializers.ModelSerializer):
    supersedes: serializers.PrimaryKeyRelatedField[Release] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "id",
            "title",
            "version",
            "supersedes",
            "superseded_by",
            "first_year",
            "last_year",
            "dimensions",
            "main_dimensions",
            "max_length",
            "method",
            "k",
            "rounding_base",
            "epsilon",
            "delta",
            "records",
            "published_at",
            "checksum",
        ]
        read_only_fields = fields

    def get_superseded_by(self, release: Release) -> str | None:
        newer = Release.objects.filter(
            supersedes=release, state=Release.State.PUBLISHED
        ).values_list("pk", flat=True)
        first = newer.first()
        return str(first) if first else None


class ReleaseDetailSerializer(ReleaseSerializer):
    metadata = serializers.JSONField(read_only=True)

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "metadata"]
        read_only_fields = fields


class CellSerializer(serializers.Serializer):
    """One published cell. A suppressed cell says so and carries no count."""

    dimensions = serializers.ListField(child=serializers.CharField())
    values = serializers.DictField(child=serializers.CharField())
    count = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class CellFilterSerializer(serializers.Serializer):
    dimensions = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Comma-separated dimension keys: only the cells of that combination.",
    )
    length = serializers.IntegerField(required=False, min_value=0, max_value=3)

    def validate_dimensions(self, value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]
