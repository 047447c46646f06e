from typing import Any

from django.core.management.base import BaseCommand, CommandError

from palermo.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link, if any."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at event #{report.broken_at}: {report.reason} "
                f"({report.checked} events verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events."))
