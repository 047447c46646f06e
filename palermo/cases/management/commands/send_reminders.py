from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils import translation

from palermo.cases import workflow


class Command(BaseCommand):
    help = (
        "Mail every case worker and supervisor the tasks that are overdue for them (child "
        "safeguards, requests waiting for a decision). Run it daily, e.g. from cron. Mails name "
        "case references only, never a person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be mailed; send nothing."
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="Address of the site, to put links in the mails (e.g. https://palermo.example).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = 0
        for user, tasks in workflow.overdue_by_worker().items():
            self.stdout.write(f"{user.get_username()}: {len(tasks)} overdue task(s)")
            if options["dry_run"]:
                continue
            if not user.email:
                self.stderr.write(f"{user.get_username()} has no e-mail address; not mailed.")
                continue
            with translation.override(settings.LANGUAGE_CODE):
                lines = [
                    f"- {t.case.reference}: {t.label}"
                    + (f" (due {t.due.isoformat()})" if t.due else "")
                    for t in tasks
                ]
            link = options["base_url"].rstrip("/") + reverse("cases:tasks")
            send_mail(
                subject=f"Palermo: {len(tasks)} overdue task(s)",
                message="\n".join(
                    ["These tasks are overdue:", "", *lines, "", f"Your task list: {link}"]
                ),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
        self.stdout.write(f"Done: {sent} mail(s) sent.")
