from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts.models import Organisation, User
from palermo.ingest.exports import FORMATS, LAYOUTS, ExportRefusedError, export_cases


class Command(BaseCommand):
    help = (
        "Export an organisation's cases (the ones the user may see) as CSV, XLSX or JSON, "
        "coded with the standard's field keys; identifiers only with --identifiers and a role "
        "that reads them. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Acronym of the organisation.")
        parser.add_argument("--as", dest="username", required=True, help="Act as this user.")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument(
            "--layout",
            choices=LAYOUTS,
            default="standard",
            help="standard: the standard's field keys; ctdc: CTDC's analytic columns.",
        )
        parser.add_argument("--out", type=Path, required=True, help="The file to write.")
        parser.add_argument("--identifiers", action="store_true", help="Include identifiers.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(acronym=options["org"]).first()
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if organisation is None or user is None:
            raise CommandError("No such organisation or user.")
        path: Path = options["out"]
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as out:
                count = export_cases(
                    user,
                    organisation,
                    options["format"],
                    out,
                    options["identifiers"],
                    options["layout"],
                )
        except ExportRefusedError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Refused: {exc}.") from exc
        partial.replace(path)  # never a half-written file under the real name
        self.stdout.write(f"{count:,} cases written to {path}.")
