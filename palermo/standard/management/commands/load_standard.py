from typing import Any

from django.core.management.base import BaseCommand, CommandError

from palermo.standard.services import load_standard
from palermo.standard.sources import SourceError


class Command(BaseCommand):
    help = (
        "Load (or refresh) the data standard from its sources: HTCDS 2.0, the CTDC analytic "
        "variables, ISO countries and languages, the ILO/EC screening indicators. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_standard()
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        changes = ", ".join(f"{n} {what}" for what, n in sorted(result.changes.items()) if n)
        if result.created_version:
            self.stdout.write(f"Standard version {result.version} created: {changes}.")
        else:
            self.stdout.write(
                f"Standard is up to date (version {result.version}); nothing changed."
            )
        instruments = ", ".join(f"{n} {what}" for what, n in sorted(result.instruments.items()))
        self.stdout.write(f"Screening instruments: {instruments}.")
