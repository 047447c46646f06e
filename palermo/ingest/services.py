"""Importing case records from a file through a mapping profile.

Two passes over the file, both streaming. The first checks every row (codes, numbers, dates,
source identifiers) and keeps a report of every problem with its row, column and value; in the
all-or-nothing mode any problem refuses the whole file. The second writes, in one transaction,
so that an interrupted import (a killed process, a lost connection) leaves nothing and can simply
be run again. Each row keeps its key: the source identifier when the file has one, otherwise the
row's content and its occurrence in the file (the CTDC files have no identifier and repeat rows
that are different people), so that importing the same file again changes nothing and a changed
row updates its case only.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from palermo.accounts import access as accounts_access
from palermo.audit import services as audit
from palermo.cases.models import Case, CaseCode, CaseStatus, CaseType, Person, PersonIndex
from palermo.cases.services import code_rows, index_rows, next_references
from palermo.ingest.binding import CASE_FIELDS, CASE_LISTS, PERSON_FIELDS, Bound, bind
from palermo.ingest.models import ImportBatch, ImportedRecord
from palermo.ingest.readers import ReadError, open_tables
from palermo.standard.mapping import REASONS, map_rows
from palermo.standard.selectors import latest_version
from palermo.standard.services import field_infos, profile_rules, vocabulary

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User
    from palermo.standard.models import MappingProfile

CHUNK = 1000
MAX_PROBLEMS_KEPT = 10_000
EXTRA_REASONS = {
    "future_date": "a date in the future",
    "missing_identifier": "no source identifier",
    "duplicate_identifier": "the same source identifier as another row of the file",
}
Progress = Callable[[ImportBatch], None]


@dataclass
class Row:
    number: str  # "12", or "Sheet!12" in a workbook of several sheets
    cells: dict[str, str]
    record: dict[str, Any]
    problems: list[dict[str, str]]
    key: str = ""
    row_hash: str = ""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _problem(row: str, column: str, value: str, reason: str) -> dict[str, str]:
    return {
        "row": row,
        "column": column,
        "value": value[:200],
        "reason": reason,
        "why": REASONS.get(reason) or EXTRA_REASONS.get(reason, reason),
    }


def _rows(path: Path, file_name: str, profile: MappingProfile, id_column: str) -> Iterator[Row]:
    """Every row of every table, mapped and checked, with its key (not yet its occurrence)."""
    rules = profile_rules(profile)
    infos = field_infos()
    vocab = vocabulary()
    tables = open_tables(path, file_name)
    mapped_columns = {r.column for r in rules}
    column_of = {r.field: r.column for r in rules}
    skip = profile.skip_rows
    today = timezone.localdate().isoformat()
    for table in tables:
        if not mapped_columns & set(table.columns):
            continue  # a sheet of notes, or another table
        label = f"{table.name}!" if len(tables) > 1 else ""
        for _skipped in islice(table.rows, skip):
            pass
        position = 1 + skip  # the header is line 1
        while True:
            chunk = list(islice(table.rows, CHUNK))
            if not chunk:
                break
            result = map_rows(rules, infos, vocab, chunk, row_limit_per_value=CHUNK)
            by_row: dict[int, list[dict[str, str]]] = {}
            for miss in result.unmapped_values:
                for number in miss.rows:
                    by_row.setdefault(number, []).append(
                        _problem(
                            f"{label}{position + number}", miss.column, miss.value, miss.reason
                        )
                    )
            for index, (cells, record) in enumerate(zip(chunk, result.records, strict=True), 1):
                line = f"{label}{position + index}"
                problems = by_row.get(index, [])
                for key, value in record.items():
                    if key in ("prs_Birthdate", "cas_IdentificationDate") and value > today:
                        problems.append(
                            _problem(line, column_of.get(key, key), value, "future_date")
                        )
                row = Row(line, cells, record, problems)
                if id_column:
                    row.key = (cells.get(id_column) or "").strip()
                    if not row.key:
                        problems.append(_problem(line, id_column, "", "missing_identifier"))
                else:
                    canonical = json.dumps(cells, sort_keys=True, ensure_ascii=False)
                    row.key = hashlib.sha256(canonical.encode()).hexdigest()[:40]
                row.row_hash = hashlib.sha256(
                    json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
                ).hexdigest()
                yield row
            position += len(chunk)


def _keyed(rows: Iterator[Row], id_column: str) -> Iterator[Row]:
    """Rows with their final keys: identical rows of a file without identifiers are told apart
    by their occurrence (the 1st, 2nd... of the same content); a repeated source identifier is a
    problem."""
    seen: Counter[str] = Counter()
    for row in rows:
        seen[row.key] += 1
        if id_column:
            if row.key and seen[row.key] > 1:
                row.problems.append(
                    _problem(row.number, id_column, row.key, "duplicate_identifier")
                )
        else:
            row.key = f"{row.key}#{seen[row.key]}"
        yield row


def checked_rows(
    path: Path, file_name: str, profile: MappingProfile, id_column: str
) -> Iterator[Row]:
    """Every row of the file, mapped, checked and keyed (streaming)."""
    return _keyed(_rows(path, file_name, profile, id_column), id_column)


def run_import(
    path: Path,
    organisation: Organisation,
    profile: MappingProfile,
    actor: User,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
    id_column: str | None = None,
    file_name: str = "",
    progress: Progress | None = None,
) -> ImportBatch:
    """Check, then import, one file. Returns the batch with its counts and report; a file that
    cannot be read gives a batch with status "failed" and the reason. Only a data manager of the
    organisation imports, and only through one of its own profiles (every door: command, and the
    pages to come)."""
    if profile.organisation_id != organisation.pk or not accounts_access.can(
        actor, accounts_access.Action.IMPORT_EXPORT, organisation
    ):
        raise PermissionDenied("import into this organisation")
    batch = ImportBatch.objects.create(
        organisation=organisation,
        profile=profile,
        source=str(profile.pk),
        file_name=file_name or path.name,
        file_sha256=file_digest(path),
        id_column=profile.id_column if id_column is None else id_column,
        mode=mode,
        started_by=actor,
    )
    try:
        _validate(batch, path, profile, progress)
        if batch.rows_rejected and mode == ImportBatch.Mode.ALL_OR_NOTHING:
            batch.status = ImportBatch.Status.REFUSED
        else:
            batch.status = ImportBatch.Status.IMPORTING
            batch.save()
            _write(batch, path, profile, actor, progress)
            batch.status = ImportBatch.Status.DONE
    except ReadError as exc:
        batch.status = ImportBatch.Status.FAILED
        batch.error = str(exc)
    except BaseException as exc:  # interrupted: the write transaction rolled back
        batch.status = ImportBatch.Status.FAILED
        batch.error = f"Interrupted ({type(exc).__name__}): nothing was imported; run it again."
        batch.finished_at = timezone.now()
        batch.save()
        raise
    batch.finished_at = timezone.now()
    batch.save()
    audit.record(
        action="ingest.imported",
        actor=actor,
        organisation=organisation,
        target=batch,
        detail={
            "file": batch.file_name,
            "sha256": batch.file_sha256,
            "status": batch.status,
            "rows": batch.rows_read,
            "rejected": batch.rows_rejected,
            "created": batch.created,
            "updated": batch.updated,
            "unchanged": batch.unchanged,
        },
    )
    return batch


def _validate(
    batch: ImportBatch, path: Path, profile: MappingProfile, progress: Progress | None
) -> None:
    problems: list[dict[str, str]] = []
    for row in checked_rows(path, batch.file_name, profile, batch.id_column):
        batch.rows_read += 1
        if row.problems:
            batch.rows_rejected += 1
            batch.problems_total += len(row.problems)
            room = MAX_PROBLEMS_KEPT - len(problems)
            problems.extend(row.problems[:room])
        if progress and batch.rows_read % CHUNK == 0:
            progress(batch)
    batch.problems = problems
    batch.save()


def _write(
    batch: ImportBatch,
    path: Path,
    profile: MappingProfile,
    actor: User,
    progress: Progress | None,
) -> None:
    with transaction.atomic():
        rows = checked_rows(path, batch.file_name, profile, batch.id_column)
        while raw := list(islice(rows, CHUNK)):
            chunk = [row for row in raw if not row.problems]
            if chunk:
                _write_chunk(batch, chunk, actor)
            if progress:
                progress(batch)


def _write_chunk(batch: ImportBatch, chunk: list[Row], actor: User) -> None:
    organisation = batch.organisation
    existing = {
        r.source_key: r
        for r in ImportedRecord.objects.filter(
            organisation=organisation, source=batch.source, source_key__in=[r.key for r in chunk]
        ).select_related("case__person")
    }
    new = [row for row in chunk if row.key not in existing]
    for row in chunk:
        found = existing.get(row.key)
        if found is None:
            continue
        if found.row_hash == row.row_hash:
            batch.unchanged += 1
        else:
            _update_case(found, row, batch)
            batch.updated += 1
    if not new:
        return
    references = iter(next_references(organisation, len(new)))
    version = latest_version()
    persons, cases, codes, records = [], [], [], []
    for row in new:
        bound = bind(row.record)
        person = Person(organisation=organisation)
        _set(person, bound.person)
        case = Case(
            organisation=organisation,
            person=person,
            reference=next(references),
            status=CaseStatus.OPEN,
            case_type=CaseType.IDENTIFIED,
            standard_version=version,
            created_by=actor,
            intake_step=6,
        )
        _set_case(case, bound)
        persons.append(person)
        cases.append(case)
        codes.extend(code_rows(case))
        records.append(
            ImportedRecord(
                organisation=organisation,
                source=batch.source,
                source_key=row.key,
                row_hash=row.row_hash,
                case=case,
                batch=batch,
            )
        )
    Person.objects.bulk_create(persons)
    PersonIndex.objects.bulk_create(
        [entry for person in persons for entry in index_rows(person)], ignore_conflicts=True
    )
    Case.objects.bulk_create(cases)
    CaseCode.objects.bulk_create(codes)
    ImportedRecord.objects.bulk_create(records)
    batch.created += len(new)


PERSON_DEFAULTS: dict[str, Any] = dict.fromkeys(set(PERSON_FIELDS.values()) | {"address"}, "") | {
    "citizenship": [],
    "documents": [],
}
CASE_DEFAULTS: dict[str, Any] = dict.fromkeys(CASE_FIELDS.values()) | {
    name: [] for name in CASE_LISTS.values()
}
CASE_DEFAULTS |= {
    "identified_by": "",
    "recruiter_relationship": "",
    "exploitation_countries": [],
    "narrative": "",
    "age_at_identification": None,
}


def _set(person: Person, values: dict[str, Any]) -> None:
    """The person as the row says: what the row leaves out is emptied (for an updated row)."""
    for name, default in PERSON_DEFAULTS.items():
        setattr(person, name, values.get(name, default))


def _set_case(case: Case, bound: Bound) -> None:
    for name, default in CASE_DEFAULTS.items():
        setattr(case, name, bound.case.get(name, default))
    case.analytic = bound.analytic


def _update_case(found: ImportedRecord, row: Row, batch: ImportBatch) -> None:
    bound = bind(row.record)
    case = found.case
    person = case.person
    _set(person, bound.person)
    person.save()
    _set_case(case, bound)
    case.row_version += 1
    case.save()
    case.codes.all().delete()
    CaseCode.objects.bulk_create(code_rows(case))
    found.row_hash = row.row_hash
    found.batch = batch
    found.save(update_fields=["row_hash", "batch"])
