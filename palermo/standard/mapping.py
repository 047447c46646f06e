"""Map an organisation's own columns and values to the standard's fields and codes.

:func:`map_rows` is pure: it takes a profile (columns -> fields, value tables), the vocabulary of
the standard and the rows, and returns the coded records together with everything it could not
map. Nothing is dropped silently: an unmapped value leaves its field empty in the record and is
reported, with its column, the row numbers and how often it occurs.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

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
    reason: str = "unknown_code"  # see REASONS
    detail: str = ""  # for retired_code: the code the profile maps to


@dataclass
class MappingResult:
    records: list[dict[str, Any]]
    unmapped_values: list[Unmapped]
    unmapped_columns: list[str]
    missing_columns: list[str]

    @property
    def complete(self) -> bool:
        return not self.unmapped_values and not self.unmapped_columns


YES_NO = "yes_no"  # the list a check box (boolean field) is answered from
REASONS: dict[str, Any] = {  # translated where shown
    "unknown_code": _("not a code of the field's list"),
    "retired_code": _("the profile maps it to a code that is no longer in the standard"),
    "not_a_number": _("not a number"),
    "not_a_date": _("not a date (YYYY-MM-DD)"),
    "several_codes": _("several codes for a field that takes one"),
}


MEMO_SIZE = 200_000


def _resolve(
    own_table: Mapping[str, str], vocabulary: Vocabulary, code_list: str, part: str
) -> tuple[str | None, str]:
    """(code, "") for a value the profile or the standard knows; (None, own code) when the
    profile maps it to a retired code; (None, "") when nothing knows it."""
    own = own_table.get(_own_key(part))
    if own is not None and own not in vocabulary.codes.get(code_list, ()):
        return None, own
    return (own if own is not None else vocabulary.lookup(code_list, part)), ""


def _own_key(value: str) -> str:
    return normalise(value) or value.strip()


def _number(text: str) -> int | float | None:
    """A number, accepting one decimal comma ("1,5"); ``None`` when it is not one."""
    candidate = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        number = float(candidate)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


@dataclass(frozen=True)
class _Plan:
    """How one rule reads its cells, worked out once per call instead of once per cell."""

    rule: ColumnRule
    data_type: str | None  # None: a field the standard's current version does not have
    convert: Callable[[str], Any] | None  # a number or a date: the value, None if it is not one
    refused: str  # the reason reported when ``convert`` gives None
    code_list: str  # "" when the cells are kept as they are (text), numbers or dates
    own_table: Mapping[str, str]
    # What each distinct cell of a number, date or coded column reads as: a file repeats the
    # same few values, each read once per call rather than once per cell.
    read: dict[str, Any] = dataclasses.field(default_factory=dict)


UNREAD = object()


@dataclass(frozen=True)
class _Codes:
    """What one cell of a coded column maps to: its codes (in order, each once) and the parts
    that map to nothing, as (part, reason, detail)."""

    codes: tuple[str, ...]
    problems: tuple[tuple[str, str, str], ...]


def _plan(rule: ColumnRule, fields: Mapping[str, FieldInfo], own_table: Mapping[str, str]) -> _Plan:
    info = fields.get(rule.field)
    data_type = None if info is None else info.data_type
    convert: Callable[[str], Any] | None = None
    refused = code_list = ""
    if data_type == FieldType.NUMBER:
        convert, refused = _number, "not_a_number"
    elif data_type == FieldType.DATE:
        convert, refused = _date, "not_a_date"
    elif info is not None and data_type in CODED | {FieldType.BOOLEAN}:
        code_list = (YES_NO if data_type == FieldType.BOOLEAN else info.code_list) or ""
    return _Plan(rule, data_type, convert, refused, code_list, own_table)


def _codes(
    plan: _Plan,
    text: str,
    vocabulary: Vocabulary,
    memo: dict[tuple[str, str, str], tuple[str | None, str]],
) -> _Codes:
    rule = plan.rule
    parts = [p.strip() for p in text.split(rule.separator)] if rule.separator else [text]
    mapped: list[str] = []
    problems: list[tuple[str, str, str]] = []
    for part in filter(None, parts):
        resolved = memo.get((rule.column, rule.field, part))
        if resolved is None:
            resolved = _resolve(plan.own_table, vocabulary, plan.code_list, part)
            if len(memo) < MEMO_SIZE:
                memo[(rule.column, rule.field, part)] = resolved
        code, retired = resolved
        if retired:
            problems.append((part, "retired_code", retired))
        elif code is None:
            problems.append((part, "unknown_code", ""))
        elif code not in mapped:
            mapped.append(code)
    return _Codes(tuple(mapped), tuple(problems))


def _date(text: str) -> str | None:
    """The date in ISO form; ``None`` when it is not one."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def map_rows(
    rules: Iterable[ColumnRule],
    fields: Mapping[str, FieldInfo],
    vocabulary: Vocabulary,
    rows: Iterable[Mapping[str, Any]],
    row_limit_per_value: int = 5,
    memo: dict[tuple[str, str, str], tuple[str | None, str]] | None = None,
) -> MappingResult:
    """``memo`` keeps how each value of each column was resolved, across calls over the chunks
    of one file (the same few codes repeat over millions of rows)."""
    rules = list(rules)
    memo = {} if memo is None else memo
    own_tables = {r.column: {_own_key(k): v for k, v in r.values.items()} for r in rules}
    plans = [_plan(rule, fields, own_tables[rule.column]) for rule in rules]
    counts: Counter[tuple[str, str, str, str]] = Counter()
    where: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    records: list[dict[str, Any]] = []
    seen_columns: set[str] = set()

    def report(column: str, value: str, reason: str, number: int, detail: str = "") -> None:
        key = (column, value, reason, detail)
        counts[key] += 1
        if len(where[key]) < row_limit_per_value:
            where[key].append(number)

    # The plans' attributes every cell needs, unpacked once per call rather than per cell.
    steps = [(p.rule.column, p.rule.field, p.data_type, p.convert, p.code_list, p) for p in plans]
    for number, row in enumerate(rows, start=1):
        seen_columns.update(row.keys())
        record: dict[str, Any] = {}
        for column, field, data_type, convert, code_list, plan in steps:
            raw = row.get(column)
            if raw is None:
                continue
            text = str(raw).strip()
            if not text:
                continue
            if data_type is None:
                raise KeyError(field)  # as fields[field] would
            if convert is not None:
                value = plan.read.get(text, UNREAD)
                if value is UNREAD:
                    value = plan.read[text] = convert(text)
                if value is None:
                    report(column, text, plan.refused, number)
                else:
                    record[field] = value
                continue
            if not code_list:
                record[field] = text
                continue
            cell = plan.read.get(text)
            if cell is None:
                cell = plan.read[text] = _codes(plan, text, vocabulary, memo)
            for part, reason, detail in cell.problems:
                report(column, part, reason, number, detail)
            mapped = cell.codes
            if not mapped:
                continue
            if data_type == FieldType.MULTI_CHOICE:
                merged = record.get(field)
                if merged is None:  # mapped holds each code once
                    record[field] = list(mapped)
                else:  # a second column mapped to the same field
                    merged.extend(c for c in mapped if c not in merged)
            elif len(mapped) > 1 or field in record:
                report(column, text, "several_codes", number)
            elif data_type == FieldType.BOOLEAN:
                record[field] = mapped[0] == "TRUE"
            else:
                record[field] = mapped[0]
        records.append(record)
    field_of = {r.column: r.field for r in rules}
    unmapped = [
        Unmapped(column, field_of[column], value, n, tuple(where[key]), reason, detail)
        for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        for column, value, reason, detail in [key]
    ]
    mapped_columns = {r.column for r in rules}
    return MappingResult(
        records=records,
        unmapped_values=unmapped,
        unmapped_columns=sorted(seen_columns - mapped_columns),
        missing_columns=sorted(mapped_columns - seen_columns) if records else [],
    )
