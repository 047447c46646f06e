from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle

from palermo.geo import selectors
from palermo.geo.api.serializers import CountrySerializer


class CountryFilterSerializer(serializers.Serializer):
    region = serializers.RegexField(r"^[0-9]{3}$", required=False)
    q = serializers.CharField(required=False, max_length=100)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "region", OpenApiTypes.STR, description="M49 code of any region level"
            ),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="English name contains, or exact ISO alpha-2 or alpha-3 code",
            ),
        ]
    )
)
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """ISO 3166-1 countries with their UN M49 regions. Public reference data."""

    serializer_class = CountrySerializer
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    lookup_field = "iso2"
    lookup_value_regex = "[A-Za-z]{2}"

    def get_queryset(self) -> Any:
        qs = selectors.countries()
        filters = CountryFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        region = filters.validated_data.get("region")
        if region:
            qs = qs.filter(Q(region=region) | Q(sub_region=region) | Q(intermediate_region=region))
        q = filters.validated_data.get("q")
        if q:
            qs = qs.filter(Q(name_en__icontains=q) | Q(iso2__iexact=q) | Q(iso3__iexact=q))
        return qs

    def get_object(self) -> Any:
        self.kwargs["iso2"] = self.kwargs["iso2"].upper()
        return super().get_object()
