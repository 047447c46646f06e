"""Suggestions for the mapping step: which standard field a file's column probably holds, and which
code each of its values probably is, found by name: the field's key (with or without its
``prs_``/``vic_``/``ana_`` prefix, camelCase or not) and its labels in any of the six languages;
for values, the codes and their labels in every language (``standard.mapping.Vocabulary``).

A suggestion is only a suggestion: the person mapping the file confirms it, and the import checks
every value again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from palermo.standard.mapping import normalise
from palermo.standard.models import Field, FieldLabel
from palermo.standard.selectors import latest_version
from palermo.standard.services import field_infos, vocabulary


@dataclass
class Suggestion:
    column: str
    fields: list[str]  # candidates, the likeliest first; empty when nothing matches
    values: dict[str, str | None] = field(default_factory=dict)  # sample value -> code

    @property
    def field(self) -> str | None:
        return self.fields[0] if self.fields else None


def _spellings(version: int) -> dict[str, list[str]]:
    """Every normalised spelling of every field, to the fields it names (HTCDS before CTDC)."""
    found: dict[str, list[str]] = {}

    def add(text: str, key: str) -> None:
        token = normalise(text)
        if token and key not in found.setdefault(token, []):
            found[token].append(key)

    keys = sorted(
        Field.objects.at(version).values_list("key", flat=True),
        key=lambda k: (k.startswith("ana_"), k),
    )
    for key in keys:
        add(key, key)
        add(key.split("_", 1)[-1], key)
    for key, text in FieldLabel.objects.at(version).values_list("field__key", "text"):
        add(text, key)
    return found


def suggest(
    columns: Iterable[str],
    samples: Mapping[str, Iterable[str]] | None = None,
    version: int | None = None,
) -> list[Suggestion]:
    """For each column, the fields it may hold and, for a coded field, what its sample values
    probably are."""
    version = version or latest_version()
    spellings = _spellings(version)
    infos = field_infos(version)
    vocab = vocabulary(version)
    suggestions = []
    for column in columns:
        values = list(
            dict.fromkeys(v.strip() for v in (samples or {}).get(column, ()) if v.strip())
        )

        def matched(key: str, values: list[str] = values) -> int:
            """How many sample values are codes of the field (its list, by any spelling)."""
            code_list = infos[key].code_list if key in infos else None
            return sum(vocab.lookup(code_list, v) is not None for v in values) if code_list else 0

        # Of several fields with the same name (prs_Gender, ana_Gender), the one whose codes
        # the values are comes first; otherwise HTCDS before the analytic variables.
        candidates = sorted(spellings.get(normalise(column), []), key=lambda k: -matched(k))
        suggestion = Suggestion(column, candidates)
        info = infos.get(suggestion.field or "")
        if info is not None and info.code_list:
            for value in values:
                suggestion.values[value] = vocab.lookup(info.code_list, value)
        suggestions.append(suggestion)
    return suggestions


def sample_values(
    columns: Iterable[str], rows: Iterable[Mapping[str, str]], per_column: int
) -> dict[str, list[str]]:
    """The first distinct non-empty values of each column in ``rows``: what ``suggest`` and
    the mapping page look at."""
    rows = list(rows)
    found = {}
    for column in columns:
        values = dict.fromkeys(text for row in rows if (text := (row.get(column) or "").strip()))
        found[column] = list(values)[:per_column]
    return found
