"""Identifiers encrypted at rest: authenticated, rotatable, searchable by exact match only."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from palermo.cases.models import Person
from palermo.cases.tests.helpers import PERSON, make_case
from palermo.core import crypto

pytestmark = pytest.mark.django_db


def test_round_trip_and_authentication(settings) -> None:  # type: ignore[no-untyped-def]
    token = crypto.encrypt("Amara Okonkwo")
    assert token.startswith(crypto.PREFIX)
    assert "Amara" not in token
    assert crypto.decrypt(token) == "Amara Okonkwo"
    assert crypto.encrypt("") == ""
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    with pytest.raises(crypto.DecryptionError, match="not an encrypted value"):
        crypto.decrypt("Amara Okonkwo")


def test_a_wrong_key_gives_a_clear_error_not_garbage(settings) -> None:  # type: ignore[no-untyped-def]
    token = crypto.encrypt("A1234567")
    settings.PALERMO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError, match="PALERMO_ENCRYPTION_KEYS"):
        crypto.decrypt(token)


def test_rotation_keeps_values_readable(settings) -> None:  # type: ignore[no-untyped-def]
    old_key = settings.PALERMO_ENCRYPTION_KEYS[0]
    token = crypto.encrypt("Amara")
    new_key = Fernet.generate_key().decode()
    settings.PALERMO_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(token) == "Amara"
    assert not crypto.is_current(token)
    rotated = crypto.rotate(token)
    assert crypto.is_current(rotated)
    settings.PALERMO_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "Amara"


def test_blind_index_matches_spellings_not_plaintext(settings) -> None:  # type: ignore[no-untyped-def]
    a = crypto.blind_index("Amara  OKONKWO", "name")
    assert a == crypto.blind_index("amara okonkwo", "name")
    assert a == crypto.blind_index("Ámara Okonkwo", "name")
    assert a != crypto.blind_index("amara okonkwo", "document")
    assert a != crypto.blind_index("Amara Okonkwa", "name")
    settings.PALERMO_BLIND_INDEX_KEY = "another key"
    assert crypto.blind_index("Amara Okonkwo", "name") != a


def test_identifiers_are_stored_only_as_ciphertext(world) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {table} WHERE id = %s",  # noqa: S608 - the model's own table
            [case.person.pk.hex if connection.vendor == "sqlite" else case.person.pk],
        )
        row = " ".join(str(v) for v in cursor.fetchone())
    for secret in ("Amara", "Okonkwo", "A1234567", "Example Street", "1998-04-12", "800 000"):
        assert secret not in row
    fresh = Person.objects.get(pk=case.person.pk)
    assert fresh.given_name == PERSON["given_name"]
    assert fresh.documents == PERSON["documents"]
