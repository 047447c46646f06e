from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from palermo.accounts import access, selectors, services
from palermo.accounts.api.permissions import IsPlatformAdminForWrites
from palermo.accounts.api.serializers import (
    MeSerializer,
    OrganisationInputSerializer,
    OrganisationOutputSerializer,
)
from palermo.accounts.models import Organisation, User


class MeView(APIView):
    """The signed-in user, their memberships and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated
        user.two_factor_enabled = access.has_otp_device(user)  # type: ignore[attr-defined]
        user.two_factor_required = access.requires_otp(user)  # type: ignore[attr-defined]
        return Response(MeSerializer(user).data)


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The directory of organisations. Platform administrators create them; an organisation's
    administrators update it."""

    permission_classes = [*viewsets.GenericViewSet.permission_classes, IsPlatformAdminForWrites]
    serializer_class = OrganisationOutputSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        return selectors.organisations_for(self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        request=OrganisationInputSerializer, responses={201: OrganisationOutputSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = OrganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_create(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(OrganisationOutputSerializer(organisation).data, status=201)

    @extend_schema(request=OrganisationInputSerializer, responses=OrganisationOutputSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organisation: Organisation = self.get_object()
        if not access.can_change_organisation(request.user, organisation):
            raise PermissionDenied
        partial = kwargs.get("partial", False)
        data = OrganisationInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        organisation = services.organisation_update(
            actor=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            **data.validated_data,
        )
        return Response(OrganisationOutputSerializer(organisation).data)
