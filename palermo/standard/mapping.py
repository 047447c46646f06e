"""Map an organisation's own columns and values to the standard's fields and codes.

:func:`map_rows` is pure: it takes a profile (columns -> fields, value tables), the vocabulary of
the standard and the rows, and returns the coded records together with everything it could not
map. Nothing is dropped silently: an unmapped value leaves its field empty in the record and is
reported, with its column, the row numbers and how often it occurs.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from palermo.standard.models import FieldType

CODED = {FieldType.CHOICE, FieldType.MULTI_CHOICE}


def normalise(value: str) -> str:
    """Case, accents, spacing and punctuation do not distinguish two spellings of a value."""
    value = unicodedata.normalize("NFKD", value).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-/.,'\u2019()]+", "", value)


@dataclass
class Vocabulary:
    """For each code list, every accepted spelling of each code: the code, its aliases and its
    labels in every language."""

    codes: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    spellings: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    def add(self, list_key: str, code: str, spellings: Iterable[str]) -> None:
        self.codes.setdefault(list_key, set()).add(code)
        table = self.spellings.setdefault(list_key, {})
        for spelling in (code, *spellings):
            token = normalise(str(spelling))
            if token:
                table.setdefault(token, code)

    def lookup(self, list_key: str, value: str) -> str | None:
        if value in self.codes.get(list_key, ()):
            return value
        return self.spellings.get(list_key, {}).get(normalise(value))


@dataclass(frozen=True)
class FieldInfo:
    key: str
    data_type: str
    code_list: str | None


@dataclass(frozen=True)
class ColumnRule:
    column: str
    field: str
    separator: str = ""
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Unmapped:
    column: str
    field: str
    value: str
    count: int
    rows: tuple[int, ...]  # first few row numbers (1 = first data row)


@dataclass
class MappingResult:
    records: list[dict[str, Any]]
    unmapped_values: list[Unmapped]
    unmapped_columns: list[str]
    missing_columns: list[str]

    @property
    def complete(self) -> bool:
        return not self.unmapped_values and not self.unmapped_columns


def map_rows(
    rules: Iterable[ColumnRule],
    fields: Mapping[str, FieldInfo],
    vocabulary: Vocabulary,
    rows: Iterable[Mapping[str, Any]],
    row_limit_per_value: int = 5,
) -> MappingResult:
    rules = list(rules)
    own_tables = {
        r.column: {normalise(k): v for k, v in r.values.items() if normalise(k)} for r in rules
    }
    counts: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    records: list[dict[str, Any]] = []
    seen_columns: set[str] = set()
    for number, row in enumerate(rows, start=1):
        seen_columns.update(row.keys())
        record: dict[str, Any] = {}
        for rule in rules:
            info = fields[rule.field]
            raw = row.get(rule.column)
            text = "" if raw is None else str(raw).strip()
            if not text:
                continue
            if info.data_type not in CODED or not info.code_list:
                record[rule.field] = text
                continue
            parts = [p.strip() for p in text.split(rule.separator)] if rule.separator else [text]
            mapped: list[str] = []
            for part in filter(None, parts):
                own = own_tables[rule.column].get(normalise(part))
                code = own if own is not None else vocabulary.lookup(info.code_list, part)
                if code is None:
                    counts[(rule.column, part)] += 1
                    if len(where[(rule.column, part)]) < row_limit_per_value:
                        where[(rule.column, part)].append(number)
                elif code not in mapped:
                    mapped.append(code)
            if not mapped:
                continue
            if info.data_type == FieldType.MULTI_CHOICE:
                merged = record.setdefault(rule.field, [])
                merged.extend(c for c in mapped if c not in merged)
            else:
                record[rule.field] = mapped[0]
        records.append(record)
    field_of = {r.column: r.field for r in rules}
    unmapped = [
        Unmapped(column, field_of[column], value, n, tuple(where[(column, value)]))
        for (column, value), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    mapped_columns = {r.column for r in rules}
    return MappingResult(
        records=records,
        unmapped_values=unmapped,
        unmapped_columns=sorted(seen_columns - mapped_columns),
        missing_columns=sorted(mapped_columns - seen_columns) if records else [],
    )
