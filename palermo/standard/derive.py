"""The analytic variables (CTDC layout) of a case coded in HTCDS fields, by each variable's
derivation in the standard (``Field.derivation``) and the standard's crosswalk of codes.

Pure once the rules are loaded: :func:`rules` reads the standard (one version), :func:`analytic`
turns one record into its analytic values. The record holds HTCDS field keys with their codes
(lists for multi-valued fields, ISO dates as text) and, since a case keeps ages rather than the
birth date for analysis, ``age_at_identification`` and ``age_at_exploitation``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from palermo.standard import selectors
from palermo.standard.models import Code, FieldType

ADULT_AGE = 18
BAND = re.compile(r"^(\d+)(?:--(\d+)|\+)$")  # CTDC age bands: "9--17", "48+"


@dataclass(frozen=True)
class Variable:
    key: str
    data_type: str
    code_list: str | None
    codes: tuple[str, ...]
    method: str
    sources: tuple[str, ...]
    value: str = ""
    column: str = ""  # the CTDC column name


@dataclass
class Rules:
    variables: list[Variable] = field(default_factory=list)
    source_lists: dict[str, str] = field(default_factory=dict)  # HTCDS field -> its code list
    crosswalk: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)


def rules(version: int | None = None) -> Rules:
    version = version or selectors.latest_version()
    found = Rules()
    fields = list(selectors.fields(version))
    lists = {item.code_list_id for item in fields if item.key.startswith("ana_")} - {None}
    codes_of: dict[int, list[str]] = {}
    for list_id, code in (
        Code.objects.at(version)
        .filter(code_list_id__in=lists)
        .order_by("order", "code")
        .values_list("code_list_id", "code")
    ):
        codes_of.setdefault(list_id, []).append(code)
    for item in fields:
        if item.code_list is not None:
            found.source_lists[item.key] = item.code_list.key
        if not item.key.startswith("ana_") or not item.derivation:
            continue
        codes = tuple(codes_of.get(item.code_list_id, ())) if item.code_list_id else ()
        found.variables.append(
            Variable(
                key=item.key,
                data_type=item.data_type,
                code_list=item.code_list.key if item.code_list else None,
                codes=codes,
                method=item.derivation.get("method", ""),
                sources=tuple(item.derivation.get("from", [])),
                value=item.derivation.get("value", ""),
                column=(item.aliases or [item.key])[0],
            )
        )
    for mapping in selectors.crosswalk(version):
        source = (mapping.source.code_list.key, mapping.source.code)
        found.crosswalk.setdefault(source, []).append(
            (mapping.target.code_list.key, mapping.target.code)
        )
    return found


def analytic(record: Mapping[str, Any], rules: Rules) -> dict[str, Any]:
    """The analytic values of one record; a variable that cannot be derived is left out."""
    values: dict[str, Any] = {}
    for variable in rules.variables:
        value = _derive(variable, record, rules)
        if value not in (None, "", []):
            values[variable.key] = value
    return values


def case_analytic(
    record: Mapping[str, Any], imported: Mapping[str, Any] | None, rules: Rules
) -> dict[str, Any]:
    """A case's analytic values: as its source coded them where it did (a file imported in the
    analytic form, such as CTDC's), else derived from its HTCDS codes. Exports and statistics
    both read a case this way."""
    found = analytic(record, rules)
    found.update({k: v for k, v in (imported or {}).items() if v not in (None, "", [])})
    return found


def _derive(variable: Variable, record: Mapping[str, Any], rules: Rules) -> Any:
    method = variable.method
    if method == "year":
        date = record.get(variable.sources[0]) if variable.sources else None
        return datetime.date.fromisoformat(str(date)).year if date else None
    if method == "constant":
        return variable.value or (variable.codes[0] if variable.codes else None)
    if method in ("first", "event_country"):  # a record holds the exploitation country itself
        found = _codes(record.get(variable.sources[0]))
        return found[0] if found else None
    if method == "age_band":
        return _band(record.get("age_at_identification"), variable.codes)
    if method == "majority":
        return _majority(variable, record)
    if method == "crosswalk":
        return _crosswalk(variable, record, rules)
    return None  # not derivable from HTCDS fields: kept only when recorded as such


def _codes(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _band(age: Any, codes: tuple[str, ...]) -> str | None:
    if not isinstance(age, int):
        return None
    for code in codes:
        match = BAND.match(code)
        if match and int(match[1]) <= age and (match[2] is None or age <= int(match[2])):
            return code
    return None


def _majority(variable: Variable, record: Mapping[str, Any]) -> str:
    if variable.sources and variable.sources[0] == "vic_AgeWhenTrafficked":
        age = record.get("vic_AgeWhenTrafficked")
    elif "cas_IdentificationDate" in variable.sources:
        age = record.get("age_at_identification")
    else:
        age = record.get("age_at_exploitation")
    if not isinstance(age, int | float):
        return "Unknown"
    return "Minor" if age < ADULT_AGE else "Adult"


def _crosswalk(variable: Variable, record: Mapping[str, Any], rules: Rules) -> Any:
    found: list[str] = []
    for source in variable.sources:
        source_list = rules.source_lists.get(source)
        for code in _codes(record.get(source)):
            for target_list, target in rules.crosswalk.get((source_list or "", code), []):
                if target_list == variable.code_list and target not in found:
                    found.append(target)
    if variable.key == "ana_TypeOfExploitation" and {"ForcedLabour", "SexualExploitation"} <= set(
        found
    ):
        found.append("SexAndLabour")
    if not found and "NotSpecified" in variable.codes:
        found = ["NotSpecified"]
    if variable.data_type == FieldType.MULTI_CHOICE:
        return found
    return found[0] if found else None
