import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from palermo.activities import iati, selectors, tables
from palermo.activities.models import Activity


class Command(BaseCommand):
    help = (
        "Export the public activities (filtered like the pages: --country, --organisation...) "
        "as IATI 2.03 XML or as an HXL-tagged 3W/4W table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["iati", "hxl"], default="iati")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")
        for name in ("country", "organisation", "theme", "status"):
            parser.add_argument(f"--{name}", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        filters = selectors.Filters.from_query(
            {k: options[k] for k in ("country", "organisation", "theme", "status")}
        )
        found = selectors.with_details(
            selectors.search(Activity.objects.filter(is_public=True), filters).order_by(
                "identifier"
            )
        )
        if options["format"] == "iati":
            raw = io.BytesIO()
            iati.write(found.iterator(chunk_size=500), raw)
            data = raw.getvalue()
        else:
            text = io.StringIO()
            tables.write(found.iterator(chunk_size=500), text)
            data = text.getvalue().encode()
        if options["output"]:
            options["output"].write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
