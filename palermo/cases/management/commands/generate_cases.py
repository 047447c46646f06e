from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts.models import Organisation
from palermo.cases.demo import generate_cases


class Command(BaseCommand):
    help = "Generate fake cases for an organisation (demo sites and benchmarks only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="acronym")
        parser.add_argument("--count", type=int, default=100)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--force", action="store_true", help="Even if PALERMO_DEMO is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PALERMO_DEMO and not options["force"]:
            raise CommandError(
                "Refusing to add generated cases to a site that is not a demo. Set "
                "PALERMO_DEMO=1 or pass --force."
            )
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        organisation = Organisation.objects.filter(acronym=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the acronym {options['organisation']!r}.")
        try:
            result = generate_cases(organisation, options["count"], seed=options["seed"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Generated {result.cases} cases for {result.organisation}.")
