"""Benchmark: appending audit events through the service, against raw SQL inserts.

Every sensitive read and write in Palermo records an audit event, so its cost bounds the cost of
every audited request. The baseline inserts the same number of rows into the same table with
plain parameterised SQL in one transaction (no hashing, no chain-head lock); the figure that
matters is the ratio. Run: .venv/bin/python bench/audit_append.py  (DATABASE_URL picks the DB).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.dev")

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from palermo.audit import services
from palermo.audit.models import AuditEvent

N = int(os.environ.get("BENCH_N", "2000"))
# The service does three statements (reserve, insert, close the link), a SHA-256 and a JSON
# canonicalisation where the baseline does one bare insert: 20x is the ceiling we accept, and an
# audited action must not add more than ~3 ms (>= 300 appends/s) on either database.
GOAL_RATIO = 20.0
GOAL_APPEND_PER_S = 300
GOAL_VERIFY_PER_S = 10000  # audit_verify checks a million events in under two minutes


def raw_baseline(n: int, offset: int) -> float:
    table = AuditEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} (seq, created_at, actor_username, action, object_type, object_id, "
        "detail, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(n):
            seq = offset + i
            cursor.execute(
                sql,
                [
                    seq,
                    timezone.now(),
                    "bench",
                    "bench.raw",
                    "",
                    "",
                    json.dumps({"i": i}),
                    "x" * 64,
                    f"{seq:064d}",
                ],
            )
        transaction.set_rollback(True)  # leave the chain as it was
    return time.perf_counter() - start


def service_append(n: int) -> float:
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            services.record(action="bench.service", detail={"i": i})
    return time.perf_counter() - start


def main() -> None:
    call_command("migrate", verbosity=0)
    services.record(action="bench.warmup")
    offset = 10**12  # far beyond any real sequence number, and rolled back anyway
    raw_s = raw_baseline(N, offset)
    service_s = service_append(N)
    start = time.perf_counter()
    report = services.verify_chain()
    verify_s = time.perf_counter() - start
    ratio = service_s / raw_s
    result = {
        "bench": "audit_append",
        "database": connection.vendor,
        "events": N,
        "raw_insert_per_s": round(N / raw_s),
        "service_append_per_s": round(N / service_s),
        "ratio_service_vs_raw": round(ratio, 2),
        "verify_events": report.checked,
        "verify_per_s": round(report.checked / verify_s),
        "chain_ok": report.ok,
        "goals": {
            "ratio_service_vs_raw_max": GOAL_RATIO,
            "service_append_per_s_min": GOAL_APPEND_PER_S,
            "verify_per_s_min": GOAL_VERIFY_PER_S,
        },
        "goals_met": ratio <= GOAL_RATIO
        and N / service_s >= GOAL_APPEND_PER_S
        and report.checked / verify_s >= GOAL_VERIFY_PER_S
        and report.ok,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
