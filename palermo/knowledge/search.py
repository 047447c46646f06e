"""Full-text search over the knowledge base in six languages, on PostgreSQL and on SQLite.

Each text of a resource (titles, abstracts, the extracted full text, a case's summary) is
indexed stemmed in its own language: on PostgreSQL with that language's text-search
configuration into ``Resource.search_vector`` (GIN index), on SQLite with the same Snowball
stemmers, run in Python, into the FTS5 table ``knowledge_resource_fts``.

A reader's query is not tagged with a language, so it is read in every language at once:

* the query syntax is a web search's: words (all must match), ``"a phrase"``, ``-word`` or
  ``-"a phrase"`` to exclude, ``OR`` between two words or phrases;
* a resource matches when, for at least one language, every required word or phrase, stemmed
  in that language, is in it; it is excluded when any excluded word or phrase is in it, stemmed
  in any language (so ``-trafficked`` excludes "trafficking" whatever the resource's language);
* the query also names concepts: when it contains the whole label of a theme, form of
  exploitation or target group in any of the six languages, resources tagged with that code
  match too, whatever their language ("trabajo forzoso" finds an English report coded
  *forced labour*).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from operator import and_, or_
from typing import TYPE_CHECKING, Any

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from palermo.knowledge import vocabulary
from palermo.knowledge.models import ResourceCode

if TYPE_CHECKING:
    from palermo.knowledge.models import Resource

FTS_TABLE = "knowledge_resource_fts"
# What the index holds of a long text (PostgreSQL refuses a tsvector above 1 MB).
MAX_INDEXED = 300_000
MAX_QUERY = 500
MAX_ATOMS = 12
COLUMNS = ("title", "abstract", "body")
PG_WEIGHTS = {"title": "A", "abstract": "B", "body": "C"}
# SQLite's bm25 weights for title, abstract and body.
FTS_WEIGHTS = "10.0, 4.0, 1.0"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD = re.compile(r"\w+")


# -- Words --------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words of a text, lower-cased; each Chinese character is a word."""
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)).casefold()
    found: list[str] = []
    for word in _WORD.findall(text):
        if _CJK.search(word):
            found.extend(_split_cjk(word))
        else:
            found.append(word)
    return found


def _split_cjk(word: str) -> list[str]:
    parts: list[str] = []
    run = ""
    for char in word:
        if _CJK.match(char):
            if run:
                parts.append(run)
                run = ""
            parts.append(char)
        else:
            run += char
    if run:
        parts.append(run)
    return parts


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Any:
    algorithm = vocabulary.SNOWBALL.get(language)
    return snowballstemmer.stemmer(algorithm) if algorithm else None


def stems(tokens: Iterable[str], language: str) -> list[str]:
    stemmer = _stemmer(language)
    tokens = list(tokens)
    return stemmer.stemWords(tokens) if stemmer else tokens


def spaced(text: str) -> str:
    """The text with its Chinese characters apart, for PostgreSQL's parser."""
    return _CJK.sub(lambda m: f" {m.group(0)} ", text)


# -- Queries ------------------------------------------------------------------------------

Atom = tuple[str, ...]  # a word, or the words of a phrase


@dataclass
class Query:
    """A parsed query: every group in ``required`` must match (a group is a list of
    alternatives joined by OR); no atom of ``excluded`` may."""

    required: list[list[Atom]] = field(default_factory=list)
    excluded: list[Atom] = field(default_factory=list)
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.required)

    def atoms(self) -> Iterator[Atom]:
        for group in self.required:
            yield from group


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse(text: str) -> Query:
    """Read a query written as for a web search engine. Never fails: what it cannot read (a
    lone quote, a dangling OR, punctuation) it ignores. A query of only exclusions finds
    nothing (it would list the whole base)."""
    text = text[:MAX_QUERY]
    query = Query(text=text)
    join_next = False
    for match in _TOKEN.finditer(text):
        negative, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare in ("OR", "|"):
                join_next = bool(query.required)
                continue
            negative = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[1:] if negative else bare
        atom = tuple(words(phrase or ""))
        if not atom:
            join_next = False
            continue
        if negative:
            query.excluded.append(atom)
        elif join_next and query.required:
            query.required[-1].append(atom)
        else:
            query.required.append([atom])
        join_next = False
        if len(query.required) + len(query.excluded) >= MAX_ATOMS:
            break
    return query


def query_stems(query: Query) -> set[str]:
    """Every form of the query's required words a highlighted text may show: the words
    themselves and their stems in each language."""
    found: set[str] = set()
    for atom in query.atoms():
        found.update(atom)
        for language in vocabulary.SNOWBALL:
            found.update(stems(atom, language))
    return found


# -- Concepts -----------------------------------------------------------------------------


def concepts(query: Query) -> list[tuple[str, str]]:
    """The codes (kind, code) whose whole label, in some language, the query's required words
    contain."""
    required = [word for atom in query.atoms() for word in atom]
    if not required:
        return []
    by_language = {language: set(stems(required, language)) for language in vocabulary.LANGUAGES}
    found = []
    for kind in vocabulary.STANDARD_KINDS:
        for code, labels in vocabulary.all_labels(kind).items():
            for language, label in labels.items():
                label_stems = set(stems(words(label), language))
                query_side = by_language.get(language)
                if query_side is not None and label_stems and label_stems <= query_side:
                    found.append((kind, code))
                    break
    return found


def _concept_filter(codes: list[tuple[str, str]]) -> Q:
    if not codes:
        return Q(pk__in=[])
    tagged = reduce(or_, (Q(kind=kind, code=code) for kind, code in codes))
    return Q(Exists(ResourceCode.objects.filter(tagged, resource=OuterRef("pk"))))


# -- Matching -----------------------------------------------------------------------------


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def matching(resources: QuerySet[Resource], query: Query) -> QuerySet[Resource]:
    """The resources that match, annotated with ``relevance`` (higher is better)."""
    if not query:
        return resources.none()
    codes = concepts(query)
    concept_match = _concept_filter(codes)
    rank: Any
    if is_postgresql():
        text_match, excluded, rank = _pg_match(query)
    else:
        text_match, excluded, rank = _fts_match(query)
    relevance: Any = Coalesce(rank, Value(0.0), output_field=FloatField())
    if codes:
        # A resource tagged with a concept the query names ranks a little higher.
        relevance = relevance + Case(
            When(concept_match, then=Value(0.05)), default=Value(0.0), output_field=FloatField()
        )
    found = resources.filter(text_match | concept_match)
    if excluded is not None:
        found = found.exclude(excluded)
    return found.annotate(relevance=relevance)


def _pg_queries(atoms: Iterable[Atom], config: str) -> list[SearchQuery]:
    return [SearchQuery(" ".join(atom), config=config, search_type="phrase") for atom in atoms]


def _pg_match(query: Query) -> tuple[Q, Q | None, SearchRank]:
    per_language = []
    for config in sorted(set(vocabulary.PG_CONFIGS.values())):
        groups = [reduce(or_, _pg_queries(group, config)) for group in query.required]
        per_language.append(reduce(and_, groups))
    positive = reduce(or_, per_language)
    excluded = None
    if query.excluded:
        negative = reduce(
            or_,
            [
                q
                for config in sorted(set(vocabulary.PG_CONFIGS.values()))
                for q in _pg_queries(query.excluded, config)
            ],
        )
        excluded = Q(search_vector=negative)
    return Q(search_vector=positive), excluded, SearchRank(F("search_vector"), positive)


def _fts_phrase(atom: Atom, language: str) -> str:
    return '"' + " ".join(s.replace('"', '""') for s in stems(atom, language)) + '"'


_FTS_LANGUAGES = [*vocabulary.SNOWBALL, "zh-hans"]


def fts_expressions(query: Query) -> tuple[str, str]:
    """The FTS5 MATCH expressions for what a query requires and what it excludes (every word
    quoted: nothing a reader types is read as FTS5 syntax)."""
    languages = _FTS_LANGUAGES
    per_language = []
    for language in languages:
        groups = [
            "(" + " OR ".join(_fts_phrase(atom, language) for atom in group) + ")"
            for group in query.required
        ]
        per_language.append("(" + " AND ".join(groups) + ")")
    positive = " OR ".join(dict.fromkeys(per_language))
    excluded = dict.fromkeys(
        _fts_phrase(atom, language) for atom in query.excluded for language in languages
    )
    return positive, " OR ".join(excluded)


def _fts_ids(expression: str) -> Q:
    return Q(
        id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (expression,))
    )


def _fts_match(query: Query) -> tuple[Q, Q | None, RawSQL]:
    expression, excluded = fts_expressions(query)
    # bm25 is negative, lower is better; relevance is higher-is-better.
    rank = RawSQL(
        f"(SELECT -bm25({FTS_TABLE}, {FTS_WEIGHTS}) FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid = knowledge_resource.id)",
        (expression,),
        output_field=FloatField(),
    )
    return _fts_ids(expression), (_fts_ids(excluded) if excluded else None), rank


# -- Indexing -----------------------------------------------------------------------------

Part = tuple[str, str, str]  # column, language, text


def _pg_vector_sql(parts: list[Part]) -> tuple[str, list[str]]:
    pieces, params = [], []
    for column, language, text in parts:
        config = vocabulary.PG_CONFIGS.get(language, "simple")
        pieces.append(f"setweight(to_tsvector('{config}', %s), '{PG_WEIGHTS[column]}')")
        params.append(spaced(text) if config == "simple" else text)
    return " || ".join(pieces) or "NULL", params


def index(resources: Iterable[tuple[int, list[Part]]]) -> None:
    """(Re)index resources given as (id, [(column, language, text), ...])."""
    with connection.cursor() as cursor:
        for resource_id, parts in resources:
            parts = [(c, lang, t[:MAX_INDEXED]) for c, lang, t in parts if t and t.strip()]
            if is_postgresql():
                sql, params = _pg_vector_sql(parts)
                cursor.execute(
                    f"UPDATE knowledge_resource SET search_vector = {sql} WHERE id = %s",
                    [*params, resource_id],
                )
                continue
            columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
            for column, language, text in parts:
                columns[column].append(" ".join(stems(words(text), language)))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [resource_id])
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, abstract, body) VALUES (%s, %s, %s, %s)",
                [resource_id, *(" ".join(columns[c]) for c in COLUMNS)],
            )


def unindex(resource_id: int) -> None:
    if not is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [resource_id])


# -- Snippets -----------------------------------------------------------------------------

Segment = tuple[str, bool]  # text, highlighted
SNIPPET_WORDS = 36


def snippet(texts: list[tuple[str, str]], query: Query) -> list[Segment]:
    """A short passage of the first text (language, text) where a query word appears, with the
    matching words marked; else the start of the first text. Segments are plain text: the
    template escapes them."""
    wanted = query_stems(query)
    for language, text in texts:
        if not text:
            continue
        tokens = list(re.finditer(r"\S+", text))
        hits = [i for i, t in enumerate(tokens) if _hit(t.group(0), language, wanted)]
        if not hits:
            continue
        start = max(0, hits[0] - SNIPPET_WORDS // 3)
        window = tokens[start : start + SNIPPET_WORDS]
        segments: list[Segment] = [("… ", False)] if start else []
        for i, token in enumerate(window, start=start):
            segments.append((token.group(0), i in hits))
            segments.append((" ", False))
        if start + SNIPPET_WORDS < len(tokens):
            segments.append(("…", False))
        return segments
    for _language, text in texts:
        if text:
            cut = text[:240]
            return [(cut + ("…" if len(text) > 240 else ""), False)]
    return []


def _hit(token: str, language: str, wanted: set[str]) -> bool:
    for word in words(token):
        if word in wanted or any(s in wanted for s in stems([word], language)):
            return True
    return False
