import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts import access
from palermo.ingest.cli import acting
from palermo.ingest.models import ImportBatch
from palermo.ingest.report import write_report
from palermo.ingest.services import run_import, why
from palermo.standard.models import MappingProfile


class Command(BaseCommand):
    help = (
        "Import case records from a CSV, XLSX, HXL-tagged CSV or JSON file through one of the "
        "organisation's mapping profiles. Checks every row first; by default nothing is imported "
        "unless every row is valid (--valid-rows imports the valid ones and reports the rest). "
        "Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="Name of the mapping profile.")
        parser.add_argument("--org", required=True, help="Acronym of the organisation.")
        parser.add_argument(
            "--as", dest="username", required=True, help="A data manager of the organisation."
        )
        parser.add_argument(
            "--id-column",
            default=None,
            help="The column holding the source's own identifier (default: the profile's).",
        )
        parser.add_argument(
            "--valid-rows",
            action="store_true",
            help="Import the valid rows and report the others (default: all or nothing).",
        )
        parser.add_argument(
            "--statistics-consent",
            action="store_true",
            help="The source recorded each person's consent to pooled statistics: the new cases "
            "get that consent and enter pooled statistics.",
        )
        parser.add_argument(
            "--show", type=int, default=20, help="How many problems to print (default 20)."
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="Write the validation report to this .xlsx file (bad cells marked red).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, user = acting(
            options["org"],
            options["username"],
            access.Action.IMPORT_EXPORT,
            "%(user)s may not import into %(org)s.",
        )
        profile = MappingProfile.objects.filter(
            organisation=organisation, name=options["mapping"]
        ).first()
        if profile is None:
            raise CommandError(
                f"{organisation.acronym} has no mapping profile {options['mapping']!r}."
            )
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.monotonic()

        def progress(batch: ImportBatch) -> None:
            line = progress_line(batch, time.monotonic() - started)
            self.stderr.write(f"\r{line}   ", ending="")
            self.stderr.flush()

        mode = (
            ImportBatch.Mode.VALID_ROWS
            if options["valid_rows"]
            else ImportBatch.Mode.ALL_OR_NOTHING
        )
        batch = run_import(
            path,
            organisation,
            profile,
            user,
            mode,
            options["id_column"],
            progress=progress,
            statistics_consent=options["statistics_consent"],
        )
        self.stderr.write("")
        if options["report"] and batch.rows_read:
            write_report(batch, path, options["report"])
            self.stdout.write(f"Report written to {options['report']}.")
        for problem in batch.problems[: options["show"]]:
            self.stdout.write(
                f"row {problem['row']}, {problem['column'] or '-'}: "
                f"{problem['value']!r}: {why(problem['reason'])}"
            )
        if batch.problems_total > options["show"]:
            self.stdout.write(f"... {batch.problems_total - options['show']:,} more problem(s)")
        summary = (
            f"{batch.get_status_display()}: {batch.rows_read:,} rows read, "
            f"{batch.rows_rejected:,} rejected, {batch.created:,} created, "
            f"{batch.updated:,} updated, {batch.unchanged:,} unchanged "
            f"({time.monotonic() - started:.1f} s). Import {batch.pk}."
        )
        if batch.status in (ImportBatch.Status.FAILED, ImportBatch.Status.REFUSED):
            raise CommandError(f"{summary} {batch.error}".strip())
        self.stdout.write(summary)


def progress_line(batch: ImportBatch, elapsed: float, width: int = 30) -> str:
    """``checking [#######-------] 45% 450,000/1,000,000 rows, 12 rejected, 8,000 rows/s,
    about 1 min left``; the bar and the time left only when the file's size is known."""
    if batch.status == ImportBatch.Status.IMPORTING:
        return f"writing {batch.rows_read - batch.rows_rejected:,} rows in one transaction..."
    done = batch.rows_read
    rate = done / elapsed if elapsed > 0 else 0.0
    expected = batch.rows_expected
    parts = ["checking"]
    if expected:
        share = min(done / expected, 1.0)
        filled = round(share * width)
        parts.append(f"[{'#' * filled}{'-' * (width - filled)}] {share:4.0%}")
        parts.append(f"{done:,}/{expected:,} rows,")
    else:
        parts.append(f"{done:,} rows,")
    parts.append(f"{batch.rows_rejected:,} rejected, {rate:,.0f} rows/s")
    if expected and rate and done < expected:
        left = max(expected - done, 0) / rate
        parts[-1] += f", about {left / 60:.0f} min left" if left >= 60 else ", under a minute left"
    return " ".join(parts)
