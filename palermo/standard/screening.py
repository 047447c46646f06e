"""Evaluate answers against a screening instrument, explaining the outcome indicator by indicator.

An instrument is data (a JSON document, see ``schemas.INSTRUMENT_SCHEMA``): dimensions holding
graded indicators, a rule that says when a dimension is positive, and an outcome expression over
dimensions and recorded facts. :func:`evaluate` is a pure function of the document and the
answers, so a screening can be re-evaluated later against the exact version it used.

The result is a screening result that calls for referral and formal identification, never a
legal determination.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GRADES = ("strong", "medium", "weak")


class AnswerError(ValueError):
    """The answers name an indicator, dimension or fact the instrument does not have."""


@dataclass(frozen=True)
class IndicatorAnswer:
    key: str
    label: str
    grade: str


@dataclass(frozen=True)
class DimensionResult:
    key: str
    label: str
    strong: int
    medium: int
    weak: int
    positive: bool
    present: tuple[IndicatorAnswer, ...]
    reason: str


@dataclass(frozen=True)
class Evaluation:
    positive: bool
    outcome: str
    dimensions: tuple[DimensionResult, ...]
    facts: Mapping[str, bool]
    explanation: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())


def _clause_holds(clause: Mapping[str, int], s: int, m: int, w: int) -> bool:
    counts = {
        "strong_min": s,
        "medium_min": m,
        "weak_min": w,
        "medium_or_weak_min": m + w,
        "any_min": s + m + w,
    }
    return all(counts[name] >= minimum for name, minimum in clause.items())


def describe_clause(clause: Mapping[str, int]) -> str:
    words = {
        "strong_min": "strong",
        "medium_min": "medium",
        "weak_min": "weak",
        "medium_or_weak_min": "medium or weak",
        "any_min": "of any grade",
    }
    return " and ".join(f"at least {n} {words[name]}" for name, n in clause.items())


def dimension_positive(rule: Mapping[str, Any], strong: int, medium: int, weak: int) -> bool:
    """Whether counts of present indicators make a dimension positive under ``rule``."""
    return any(_clause_holds(c, strong, medium, weak) for c in rule["any_of"])


def _counts_text(s: int, m: int, w: int) -> str:
    return f"{s} strong, {m} medium, {w} weak"


def evaluate(
    document: Mapping[str, Any],
    present: Iterable[str],
    facts: Mapping[str, bool] | None = None,
) -> Evaluation:
    """Evaluate an instrument ``document``.

    ``present``: the indicators found present, as ``"dimension.indicator"`` keys (the same
    indicator can sit in a recruitment and a destination dimension with different grades, and
    each counts only in its own). ``facts``: answers to the instrument's facts, e.g.
    ``{"act_recorded": True}``; a missing fact counts as not established.
    """
    facts = dict(facts or {})
    known_facts = {f["key"] for f in document.get("facts", [])}
    unknown = set(facts) - known_facts
    if unknown:
        raise AnswerError(f"unknown facts: {', '.join(sorted(unknown))}")
    chosen = set(present)
    indicators = {
        f"{dim['key']}.{ind['key']}": (dim["key"], ind)
        for dim in document["dimensions"]
        for ind in dim["indicators"]
    }
    unknown = chosen - set(indicators)
    if unknown:
        raise AnswerError(f"unknown indicators: {', '.join(sorted(unknown))}")

    rule = document["rule"]
    results: dict[str, DimensionResult] = {}
    for dim in document["dimensions"]:
        answers = tuple(
            IndicatorAnswer(ind["key"], ind["label"], ind["grade"])
            for ind in dim["indicators"]
            if f"{dim['key']}.{ind['key']}" in chosen
        )
        s, m, w = (sum(1 for a in answers if a.grade == g) for g in GRADES)
        positive = dimension_positive(rule["dimension_positive"], s, m, w)
        if positive:
            clause = next(
                c for c in rule["dimension_positive"]["any_of"] if _clause_holds(c, s, m, w)
            )
            reason = f"positive: {_counts_text(s, m, w)} meets '{describe_clause(clause)}'"
        elif answers:
            reason = f"not positive: {_counts_text(s, m, w)} meets no clause of the rule"
        else:
            reason = "not positive: no indicator present"
        results[dim["key"]] = DimensionResult(
            dim["key"], dim["label"], s, m, w, positive, answers, reason
        )

    fact_labels = {f["key"]: f["label"] for f in document.get("facts", [])}
    lines: list[str] = []

    def holds(node: Any, depth: int) -> bool:
        pad = "  " * depth
        if isinstance(node, str):
            if node in results:
                result = results[node]
                lines.append(f"{pad}{result.label}: {result.reason}")
                return result.positive
            if node in fact_labels:
                value = bool(facts.get(node))
                answer = "yes" if value else "not established"
                lines.append(f"{pad}{fact_labels[node].rstrip('.')}: {answer}")
                return value
            raise AnswerError(f"the rule names {node!r}, which is neither dimension nor fact")
        kind = "all_of" if "all_of" in node else "any_of"
        lines.append(f"{pad}{'All' if kind == 'all_of' else 'At least one'} of:")
        values = [holds(child, depth + 1) for child in node[kind]]
        return all(values) if kind == "all_of" else any(values)

    positive = holds(rule["outcome"], 1)
    outcome = "presumed_victim" if positive else "not_indicated"
    summary = (
        "Presumed victim of trafficking: the outcome rule holds. Refer for formal identification."
        if positive
        else "Trafficking not indicated by these answers: the outcome rule does not hold."
    )
    return Evaluation(
        positive=positive,
        outcome=outcome,
        dimensions=tuple(results[d["key"]] for d in document["dimensions"]),
        facts={key: bool(facts.get(key)) for key in fact_labels},
        explanation=(summary, *lines),
        notes=tuple(document.get("notes", [])),
    )
