from typing import Any

from django.core.management.base import BaseCommand

from palermo.geo.services import load_reference_data


class Command(BaseCommand):
    help = "Load (or refresh) ISO 3166-1 countries and UN M49 regions in the six UN languages."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_reference_data()
        self.stdout.write(
            f"Reference data: {result.countries} countries, {result.regions} regions "
            f"({result.created} new)."
        )
