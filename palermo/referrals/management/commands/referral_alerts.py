"""Mail both organisations about referrals whose answer is late (run it from cron, e.g. every
hour). Each late referral is announced once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from palermo.referrals.services import send_alerts


class Command(BaseCommand):
    help = "Alert organisations about referrals not answered by their deadline."

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_alerts()
        self.stdout.write(f"{count} late referral(s) announced.")
