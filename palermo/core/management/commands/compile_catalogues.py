"""Compile the gettext catalogues with Babel (pure Python: no GNU gettext needed on the machine).

Fails when a catalogue has a syntax error or a translation whose placeholders differ from the
English, so `make test` catches a broken translation before a user sees it.
"""

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po to .mo, checking placeholders."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                locale = po_path.parent.parent.name
                with po_path.open("rb") as handle:
                    try:
                        catalog = read_po(handle, locale=locale, abort_invalid=True)
                    except Exception as exc:  # babel raises several types for a bad file
                        problems.append(f"{po_path}: {exc}")
                        continue
                for message, errors in catalog.check():
                    for error in errors:
                        problems.append(f"{po_path}:{message.lineno}: {message.id!r}: {error}")
                with po_path.with_suffix(".mo").open("wb") as handle:
                    write_mo(handle, catalog, use_fuzzy=False)
                compiled += 1
        if problems:
            raise CommandError("Translation catalogues have errors:\n" + "\n".join(problems))
        self.stdout.write(f"Compiled {compiled} catalogues.")
