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
    assert report.checked == AuditEvent.objects.count() >= 5
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]


def test_edited_row_is_caught(chain):
    _raw("UPDATE {table} SET action = %s WHERE seq = %s", ["test.innocent", chain[2].seq])
    report = services.verify_chain()
    assert not report.ok
    assert report.broken_at == chain[2].seq
    assert "content" in report.reason


def test_edited_detail_is_caught(chain):
    _raw("UPDATE {table} SET detail = %s WHERE seq = %s", ['{"n": 99, "text": "x"}', chain[1].seq])
    assert services.verify_chain().broken_at == chain[1].seq


def test_deleted_row_is_caught(chain):
    _raw("DELETE FROM {table} WHERE seq = %s", [chain[1].seq])
    report = services.verify_chain()
    assert report.broken_at == chain[1].seq
    assert "missing" in report.reason


def test_deleted_last_row_is_caught(chain):
    _raw("DELETE FROM {table} WHERE seq = %s", [chain[4].seq])
    report = services.verify_chain()
    assert report.broken_at == chain[4].seq


def test_rewritten_and_rehashed_row_is_caught_by_the_next_link(chain):
    event = AuditEvent.objects.get(seq=chain[1].seq)
    event.action = "test.forged"
    forged_hash = services.compute_hash(event)
    _raw(
        "UPDATE {table} SET action = %s, hash = %s WHERE seq = %s",
        ["test.forged", forged_hash, chain[1].seq],
    )
    assert services.verify_chain().broken_at == chain[2].seq


def test_command_reports_first_broken_link(chain, capsys):
    call_command("audit_verify")
    assert f"intact: {AuditEvent.objects.count()} events" in capsys.readouterr().out
    _raw("DELETE FROM {table} WHERE seq = %s", [chain[3].seq])
    with pytest.raises(CommandError, match=f"BROKEN at event #{chain[3].seq}"):
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
        _raw(
            "UPDATE {table} SET action = %s WHERE seq = %s",
            ["x", chain[0].seq],
            bypass_trigger=False,
        )
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM {table} WHERE seq = %s", [chain[0].seq], bypass_trigger=False)
    assert services.verify_chain().ok
