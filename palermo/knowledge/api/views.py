"""/api/v1/knowledge/: the knowledge base's search and claims, read-only. Anyone reads what is
public; signed-in members also read what is restricted to members."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from palermo.accounts.api.permissions import IsVerifiedWhenRequired
from palermo.knowledge import search, selectors, vocabulary
from palermo.knowledge.api.serializers import (
    ClaimDetailSerializer,
    ClaimSerializer,
    FacetsSerializer,
    ResourceDetailSerializer,
    ResourceSerializer,
)
from palermo.knowledge.models import Claim, Resource
from palermo.knowledge.views import excerpt

SEARCH = [
    OpenApiParameter(name, OpenApiTypes.STR, description=text)
    for name, text in (
        ("q", 'Words in any of the six languages; "a phrase", -excluded, a OR b'),
        ("kind", "Kind of resource (research, evaluation, good_practice, legislation, ...)"),
        ("year_from", "Published in or after (YYYY)"),
        ("year_to", "Published in or before (YYYY)"),
        ("country", "ISO 3166-1 alpha-2 country"),
        ("region", "UN M49 region code"),
        ("theme", "Code of intervention_theme"),
        ("exploitation", "Code of ctdc_exploitation"),
        ("group", "Code of target_group"),
        ("language", "Language of a title, abstract or the full text"),
        ("article", "Article of the Trafficking in Persons Protocol a law implements"),
        ("publisher", "Publishing organisation, as written"),
        ("author", "Author, as written"),
        ("licence", "Licence, as written"),
        ("text_language", "Language of the full text"),
        ("evidence", "Evidence level of a good practice or evaluation (experimental, ...)"),
        ("act", "Case law: act (recruitment, transportation, transfer, harbouring, receipt)"),
        ("means", "Case law: means (threat_force, abduction, fraud, deception, ...)"),
        ("case_form", "Case law: form of trafficking (domestic, transnational, both)"),
        ("verdict", "Case law: verdict (convicted, acquitted, mixed)"),
        ("sort", "relevance (with words), newest or oldest"),
    )
]


class ResourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Resources of the knowledge base: search with the pages' filters, and facets."""

    serializer_class = ResourceSerializer
    throttle_classes = [AnonRateThrottle]
    lookup_field = "uid"

    def get_permissions(self) -> list[Any]:
        # Anyone reads public resources; a member who has not passed two-factor authentication
        # reads nothing (restricted resources would reach them).
        return [AllowAny(), IsVerifiedWhenRequired()]

    def get_serializer_class(self) -> Any:
        return ResourceDetailSerializer if self.action == "retrieve" else ResourceSerializer

    def _filters(self) -> selectors.Filters:
        return selectors.Filters.from_query(self.request.query_params.dict())

    def get_queryset(self) -> QuerySet[Resource]:
        if self.action == "retrieve":
            return (
                selectors.visible(self.request.user)
                .select_related("case_law", "assessment")
                .prefetch_related("codes", "case_law__parties")
            )
        found = selectors.find(selectors.published(self.request.user), self._filters())
        return selectors.listed(found).prefetch_related("codes")

    @extend_schema(parameters=SEARCH)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = search.searched(search.parse(self._filters().q))
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page or [])
        for resource in rows:
            resource.excerpt = excerpt(resource, query) if query else None  # type: ignore[attr-defined]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(parameters=SEARCH, responses=FacetsSerializer)
    @action(detail=False)
    def facets(self, request: Request) -> Response:
        """Counts of the resources a search finds, by kind, year and each kind of code."""
        facets = selectors.facets(selectors.published(request.user), self._filters())
        # Labels in the reader's language (Accept-Language), as the search page shows them.
        return Response(
            {
                "total": facets.total,
                "kinds": [
                    {"code": code, "label": label, "count": n} for code, label, n in facets.kinds
                ],
                "years": [
                    {"code": str(year), "label": str(year), "count": n} for year, n in facets.years
                ],
                "codes": {
                    kind: [
                        {
                            "code": code,
                            "label": vocabulary.label(kind, code),
                            "count": n,
                        }
                        for code, n in items
                    ]
                    for kind, items in facets.codes.items()
                    if items
                },
            }
        )


class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    """Claims (numbers as they circulate) with their citation chain back to the origin."""

    serializer_class = ClaimSerializer
    throttle_classes = [AnonRateThrottle]

    def get_permissions(self) -> list[Any]:
        return [AllowAny(), IsVerifiedWhenRequired()]

    def get_serializer_class(self) -> Any:
        return ClaimDetailSerializer if self.action == "retrieve" else ClaimSerializer

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.visible_claims(self.request.user).order_by("-created_at")

    def _context(self, claims: list[Claim]) -> dict[str, Any]:
        # The sources a reader may see, for the whole page at once: a claim's source in a
        # members-only resource is left out (as "hidden"), never named.
        context = self.get_serializer_context()
        seen_claims, seen_resources = selectors.visible_sources(claims, self.request.user)
        context["seen_claims"], context["seen_resources"] = seen_claims, seen_resources
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = list(self.paginate_queryset(self.get_queryset()) or [])
        data = ClaimSerializer(rows, many=True, context=self._context(rows)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim = self.get_object()
        context = self._context([claim])
        context["chain"] = selectors.chain(claim, request.user)
        return Response(ClaimDetailSerializer(claim, context=context).data)
