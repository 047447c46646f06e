from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts import access
from palermo.activities.models import ActivityImport
from palermo.activities.services import new_import, run_import
from palermo.ingest.cli import acting


class Command(BaseCommand):
    help = (
        "Import activities from an IATI activity file (XML, 2.0x) or a 3W/4W table with HXL "
        "hashtags (CSV or XLSX) for an organisation. Importing the same file again changes "
        "nothing; a file that cannot be read imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--org", required=True, help="Acronym of the organisation.")
        parser.add_argument(
            "--as", dest="username", required=True, help="A data manager or coordinator of it."
        )
        parser.add_argument(
            "--show", type=int, default=20, help="How many problems to print (default 20)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, user = acting(
            options["org"],
            options["username"],
            access.Action.MANAGE_ACTIVITIES,
            "%(user)s may not import activities for %(org)s.",
        )
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        with path.open("rb") as source:
            job = run_import(new_import(user, organisation, source, path.name))
        for problem in job.problems[: options["show"]]:
            self.stdout.write(f"{problem['where']}: {problem['message']}")
        if len(job.problems) > options["show"]:
            self.stdout.write(f"... and {len(job.problems) - options['show']} more problems.")
        if job.state == ActivityImport.State.FAILED:
            raise CommandError(f"{job.error} Nothing was imported.")
        self.stdout.write(
            f"{job.read} activities read: {job.created} created, {job.updated} updated, "
            f"{job.unchanged} unchanged, {job.rejected} refused."
        )
