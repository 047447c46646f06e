from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from palermo.accounts.models import Organisation
from palermo.activities.demo import load_demo_activities
from palermo.cases.demo import generate_cases, generate_workflow
from palermo.ingest.demo import load_ready_made_profiles
from palermo.knowledge.demo import load_demo_case_law, load_demo_knowledge
from palermo.monitoring.demo import load_demo_figures, load_demo_monitoring
from palermo.referrals.demo import load_demo_services
from palermo.standard.demo import load_demo_profile
from palermo.stats.demo import publish_demo_release

# GMA, whose data manager approves the demo release, has enough cases for its dashboard.
DEMO_CASES = {"GMA": 400, "CRF": 25, "SHN": 30, "CSM": 30}


class Command(BaseCommand):
    help = "Load generated demo organisations and users (idempotent). Demo sites only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Load even when PALERMO_DEMO is not set."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PALERMO_DEMO and not options["force"]:
            raise CommandError(
                "Refusing to load demo users with a published password into a site that is not "
                "a demo. Set PALERMO_DEMO=1 (as `make run` does) or pass --force."
            )
        logins = load_demo_accounts()
        if load_demo_profile() is not None:
            self.stdout.write("Demo mapping profile: GMA, “Shelter register (demo)”.")
        for name in load_ready_made_profiles("GMA"):
            self.stdout.write(f"Ready-made mapping profile for GMA: “{name}”.")
        for acronym, count in DEMO_CASES.items():
            organisation = Organisation.objects.filter(acronym=acronym).first()
            if organisation is not None and not organisation.cases.exists():
                generate_cases(organisation, count)
                requests = generate_workflow(organisation)
                self.stdout.write(
                    f"Generated {count} demo cases for {acronym}, {requests} waiting for approval."
                )
        release = publish_demo_release()
        if release is not None:
            self.stdout.write(
                f"Demo release of pooled statistics: {release.get_state_display()} "
                f"({release.records} records), /statistics/."
            )
        created = load_demo_activities()
        if created:
            self.stdout.write(f"Generated {created} demo activities, /activities/.")
        resources = load_demo_knowledge()
        if resources:
            self.stdout.write(f"Loaded {resources} resources into the knowledge base, /knowledge/.")
        services = load_demo_services()
        if services:
            self.stdout.write(
                f"Added {services} demo services to the directory, /referrals/services/."
            )
        cases = load_demo_case_law()
        if cases:
            self.stdout.write(f"Imported {cases} court cases from UNODC SHERLOC, /knowledge/.")
        figures = load_demo_figures()
        if figures:
            self.stdout.write(f"Imported {figures} official figures (UNODC GLOTIP), /monitoring/.")
        plan = load_demo_monitoring()
        if plan is not None:
            self.stdout.write(f"Demo checklist and action plan for {plan.country}, /monitoring/.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD})"))
        for login in logins:
            self.stdout.write(f"  {login.username:<18} {login.organisation:<5} {login.role}")
        self.stdout.write("")
