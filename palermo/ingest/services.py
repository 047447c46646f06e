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
import hmac
import json
import operator
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palermo.accounts import access as accounts_access
from palermo.audit import services as audit
from palermo.cases.services import code_entries, index_entries, reference_start
from palermo.ingest.binding import SECRET, bind
from palermo.ingest.models import ImportBatch
from palermo.ingest.readers import ReadError, estimate_rows, open_tables
from palermo.ingest.staging import Stage
from palermo.standard.mapping import REASONS, map_rows
from palermo.standard.selectors import latest_version
from palermo.standard.services import field_infos, profile_rules, vocabulary

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User
    from palermo.standard.models import MappingProfile

CHUNK = 1000
MAX_PROBLEMS_KEPT = 10_000
EXTRA_REASONS: dict[str, Any] = {
    "future_date": _("a date in the future"),
    "missing_identifier": _("no source identifier"),
    "duplicate_identifier": _("the same source identifier as another row of the file"),
    "long_identifier": _("a source identifier longer than 200 characters"),
}
MAX_IDENTIFIER = 200  # ImportedRecord.source_key
DATED = ("prs_Birthdate", "cas_IdentificationDate")  # fields whose dates cannot be in the future
# json.dumps(record, sort_keys=True, ensure_ascii=False), without a new encoder for every row.
RECORD_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
Progress = Callable[[ImportBatch], None]


@dataclass
class Row:
    number: str  # "12", or "Sheet!12" in a workbook of several sheets
    cells: dict[str, str]
    record: dict[str, Any]
    problems: list[dict[str, Any]]
    key: str = ""
    row_hash: str = ""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def why(reason: str) -> Any:
    """What a problem's reason means, in the reader's language."""
    return REASONS.get(reason) or EXTRA_REASONS.get(reason, reason)


def _problem(
    row: str, column: str, value: str, reason: str, hidden: bool = False
) -> dict[str, Any]:
    """One problem as the batch keeps it. The value of an identifier (a name, a birth date...)
    is not kept: the batch is not encrypted; the report shows the cell, encrypted at rest."""
    return {
        "row": row,
        "column": column,
        "value": "" if hidden else value[:200],
        "hidden": hidden,
        "reason": reason,  # read in the reader's language by why()
    }


def _rows(path: Path, file_name: str, profile: MappingProfile, id_column: str) -> Iterator[Row]:
    """Every row of every table, mapped and checked, with its key (not yet its occurrence)."""
    rules = profile_rules(profile)
    infos = field_infos()
    vocab = vocabulary()
    tables = open_tables(path, file_name)
    mapped_columns = {r.column for r in rules}
    column_of = {r.field: r.column for r in rules}
    secret = {r.column for r in rules if r.field in SECRET}
    skip = profile.skip_rows
    memo: dict[tuple[str, str, str], tuple[str | None, str]] = {}
    today = timezone.localdate().isoformat()
    digest_key = settings.PALERMO_BLIND_INDEX_KEY.encode("utf-8")  # read once, not per row
    content_key = _ContentKey(digest_key)
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
            result = map_rows(rules, infos, vocab, chunk, row_limit_per_value=CHUNK, memo=memo)
            by_row: dict[int, list[dict[str, str]]] = {}
            for miss in result.unmapped_values:
                for number in miss.rows:
                    by_row.setdefault(number, []).append(
                        _problem(
                            f"{label}{position + number}",
                            miss.column,
                            miss.value,
                            miss.reason,
                            miss.column in secret,
                        )
                    )
            for index, (cells, record) in enumerate(zip(chunk, result.records, strict=True), 1):
                line = f"{label}{position + index}"
                problems = by_row.get(index, [])
                if DATED[0] in record or DATED[1] in record:  # most files have neither
                    for key, value in record.items():
                        if key in DATED and value > today:
                            problems.append(
                                _problem(
                                    line,
                                    column_of.get(key, key),
                                    value,
                                    "future_date",
                                    key in SECRET,
                                )
                            )
                row = Row(line, cells, record, problems)
                if id_column:
                    row.key = (cells.get(id_column) or "").strip()
                    if not row.key:
                        problems.append(_problem(line, id_column, "", "missing_identifier"))
                    elif len(row.key) > MAX_IDENTIFIER:
                        problems.append(_problem(line, id_column, row.key, "long_identifier"))
                else:
                    row.key = content_key(cells)
                row.row_hash = _keyed_digest(digest_key, RECORD_JSON.encode(record))
                yield row
            position += len(chunk)


def _keyed_digest(key: bytes, text: str) -> str:
    """A digest keyed like the blind index (``key``: PALERMO_BLIND_INDEX_KEY): the stored keys
    and hashes of rows that hold identifiers cannot be checked against a guessed record without
    the key."""
    return hmac.digest(key, text.encode("utf-8"), "sha256").hex()


class _ContentKey:
    """A row's content, whatever the order of its columns (a re-saved file may move them): the
    keyed digest of its sorted column names, then of its cells in that order. The rows of a
    table have the same columns, so for each set of columns the names are sorted, and their part
    of the digest computed, once; each row only adds its cells (a copy of that digest, updated,
    gives the digest of the whole text)."""

    MAX_KNOWN = 1000  # sets of columns kept (a JSON file's records may each have their own)

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.known: dict[tuple[str, ...], tuple[Callable[[dict[str, str]], Any], hmac.HMAC]] = {}

    def __call__(self, cells: dict[str, str]) -> str:
        columns = tuple(cells)
        known = self.known.get(columns)
        if known is None:
            names = sorted(cells)
            head = ("\x1e".join(names) + "\x1d").encode("utf-8")
            in_order: Callable[[dict[str, str]], Any] = (
                operator.itemgetter(*names)
                if len(names) > 1  # itemgetter of one name gives the cell, not a tuple
                else lambda cells: [cells[name] for name in names]
            )
            if len(self.known) >= self.MAX_KNOWN:
                self.known.clear()
            known = self.known[columns] = (in_order, hmac.new(self.key, head, "sha256"))
        in_order, head_digest = known
        digest = head_digest.copy()
        digest.update("\x1e".join(in_order(cells)).encode("utf-8"))
        return digest.hexdigest()[:40]


def checked_rows(
    path: Path, file_name: str, profile: MappingProfile, id_column: str
) -> Iterator[Row]:
    """Every row of the file, mapped and checked, with its content key (streaming). Repeated
    identifiers and identical rows are told apart by the staging step, over the whole file."""
    return _rows(path, file_name, profile, id_column)


def run_import(
    path: Path,
    organisation: Organisation,
    profile: MappingProfile,
    actor: User,
    mode: str = ImportBatch.Mode.ALL_OR_NOTHING,
    id_column: str | None = None,
    file_name: str = "",
    progress: Progress | None = None,
    check_only: bool = False,
    batch: ImportBatch | None = None,
    statistics_consent: bool = False,
) -> ImportBatch:
    """Check, then import, one file. Returns the batch with its counts and report; a file that
    cannot be read gives a batch with status "failed" and the reason; ``check_only`` stops
    after the report. Only a data manager of the organisation imports, and only through one of
    its own profiles (every door: command, pages, background task). ``batch`` continues a batch
    created earlier (a page's queued import)."""
    if profile.organisation_id != organisation.pk or not accounts_access.can(
        actor, accounts_access.Action.IMPORT_EXPORT, organisation
    ):
        raise PermissionDenied("import into this organisation")
    if batch is None:
        batch = ImportBatch(
            organisation=organisation,
            profile=profile,
            file_name=file_name or path.name,
            id_column=profile.id_column if id_column is None else id_column,
            mode=mode,
            started_by=actor,
            statistics_consent=statistics_consent,
        )
    batch.source = str(profile.pk)
    batch.status = ImportBatch.Status.VALIDATING
    batch.save()
    stage: Stage | None = None
    try:
        batch.file_sha256 = file_digest(path)
        batch.rows_expected = estimate_rows(path, batch.file_name)
        stage = Stage()
        _check(batch, path, profile, stage, progress)
        if check_only:
            batch.status = ImportBatch.Status.CHECKED
        elif batch.rows_rejected and batch.mode == ImportBatch.Mode.ALL_OR_NOTHING:
            batch.status = ImportBatch.Status.REFUSED
        else:
            batch.status = ImportBatch.Status.IMPORTING
            batch.save()
            if progress:
                progress(batch)
            with transaction.atomic():
                prefix, taken = reference_start(organisation)
                stage.write(batch, actor, latest_version(), prefix, taken)
            batch.status = ImportBatch.Status.DONE
    except ReadError as exc:
        _nothing_written(batch)
        batch.error = str(exc)
    except BaseException as exc:  # interrupted: the write transaction rolled back
        _nothing_written(batch)
        batch.error = f"Interrupted ({type(exc).__name__}): nothing was imported; run it again."
        batch.finished_at = timezone.now()
        _save_after_failure(batch)
        raise
    finally:
        if stage is not None:
            _drop_quietly(stage)
    batch.finished_at = timezone.now()
    batch.save()
    audit.record(
        action="ingest.checked" if check_only else "ingest.imported",
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
            "skipped_erased": batch.skipped_erased,
        },
    )
    return batch


def _nothing_written(batch: ImportBatch) -> None:
    batch.status = ImportBatch.Status.FAILED
    batch.created = batch.updated = batch.unchanged = batch.skipped_erased = 0


def _save_after_failure(batch: ImportBatch) -> None:
    with suppress(DatabaseError):  # the connection is gone: the batch stays "importing"
        batch.save()


def _drop_quietly(stage: Stage) -> None:
    with suppress(DatabaseError):  # a lost connection took its temporary tables with it
        stage.drop()


def _check(
    batch: ImportBatch,
    path: Path,
    profile: MappingProfile,
    stage: Stage,
    progress: Progress | None,
) -> None:
    """Read, map and check every row once, staging it; then find repeated identifiers over the
    whole file. Problems are kept (the first MAX_PROBLEMS_KEPT) with row, column and value."""
    problems: list[dict[str, Any]] = []
    rows = checked_rows(path, batch.file_name, profile, batch.id_column)
    for line, row in enumerate(rows, start=1):
        batch.rows_read += 1
        if row.problems:
            batch.rows_rejected += 1
            batch.problems_total += len(row.problems)
            problems.extend(row.problems[: MAX_PROBLEMS_KEPT - len(problems)])
            stage.add(line, row.number, row.key, row.row_hash, None)
        else:
            bound = bind(row.record)
            person = bound.person
            names = [" ".join(filter(None, (person.get("given_name"), person.get("family_name"))))]
            index = index_entries(names, person.get("documents", []), person.get("phone", ""))
            stage.add(
                line, row.number, row.key, row.row_hash, bound, code_entries(bound.case), index
            )
        if progress and batch.rows_read % CHUNK == 0:
            progress(batch)
    stage.key_rows(bool(batch.id_column))
    if batch.id_column:
        total, newly_rejected, found = stage.repeated(MAX_PROBLEMS_KEPT - len(problems))
        batch.rows_rejected += newly_rejected
        batch.problems_total += total
        problems.extend(
            _problem(number, batch.id_column, key, "duplicate_identifier") for number, key in found
        )
    batch.problems = problems
    batch.save()
    if progress:
        progress(batch)
