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
  exploitation or target group, or the name of a country or region, in any of the six
  languages, resources tagged with that code match too, whatever their language ("trabajo
  forzoso" finds an English report coded *forced labour*, "Tailandia" one coded TH);
* on PostgreSQL, a word that is a stop word in one of the languages is not required (a text
  in that language is indexed without it): "trafficking in persons" asks for two words. What is
  searched for, ranked by and highlighted is the query without them (:func:`searched`).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache, reduce
from operator import or_
from typing import Any

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from palermo.knowledge import vocabulary
from palermo.knowledge.models import Resource, ResourceCode

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
_WORD = re.compile(r"[^\W_]+")
# Arabic letters written in several ways: hamza seats on alif, alif maqsura, ta marbuta.
_ARABIC_FOLD = str.maketrans(
    {
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
    }
)


# -- Words --------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words of a text, lower-cased; each Chinese character is a word."""
    text = normalise(text).casefold()
    found: list[str] = []
    for word in _WORD.findall(text):
        if _CJK.search(word):
            found.extend(_split_cjk(word))
        else:
            found.append(word)
    return found


def normalise(text: str) -> str:
    """The form in which every text is indexed and every query read, on both databases: NFC,
    Arabic without short vowels and tatweel, with its variant letters folded."""
    text = unicodedata.normalize("NFC", text)
    if _ARABIC_LETTER.search(text):
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    return text


_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


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
Code = tuple[str, str]  # kind, code


@dataclass
class Query:
    """A parsed query: every group in ``required`` must match (a group is a list of
    alternatives joined by OR); no atom of ``excluded`` may.

    ``left_out``: the groups :func:`searched` took out of ``required`` (stop words), still read
    as words of a concept's label ("Asistencia a las víctimas"); ``as_searched``: the query is
    already as :func:`searched` gives it."""

    required: list[list[Atom]] = field(default_factory=list)
    excluded: list[Atom] = field(default_factory=list)
    text: str = ""
    left_out: list[list[Atom]] = field(default_factory=list)
    as_searched: bool = False

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


def searched(query: Query) -> Query:
    """The query as it is searched for, ranked by, and highlighted in a passage: on PostgreSQL
    without its stop-word groups (:func:`stop_word_groups`, kept in ``left_out``) and its
    excluded atoms that are stop words (nothing is indexed to exclude); on SQLite, whose index
    keeps stop words, the query itself. One statement reads the forms of all its words."""
    if query.as_searched:
        return query
    if not query or not is_postgresql():
        return replace(query, as_searched=True)
    _pg_read_forms([*query.atoms(), *query.excluded])
    skipped = stop_word_groups(query)
    return replace(
        query,
        required=[group for p, group in enumerate(query.required) if p not in skipped],
        excluded=[atom for atom in query.excluded if not _pg_void(atom)],
        left_out=[group for p, group in enumerate(query.required) if p in skipped],
        as_searched=True,
    )


def query_stems(query: Query) -> frozenset[str]:
    """Every form of the query's required words a highlighted text may show: the words
    themselves and their stems in each language."""
    return _atom_stems(tuple(query.atoms()))


@lru_cache(maxsize=256)
def _atom_stems(atoms: tuple[Atom, ...]) -> frozenset[str]:
    found: set[str] = set()
    for atom in atoms:
        found.update(atom)
        for language in vocabulary.SNOWBALL:
            found.update(stems(atom, language))
    return frozenset(found)


# -- Concepts -----------------------------------------------------------------------------


Label = tuple[str, str, frozenset[str]]  # kind, code, the stems of one label
# language -> one stem of each label (its longest) -> the labels: the few a query may name.
LabelIndex = dict[str, dict[str, list[Label]]]


def _label_index() -> LabelIndex:
    """The labels a query can name, in every language: the standard's themes, forms of
    exploitation and target groups, and the names of countries and regions. Built once per
    set of labels (the lists change with a new standard version; countries, with geo's data)."""
    labels = tuple(
        (kind, code, language, label)
        for kind in vocabulary.STANDARD_KINDS
        for code, texts in vocabulary.all_labels(kind).items()
        for language, label in sorted(texts.items())
    )
    return _indexed_labels(labels, vocabulary.place_labels().fingerprint)


@lru_cache(maxsize=4)
def _indexed_labels(labels: tuple[tuple[str, str, str, str], ...], places: int) -> LabelIndex:
    """``places``: the fingerprint of the place names to index: the index is built again only
    when they change (stemming every name takes about half a second)."""
    found: LabelIndex = {}
    named = [*labels, *vocabulary.place_labels().names]
    for kind, code, language, label in named:
        label_stems = frozenset(stems(words(label), language))
        if label_stems:
            key = max(label_stems, key=lambda stem: (len(stem), stem))
            found.setdefault(language, {}).setdefault(key, []).append((kind, code, label_stems))
    return found


def concepts(query: Query) -> dict[int, list[tuple[str, str]]]:
    """For each required group (by position), the codes (kind, code) whose whole label, in some
    language, the query names, the group's words being part of that label: "victim assistance
    Brazil" names *victim assistance* for its first two groups, and Brazil for "Brazil". The
    words left out (stop words) are read as part of a label, but name nothing by themselves:
    "Asistencia a las víctimas" names *victim assistance*, "после того" not Togo."""
    if not query.required:
        return {}
    index = _label_index()
    found: dict[int, set[tuple[str, str]]] = {}
    for language in vocabulary.LANGUAGES:
        by_key = index.get(language)
        if not by_key:
            continue
        groups = [
            [frozenset(_stem(word, language) for word in atom) for atom in group]
            for group in query.required
        ]
        left_out = [
            _stem(word, language) for group in query.left_out for atom in group for word in atom
        ]
        asked = frozenset(left_out).union(*(atom for group in groups for atom in group))
        for key in asked & by_key.keys():
            for kind, code, label_stems in by_key[key]:
                if not label_stems <= asked:
                    continue
                for position, group in enumerate(groups):
                    if any(atom <= label_stems for atom in group):
                        found.setdefault(position, set()).add((kind, code))
    return {position: sorted(codes) for position, codes in sorted(found.items())}


def code_rows(codes: Iterable[Code]) -> QuerySet[ResourceCode, Any]:
    """The code rows of any of ``codes`` (kind, code)."""
    tagged = reduce(or_, (Q(kind=kind, code=code) for kind, code in dict.fromkeys(codes)))
    return ResourceCode.objects.filter(tagged)


def has_any_code(codes: Iterable[Code]) -> Q:
    """A resource carries one of ``codes`` (kind, code), read from its code rows."""
    return Q(Exists(code_rows(codes).filter(resource=OuterRef("pk"))))


def _coded(codes: list[tuple[str, str]]) -> QuerySet[ResourceCode, Any]:
    return code_rows(codes).values("resource_id")


# -- Matching -----------------------------------------------------------------------------


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def matching(
    resources: QuerySet[Resource], query: Query, coded: Iterable[Code] = ()
) -> QuerySet[Resource]:
    """The resources that match, annotated with ``relevance`` (higher is better), for the
    query as :func:`searched` gives it.

    Every required group must match: in the text, in any language, or through a concept it
    names. Each group may match in another language (a French abstract and an English title).

    ``coded`` (PostgreSQL only): codes (kind, code) every resource found must carry, matched
    against the code lexemes of ``search_vector`` (:func:`code_lexeme`) in the same index scan
    as the words, which a filter on the code rows cannot be. They filter; they do not rank.
    """
    coded = list(coded)
    if coded and not is_postgresql():
        raise ValueError("Codes are matched in the text index on PostgreSQL only.")
    longest = ResourceCode._meta.get_field("code").max_length or 0
    if not query or any(len(code) > longest for _kind, code in coded):
        # Nothing to find; or a code longer than any resource's (and than a lexeme may be).
        return resources.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    query = searched(query)
    named = concepts(query)
    matcher = _pg_group if is_postgresql() else _fts_group
    found = resources
    codes_query = _pg_codes_tsquery(coded)
    # The codes go with the first group the text alone matches: one tsquery, one index scan.
    with_codes = next((p for p in range(len(query.required)) if p not in named), None)
    # Groups naming the same concepts ("forced labour": both words name *forced labour*) are
    # matched together: (forced or coded) and (labour or coded) is (forced and labour) or coded,
    # one union instead of one per word.
    by_concepts: dict[tuple[tuple[str, str], ...], list[list[Atom]]] = {}
    for position, group in enumerate(query.required):
        if position in named:
            by_concepts.setdefault(tuple(dict.fromkeys(named[position])), []).append(group)
        elif position == with_codes and codes_query:
            text_query = _pg_tsquery(tuple(group))
            found = found.filter(search_vector=_TsQuery(f"( {text_query} ) & {codes_query}"))
        else:
            found = found.filter(matcher(group))
    for codes, groups in by_concepts.items():
        if codes_query and with_codes is None:
            # Filtered by codes, and every group names a concept: the codes the concept names
            # are lexemes of the index as well, so (words or concept) and the codes is one
            # tsquery, one index scan.
            words_query = " & ".join(f"( {_pg_tsquery(tuple(g))} )" for g in groups)
            concept_query = _pg_codes_tsquery(codes, any_of=True)
            found = found.filter(
                search_vector=_TsQuery(f"( {words_query} | {concept_query} ) & {codes_query}")
            )
            codes_query = ""  # applied
            continue
        # One id list from the text index and one from the codes' index (an OR of the two
        # conditions would make PostgreSQL read every row instead of using the index).
        text_matches = [matcher(g) for g in groups]
        found = found.filter(
            id__in=Resource.objects.filter(*text_matches)
            .order_by()
            .values("id")
            .union(_coded(list(codes)).order_by())
        )
    if query.excluded:
        found = found.exclude(matcher(query.excluded))
    rank: Any = _pg_rank(query) if is_postgresql() else _fts_rank(query)
    relevance: Any = Coalesce(rank, Value(0.0), output_field=FloatField())
    all_named = [code for codes in named.values() for code in codes]
    if all_named:
        # A resource coded with a concept the query names ranks higher.
        relevance = relevance + Case(
            When(has_any_code(all_named), then=Value(CONCEPT_BONUS[connection.vendor])),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return found.annotate(relevance=relevance)


# What a coded concept adds to the rank: about a title match on each database's scale.
CONCEPT_BONUS = {"postgresql": 0.1, "sqlite": 1.0}


def _pg_configs() -> list[str]:
    return sorted(set(vocabulary.PG_CONFIGS.values()))


def _pg_any(atoms: Iterable[Atom]) -> SearchQuery:
    """Any of the atoms, each as a phrase stemmed in any language."""
    return _TsQuery(_pg_tsquery(tuple(atoms)))


class _TsQuery(SearchQuery):
    """A tsquery given as its text (``_pg_tsquery``), a constant the planner can estimate."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def as_sql(
        self, compiler: Any, connection: Any, *args: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        return "%s::tsquery", [self.text]


# atom -> its forms (``_pg_forms``). They depend only on the server's text-search
# configurations; emptied when full.
_FORMS: dict[Atom, tuple[str, ...]] = {}
FORMS_KEPT = 4096


def _pg_read_forms(atoms: Iterable[Atom]) -> None:
    """Read the forms of every atom not yet read, in one statement."""
    wanted = [atom for atom in dict.fromkeys(atoms) if atom not in _FORMS]
    if not wanted:
        return
    configs = _pg_configs()
    columns = ", ".join("phraseto_tsquery(%s::regconfig, phrase)::text" for _config in configs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n, {columns} FROM unnest(%s::text[]) WITH ORDINALITY AS t(phrase, n)",
            [*configs, [" ".join(atom) for atom in wanted]],
        )
        rows = cursor.fetchall()
    if len(_FORMS) + len(wanted) > FORMS_KEPT:
        _FORMS.clear()
    for n, *texts in rows:
        _FORMS[wanted[n - 1]] = tuple(text or "" for text in texts)


def _pg_forms(atom: Atom) -> tuple[str, ...]:
    """``phraseto_tsquery(config, atom)`` as text for each configuration (``_pg_configs``), ""
    where the atom is only stop words in that configuration's language."""
    if atom not in _FORMS:
        _pg_read_forms([atom])
    return _FORMS[atom]


def clear_caches() -> None:
    """Forget the words' forms read from PostgreSQL (for a test to start cold)."""
    _FORMS.clear()
    _pg_tsquery.cache_clear()


def _pg_void(atom: Atom) -> bool:
    """The atom is a stop word (or only stop words) in some language: a text in that language
    is indexed without it, so the atom cannot be asked of the text."""
    return not all(_pg_forms(atom))


def stop_word_groups(query: Query) -> set[int]:
    """The positions of the required groups that are not required, being stop words: on
    PostgreSQL, a group with a word (or phrase) that is only stop words in one of the
    languages ("in", "la", "des", "в"). A text in that language is indexed without its stop
    words, so requiring the word would find none of them. When every group is one ("the"
    alone), none is left out: the query asks for those words where they are indexed. SQLite's
    index keeps stop words: nothing is left out."""
    if not is_postgresql():
        return set()
    void = {p for p, group in enumerate(query.required) if any(_pg_void(a) for a in group)}
    return set() if len(void) == len(query.required) else void


@lru_cache(maxsize=1024)
def _pg_tsquery(atoms: tuple[Atom, ...]) -> str:
    """The text of ``phraseto_tsquery(config, atom)`` joined by OR for every atom and
    configuration, each distinct one once. Most configurations stem a word alike: repeated, the
    same lexeme made the planner count its rows up to six times (reading every row rather than
    the index for a common word). The rank is the same: ``ts_rank`` ignores repeated lexemes."""
    found = [text for atom in atoms for text in _pg_forms(atom) if text]
    if not found:
        return ""
    distinct = list(dict.fromkeys(found))
    if len(distinct) == 1 and len(found) > 1:
        # Still an OR at the top, which is how ts_rank ranks it (a lone phrase ranks otherwise).
        distinct *= 2
    return " | ".join(f"( {text} )" for text in distinct)


def code_lexeme(kind: str, code: str) -> str:
    """The lexeme standing for a code in ``search_vector``: ``country=TH``. No text yields it
    (PostgreSQL's parser splits words at "="; only a URL keeps one, after a host or a "/"),
    and no query's word contains "=": a code never matches a word, nor a word a code.
    ``RESOURCE_KIND`` stands for the resource's kind (``kind=legislation``)."""
    return f"{kind}={code}"


RESOURCE_KIND = "kind"


def _pg_codes_tsquery(coded: Iterable[Code], any_of: bool = False) -> str:
    """A tsquery (as text) requiring every code's lexeme (``any_of``: one of them); "" for
    none."""
    lexemes = dict.fromkeys(code_lexeme(kind, code) for kind, code in coded)
    return (" | " if any_of else " & ").join(_quoted(lexeme) for lexeme in lexemes)


def _quoted(lexeme: str) -> str:
    """A lexeme as a tsvector or tsquery literal writes it: quoted, taken as it is."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_group(atoms: list[Atom]) -> Q:
    return Q(search_vector=_pg_any(atoms))


def _pg_rank(query: Query) -> SearchRank:
    return SearchRank(F("search_vector"), _pg_any(list(query.atoms())))


_FTS_LANGUAGES = [*vocabulary.SNOWBALL, "zh-hans"]


def _fts_phrase(atom: Atom, language: str) -> str:
    return '"' + " ".join(s.replace('"', '""') for s in stems(atom, language)) + '"'


def fts_expression(atoms: Iterable[Atom]) -> str:
    """An FTS5 MATCH expression for any of the atoms, each stemmed in any language (every word
    quoted: nothing a reader types is read as FTS5 syntax)."""
    phrases = dict.fromkeys(
        _fts_phrase(atom, language) for atom in atoms for language in _FTS_LANGUAGES
    )
    return " OR ".join(p for p in phrases if p != '""') or '""'


def _fts_group(atoms: list[Atom]) -> Q:
    return Q(
        id__in=RawSQL(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
            (fts_expression(atoms),),
        )
    )


# SQLite 3.35 (2021) reads "AS MATERIALIZED". An older one may fold the scores back into the
# outer query, one full-text query per row again: the same order, but seconds for common words.
_MATERIALIZED = "MATERIALIZED" if sqlite3.sqlite_version_info >= (3, 35) else ""


def _fts_rank(query: Query) -> RawSQL:
    """Each resource's bm25 score for any of the query's words (none: NULL). The scores of all
    the matches are computed by one full-text query, kept for the statement (``MATERIALIZED``)
    and looked up by id: asking FTS5 for each row's score by itself, one query per matching
    row, took 3 s for a word in 10,000 of 50,000 resources, this 25 ms."""
    # bm25 is negative, lower is better; relevance is higher-is-better.
    return RawSQL(
        f"(WITH scores AS {_MATERIALIZED} ("
        f"SELECT rowid AS id, -bm25({FTS_TABLE}, {FTS_WEIGHTS}) AS score FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s"
        ") SELECT score FROM scores WHERE scores.id = knowledge_resource.id)",
        (fts_expression(list(query.atoms())),),
        output_field=FloatField(),
    )


# -- Indexing -----------------------------------------------------------------------------

Part = tuple[str, str, str]  # column, language, text


def _pg_vector_sql(parts: list[Part]) -> tuple[str, list[str]]:
    pieces, params = [], []
    for column, language, text in parts:
        config = vocabulary.PG_CONFIGS.get(language, "simple")
        pieces.append(f"setweight(to_tsvector('{config}', %s), '{PG_WEIGHTS[column]}')")
        params.append(spaced(normalise(text)))
    return " || ".join(pieces) or "''::tsvector", params


def index(resources: Iterable[tuple[int, list[Part], Iterable[Code]]]) -> None:
    """(Re)index resources given as (id, [(column, language, text), ...], [(kind, code), ...]).
    On PostgreSQL the codes (the resource's kind as ``RESOURCE_KIND`` among them) go into
    ``search_vector`` as lexemes no text yields (:func:`code_lexeme`), for filters to be read
    in the same index scan as the words; SQLite filters on the code rows."""
    with connection.cursor() as cursor:
        for resource_id, parts, codes in resources:
            parts = [(c, lang, t[:MAX_INDEXED]) for c, lang, t in parts if t and t.strip()]
            if is_postgresql():
                sql, params = _pg_vector_sql(parts)
                lexemes = sorted({code_lexeme(kind, code) for kind, code in codes})
                cursor.execute(
                    f"UPDATE knowledge_resource SET search_vector = "
                    f"{sql} || array_to_tsvector(%s::text[]) WHERE id = %s",
                    [*params, lexemes, resource_id],
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
# How far into each text a passage is looked for (a PDF's text can be two million characters).
SNIPPET_SCAN = 20_000


def snippet(texts: list[tuple[str, str]], query: Query) -> list[Segment]:
    """A short passage of the first text (language, text) where a query word appears, with the
    matching words marked; else the start of the first text. Segments are plain text: the
    template escapes them."""
    wanted = query_stems(query)
    for language, text in texts:
        if not text:
            continue
        tokens = text[:SNIPPET_SCAN].split()
        # Only the passage's words are looked at once the first hit is found.
        first = next((i for i, t in enumerate(tokens) if _hit(t, language, wanted)), None)
        if first is None:
            continue
        start = max(0, first - SNIPPET_WORDS // 3)
        window = tokens[start : start + SNIPPET_WORDS]
        segments: list[Segment] = [("… ", False)] if start else []
        for i, token in enumerate(window, start=start):
            segments.append((token, i == first or (i > first and _hit(token, language, wanted))))
            segments.append((" ", False))
        if start + SNIPPET_WORDS < len(tokens):
            segments.append(("…", False))
        return segments
    for _language, text in texts:
        if text:
            cut = text[:240]
            return [(cut + ("…" if len(text) > 240 else ""), False)]
    return []


@lru_cache(maxsize=20_000)
def _token_forms(token: str, language: str) -> frozenset[str]:
    """The words of a text's token and their stems in its language."""
    return frozenset(form for word in words(token) for form in (word, _stem(word, language)))


@lru_cache(maxsize=20_000)
def _stem(word: str, language: str) -> str:
    return stems([word], language)[0]


def _hit(token: str, language: str, wanted: frozenset[str]) -> bool:
    return not wanted.isdisjoint(_token_forms(token, language))
