from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from palermo.cases.models import encrypted_columns
from palermo.core import crypto
from palermo.ingest import storage

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored identifier, narrative and kept import file under the first key of "
        "PALERMO_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, run this, "
        "then remove the old keys. Safe to run while the site is up, and to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only count values not yet under the current key; exit 1 if there are any.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stale_total = rotated_total = 0
        try:
            for model, columns in encrypted_columns().items():
                stale, rotated = self._model(model, columns, options["check"])
                stale_total += stale
                rotated_total += rotated
                self.stdout.write(
                    f"{model._meta.label}: {stale} value(s) under an old key"
                    + ("" if options["check"] else f", {rotated} re-encrypted")
                )
            stale, rotated = storage.rotate_files(options["check"])
            stale_total += stale
            rotated_total += rotated
            self.stdout.write(
                f"Files kept for imports: {stale} under an old key"
                + ("" if options["check"] else f", {rotated} re-encrypted")
            )
        except crypto.DecryptionError as exc:
            raise CommandError(str(exc)) from exc
        if options["check"]:
            if stale_total:
                raise CommandError(f"{stale_total} value(s) still under an old key.")
            self.stdout.write("Every value is under the current key.")
        else:
            self.stdout.write(f"Done: {rotated_total} value(s) re-encrypted.")

    def _model(self, model: Any, columns: list[str], check_only: bool) -> tuple[int, int]:
        stale = rotated = 0
        last = None
        while True:
            with transaction.atomic():
                rows = model.objects.order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                size = getattr(model, "ROTATE_BATCH", BATCH)
                batch = list(rows.select_for_update().values("pk", *columns)[:size])
                if not batch:
                    return stale, rotated
                for row in batch:
                    changes = {}
                    for column in columns:
                        token = row[column]
                        if token and not crypto.is_current(token):
                            stale += 1
                            if not check_only:
                                changes[column] = crypto.rotate(token)
                        elif token:
                            crypto.decrypt_blob(token)  # a value no key opens fails loudly
                    if changes:
                        model.objects.filter(pk=row["pk"]).update(**changes)
                        rotated += len(changes)
                last = batch[-1]["pk"]
