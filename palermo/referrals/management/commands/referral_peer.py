"""Another Palermo installation to exchange referrals with, and this installation's own
public key to give it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palermo.audit.services import record
from palermo.referrals import federation
from palermo.referrals.models import Peer


class Command(BaseCommand):
    help = "Show this installation's public key, or add or change a peer installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--installation", help="The peer's PALERMO_INSTALLATION_ID.")
        parser.add_argument("--name", help="A name for the peer.")
        parser.add_argument("--url", default="", help="The peer's address (https://...).")
        parser.add_argument("--key", help="The peer's public key (base64, from its --show).")
        parser.add_argument("--deactivate", action="store_true")
        parser.add_argument("--show", action="store_true", help="Print this installation's key.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["show"] or not options["installation"]:
            self.stdout.write(f"installation: {settings.PALERMO_INSTALLATION_ID}")
            self.stdout.write(f"public key:   {federation.public_key()}")
            return
        url = options["url"] or ""
        if url and not url.startswith("https://"):
            # Messages are signed, not encrypted: the person's data travels only over HTTPS.
            raise CommandError("--url must be an https:// address.")
        key = options["key"] or ""
        try:
            if len(base64.b64decode(key, validate=True)) != 32:
                raise ValueError
        except (binascii.Error, ValueError):
            raise CommandError(
                "--key must be an Ed25519 public key in base64 (44 characters)."
            ) from None
        peer, created = Peer.objects.update_or_create(
            installation_id=options["installation"],
            defaults={
                "name": options["name"] or options["installation"],
                "url": options["url"],
                "public_key": key,
                "is_active": not options["deactivate"],
            },
        )
        record(
            action="referrals.peer_saved",
            target=peer,
            detail={"installation": peer.installation_id, "active": peer.is_active},
        )
        self.stdout.write(f"{'Added' if created else 'Changed'} peer {peer.installation_id}.")
