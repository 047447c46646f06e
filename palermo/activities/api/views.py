"""/api/v1/activities/: the registry of who does what where, with the pages' filters and the
overlap finder. Reading is public (members-only activities need a signed-in member); writing
is for the owning organisation's data managers and coordinators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from palermo.accounts import access
from palermo.accounts.api.permissions import IsVerifiedWhenRequired
from palermo.activities import overlap, selectors, services
from palermo.activities.api.serializers import (
    ActivitySerializer,
    ActivityWriteSerializer,
    MatchSerializer,
)
from palermo.activities.models import Activity

FILTERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=text)
    for name, text in (
        ("q", "Words in the title or description"),
        ("country", "ISO 3166-1 alpha-2 recipient country"),
        ("organisation", "Acronym, IATI identifier or name of an organisation"),
        ("pillar", "Code of intervention_pillar"),
        ("theme", "Code of intervention_theme"),
        ("target_group", "Code of target_group"),
        ("exploitation", "Code of ctdc_exploitation"),
        ("status", "IATI activity status (1-6)"),
        ("active_from", "Active on or after (YYYY-MM-DD)"),
        ("active_to", "Active on or before (YYYY-MM-DD)"),
        ("budget_min", "Smallest budget"),
        ("budget_max", "Largest budget"),
        ("trafficking_only", "1: anti-trafficking work only"),
    )
]


class ActivityViewSet(viewsets.ModelViewSet):
    """Activities: who does what where."""

    serializer_class = ActivitySerializer
    throttle_classes = [AnonRateThrottle]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve", "overlaps"):
            # Anyone reads public activities; a member who has not passed two-factor
            # authentication reads nothing (members-only activities would reach them).
            return [AllowAny(), IsVerifiedWhenRequired()]
        return [IsAuthenticated(), IsVerifiedWhenRequired()]

    def get_queryset(self) -> Any:
        found = selectors.visible(self.request.user)
        if self.action == "list":
            found = selectors.search(
                found, selectors.Filters.from_query(self.request.query_params.dict())
            )
        return selectors.with_details(found.order_by("identifier"))

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _save(self, request: Request, activity: Activity | None) -> Response:
        body = ActivityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner = next(
            (
                o
                for o in access.activity_owners(request.user)
                if o.acronym == body.validated_data["owner"]
            ),
            None,
        )
        if owner is None:
            raise PermissionDenied("You cannot register activities for this organisation.")
        if activity is not None and (
            activity.owner_id != owner.pk
            or activity.identifier != body.validated_data["identifier"]
        ):
            raise ValidationError(
                {"identifier": "The owner and identifier of an activity do not change."}
            )
        reporting = (
            (activity.reporting_org_ref, activity.reporting_org_name)
            if activity is not None
            else (owner.acronym, owner.name)
        )
        try:
            saved, outcome = services.register(request.user, owner, body.to_data(*reporting))  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            raise ValidationError({"activity": exc.messages}) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        saved = selectors.with_details(Activity.objects.filter(pk=saved.pk)).get()
        code = status.HTTP_201_CREATED if outcome == services.CREATED else status.HTTP_200_OK
        return Response(ActivitySerializer(saved).data, status=code)

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._save(request, None)

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        if not access.can_edit_activity(request.user, activity.owner):
            raise PermissionDenied("Only the organisation that registered it edits an activity.")
        return self._save(request, activity)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        try:
            services.delete(request.user, activity)  # type: ignore[arg-type]
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, methods=["get"])
    def overlaps(self, request: Request, pk: Any = None) -> Response:
        """Activities that overlap this one, best first, each with the criteria that match."""
        activity = self.get_object()
        matches = overlap.find(selectors.visible(request.user), overlap.Draft.of_activity(activity))
        return Response(MatchSerializer(matches, many=True).data)

    @extend_schema(request=ActivityWriteSerializer, responses=MatchSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="overlaps")
    def draft_overlaps(self, request: Request) -> Response:
        """Activities that would overlap a draft (nothing is saved)."""
        body = ActivityWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draft = overlap.Draft.of(body.to_data("", ""))
        matches = overlap.find(selectors.visible(request.user), draft)
        return Response(MatchSerializer(matches, many=True).data)
