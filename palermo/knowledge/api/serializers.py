"""What the API shows of resources and claims. Titles and abstracts come in every language
they are written in, and ``display_title`` in the reader's (Accept-Language)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from palermo.knowledge import vocabulary
from palermo.knowledge.models import Assessment, CaseLaw, Claim, Party, Resource


class PartySerializer(serializers.ModelSerializer):
    count = serializers.IntegerField(
        allow_null=True, help_text="Empty when the source says only that there were some."
    )

    class Meta:
        model = Party
        fields = ["role", "sex", "age", "nationality", "count"]


class CaseLawSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", allow_null=True)
    parties = PartySerializer(many=True)
    # Declared, so that the schema is the same whatever the database's integer ranges.
    victims = serializers.IntegerField(allow_null=True, min_value=0)

    class Meta:
        model = CaseLaw
        fields = [
            "country",
            "court",
            "case_number",
            "decision_date",
            "place",
            "fact_summary",
            "acts",
            "means",
            "purposes",
            "sectors",
            "form",
            "victims",
            "victims_note",
            "charges",
            "verdict",
            "sentence",
            "commentary",
            "source_url",
            "parties",
        ]


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = ["evidence_level", "evaluated", "evaluator", "results"]


class ResourceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid")
    display_title = serializers.CharField()
    codes = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()
    contributor = serializers.CharField(source="contributor.acronym")
    relevance = serializers.FloatField(required=False, help_text="Present on searches with words.")
    year = serializers.IntegerField(allow_null=True, min_value=1800, max_value=2100)
    snippet = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "kind",
            "display_title",
            "title",
            "abstract",
            "publishers",
            "authors",
            "year",
            "text_language",
            "licence",
            "url",
            "file",
            "is_public",
            "status",
            "contributor",
            "codes",
            "published_at",
            "relevance",
            "snippet",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Kind -> codes chosen for the resource. Those derived from its "
            "other fields (languages, publishers, authors, licence, evidence level, "
            "case-law elements) are not listed: see those fields.",
        }
    )
    def get_codes(self, resource: Resource) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for code in resource.codes.all():
            if code.kind not in vocabulary.DERIVED_KINDS:  # shown by the fields they come from
                found.setdefault(code.kind, []).append(code.code)
        return {kind: sorted(codes) for kind, codes in found.items()}

    @extend_schema_field(OpenApiTypes.URI)
    def get_file(self, resource: Resource) -> str | None:
        if not resource.file:
            return None
        request = self.context.get("request")
        path = f"/knowledge/{resource.uid}/file/"
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "match": {"type": "boolean"}},
            },
            "nullable": True,
        }
    )
    def get_snippet(self, resource: Resource) -> list[dict[str, Any]] | None:
        segments = getattr(resource, "excerpt", None)
        if segments is None:
            return None
        return [{"text": text, "match": hit} for text, hit in segments]


class ResourceDetailSerializer(ResourceSerializer):
    case_law = CaseLawSerializer(allow_null=True, required=False)
    assessment = AssessmentSerializer(allow_null=True, required=False)

    class Meta(ResourceSerializer.Meta):
        fields = [*ResourceSerializer.Meta.fields, "case_law", "assessment"]


class FacetItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The value to filter by.")
    # A declared field named like Field.label: DRF takes it out of the class, mypy does not.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="Its name in the reader's language (Accept-Language), as the pages show it."
    )
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    kinds = FacetItemSerializer(many=True)
    years = FacetItemSerializer(many=True)
    codes = serializers.DictField(child=FacetItemSerializer(many=True))


class ClaimSerializer(serializers.ModelSerializer):
    stated_in = serializers.UUIDField(source="stated_in.uid")
    derived_from = serializers.SerializerMethodField()
    source_resource = serializers.SerializerMethodField()
    source_hidden = serializers.SerializerMethodField()

    def _seen(self, claim: Claim) -> tuple[bool, bool]:
        """Whether the reader may see the claim it was taken from, and its source resource.
        The view puts in the context the ids of those the reader sees, found once for the whole
        page (``selectors.visible_sources``); without them, no source is named."""
        claims = self.context.get("seen_claims", set())
        resources = self.context.get("seen_resources", set())
        from_ok = claim.derived_from_id is None or claim.derived_from_id in claims
        source_ok = claim.source_resource_id is None or claim.source_resource_id in resources
        return from_ok, source_ok

    @extend_schema_field(OpenApiTypes.UUID)
    def get_derived_from(self, claim: Claim) -> Any:
        return claim.derived_from_id if self._seen(claim)[0] else None

    @extend_schema_field(OpenApiTypes.UUID)
    def get_source_resource(self, claim: Claim) -> Any:
        if claim.source_resource is None or not self._seen(claim)[1]:
            return None
        return claim.source_resource.uid

    @extend_schema_field(
        serializers.BooleanField(help_text="A source is in a resource the reader may not see.")
    )
    def get_source_hidden(self, claim: Claim) -> bool:
        return not all(self._seen(claim))

    class Meta:
        model = Claim
        fields = [
            "id",
            "statement",
            "language",
            "value",
            "unit",
            "scope_place",
            "scope_period",
            "scope_population",
            "stated_in",
            "location",
            "derived_from",
            "source_resource",
            "source_hidden",
            "source_release",
            "method",
            "validity",
            "created_at",
        ]


class HopSerializer(serializers.Serializer):
    claim = serializers.UUIDField(allow_null=True, help_text="A claim on the way.")
    resource = serializers.UUIDField(allow_null=True, help_text="The origin's resource.")
    release = serializers.UUIDField(allow_null=True, help_text="The origin's Palermo release.")
    hidden = serializers.BooleanField(help_text="A step in a resource the reader may not see.")


class ClaimDetailSerializer(ClaimSerializer):
    chain = serializers.SerializerMethodField()
    chain_end = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "chain", "chain_end"]

    @extend_schema_field(HopSerializer(many=True))
    def get_chain(self, claim: Claim) -> list[dict[str, Any]]:
        chain = self.context["chain"]
        return [
            {
                "claim": hop.claim.pk if hop.claim else None,
                "resource": hop.resource.uid if hop.resource else None,
                "release": hop.release.pk if hop.release else None,
                "hidden": not (hop.claim or hop.resource or hop.release),
            }
            for hop in chain.hops
        ]

    @extend_schema_field(
        serializers.ChoiceField(["origin", "no_method", "untraceable", "hidden", "circular"])
    )
    def get_chain_end(self, claim: Claim) -> str:
        return str(self.context["chain"].end)
