"""/api/v1/cases/: the same rule as the pages (``cases.access``); identifiers only where it
allows them, and every response that carries them is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from palermo.accounts import access as accounts_access
from palermo.cases import selectors, services
from palermo.cases.access import case_access, visible_cases
from palermo.cases.api import serializers as s
from palermo.cases.models import Case


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Cases you may see. Filters as on the case list page."""

    serializer_class = s.CaseSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        filters = s.CaseFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.case_list(self.request.user, filters.validated_data)

    def _context_for(self, cases: list[Case]) -> dict[str, Any]:
        user = self.request.user
        allowed = {
            c.pk
            for c in cases
            if accounts_access.can(user, accounts_access.Action.VIEW_IDENTIFIERS, c.organisation)
            or (
                c.organisation_id
                not in {m.organisation_id for m in accounts_access.memberships_of(user)}
                and case_access(user, c).identifiers
            )
        }
        if allowed:
            services.audit_list_viewed(user, [c for c in cases if c.pk in allowed])  # type: ignore[arg-type]
        return {**self.get_serializer_context(), "identifiers_for": allowed}

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("status", str),
            OpenApiParameter("exploitation", str),
            OpenApiParameter("country", str),
            OpenApiParameter("assigned", str),
            OpenApiParameter("identified_from", str),
            OpenApiParameter("identified_to", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        cases = list(page or [])
        data = s.CaseSerializer(cases, many=True, context=self._context_for(cases)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = (
            visible_cases(request.user)
            .select_related("person", "organisation", "assigned_to")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if case is None:
            raise Http404("no such case")
        return Response(s.CaseSerializer(case, context=self._context_for([case])).data)

    @extend_schema(request=s.CaseCreateSerializer, responses={201: s.CaseSerializer})
    def create(self, request: Request) -> Response:
        orgs = accounts_access.organisations_where(
            request.user, accounts_access.Action.CHANGE_CASES
        )
        if not orgs:
            raise PermissionDenied("Your role does not open cases.")
        data = s.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case_values = {
            "case_type": values.pop("case_type"),
            "identified_on": values.pop("identified_on"),
            "identification_country_id": values.pop("identification_country"),
            "identified_by": values.pop("identified_by", ""),
        }
        birth = values.pop("birth_date", None)
        values["birth_date"] = birth.isoformat() if birth else ""
        try:
            case = services.start_intake(orgs[0], request.user, values, case_values)  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(
            s.CaseSerializer(case, context=self._context_for([case])).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.CaseUpdateSerializer, responses={200: s.CaseSerializer, 409: None})
    def partial_update(self, request: Request, pk: str) -> Response:
        case = visible_cases(request.user).filter(pk=pk).first()
        if case is None:
            raise Http404("no such case")
        if not case_access(request.user, case).change:
            raise PermissionDenied("Your role does not change this case.")
        data = s.CaseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        row_version = values.pop("row_version")
        try:
            case = services.update_case(case, request.user, row_version, values)  # type: ignore[arg-type]
        except services.ConflictError as exc:
            current = s.CaseSerializer(exc.current, context={"identifiers_for": set()}).data
            return Response(
                {
                    "error": {
                        "status": 409,
                        "code": "conflict",
                        "message": "The case changed since you read it; nothing was saved.",
                        "fields": {},
                        "current": current,
                    }
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(s.CaseSerializer(case, context=self._context_for([case])).data)
