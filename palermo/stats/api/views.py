"""/api/v1/releases/: published releases and their cells, public, read-only. Nothing else of
the statistics (drafts, snapshots) is reachable through the API."""

from __future__ import annotations

from typing import Any

import polars as pl
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from palermo.stats import selectors
from palermo.stats.api.serializers import (
    CellFilterSerializer,
    CellSerializer,
    ReleaseDetailSerializer,
    ReleaseSerializer,
)
from palermo.stats.dimensions import KEYS


class ReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published releases of pooled statistics: their definition, metadata and measures."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def get_queryset(self) -> Any:
        return selectors.published().select_related("supersedes")

    def get_serializer_class(self) -> Any:
        return ReleaseDetailSerializer if self.action == "retrieve" else ReleaseSerializer

    @extend_schema(
        responses=CellSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "dimensions",
                OpenApiTypes.STR,
                description="Comma-separated dimension keys: the cells of that combination only",
            ),
            OpenApiParameter("length", OpenApiTypes.INT, description="Combination length (0-3)"),
        ],
    )
    @action(detail=True, methods=["get"])
    def cells(self, request: Request, pk: Any = None) -> Response:
        """The release's cells. A suppressed cell is listed with ``suppressed: true`` and no
        count: its value is never returned. Any dimension key given as a parameter with a value
        code (``?sex=Female``) keeps the cells holding that value."""
        release = self.get_object()
        filters = CellFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        table = selectors.cells(release)
        wanted = filters.validated_data.get("dimensions")
        if wanted:
            unknown = [d for d in wanted if d not in release.dimensions]
            if unknown:
                raise ValidationError({"dimensions": f"Not in this release: {', '.join(unknown)}"})
            table = table.filter(pl.col("dims") == "|".join(selectors.ordered(wanted)))
        if "length" in filters.validated_data:
            table = table.filter(pl.col("length") == filters.validated_data["length"])
        values = {k: v for k, v in request.query_params.items() if k in KEYS}
        rows = []
        for dims, joined, count, suppressed in table.select(
            "dims", "values", "count", "suppressed"
        ).iter_rows():
            names = dims.split("|") if dims else []
            cell = dict(zip(names, joined.split("|") if dims else [], strict=True))
            if any(cell.get(k) != v for k, v in values.items()):
                continue
            rows.append(
                {
                    "dimensions": names,
                    "values": cell,
                    "count": None if suppressed else count,
                    "suppressed": bool(suppressed),
                }
            )
        page: list[dict[str, Any]] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]
        data = CellSerializer(page if page is not None else rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
