"""Deliver the signed referral messages waiting for other Palermo installations (run it from
cron, e.g. every few minutes). A message a peer could not take (network, HTTP 5xx) waits
for the next run; one it refused (HTTP 4xx) is kept as refused and never sent again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from palermo.referrals import federation


class Command(BaseCommand):
    help = "Send queued cross-border referral messages to their installations."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = list(federation.waiting().select_related("peer").order_by("created_at"))
        sent = federation.deliver_all(queued)
        self.stdout.write(f"{sent} of {len(queued)} message(s) delivered.")
