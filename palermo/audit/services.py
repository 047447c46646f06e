"""The one way to write an audit event, and the verification of the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from palermo.audit.context import current_ip
from palermo.audit.models import AuditEvent, ChainHead

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User

GENESIS_HASH = "0" * 64
HEAD_ID = 1


def _head_table() -> str:
    return connection.ops.quote_name(ChainHead._meta.db_table)


def _advance_head() -> tuple[int, str]:
    """Take the next sequence number and the previous hash, locking the head row until commit.

    One UPDATE ... RETURNING both locks the row (PostgreSQL) and reserves the number; SQLite
    already serialises writers (IMMEDIATE transactions).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_head_table()} SET last_seq = last_seq + 1 WHERE id = %s "  # noqa: S608 - no input
            "RETURNING last_seq, last_hash",
            [HEAD_ID],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    # No head row: a database emptied by the test harness (the migration creates it). Create it
    # from the last event; ON CONFLICT DO NOTHING makes concurrent first appends safe.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    last_seq, last_hash = last if last else (0, GENESIS_HASH)
    ChainHead.objects.bulk_create(
        [ChainHead(id=HEAD_ID, last_seq=last_seq, last_hash=last_hash)], ignore_conflicts=True
    )
    return _advance_head()


def _canonical_detail(detail: Mapping[str, Any] | None) -> dict[str, Any]:
    """Round-trip through JSON so that what is hashed is exactly what the database returns."""
    return json.loads(json.dumps(dict(detail or {}), cls=DjangoJSONEncoder, sort_keys=True))


def compute_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "username": event.actor_username,
        "org": str(event.organisation_id) if event.organisation_id else None,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "ip": event.ip_address,
        "detail": event.detail,
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def record(
    *,
    action: str,
    actor: User | None = None,
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    detail: Mapping[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction when there is one.

    ``target`` is the object acted upon; only its type and primary key are stored, never its
    text, so that the log itself holds no identifiers of victims.
    """
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _advance_head()
        event = AuditEvent(
            seq=seq,
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.pk else None,
            actor_username=username or (actor.get_username() if actor is not None else ""),
            organisation=organisation,
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            ip_address=current_ip.get(),
            detail=_canonical_detail(detail),
            prev_hash=prev_hash,
        )
        event.hash = compute_hash(event)
        AuditEvent.objects.bulk_create([event])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_head_table()} SET last_hash = %s WHERE id = %s",  # noqa: S608
                [event.hash, HEAD_ID],
            )
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Walk the chain in order and report the first event whose link does not hold."""
    # Read the head first: events appended while we walk lie beyond it and are not our concern.
    # The head and its event are written in one transaction, so the head never runs ahead.
    head = ChainHead.objects.filter(id=HEAD_ID).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    events = AuditEvent.objects.filter(seq__lte=last_seq).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.seq, "previous-hash link does not match")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.seq, "content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    if last_seq != checked or last_hash != prev_hash:
        return ChainReport(checked, checked + 1, f"events after #{checked} are missing")
    return ChainReport(checked)
