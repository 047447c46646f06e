import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts import access
from palermo.ingest.cli import acting
from palermo.standard.models import MappingProfile
from palermo.standard.services import save_profile


class Command(BaseCommand):
    help = (
        "Create or replace an organisation's mapping profile from a JSON file "
        '({"name", "description", "columns": [{"column", "field", "separator", "values"}]}). '
        "Ready-made profiles are in palermo/ingest/profiles/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="Acronym of the organisation.")
        parser.add_argument("--as", dest="username", required=True, help="A data manager.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, user = acting(
            options["org"],
            options["username"],
            access.Action.MANAGE_STANDARD,
            "%(user)s may not keep %(org)s's profiles.",
        )
        try:
            document = json.loads(options["file"].read_text(encoding="utf-8"))
            name, columns = document["name"], document["columns"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"Not a profile file: {exc}") from exc
        existing = MappingProfile.objects.filter(organisation=organisation, name=name).first()
        try:
            profile = save_profile(
                organisation,
                name,
                columns,
                user,
                document.get("description", ""),
                existing,
                id_column=str(document.get("id_column", "")),
                skip_rows=int(document.get("skip_rows", 0)),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Profile {profile.name!r} saved with {profile.columns.count()} columns.")
