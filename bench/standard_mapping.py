"""Benchmark: coding the CTDC global dataset (97,750 rows) with a mapping profile, against plain
dictionary lookups of the same cells.

Imports (issue 5) code every cell of every file through `mapping.map_rows`: spelling-tolerant
matching (codes, aliases, labels in six languages), multi-code cells, and a report of every
unmapped value. The baseline codes the same cells with exact-match dict lookups prepared in
advance, the least any importer must do; the ratio is the price of tolerance and reporting.
Run: .venv/bin/python bench/standard_mapping.py  (DATABASE_URL picks the DB holding the standard).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.dev")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from palermo.standard import services
from palermo.standard.mapping import ColumnRule, map_rows

CTDC = (
    Path(settings.PALERMO_STANDARDS_DIR).parent
    / "data"
    / "ctdc-kanon-2021"
    / "ctdc_global_kanon_2021-07-15.csv.gz"
)
RULES = [
    ColumnRule("gender", "ana_Gender"),
    ColumnRule("ageBroad", "ana_AgeBroad"),
    ColumnRule("majorityStatus", "ana_MajorityStatus"),
    ColumnRule("majorityStatusAtExploit", "ana_MajorityStatusAtExploit"),
    ColumnRule("citizenship", "ana_Citizenship"),
    ColumnRule("CountryOfExploitation", "ana_CountryOfExploitation"),
    ColumnRule("typeOfExploitConcatenated", "ana_TypeOfExploitation", separator=";"),
    ColumnRule("meansOfControlConcatenated", "ana_MeansOfControl", separator=";"),
    ColumnRule("typeOfLabourConcatenated", "ana_TypeOfLabour", separator=";"),
]
# Mapping 20,000 cells a second per core would code the CTDC file in under 45 s; the tolerant
# path may cost at most 5x the bare lookups.
GOAL_RATIO = 5.0
GOAL_ROWS_PER_S = 20000


def baseline(rows: list[dict[str, str]], tables: dict[str, dict[str, str]]) -> float:
    start = time.perf_counter()
    out = []
    for row in rows:
        record = {}
        for rule in RULES:
            text = row.get(rule.column) or ""
            if not text:
                continue
            parts = text.split(rule.separator) if rule.separator else [text]
            codes = [tables[rule.column].get(p.strip()) for p in parts]
            record[rule.field] = [c for c in codes if c]
        out.append(record)
    return time.perf_counter() - start


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_geo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_standard", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with gzip.open(CTDC, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    start = time.perf_counter()
    vocabulary = services.vocabulary()
    fields = services.field_infos()
    vocabulary_s = time.perf_counter() - start

    start = time.perf_counter()
    result = map_rows(RULES, fields, vocabulary, rows)
    mapping_s = time.perf_counter() - start

    # The baseline's tables: exactly the spellings found in the file, resolved in advance.
    tables: dict[str, dict[str, str]] = {}
    for rule in RULES:
        info = fields[rule.field]
        table = tables.setdefault(rule.column, {})
        for row in rows:
            text = row.get(rule.column) or ""
            for part in text.split(rule.separator) if rule.separator else [text]:
                part = part.strip()
                if part and part not in table:
                    code = vocabulary.lookup(info.code_list or "", part)
                    if code:
                        table[part] = code
    baseline_s = baseline(rows, tables)
    ratio = mapping_s / baseline_s
    unmapped_cells = sum(u.count for u in result.unmapped_values)
    report = {
        "bench": "standard_mapping",
        "database": connection.vendor,
        "rows": len(rows),
        "columns": len(RULES),
        "vocabulary_build_s": round(vocabulary_s, 3),
        "map_rows_per_s": round(len(rows) / mapping_s),
        "baseline_rows_per_s": round(len(rows) / baseline_s),
        "ratio_map_vs_baseline": round(ratio, 2),
        "unmapped_distinct_values": len(result.unmapped_values),
        "unmapped_cells": unmapped_cells,
        "unmapped_examples": [
            f"{u.column}={u.value!r} x{u.count}" for u in result.unmapped_values[:5]
        ],
        "goals": {"ratio_max": GOAL_RATIO, "rows_per_s_min": GOAL_ROWS_PER_S},
        "goals_met": ratio <= GOAL_RATIO and len(rows) / mapping_s >= GOAL_ROWS_PER_S,
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
