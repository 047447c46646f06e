"""/api/v1/referrals/inbox/: where another Palermo installation delivers signed referral
messages (docs/referrals.md). No account signs in here: the message's Ed25519 signature, by a
known peer's key, is its authentication."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from palermo.referrals import federation


class EnvelopeSerializer(serializers.Serializer):
    message = serializers.DictField(help_text="The message (format palermo-referral/1).")
    signature = serializers.CharField(help_text="Ed25519 signature of the canonical message.")


class InboxView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=EnvelopeSerializer,
        responses={
            202: OpenApiResponse(description="Taken."),
            403: OpenApiResponse(description="Unknown sender or bad signature."),
            400: OpenApiResponse(description="Any other refusal, with its reason."),
        },
    )
    def post(self, request: Request) -> Response:
        """Deliver a signed referral or status message from another installation."""
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = federation.MAX_BYTES + 1
        if size > federation.MAX_BYTES:
            federation.keep_refusal(None, "message too large")
            return Response(
                {"error": {"status": 413, "code": "too_large", "message": "message too large"}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            try:
                body = request.data
            except ParseError:
                body = None
            kept = federation.receive(body if isinstance(body, dict) else None)
        except federation.MessageRefusedError as refused:
            code = (
                status.HTTP_403_FORBIDDEN
                if refused.reason in ("unknown sender", "bad signature")
                else status.HTTP_400_BAD_REQUEST
            )
            return Response(
                {"error": {"status": code, "code": "refused", "message": refused.reason}},
                status=code,
            )
        return Response({"id": kept.message_id, "outcome": kept.outcome}, status=202)
