from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts.models import Organisation
from palermo.knowledge.sherloc import CaseRow, SherlocError, import_file


class Command(BaseCommand):
    help = (
        "Import UNODC SHERLOC case law (the CSV layout of HumanTrafficking_CLDB.csv) as "
        "published case law of an organisation, the hosting organisation by default. Importing "
        "the same file again changes nothing; a file that cannot be read imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--org", help="Acronym of the contributing organisation (default: the host)."
        )
        parser.add_argument(
            "--show", type=int, default=20, help="How many refused rows to print (default 20)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["org"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        verbose = options["verbosity"] >= 2

        def progress(row: CaseRow, outcome: str) -> None:
            if verbose:
                self.stdout.write(f"Row {row.number} ({row.key or 'no key'}): {outcome}")

        try:
            report = import_file(path, organisation=organisation, progress=progress)
        except SherlocError as error:
            raise CommandError(f"{error} Nothing was imported.") from error
        self.stdout.write(
            f"{report.read} rows read: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.refused)} refused "
            f"(as case law of {organisation.acronym})."
        )
        show = max(options["show"], 0)
        for refusal in report.refused[:show]:
            self.stdout.write(f"Row {refusal.row} ({refusal.key or 'no key'}): {refusal.reason}")
        if len(report.refused) > show:
            self.stdout.write(f"... and {len(report.refused) - show} more refused rows.")
        if report.moved:
            self.stdout.write(
                f"{sum(report.moved.values())} values were coded from another column than the "
                "one they were typed in (noted in the case's commentary):"
            )
            for (column, wording, into), count in sorted(report.moved.items()):
                self.stdout.write(f"    {count:4d}  {wording[:80]!r}: {column} -> {into}")
        if report.implied:
            self.stdout.write(
                f"{sum(report.implied.values())} values were coded as implied by another "
                "column (noted in the case's commentary):"
            )
            for (column, wording, into), count in sorted(report.implied.items()):
                self.stdout.write(f"    {count:4d}  {wording[:80]!r} ({column}) implies {into}")
        for duplicate in report.duplicates:
            self.stdout.write(
                f"Row {duplicate.row} ({duplicate.key}) gives the same {duplicate.column} as "
                f"{duplicate.first_key}: {duplicate.value[:100]}"
            )
        if report.unmapped:
            self.stdout.write(
                f"{sum(report.unmapped.values())} values in {len(report.unmapped)} wordings "
                "matched no code (kept in the case where a field allows it):"
            )
            for column, wordings in report.unmapped_by_column().items():
                self.stdout.write(f"  {column}:")
                for wording, count in wordings:
                    self.stdout.write(f"    {count:4d}  {wording[:100]!r}")

    def _organisation(self, acronym: str | None) -> Organisation:
        if acronym:
            found = Organisation.objects.filter(acronym=acronym).first()
            if found is None:
                raise CommandError(f"No organisation {acronym}.")
            return found
        hosts = list(Organisation.objects.filter(is_host=True)[:2])
        if not hosts:
            raise CommandError("No hosting organisation: name one with --org.")
        if len(hosts) > 1:
            raise CommandError("More than one hosting organisation: name one with --org.")
        return hosts[0]
