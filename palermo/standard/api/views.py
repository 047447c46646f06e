"""/api/v1/standard/: the standard, read by anyone; instruments evaluated; mapping profiles kept
by each organisation's data managers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from palermo.accounts import access
from palermo.accounts.api.permissions import IsVerifiedWhenRequired
from palermo.accounts.models import Organisation
from palermo.standard import exports, screening, selectors, services
from palermo.standard.api import serializers as s
from palermo.standard.mapping import map_rows
from palermo.standard.models import InstrumentVersion, MappingProfile

VERSION_PARAM = OpenApiParameter(
    "version", OpenApiTypes.INT, description="A version of the standard; the latest if omitted."
)


def _version(request: Request) -> int:
    query = s.VersionQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return selectors.resolve_version(query.validated_data.get("version"))


class StandardVersionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Versions of the standard, newest first. Every change to codes or labels makes one."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    serializer_class = s.StandardVersionSerializer
    queryset = selectors.versions()


@extend_schema(parameters=[VERSION_PARAM])
class FieldViewSet(viewsets.ReadOnlyModelViewSet):
    """Fields of the standard: HTCDS 2.0, Palermo's additions and the analytic variables."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    serializer_class = s.FieldSerializer
    lookup_field = "key"
    lookup_value_regex = "[A-Za-z0-9_]+"

    @extend_schema(
        parameters=[OpenApiParameter("section", OpenApiTypes.STR, description="e.g. victim")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        section = str(self.request.query_params.get("section", ""))[:20]
        return selectors.fields(_version(self.request), section=section)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        version = _version(self.request)
        context["labels"] = selectors.field_labels(
            selectors.fields(version).values_list("pk", flat=True), version
        )
        return context


@extend_schema(parameters=[VERSION_PARAM])
class CodeListViewSet(viewsets.ReadOnlyModelViewSet):
    """Code lists, and in the detail their codes with labels in the six languages."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    lookup_field = "key"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self) -> Any:
        return selectors.code_lists(_version(self.request))

    def get_serializer_class(self) -> Any:
        return s.CodeListDetailSerializer if self.action == "retrieve" else s.CodeListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("include_retired", OpenApiTypes.BOOL, description="Also retired")
        ]
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = _version(request)
        code_list = self.get_object()
        retired = str(request.query_params.get("include_retired", "")).lower() in {"1", "true"}
        codes = list(selectors.codes(code_list, version, include_retired=retired))
        context = {
            **self.get_serializer_context(),
            "version": version,
            "codes": codes,
            "labels": selectors.code_labels([c.pk for c in codes], version),
        }
        return Response(s.CodeListDetailSerializer(code_list, context=context).data)


class RecordSchemaView(APIView):
    """JSON Schema of one record coded against a version of the standard."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(parameters=[VERSION_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(exports.record_schema(_version(request)))

    @extend_schema(
        parameters=[VERSION_PARAM],
        request=OpenApiTypes.OBJECT,
        responses=s.ValidateOutputSerializer,
        description="Validate a record; every error names its field.",
    )
    def post(self, request: Request) -> Response:
        errors = exports.validate_record(request.data, exports.record_schema(_version(request)))
        return Response({"valid": not errors, "errors": errors})


def _member_org_ids(request: Request) -> list[Any]:
    return [m.organisation_id for m in access.memberships_of(request.user)]


class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Screening instruments: the standard's, and those of your organisations."""

    # Anyone may read the standard's instruments; members who owe a second factor must have
    # passed it before they see their organisation's own.
    permission_classes = [IsVerifiedWhenRequired]
    throttle_classes = [AnonRateThrottle]
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self) -> Any:
        visible = selectors.instruments_visible_to(_member_org_ids(self.request))
        latest: dict[Any, InstrumentVersion] = {}
        for version in InstrumentVersion.objects.filter(instrument__in=visible).select_related(
            "instrument"
        ):
            current = latest.get(version.instrument_id)
            if current is None or version.number > current.number:
                latest[version.instrument_id] = version
        return sorted(latest.values(), key=lambda v: v.instrument.name)

    def get_serializer_class(self) -> Any:
        return (
            s.InstrumentDetailSerializer
            if self.action == "retrieve"
            else s.InstrumentVersionSerializer
        )

    def get_object(self) -> Any:
        for version in self.get_queryset():
            if str(version.instrument_id) == str(self.kwargs["pk"]).lower():
                return version
        raise _not_found()

    @extend_schema(request=s.EvaluateInputSerializer, responses=s.EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk: str) -> Response:
        """Evaluate answers and explain the outcome, dimension by dimension."""
        data = s.EvaluateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = self.get_object()
        if data.validated_data.get("version"):
            current = get_object_or_404(
                InstrumentVersion,
                instrument_id=current.instrument_id,
                number=data.validated_data["version"],
            )
        try:
            result = screening.evaluate(
                current.document, data.validated_data["present"], data.validated_data.get("facts")
            )
        except screening.AnswerError as exc:
            raise ValidationError({"present": [str(exc)]}) from None
        return Response(
            s.EvaluationSerializer(
                {
                    "instrument": current.instrument.key,
                    "instrument_version": current.number,
                    "verification": current.verification,
                    "positive": result.positive,
                    "outcome": result.outcome,
                    "dimensions": result.dimensions,
                    "facts": result.facts,
                    "explanation": result.explanation,
                    "notes": result.notes,
                }
            ).data
        )


def _not_found() -> Exception:
    from django.http import Http404

    return Http404("not found")


class MappingProfileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your organisations' mapping profiles (data managers)."""

    serializer_class = s.MappingProfileSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def _orgs(self) -> list[Organisation]:
        return access.organisations_where(self.request.user, access.Action.MANAGE_STANDARD)

    def get_queryset(self) -> Any:
        return selectors.mapping_profiles([o.pk for o in self._orgs()])

    def _save(self, request: Request, profile: MappingProfile | None) -> MappingProfile:
        data = s.MappingProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = next(
            (o for o in self._orgs() if o.pk == data.validated_data["organisation"]), None
        )
        if organisation is None:
            raise PermissionDenied("You do not manage mapping profiles for this organisation.")
        try:
            return services.save_profile(
                organisation,
                data.validated_data["name"],
                data.validated_data["columns"],
                request.user,  # type: ignore[arg-type]
                description=data.validated_data.get("description", ""),
                profile=profile,
            )
        except DjangoValidationError as exc:
            detail: Any = (
                exc.message_dict if hasattr(exc, "error_dict") else {"columns": exc.messages}
            )
            raise ValidationError(detail) from None

    @extend_schema(
        request=s.MappingProfileInputSerializer, responses={201: s.MappingProfileSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        profile = self._save(request, None)
        return Response(s.MappingProfileSerializer(profile).data, status=201)

    @extend_schema(request=s.MappingProfileInputSerializer, responses=s.MappingProfileSerializer)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        profile = self._save(request, self.get_object())
        return Response(s.MappingProfileSerializer(profile).data)

    def perform_destroy(self, instance: MappingProfile) -> None:
        services.delete_profile(instance, self.request.user)  # type: ignore[arg-type]

    @extend_schema(request=s.ApplyInputSerializer, responses=s.ApplyOutputSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str) -> Response:
        """Map rows with this profile; nothing is saved. Unmapped values are reported."""
        profile = self.get_object()
        data = s.ApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = map_rows(
            services.profile_rules(profile),
            services.field_infos(),
            services.vocabulary(),
            data.validated_data["rows"],
        )
        return Response(s.ApplyOutputSerializer(result).data)
