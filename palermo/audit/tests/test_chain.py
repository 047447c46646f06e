from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from palermo.audit import services
from palermo.audit.models import AuditEvent


@pytest.fixture
def chain(db):
    return [
        services.record(action="test.event", detail={"n": n, "text": "é ✓"}) for n in range(1, 6)
    ]


def _raw(sql: str, params: list[object], *, bypass_trigger: bool = True) -> None:
    """Tamper with the table as someone with direct database access would, first switching off
    the append-only trigger (inside the test's transaction, so it comes back afterwards)."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if bypass_trigger and connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_append_only")
        elif bypass_trigger and connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_append_only")
        cursor.execute(sql.format(table=table), params)


def test_intact_chain_verifies(chain):
    report = services.verify_chain()
    assert report.ok
    assert report.checked == 5
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]


def test_edited_row_is_caught(chain):
    _raw("UPDATE {table} SET action = %s WHERE seq = %s", ["test.innocent", 3])
    report = services.verify_chain()
    assert not report.ok
    assert report.broken_at == 3
    assert "content" in report.reason


def test_edited_detail_is_caught(chain):
    _raw("UPDATE {table} SET detail = %s WHERE seq = %s", ['{"n": 99, "text": "x"}', 2])
    assert services.verify_chain().broken_at == 2


def test_deleted_row_is_caught(chain):
    _raw("DELETE FROM {table} WHERE seq = %s", [2])
    report = services.verify_chain()
    assert report.broken_at == 2
    assert "missing" in report.reason


def test_deleted_last_row_is_caught(chain):
    _raw("DELETE FROM {table} WHERE seq = %s", [5])
    report = services.verify_chain()
    assert report.broken_at == 5


def test_rewritten_and_rehashed_row_is_caught_by_the_next_link(chain):
    event = AuditEvent.objects.get(seq=2)
    event.action = "test.forged"
    forged_hash = services.compute_hash(event)
    _raw(
        "UPDATE {table} SET action = %s, hash = %s WHERE seq = %s", ["test.forged", forged_hash, 2]
    )
    assert services.verify_chain().broken_at == 3


def test_command_reports_first_broken_link(chain, capsys):
    call_command("audit_verify")
    assert "intact: 5 events" in capsys.readouterr().out
    _raw("DELETE FROM {table} WHERE seq = %s", [4])
    with pytest.raises(CommandError, match="BROKEN at event #4"):
        call_command("audit_verify")


def test_orm_refuses_to_change_or_delete(chain):
    event = chain[0]
    event.action = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_event_records_who_where_and_object(world, client):
    from palermo.accounts.tests.factories import PASSWORD

    user = world.users["analyst"]
    client.post(
        "/login/", {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == user
    assert event.actor_username == user.username
    assert event.ip_address == "10.1.2.3"
    assert services.verify_chain().ok


def test_database_itself_refuses_updates(chain):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE {table} SET action = %s WHERE seq = %s", ["x", 1], bypass_trigger=False)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM {table} WHERE seq = %s", [1], bypass_trigger=False)
    assert services.verify_chain().ok
