from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.monitoring.glotip import GlotipError, import_file


class Command(BaseCommand):
    help = (
        "Import the UNODC Global Report on Trafficking in Persons data export (XLSX, sheet "
        "data_glotip_1) as official figures by country. '<5' stays suppressed; importing the same "
        "file again changes nothing; a file with an unreadable value imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            report = import_file(path)
        except GlotipError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError("Nothing was imported.") from error
        self.stdout.write(
            f"{report.rows} rows read for {report.countries} countries: {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged, {report.removed} removed; "
            f"{report.suppressed} suppressed (<5), {report.repeated_keys} keys given twice."
        )
        if report.not_countries:
            skipped = ", ".join(f"{code} ({n})" for code, n in report.not_countries.most_common())
            self.stdout.write(f"Not countries, left out: {skipped}.")
