import json
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.ingest.readers import ReadError, open_tables
from palermo.ingest.suggest import sample_values, suggest

SAMPLE_ROWS = 500
SAMPLE_VALUES = 50


class Command(BaseCommand):
    help = (
        "Read a file's columns and first rows and print a draft mapping profile (JSON, for "
        "save_profile): the standard field each column probably holds, found by key or by the "
        "standard's labels in any language, and under _todo what still needs a decision."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", default="", help="Name of the profile.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = open_tables(path)[0]
            rows = list(islice(table.rows, SAMPLE_ROWS))
        except (ReadError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        samples = sample_values(table.columns, rows, SAMPLE_VALUES)
        columns, unmapped, unknown_values = [], [], {}
        for found in suggest(table.columns, samples):
            if found.field is None:
                unmapped.append(found.column)
                continue
            entry: dict[str, Any] = {"column": found.column, "field": found.field}
            unknown = [value for value, code in found.values.items() if code is None]
            if unknown:
                unknown_values[found.column] = unknown
            if len(found.fields) > 1:
                entry["_other_fields"] = found.fields[1:]
            columns.append(entry)
        draft = {
            "name": options["name"] or path.stem,
            "description": f"Drafted from {path.name}.",
            "columns": columns,
            "_todo": {
                "columns_without_a_field": unmapped,
                "values_without_a_code (add them under 'values')": unknown_values,
            },
        }
        self.stdout.write(json.dumps(draft, indent=2, ensure_ascii=False))
