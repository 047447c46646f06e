"""Deliver the signed referral messages waiting for other Palermo installations (run it from
cron, e.g. every few minutes). A message a peer does not take waits for the next run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from palermo.referrals import federation
from palermo.referrals.models import Message


class Command(BaseCommand):
    help = "Send queued cross-border referral messages to their installations."

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = Message.objects.filter(
            direction=Message.Direction.OUT, delivered_at__isnull=True
        ).select_related("peer")
        sent = sum(federation.deliver(message) for message in waiting.order_by("created_at"))
        self.stdout.write(f"{sent} of {waiting.count() + sent} message(s) delivered.")
