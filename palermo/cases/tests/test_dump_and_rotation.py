"""Nothing readable in a database dump; key rotation keeps every record readable."""

from __future__ import annotations

import os
import shutil
import subprocess
from io import BytesIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from palermo.cases import records, safeguards, services
from palermo.cases.models import Attachment, CaseNote, ChildSafeguards, Person
from palermo.cases.tests.helpers import PERSON, make_case

SECRETS = [
    PERSON["given_name"],
    PERSON["family_name"],
    "A1234567",
    "Example Street",
    "Shelter intake desk",
    "confided in the nurse",
    "Guardian Testguardian",
    "Boss Testperpetrator",
    "scan-of-passport",
    "PDF-CONTENT-MARKER",
]
FILE = b"%PDF-1.4 PDF-CONTENT-MARKER"


def _dump() -> bytes:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump()).encode("utf-8")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is needed to test a PostgreSQL dump")
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return subprocess.run(  # noqa: S603 - fixed arguments from the test settings
        [
            pg_dump,
            "--data-only",
            "-h",
            db.get("HOST") or "127.0.0.1",
            "-p",
            str(db.get("PORT") or 5432),
            "-U",
            db.get("USER") or "postgres",
            db["NAME"],
        ],
        check=True,
        capture_output=True,
        env=env,
    ).stdout


@pytest.fixture
def stored(transactional_db, settings):  # type: ignore[no-untyped-def]
    """A committed case (a dump only sees committed data)."""
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.geo.services import load_reference_data
    from palermo.standard.services import load_standard

    load_reference_data()
    load_standard()
    worker = MembershipFactory(
        organisation=OrganisationFactory(acronym="DMP"), role=Role.CASE_WORKER
    ).user
    case = make_case(worker.memberships.get().organisation, worker)
    services.add_note(case, worker, "She confided in the nurse.")
    records.add_perpetrator(case, worker, {"name": "Boss Testperpetrator"})
    records.add_attachment(
        case,
        worker,
        "document",
        "scan-of-passport.pdf",
        "application/pdf",
        len(FILE),
        BytesIO(FILE),
    )
    child = make_case(
        case.organisation, worker, {"birth_date": "2015-01-01"}, identified_on=case.identified_on
    )
    safeguards.update_safeguards(
        child,
        worker,
        {"guardian_appointed_on": case.identified_on, "guardian_name": "Guardian Testguardian"},
    )
    return case


def test_a_dump_holds_no_identifier_in_plain_text(stored) -> None:  # type: ignore[no-untyped-def]
    dump = _dump()
    assert b"fernet:" in dump  # the identifiers are there, encrypted
    for secret in SECRETS:
        assert secret.encode() not in dump, secret


def test_rotate_keys_keeps_every_record_readable(stored, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    old = settings.PALERMO_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.PALERMO_ENCRYPTION_KEYS = [new, old]
    with pytest.raises(CommandError, match="still under an old key"):
        call_command("rotate_keys", "--check")
    call_command("rotate_keys")
    assert "re-encrypted" in capsys.readouterr().out
    settings.PALERMO_ENCRYPTION_KEYS = [new]  # the old key is gone
    call_command("rotate_keys", "--check")
    person = Person.objects.get(pk=stored.person.pk)
    assert person.given_name == PERSON["given_name"]
    assert person.documents == PERSON["documents"]
    assert CaseNote.objects.get(case=stored).text == "She confided in the nurse."
    attachment = Attachment.objects.get(case=stored)
    assert attachment.name == "scan-of-passport.pdf"
    assert records.read_attachment(attachment, stored.created_by) == FILE
    assert ChildSafeguards.objects.get().guardian_name == "Guardian Testguardian"
    call_command("rotate_keys")  # again: nothing to do
    assert "Done: 0 value(s)" in capsys.readouterr().out


def test_a_missing_key_is_reported_clearly(stored, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PALERMO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="not configured"):
        call_command("rotate_keys")
