"""The set-based write of an import.

Every checked row of the file goes into a temporary staging table, already in the columns it will
have in the database (identifiers encrypted, codes as JSON): on PostgreSQL through ``COPY`` (psycopg
3), on SQLite through batched inserts. A few SQL statements then do the rest over the whole file
at once: find repeated source identifiers, number identical rows (the 1st, 2nd... of the same
content are different people), compare each row with what earlier imports wrote, and create or
update persons, cases, their code and blind-index rows and the imported-record keys. Staging runs
outside any transaction (temporary tables are the connection's own, so progress can be saved as
rows are read); the write runs inside the caller's one transaction.
"""

from __future__ import annotations

import datetime
import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, models
from django.utils import timezone

from palermo.cases.models import (
    Case,
    CaseCode,
    CaseStatus,
    CaseType,
    Consent,
    ConsentPurpose,
    Encrypted,
    Person,
    PersonIndex,
)
from palermo.cases.services import index_entries
from palermo.ingest.binding import CASE_DEFAULTS, PERSON_DEFAULTS, Bound
from palermo.ingest.models import ImportBatch, ImportedRecord

if TYPE_CHECKING:
    from palermo.accounts.models import User

BATCH_ROWS = 1000
REPEATED = "occurrence > 1 AND content_key <> ''"  # a source identifier seen on an earlier row
# The version (4) and variant (RFC 4122) bits a random UUID has in its last 80 bits.
UUID4_CLEARED = ~(0xF << 76 | 0x3 << 62)
UUID4_SET = 0x4 << 76 | 0x2 << 62
# json.dumps(value, ensure_ascii=False), without a new encoder for every value.
JSON = json.JSONEncoder(ensure_ascii=False)


def ordered_id() -> str:
    """A UUID whose first 48 bits are the time in milliseconds and the other 80 random, as in
    UUIDv7: rows created together sit together in the primary-key and foreign-key indexes, so
    a million new cases do not scatter their index entries over the whole index. The random
    part is the last 80 bits of a ``uuid.uuid4()`` (its version and variant bits included),
    made without building a UUID object: two per row of the file."""
    random = int.from_bytes(os.urandom(10), "big") & UUID4_CLEARED | UUID4_SET
    return f"{(time.time_ns() // 1_000_000) << 80 | random:032x}"


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


class Column:
    """A model attribute staged in its database form (``Encrypted`` ones as ciphertext)."""

    def __init__(
        self, model: type[models.Model], attribute: str, prefix: str, default: Any
    ) -> None:
        self.attribute = attribute
        descriptor = model.__dict__.get(attribute)
        self.encrypted = descriptor if isinstance(descriptor, Encrypted) else None
        self.field = _field(model, self.encrypted.column if self.encrypted else attribute)
        self.column: str = self.field.column
        self.staged = f"{prefix}{self.column}"
        self.is_json = isinstance(self.field, models.JSONField)
        self.default = self.convert(default)  # most cells of most rows: computed once

    def value(self, values: dict[str, Any]) -> Any:
        """The value as staged (its default when the row leaves it out)."""
        if self.attribute not in values:
            return self.default
        return self.convert(values[self.attribute])

    def convert(self, value: Any) -> Any:
        """Ciphertext, JSON text, an ISO date, or the value as it is (the staging table's
        column types parse them, as they would the same text in a COPY)."""
        if self.encrypted is not None:
            return self.encrypted.stored(value)
        if self.is_json:
            return JSON.encode(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value


PERSON_COLUMNS = [Column(Person, name, "p_", default) for name, default in PERSON_DEFAULTS.items()]
CASE_COLUMNS = [Column(Case, name, "c_", default) for name, default in CASE_DEFAULTS.items()]
CASE_COLUMNS.append(Column(Case, "analytic", "c_", {}))


class Columns:
    """A model's staged columns, filled from a row's values: every column starts as its
    default and only the attributes the row has are converted (most rows have few)."""

    def __init__(self, columns: list[Column]) -> None:
        self.defaults = [column.default for column in columns]
        self.position = {column.attribute: (i, column) for i, column in enumerate(columns)}

    def values(self, values: dict[str, Any]) -> list[Any]:
        """``[column.value(values) for column in columns]``."""
        row = self.defaults.copy()
        for attribute, value in values.items():
            if found := self.position.get(attribute):
                position, column = found
                row[position] = column.convert(value)
        return row


PERSON = Columns(PERSON_COLUMNS)
CASE = Columns(CASE_COLUMNS)
REFUSED = [None] * (len(PERSON_COLUMNS) + len(CASE_COLUMNS))  # a refused row stages no values


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model: type[models.Model]) -> str:
    return _q(model._meta.db_table)


def _batch_id(batch: ImportBatch) -> Any:
    return _db_id(ImportedRecord, "batch", batch.pk)


def _db_id(model: type[models.Model], name: str, value: Any) -> Any:
    """A key as the database takes it as a parameter (a UUID is text on SQLite)."""
    return _field(model, name).get_db_prep_save(value, connection)


class Stage:
    """One import's staging tables: rows, their codes and their blind-index entries."""

    def __init__(self) -> None:
        suffix = uuid.uuid4().hex[:12]
        self.rows = f"ingest_stage_{suffix}"
        self.codes = f"ingest_stage_codes_{suffix}"
        self.index = f"ingest_stage_index_{suffix}"
        self.keyed = f"ingest_stage_keyed_{suffix}"
        self.classified = f"ingest_stage_classified_{suffix}"
        uuid_type = _field(Person, "id").db_type(connection)
        self.row_columns = [
            ("line", "bigint"),
            ("number", "text"),
            ("content_key", "text"),
            ("rejected", "boolean"),
            ("row_hash", "text"),
            ("person_id", uuid_type),
            ("case_id", uuid_type),
        ] + [
            (column.staged, str(column.field.db_type(connection)))
            for column in PERSON_COLUMNS + CASE_COLUMNS
        ]
        self.pending: dict[str, list[Sequence[Any]]] = {
            self.rows: [],
            self.codes: [],
            self.index: [],
        }
        with connection.cursor() as cursor:
            columns = ", ".join(f"{_q(name)} {kind}" for name, kind in self.row_columns)
            cursor.execute(f"CREATE TEMPORARY TABLE {self.rows} ({columns})")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.codes} (line bigint, field text, code text)"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.index} (line bigint, kind text, digest text)"
            )

    # Loading --------------------------------------------------------------------------------

    def add(
        self,
        line: int,
        number: str,
        content_key: str,
        row_hash: str,
        bound: Bound | None,
        codes: Iterable[tuple[str, str]] = (),
        index: Iterable[tuple[str, str]] = (),
    ) -> None:
        """One row of the file; ``bound`` None for a row refused by the checks (it still counts
        for repeated identifiers and identical rows)."""
        if bound is None:
            row = [line, number, content_key, True, row_hash, None, None, *REFUSED]
        else:
            row = [
                line,
                number,
                content_key,
                False,
                row_hash,
                ordered_id(),  # PostgreSQL's uuid type reads the plain hex form too
                ordered_id(),
            ]
            row += PERSON.values(bound.person)
            row += CASE.values(bound.case | {"analytic": bound.analytic})
            self.pending[self.codes].extend((line, field, code) for field, code in codes)
            self.pending[self.index].extend((line, kind, digest) for kind, digest in index)
        self.pending[self.rows].append(row)
        if len(self.pending[self.rows]) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.pending.items():
            if rows:
                self._load(table, rows)
                rows.clear()

    def _load(self, table: str, rows: list[Sequence[Any]]) -> None:
        width = len(rows[0])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * width)
                cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    # Checking -------------------------------------------------------------------------------

    def key_rows(self, by_identifier: bool) -> None:
        """Give every row its final key: a repeated source identifier stays for
        :meth:`repeated`; identical rows of a file without identifiers are told apart by their
        occurrence."""
        self.flush()
        key = "content_key" if by_identifier else "content_key || '#' || occurrence"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {self.codes}_line ON {self.codes} (line)")
            cursor.execute(f"CREATE INDEX {self.index}_line ON {self.index} (line)")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {self.keyed} AS
                SELECT o.*, {key} AS source_key FROM (
                    SELECT t.*, row_number() OVER (
                        PARTITION BY content_key ORDER BY line) AS occurrence
                    FROM {self.rows} t
                ) o
                """
            )

    def classify(self, organisation_id: Any, source: str) -> None:
        """What earlier imports wrote for each row: its key's record, case and person. Run
        inside the write transaction, after the organisation's lock, so that an erasure made
        meanwhile is seen. A key whose case is gone (erased without consent to statistics)
        stays as a tombstone: its row is never created again."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {self.classified} AS
                SELECT s.*, r.id AS record_id, r.row_hash AS old_hash, c.id AS old_case_id,
                       c.person_id AS old_person_id, p.erased_at AS erased_at
                FROM {self.keyed} s
                LEFT JOIN {_table(ImportedRecord)} r
                    ON r.organisation_id = %s AND r.source = %s AND r.source_key = s.source_key
                LEFT JOIN {_table(Case)} c ON c.id = r.case_id
                LEFT JOIN {_table(Person)} p ON p.id = c.person_id
                """,
                [_db_id(ImportedRecord, "organisation", organisation_id), source],
            )
            cursor.execute(f"CREATE INDEX {self.classified}_line ON {self.classified} (line)")
            if connection.vendor == "postgresql":
                for table in (self.classified, self.codes, self.index):
                    cursor.execute(f"ANALYZE {table}")

    def repeated(self, limit: int) -> tuple[int, int, list[tuple[str, str]]]:
        """Rows whose source identifier an earlier row of the file already has: how many, how
        many of them were otherwise valid, and the first ``limit`` (row number, identifier).
        They are refused."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*), sum(CASE WHEN rejected THEN 0 ELSE 1 END) "
                f"FROM {self.keyed} WHERE {REPEATED}"
            )
            total, newly_rejected = cursor.fetchone()
            cursor.execute(
                f"SELECT number, content_key FROM {self.keyed} WHERE {REPEATED} "
                "ORDER BY line LIMIT %s",
                [limit],
            )
            found = [(number, key) for number, key in cursor.fetchall()]
            cursor.execute(f"UPDATE {self.keyed} SET rejected = %s WHERE {REPEATED}", [True])
        return int(total), int(newly_rejected or 0), found

    # Writing --------------------------------------------------------------------------------

    def write(
        self, batch: ImportBatch, actor: User, standard_version: int, prefix: str, taken: int
    ) -> None:
        """Create the new rows' persons and cases, update the changed ones, count the rest.
        Call inside a transaction holding the organisation's lock on its references."""
        now = timezone.now()
        self.classify(batch.organisation_id, batch.source)
        new = "k.record_id IS NULL AND NOT k.rejected"
        kept = "k.record_id IS NOT NULL AND NOT k.rejected"
        live = f"{kept} AND k.old_case_id IS NOT NULL AND k.erased_at IS NULL"
        changed = f"{live} AND k.old_hash <> k.row_hash"
        with connection.cursor() as cursor:
            batch.created = self._count(cursor, new)
            batch.updated = self._count(cursor, changed)
            batch.unchanged = self._count(cursor, f"{live} AND k.old_hash = k.row_hash")
            batch.skipped_erased = self._count(
                cursor, f"{kept} AND (k.old_case_id IS NULL OR k.erased_at IS NOT NULL)"
            )
            self._update(cursor, changed, now, batch)
            self._insert_new(cursor, new, batch, actor, standard_version, (prefix, taken), now)
            for table, model, target, columns in (
                (self.codes, CaseCode, "case_id", ("field", "code")),
                (self.index, PersonIndex, "person_id", ("kind", "digest")),
            ):
                owner = "k.old_case_id" if target == "case_id" else "k.old_person_id"
                fresh = "k.case_id" if target == "case_id" else "k.person_id"
                names = ", ".join(_q(c) for c in columns)
                picked = ", ".join(f"x.{_q(c)}" for c in columns)
                cursor.execute(
                    f"INSERT INTO {_table(model)} ({_q(target)}, {names}) "
                    f"SELECT CASE WHEN k.record_id IS NULL THEN {fresh} ELSE {owner} END, "
                    f"{picked} FROM {table} x JOIN {self.classified} k ON k.line = x.line "
                    f"WHERE ({new}) OR ({changed})"
                )
            self._index_aliases(cursor, changed)

    def _index_aliases(self, cursor: Any, changed: str) -> None:
        """A file holds no aliases, but a changed person may have some (added in Palermo): their
        index rows went with the others and come back."""
        cursor.execute(
            f"SELECT k.old_person_id FROM {self.classified} k "
            f"JOIN {_table(Person)} p ON p.id = k.old_person_id "
            f"WHERE {changed} AND p.aliases_enc <> ''"
        )
        ids = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(ids), BATCH_ROWS):
            persons = Person.objects.filter(pk__in=ids[start : start + BATCH_ROWS])
            PersonIndex.objects.bulk_create(
                [
                    PersonIndex(person=person, kind=kind, digest=digest)
                    for person in persons
                    for kind, digest in index_entries(person.aliases, [], "")
                ],
                ignore_conflicts=True,
            )

    def _count(self, cursor: Any, where: str) -> int:
        cursor.execute(f"SELECT count(*) FROM {self.classified} k WHERE {where}")
        return int(cursor.fetchone()[0])

    def _update(self, cursor: Any, changed: str, now: Any, batch: ImportBatch) -> None:
        """The changed rows: their person and case as the row now says, their index rows gone
        (inserted again with the new ones), their key's hash."""
        cursor.execute(
            f"DELETE FROM {_table(CaseCode)} WHERE case_id IN "
            f"(SELECT k.old_case_id FROM {self.classified} k WHERE {changed})"
        )
        cursor.execute(
            f"DELETE FROM {_table(PersonIndex)} WHERE person_id IN "
            f"(SELECT k.old_person_id FROM {self.classified} k WHERE {changed})"
        )
        person = ", ".join(f"{_q(c.column)} = k.{_q(c.staged)}" for c in PERSON_COLUMNS)
        cursor.execute(
            f"UPDATE {_table(Person)} SET {person} FROM {self.classified} k "
            f"WHERE {_table(Person)}.id = k.old_person_id AND {changed}"
        )
        case = ", ".join(f"{_q(c.column)} = k.{_q(c.staged)}" for c in CASE_COLUMNS)
        cursor.execute(
            f"UPDATE {_table(Case)} SET {case}, row_version = row_version + 1, updated_at = %s "
            f"FROM {self.classified} k WHERE {_table(Case)}.id = k.old_case_id AND {changed}",
            [now],
        )
        cursor.execute(
            f"UPDATE {_table(ImportedRecord)} SET row_hash = k.row_hash, batch_id = %s "
            f"FROM {self.classified} k "
            f"WHERE {_table(ImportedRecord)}.id = k.record_id AND {changed}",
            [_batch_id(batch)],
        )

    def _insert_new(
        self,
        cursor: Any,
        new: str,
        batch: ImportBatch,
        actor: User,
        standard_version: int,
        references: tuple[str, int],
        now: Any,
    ) -> None:
        prefix, taken = references
        organisation_id = batch.organisation_id
        person_fixed = {"id": "k.person_id"}
        person_fixed |= {c.column: f"k.{_q(c.staged)}" for c in PERSON_COLUMNS}
        self._insert_select(
            cursor, Person, person_fixed, {"organisation_id": organisation_id}, new, now
        )
        if connection.vendor == "postgresql":
            number = "CASE WHEN n >= 100000 THEN n::text ELSE lpad(n::text, 5, '0') END"
        else:
            number = "printf('%%05d', n)"
        case_fixed: dict[str, str | tuple[str, list[Any]]] = {
            "id": "k.case_id",
            "person_id": "k.person_id",
            "reference": (f"%s || {number}", [prefix]),
        }
        case_fixed |= {c.column: f"k.{_q(c.staged)}" for c in CASE_COLUMNS}
        constants = {
            "organisation_id": organisation_id,
            "status": CaseStatus.OPEN.value,
            "case_type": CaseType.IDENTIFIED.value,
            "standard_version": standard_version,
            "created_by_id": actor.pk,
            "intake_step": 6,
        }
        source = (
            f"(SELECT q.*, {taken} + row_number() OVER (ORDER BY q.line) AS n "
            f"FROM {self.classified} q WHERE q.record_id IS NULL AND NOT q.rejected) k"
        )
        self._insert_select(cursor, Case, case_fixed, constants, "1 = 1", now, source)
        if batch.statistics_consent:
            cursor.execute(
                f"INSERT INTO {_table(Consent)} "
                "(case_id, purpose, decision, given_by, decided_on, recorded_by_id, recorded_at) "
                f"SELECT k.case_id, %s, %s, %s, %s, %s, %s FROM {self.classified} k WHERE {new}",
                [
                    ConsentPurpose.STATISTICS.value,
                    Consent.Decision.GIVEN.value,
                    "person",
                    _field(Consent, "decided_on").get_db_prep_save(now.date(), connection),
                    actor.pk,
                    _field(Consent, "recorded_at").get_db_prep_save(now, connection),
                ],
            )
        cursor.execute(
            f"INSERT INTO {_table(ImportedRecord)} "
            "(organisation_id, source, source_key, row_hash, case_id, batch_id) "
            f"SELECT %s, %s, k.source_key, k.row_hash, k.case_id, %s FROM {self.classified} k "
            f"WHERE {new}",
            [
                _db_id(ImportedRecord, "organisation", organisation_id),
                batch.source,
                _batch_id(batch),
            ],
        )

    def _insert_select(
        self,
        cursor: Any,
        model: type[models.Model],
        expressions: Mapping[str, str | tuple[str, list[Any]]],
        constants: dict[str, Any],
        where: str,
        now: Any,
        source: str = "",
    ) -> None:
        """INSERT INTO model SELECT ... FROM the keyed rows: staged columns by expression (with
        its parameters), the given constants, and every other column its model default
        (timestamps now)."""
        names: list[str] = []
        selected: list[str] = []
        params: list[Any] = []
        for field in model._meta.concrete_fields:
            column = field.column
            names.append(_q(column))
            expression = expressions.get(column)
            if isinstance(expression, tuple):
                selected.append(expression[0])
                params.extend(expression[1])
                continue
            if expression:
                selected.append(expression)
                continue
            if column in constants:
                value = field.get_db_prep_save(constants[column], connection)
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = field.get_db_prep_save(now, connection)
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
            selected.append("%s")
            params.append(value)
        cursor.execute(
            f"INSERT INTO {_table(model)} ({', '.join(names)}) "
            f"SELECT {', '.join(selected)} FROM {source or self.classified + ' k'} WHERE {where}",
            params,
        )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in (self.classified, self.keyed, self.rows, self.codes, self.index):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
