"""/api/v1/cases/: the same rule as the pages (``cases.access``); identifiers only where it
allows them, and every response that carries them is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from palermo.accounts import access as accounts_access
from palermo.cases import records, selectors, services, subject_rights, workflow
from palermo.cases import safeguards as safeguarding
from palermo.cases.access import access_to_visible, visible_cases
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
                and access_to_visible(user, c).identifiers
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
        case, rights = self._visible(pk)
        if not rights.change:
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

    # The work around a case: the same services and rules as the pages. ---------------------

    def _visible(self, pk: str) -> tuple[Case, Any]:
        case = (
            visible_cases(self.request.user)
            .select_related("person", "organisation")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            raise Http404("no such case")
        return case, access_to_visible(self.request.user, case)

    def _act(
        self, pk: str, serializer: Any, right: str, action: Any, status_code: int = 200
    ) -> Response:
        """Check the right, validate the body, run the service; its validation errors become
        400 with field messages, a stale row version 409."""
        case, rights = self._visible(pk)
        if not getattr(rights, right):
            raise PermissionDenied("Your role does not allow this on this case.")
        data = serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        try:
            result = action(case, self.request.user, dict(data.validated_data))
        except services.ConflictError:
            return Response(
                {
                    "error": {
                        "status": 409,
                        "code": "conflict",
                        "message": "The case changed since you read it; nothing was saved.",
                        "fields": {},
                    }
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {"non_field_errors": exc.messages}
            ) from None
        return Response(result, status=status_code)

    @staticmethod
    def _worker(username: str) -> Any:
        from palermo.accounts.models import User

        worker = User.objects.filter(username=username, is_active=True).first()
        if worker is None:  # the same words as for someone who may not take the case
            raise ValidationError(
                {"worker": ["This person cannot be given cases of this organisation."]}
            )
        return worker

    @extend_schema(request=s.AssignSerializer, responses={200: s.CaseSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            s.AssignSerializer,
            "supervise",
            lambda c, u, d: (
                s.CaseSerializer(
                    workflow.assign(c, u, self._worker(d["worker"]), d["row_version"]),
                    context={"identifiers_for": set()},
                ).data
            ),
        )

    @extend_schema(request=s.BulkAssignSerializer, responses={200: s.BulkAssignResultSerializer})
    @action(detail=False, methods=["post"])
    def reassign(self, request: Request) -> Response:
        if not accounts_access.can_anywhere(request.user, accounts_access.Action.SUPERVISE_CASES):
            raise PermissionDenied("Only supervisors reassign cases.")
        data = s.BulkAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        worker = self._worker(data.validated_data["worker"])
        try:
            result = workflow.reassign_many(data.validated_data["cases"], request.user, worker)  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            raise ValidationError({"cases": exc.messages}) from None
        return Response({"reassigned": result.reassigned, "refused": result.refused})

    @extend_schema(request=s.ApprovalRequestSerializer, responses={201: s.ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def approvals(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            s.ApprovalRequestSerializer,
            "change",
            lambda c, u, d: (
                s.ApprovalSerializer(workflow.request_approval(c, u, d["kind"], d["content"])).data
            ),
            status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.DecisionSerializer, responses={200: s.ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        def run(case: Case, user: Any, data: dict[str, Any]) -> Any:
            approval = case.approvals.filter(pk=data["approval"]).first()
            if approval is None:
                raise DjangoValidationError({"approval": "No such request on this case."})
            decided = workflow.decide(approval, user, data["approve"], data.get("comment", ""))
            return s.ApprovalSerializer(decided).data

        return self._act(pk, s.DecisionSerializer, "supervise", run)

    @extend_schema(request=s.FlagSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def flags(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            s.FlagSerializer,
            "change",
            lambda c, u, d: {"id": workflow.raise_flag(c, u, d["reason"], d.get("details", "")).pk},
            status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.SafeguardsSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def safeguards(self, request: Request, pk: str) -> Response:
        def run(case: Case, user: Any, data: dict[str, Any]) -> Any:
            version = data.pop("row_version", None)
            record = safeguarding.update_safeguards(case, user, data, version)
            return {
                "overdue": safeguarding.overdue_steps(record),
                "row_version": record.row_version,
            }

        return self._act(pk, s.SafeguardsSerializer, "change", run)

    @extend_schema(request=s.MovementSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def movements(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            s.MovementSerializer,
            "change",
            lambda c, u, d: {"id": records.add_movement(c, u, **d).pk},
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer}, responses={201: None}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: str) -> Response:
        """Upload a file (multipart): checked, encrypted and audited as on the page."""

        def run(case: Case, user: Any, data: dict[str, Any]) -> Any:
            upload = data["file"]
            attachment = records.add_attachment(
                case,
                user,
                data["kind"],
                upload.name,
                upload.content_type or "",
                upload.size,
                upload,
            )
            return {"id": attachment.pk, "size": attachment.size}

        return self._act(pk, s.AttachmentUploadSerializer, "change", run, status.HTTP_201_CREATED)

    @extend_schema(request=s.PerpetratorSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def perpetrators(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            s.PerpetratorSerializer,
            "change",
            lambda c, u, d: {"id": records.add_perpetrator(c, u, d).pk},
            status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def record(self, request: Request, pk: str) -> Response:
        """A copy of everything kept about the case's person (data subject rights)."""
        case, _rights = self._visible(pk)
        try:  # the service refuses roles that do not export (403)
            return Response(subject_rights.person_record(case, request.user))  # type: ignore[arg-type]
        except DjangoValidationError as exc:
            raise ValidationError({"non_field_errors": exc.messages}) from None

    @extend_schema(request=s.EraseSerializer, responses={200: s.EraseResultSerializer})
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str) -> Response:
        return self._act(
            pk,
            s.EraseSerializer,
            "erase",
            lambda c, u, d: subject_rights.erase_person(c, u, d["reason"]),
        )

    @extend_schema(responses={200: s.TaskSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def tasks(self, request: Request) -> Response:
        """What waits for you, overdue first."""
        found = workflow.tasks_for(request.user)  # type: ignore[arg-type]
        return Response(s.TaskSerializer(found, many=True).data)
