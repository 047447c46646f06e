"""Benchmark: importing a generated CTDC-layout CSV of 1,000,000 rows.

The file has the columns of CTDC's k-anonymised global dataset, each cell drawn (seeded) from the
values that column holds in the real file in ../shared/data, so every code is one the CTDC profile
maps. Generated once into var/bench/ and reused.

Figures: the import's wall time through ``run_import`` (read, map, check, stage, one write
transaction) and rows per second, split into the check (reading, mapping and staging every row,
set-based checks) and the write (one transaction of set-based inserts into the case tables);
the baseline in the same process, a plain load of the same file into an untyped staging table
(PostgreSQL: ``COPY ... FROM STDIN (FORMAT csv)``; SQLite: the csv module and ``executemany``);
their ratio; the process's peak memory (ru_maxrss); and a second
import of the same file (every row unchanged). On PostgreSQL also a floor for the write: the
imported rows copied by plain ``INSERT ... SELECT`` into copies of the tables the import
writes, with the same indexes (no reading, no checks), without and then with the tables'
foreign keys, and its ratio to the baseline: no import into these tables can be faster. The
imported cases are deleted afterwards.
Run: .venv/bin/python bench/ingest.py  (DATABASE_URL picks the DB; BENCH_INGEST_ROWS the size.)
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.dev")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from palermo.accounts.models import Membership, Organisation, OrganisationType, Role, User
from palermo.cases.models import Case, CaseCode, Person, PersonIndex
from palermo.ingest.models import ImportBatch, ImportedRecord
from palermo.ingest.services import run_import
from palermo.standard.models import MappingProfile
from palermo.standard.services import save_profile

N = int(os.environ.get("BENCH_INGEST_ROWS", "1000000"))
SOURCE = Path(settings.PALERMO_STANDARDS_DIR).parent / "data" / "ctdc-kanon-2021"
PROFILE = ROOT / "palermo" / "ingest" / "profiles" / "ctdc-kanon-2021.json"
GOAL_RATIO = 4.0
GOAL_PEAK_MIB = 1024


def generated_file() -> Path:
    out = ROOT / "var" / "bench" / f"ctdc-layout-{N}.csv"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(SOURCE / "ctdc_global_kanon_2021-07-15.csv.gz", "rt", newline="") as real:
        reader = csv.reader(real)
        header = next(reader)
        values: list[list[str]] = [[] for _ in header]
        for row in reader:
            for column, cell in zip(values, row, strict=False):
                column.append(cell)
    rng = random.Random(20261129)
    partial = out.with_suffix(".part")
    with partial.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for _ in range(N):
            writer.writerow([rng.choice(column) for column in values])
    partial.rename(out)
    return out


def baseline(path: Path) -> float:
    """A plain load of the file into an untyped staging table, nothing checked."""
    with path.open(newline="", encoding="utf-8") as file:
        columns = next(csv.reader(file))
    names = ", ".join(f"c{i} text" for i in range(len(columns)))
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_raw ({names})")
        if connection.vendor == "postgresql":
            with (
                path.open("rb") as raw,
                cursor.cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while block := raw.read(1 << 20):
                    copy.write(block)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with path.open(newline="", encoding="utf-8") as file:
                reader = csv.reader(file)
                next(reader)
                batch = []
                for row in reader:
                    batch.append(row)
                    if len(batch) == 10_000:
                        cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", batch)
                        batch.clear()
                if batch:
                    cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", batch)
        elapsed = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_raw")
        loaded = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_raw")
    if loaded != N:
        raise SystemExit(f"the baseline loaded {loaded} rows, not {N}")
    return elapsed


def setup() -> tuple[Organisation, User, MappingProfile]:
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_geo", stdout=quiet)
        call_command("load_standard", stdout=quiet)
    organisation, _c = Organisation.objects.get_or_create(
        acronym="BENCHIMP",
        defaults={"name": "Import benchmark", "type": OrganisationType.NGO, "country_id": "TH"},
    )
    manager, _c = User.objects.get_or_create(username="bench.importer")
    Membership.objects.get_or_create(
        user=manager, organisation=organisation, defaults={"role": Role.DATA_MANAGER}
    )
    document = json.loads(PROFILE.read_text(encoding="utf-8"))
    existing = MappingProfile.objects.filter(organisation=organisation, name=document["name"])
    profile = save_profile(
        organisation, document["name"], document["columns"], manager, "", existing.first()
    )
    clean(organisation)
    return organisation, manager, profile


def clean(organisation: Organisation) -> None:
    """Delete what an earlier run imported (set-based: the ORM would take longer than the run)."""
    cases = Case.objects.filter(organisation=organisation)
    ImportedRecord.objects.filter(organisation=organisation)._raw_delete("default")
    CaseCode.objects.filter(case__organisation=organisation)._raw_delete("default")
    PersonIndex.objects.filter(person__organisation=organisation)._raw_delete("default")
    cases._raw_delete("default")
    Person.objects.filter(organisation=organisation)._raw_delete("default")
    ImportBatch.objects.filter(organisation=organisation).delete()


# What an import writes, by table, and how to find this organisation's rows in it.
WRITTEN = (
    (Person, "x.organisation_id = %s"),
    (Case, "x.organisation_id = %s"),
    (CaseCode, "x.case_id IN (SELECT id FROM cases_case WHERE organisation_id = %s)"),
    (PersonIndex, "x.person_id IN (SELECT id FROM cases_person WHERE organisation_id = %s)"),
    (ImportedRecord, "x.organisation_id = %s"),
)


def write_floor(organisation: Organisation) -> dict[str, dict[str, float]] | None:
    """The least any import could take to write what this one wrote (PostgreSQL): every row it
    wrote (persons, cases, their code and blind-index rows, the keys) copied by one ``INSERT
    ... SELECT`` per table into a copy of the table with the same indexes (``LIKE ... INCLUDING
    ALL``; logged like the real ones), nothing read from the file and nothing checked. Once
    without foreign keys, then once with the table's own (deferred, as on the real tables, to
    the commit that ends each statement here). The second run reads a warmer cache: if
    anything, its figure is low."""
    if connection.vendor != "postgresql":
        return None
    seconds: dict[str, dict[str, float]] = {"without_foreign_keys": {}, "with_foreign_keys": {}}
    with connection.cursor() as cursor:
        for model, mine in WRITTEN:
            table = model._meta.db_table
            copy = f"bench_floor_{table}"
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            keys = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
            try:
                for variant in seconds:
                    if variant == "with_foreign_keys":
                        cursor.execute(f"TRUNCATE {copy}")
                        for key in keys:
                            cursor.execute(f"ALTER TABLE {copy} ADD {key}")
                    start = time.perf_counter()
                    cursor.execute(
                        f"INSERT INTO {copy} SELECT x.* FROM {table} x WHERE {mine}",
                        [organisation.pk],
                    )
                    seconds[variant][table] = time.perf_counter() - start
            finally:
                cursor.execute(f"DROP TABLE {copy}")
    return seconds


def main() -> None:
    path = generated_file()
    organisation, manager, profile = setup()
    copy_s = baseline(path)
    start = time.perf_counter()
    phases: dict[str, float] = {}

    def progress(batch: ImportBatch) -> None:
        if batch.status == ImportBatch.Status.IMPORTING and "checked" not in phases:
            phases["checked"] = time.perf_counter() - start

    try:
        batch = run_import(path, organisation, profile, manager, progress=progress)
        import_s = time.perf_counter() - start
        if (batch.status, batch.created) != ("done", N):
            raise SystemExit(f"import {batch.status}: {batch.created} created; {batch.error}")
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        again = run_import(path, organisation, profile, manager)
        reimport_s = time.perf_counter() - start
        if again.unchanged != N:
            raise SystemExit(f"the second import changed rows: {again.created} {again.updated}")
        floor = write_floor(organisation)
    finally:
        sys.stderr.write("Deleting the imported cases...\n")
        clean(organisation)
    floor_s = {k: sum(v.values()) for k, v in floor.items()} if floor else {}
    ratio = import_s / copy_s
    figures = json.dumps(
        {
            "bench": "ingest",
            "database": connection.vendor,
            "rows": N,
            "file_mib": round(path.stat().st_size / 2**20, 1),
            "baseline": "COPY into an untyped table"
            if connection.vendor == "postgresql"
            else "csv + executemany into an untyped table",
            "baseline_s": round(copy_s, 2),
            "import_s": round(import_s, 2),
            "rows_per_s": round(N / import_s),
            "ratio_to_baseline": round(ratio, 2),
            "check_s": round(phases["checked"], 2),
            "write_s": round(import_s - phases["checked"], 2),
            "write_ratio_to_baseline": round((import_s - phases["checked"]) / copy_s, 2),
            "reimport_unchanged_s": round(reimport_s, 2),
            "write_floor_s": {k: round(v, 2) for k, v in floor_s.items()} or None,
            "write_floor_ratio_to_baseline": {k: round(v / copy_s, 2) for k, v in floor_s.items()}
            or None,
            "write_floor_by_table_s": {
                variant: {table: round(v, 2) for table, v in tables.items()}
                for variant, tables in floor.items()
            }
            if floor
            else None,
            "peak_memory_mib": round(peak_mib),
            "goals": {"ratio_max": GOAL_RATIO, "peak_memory_mib_max": GOAL_PEAK_MIB},
            "goals_met": ratio <= GOAL_RATIO and peak_mib <= GOAL_PEAK_MIB,
        }
    )
    print(figures)


if __name__ == "__main__":
    main()
