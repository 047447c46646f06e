import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from palermo.accounts.models import User
from palermo.cases import subject_rights
from palermo.cases.access import visible_cases


class Command(BaseCommand):
    help = (
        "Print, as JSON, everything kept about the person of one case (a data subject's "
        "request), acting as a named user: the same visibility rule and audit as the pages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The case reference, e.g. GMA-2026-00012.")
        parser.add_argument("--as", dest="username", required=True, help="Act as this user.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("No active user by that name.")
        case = (
            visible_cases(user)
            .select_related("person", "organisation")
            .filter(reference=options["reference"])
            .first()
        )
        if case is None:  # the same answer whether it exists or is not visible
            raise CommandError("No such case for this user.")
        try:
            record = subject_rights.person_record(case, user)  # checks the user's right itself
        except PermissionDenied as exc:
            raise CommandError("This user's role does not export a person's record.") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(json.dumps(record, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
