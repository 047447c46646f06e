"""Benchmark: knowledge base search over 50,000 generated resources, against a plain ILIKE scan.

The resources (seeded, generated straight into the tables with ``bulk_create``: the app's
``services.save_resource`` writes one resource, its audit row and its index entry at a time) are
published, public and contributed by one generated organisation. Each has a kind (research 30%,
the eight others 5-10% each; evaluations and good practices with an assessment, case law with
its court, place and a short summary of the facts), a year from 1995 to 2026 (recent years more
often), 1-3 countries drawn with a Zipf-like skew (exponent 0.7) over 150 ISO countries (the
largest, TH, in ~13% of the resources), 1-2 themes, 0-1 form of exploitation and 0-2 target
groups from the standard's code lists as loaded, a publisher and 0-3 authors. Its title (6-12
words) and abstract (60-150 words) are in one language: English 70%, French 12%, Spanish 10%,
Russian 8%; a fifth of the others also have an English title. The words are drawn with a
Zipf-like skew (exponent 1) from a seeded shuffle of Faker's word lists for that language (1,726
English words, 1,358 French, 979 Spanish, 466 Russian), and English texts carry domain terms,
each in a fixed share of them (``DOMAIN``), so that one-word queries find from ~0.1%
(``orphanage``) to ~20% (``trafficking``) of the resources. French texts carry ``traite`` the
same way. The code rows are those ``services.save_resource`` writes (countries with their
regions and sub-regions, themes, forms, groups, languages, publisher); the full-text index is
filled by ``services.reindex`` itself, in batches, from the rows read back (no PDFs: no body
text but case summaries). The tables are then analysed, on PostgreSQL after ``VACUUM FULL``
(see ``analyse``: every run measures the same compact table and GIN index).

Timed, for each class of query (BENCH_KNOWLEDGE_REPEAT runs per class, by default 30 on
PostgreSQL and 10 on SQLite; the class's queries take turns; every query runs once first, not
counted, to warm the caches):

- ``one_word``: trafficking, exploitation, children (a target group's label: the search also
  finds the resources tagged with it), recruitment, smuggling, traite (French), trata
  (Spanish), торговля (Russian), repatriation, orphanage.
- ``multi_word``: two words, three words, a concept's label (forced labour), a phrase in quotes
  ("debt bondage"), an exclusion (trafficking -smuggling), words with a stop word
  (trafficking in persons: the scan looks for "trafficking" and "person", as a reader means).
- ``filtered``: a word and a country, a kind, a year range, a country and a year, a theme.

Each run times what the search page (``views.index``) does for an anonymous reader:

- ``search``: ``selectors.results(selectors.find(selectors.published(anonymous), filters))``,
  its first page of 20 through the page's ``CappedPaginator`` (a count of at most 10,001 rows,
  then the 20 rows) and each row's highlighted passage (``views.excerpt``), from building the
  query to the last passage; ``search_build``, its part spent building the queryset in Python
  (parsing, finding the concepts the words name) before any SQL;
- ``facets``: ``selectors.facets(published(anonymous), filters)`` (which finds again: the
  total, then the counts by kind, year and code);
- ``page``: the two added up;
- ``baseline``: a plain ILIKE scan in raw SQL for the same words: each required word or phrase
  in ``CAST(title AS TEXT)`` or ``CAST(abstract AS TEXT)`` (``ILIKE '%word%'``; SQLite's LIKE,
  case-insensitive for ASCII words), each excluded one in neither, with the same filters as
  plain SQL (kind, year, ``EXISTS`` on the code rows), published and public: the count, then
  the first 20 by year (newest first). No stemming, no concepts, no ranking. On SQLite, Django
  stores JSON with ``\\u`` escapes, so the scan finds no Russian word there (it still reads
  every row: its time is a scan's); the check below does not depend on it.

Search and baseline take turns going first.

Checked outside the timing, for each query (``correct``): the search finds something whenever
the scan does, and, unless the query excludes a word, every resource that has each word (or
phrase) as a whole word of its title or abstract is among the resources the search finds (the
sets of ids are compared, not their sizes: a concept's coded resources could hide a lost text
match in a count). The whole-word resources (``whole_word_found``, and ``missed``: those the
search did not find) are found in Python, in the decoded titles and abstracts of every
published resource the filters keep, in any script. The scan alone cannot be the floor:
``traite`` is inside "traitement" and ``trata`` inside "tratamiento", which the search rightly
does not find. A query that fails its check fails the goals (``goals_met``), however fast it
is.

Figures: median (``p50_ms``), p95 (nearest rank), max and mean in ms per class and over all
runs; ``ratio``: baseline p95 / search p95 and ``ratio_median``: the same for the medians.
Outside the timing: each query's results (search total, baseline total, share of the
resources). On PostgreSQL, the SQL of the slowest query
(highest median search time) is run under ``EXPLAIN (ANALYZE, BUFFERS)`` and its plans are
written to standard error.

The goals (from the issue): search p95 under 200 ms in every class, and at least 10 times
faster than the scan (``ratio``) in every class, with every query's results correct. Facets
are reported beside the search (with whether they too stay under 200 ms) but are not part of
the goal.

Everything the bench created (resources whose ``source_key`` starts with ``bench-knowledge:``,
the organisation whose acronym starts with ``BENCHKNOW``) is deleted at the end, and at the
start if an earlier run was interrupted.

The last line printed is one JSON object with the figures, the goals and whether each is met.
Run: .venv/bin/python bench/knowledge.py  (DATABASE_URL picks the DB, which must already be
migrated, with ``manage.py load_geo`` and ``manage.py load_standard`` run; BENCH_KNOWLEDGE the
number of resources, BENCH_KNOWLEDGE_REPEAT the timed runs per class of query.)
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.dev")

import django

django.setup()

import snowballstemmer
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from faker.providers.company.en_US import Provider as EnglishCompany
from faker.providers.job.en_US import Provider as EnglishJobs
from faker.providers.lorem.en_US import Provider as EnglishLorem
from faker.providers.lorem.es_ES import Provider as SpanishLorem
from faker.providers.lorem.fr_FR import Provider as FrenchLorem
from faker.providers.lorem.ru_RU import Provider as RussianLorem
from faker.providers.person.en_US import Provider as EnglishPeople

from palermo.accounts.models import Organisation, OrganisationType
from palermo.core.pagination import CappedPaginator
from palermo.geo.models import Country
from palermo.knowledge import search, selectors, services, views, vocabulary
from palermo.knowledge.models import (
    ASSESSED_KINDS,
    Assessment,
    CaseLaw,
    EvidenceLevel,
    Kind,
    Resource,
    ResourceCode,
    Status,
)
from palermo.knowledge.selectors import Filters

N = int(os.environ.get("BENCH_KNOWLEDGE", "50000"))
# Fewer runs on SQLite, where a common word's search takes seconds.
REPEAT = int(
    os.environ.get("BENCH_KNOWLEDGE_REPEAT", "30" if connection.vendor == "postgresql" else "10")
)
SEED = 20260502
PREFIX = "bench-knowledge:"
ORG_PREFIX = "BENCHKNOW"
COUNTRIES = 150
COUNTRY_EXPONENT = 0.7
WORD_EXPONENT = 1.0
BATCH = 2000
CAP = 10_000  # the search page's paginator counts at most this many (views.index)
GOAL_P95_MS = 200
GOAL_RATIO = 10
FIRST_YEAR, LAST_YEAR = 1995, 2026
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
TOP_COUNTRIES = ["TH", "UA", "NG", "PH", "KH", "MM", "ID", "VN", "MD", "NP", "BD", "UG"]
LANGUAGE_SHARES = {"en": 0.70, "fr": 0.12, "es": 0.10, "ru": 0.08}
ENGLISH_TITLE_SHARE = 0.2  # of the resources in another language
KIND_WEIGHTS = {
    Kind.RESEARCH: 30,
    Kind.EVALUATION: 10,
    Kind.GOOD_PRACTICE: 10,
    Kind.LEGISLATION: 10,
    Kind.CASE_LAW: 8,
    Kind.POLICY: 10,
    Kind.TRAINING: 9,
    Kind.TOOL: 8,
    Kind.DATASET: 5,
}
# Domain terms and the share of the English texts that carry each (once, at a random place of
# the abstract, or of the title one time in five). "children" is a target group's label and
# "forced labour" a form of exploitation's: a query naming them also finds the tagged resources.
DOMAIN = {
    "en": {
        "trafficking": 0.28,
        "exploitation": 0.12,
        "children": 0.08,
        "forced labour": 0.05,
        "recruitment": 0.045,
        "fishing": 0.03,
        "smuggling": 0.015,
        "debt bondage": 0.007,
        "repatriation": 0.003,
        "orphanage": 0.0015,
    },
    "fr": {"traite": 0.25, "exploitation": 0.1},
    "es": {"trata": 0.25, "explotación": 0.1},
    "ru": {"торговля": 0.25, "эксплуатация": 0.1},
}
# Single-word labels of the standard's target groups, kept out of the generated vocabulary so
# that only the domain terms above name concepts.
CONCEPT_WORDS = ["boy", "girl", "man", "men", "woman", "women", "child", "migrant", "victim"]
PUBLISHERS = ["UNODC", "ILO", "IOM", "OSCE", "UNICEF", "UNHCR", "Council of Europe", "ASEAN"]
PUBLISHERS += [f"{name} Research Centre" for name in ("Bangkok", "Kyiv", "Lagos", "Manila")]
PUBLISHERS += [f"Ministry of Justice of {name}" for name in ("Thailand", "Ukraine", "Nigeria")]
ANONYMOUS = AnonymousUser()


# Generation ---------------------------------------------------------------------------------------


def _zipf(count: int, exponent: float) -> list[float]:
    """Cumulative Zipf-like weights for ``count`` ranks (for ``random.choices``)."""
    total, cumulative = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 1) ** exponent
        cumulative.append(total)
    return cumulative


def _vocabulary(rng: random.Random) -> dict[str, list[str]]:
    """Each language's words, shuffled (the order is their frequency rank), without the domain
    terms or the concepts' labels."""
    english = set(EnglishLorem.word_list)
    for source in (EnglishCompany.catch_phrase_words, EnglishCompany.bsWords):
        english.update(w for group in source for phrase in group for w in _words(phrase))
    english.update(w for job in EnglishJobs.jobs for w in _words(job))
    lists = {
        "en": english,
        "fr": set(FrenchLorem.word_list),
        "es": set(SpanishLorem.word_list),
        "ru": set(RussianLorem.word_list),
    }
    out = {}
    for language, found in lists.items():
        stemmer = snowballstemmer.stemmer(vocabulary.SNOWBALL[language])
        kept = {w for term in DOMAIN[language] for w in term.split()} | set(CONCEPT_WORDS)
        kept_stems = {stemmer.stemWord(w) for w in kept}
        words = sorted(w for w in found if stemmer.stemWord(w) not in kept_stems and len(w) > 1)
        rng.shuffle(words)
        out[language] = words
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


@dataclass
class World:
    """What the resources are drawn from."""

    countries: list[str]
    country_weights: list[float]
    regions: dict[str, list[str]]
    words: dict[str, list[str]]
    word_weights: dict[str, list[float]]
    themes: list[str]
    forms: list[str]
    groups: list[str]
    people: list[str]
    organisation: Organisation | None = None
    language_counts: dict[str, int] = field(default_factory=dict)

    def country(self, rng: random.Random) -> str:
        return rng.choices(self.countries, cum_weights=self.country_weights)[0]

    def text(self, rng: random.Random, language: str, low: int, high: int, title: bool) -> str:
        words = rng.choices(
            self.words[language], cum_weights=self.word_weights[language], k=rng.randint(low, high)
        )
        for term, share in DOMAIN[language].items():
            # A term goes into the title one time in five, else into the abstract.
            if rng.random() < share and (rng.random() < 0.2) == title:
                words.insert(rng.randrange(len(words) + 1), term)
        text = " ".join(words)
        return text[:1].upper() + text[1:] + ("" if title else ".")


def world(rng: random.Random) -> World:
    """The reference data the bench draws from; exits when it is missing."""
    missing = (
        "No reference data (the countries, or the standard's theme, exploitation and target "
        "group lists): run manage.py migrate, load_geo and load_standard against DATABASE_URL."
    )
    try:
        countries = {c.iso2: c for c in Country.objects.all()}
        lists = {
            kind: sorted(vocabulary.names(kind, "en"))
            for kind in (vocabulary.THEME, vocabulary.EXPLOITATION, vocabulary.TARGET_GROUP)
        }
    except DatabaseError as error:
        raise SystemExit(f"The database is not ready ({error}): run manage.py migrate.") from None
    except Http404:
        raise SystemExit(missing) from None
    if len(countries) < COUNTRIES or not all(lists.values()):
        raise SystemExit(missing)
    iso2 = sorted(countries)
    first = [c for c in TOP_COUNTRIES if c in countries]
    rest = [c for c in iso2 if c not in first]
    rng.shuffle(rest)
    chosen = (first + rest)[:COUNTRIES]
    words = _vocabulary(rng)
    people = list(EnglishPeople.last_names)
    return World(
        countries=chosen,
        country_weights=_zipf(len(chosen), COUNTRY_EXPONENT),
        regions={
            c: [r for r in (countries[c].region_id, countries[c].sub_region_id) if r]
            for c in chosen
        },
        words=words,
        word_weights={lang: _zipf(len(found), WORD_EXPONENT) for lang, found in words.items()},
        themes=lists[vocabulary.THEME],
        forms=lists[vocabulary.EXPLOITATION],
        groups=lists[vocabulary.TARGET_GROUP],
        people=people,
    )


def organisation() -> Organisation:
    return Organisation.objects.create(
        name="Knowledge benchmark organisation",
        acronym=f"{ORG_PREFIX}01",
        type=OrganisationType.NGO,
    )


def _resource(rng: random.Random, w: World, number: int) -> tuple[Resource, set[tuple[str, str]]]:
    """One resource and its code rows (kind, code), as ``services._codes_of`` makes them."""
    language = rng.choices(list(LANGUAGE_SHARES), list(LANGUAGE_SHARES.values()))[0]
    w.language_counts[language] = w.language_counts.get(language, 0) + 1
    title = {language: w.text(rng, language, 6, 12, title=True)}
    if language != "en" and rng.random() < ENGLISH_TITLE_SHARE:
        title["en"] = w.text(rng, "en", 6, 12, title=True)
    kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
    year = rng.choices(
        range(FIRST_YEAR, LAST_YEAR + 1),
        [y - FIRST_YEAR + 5 for y in range(FIRST_YEAR, LAST_YEAR + 1)],
    )[0]
    publisher = rng.choice(PUBLISHERS)
    resource = Resource(
        uid=uuid.UUID(int=rng.getrandbits(128), version=4),
        kind=kind,
        title=title,
        abstract={language: w.text(rng, language, 60, 150, title=False)},
        publishers=[publisher],
        authors=[rng.choice(w.people) for _ in range(rng.choice((0, 1, 1, 2, 3)))],
        year=year,
        text_language=language,
        contributor=w.organisation,
        status=Status.PUBLISHED,
        is_public=True,
        published_at=datetime(year, 6, 1, tzinfo=UTC),
        source_key=f"{PREFIX}{number:06d}",
    )
    countries = {w.country(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))}
    codes = {(vocabulary.COUNTRY, c) for c in countries}
    codes |= {(vocabulary.REGION, r) for c in countries for r in w.regions[c]}
    codes |= {(vocabulary.THEME, t) for t in rng.sample(w.themes, rng.choice((1, 1, 2)))}
    if rng.random() < 0.6:
        codes.add((vocabulary.EXPLOITATION, rng.choice(w.forms)))
    codes |= {(vocabulary.TARGET_GROUP, g) for g in rng.sample(w.groups, rng.choice((0, 1, 2)))}
    codes |= {(vocabulary.LANGUAGE, lang) for lang in title}
    codes.add((vocabulary.PUBLISHER, publisher))
    return resource, codes


def generate(rng: random.Random, w: World) -> dict[str, Any]:
    """Insert N resources and their rows in batches, then index them with services.reindex."""
    counts = {"codes": 0, "assessments": 0, "case_law": 0}
    index_s = 0.0
    for first in range(0, N, BATCH):
        drawn = [_resource(rng, w, number) for number in range(first, min(N, first + BATCH))]
        resources = [r for r, _codes in drawn]
        with transaction.atomic():
            Resource.objects.bulk_create(resources)
            codes = [
                ResourceCode(resource=r, kind=kind, code=code)
                for r, found in drawn
                for kind, code in sorted(found)
            ]
            ResourceCode.objects.bulk_create(codes)
            assessments = [
                Assessment(resource=r, evidence_level=rng.choice(EvidenceLevel.values))
                for r in resources
                if r.kind in ASSESSED_KINDS
            ]
            Assessment.objects.bulk_create(assessments)
            cases = []
            for r in resources:
                if r.kind == Kind.CASE_LAW:
                    place = w.text(rng, "en", 1, 2, title=True)
                    cases.append(
                        CaseLaw(
                            resource=r,
                            court=f"{place} District Court",
                            case_number=f"{r.year}/{rng.randint(1, 9999)}",
                            place=place,
                            fact_summary=w.text(rng, r.text_language, 20, 40, title=False),
                        )
                    )
            CaseLaw.objects.bulk_create(cases)
        counts["codes"] += len(codes)
        counts["assessments"] += len(assessments)
        counts["case_law"] += len(cases)
        start = time.perf_counter()
        with transaction.atomic():
            services.reindex(
                list(
                    Resource.objects.filter(pk__in=[r.pk for r in resources]).select_related(
                        "case_law", "assessment"
                    )
                )
            )
        index_s += time.perf_counter() - start
        if (first // BATCH) % 5 == 4:
            sys.stderr.write(f"  {first + len(resources)} resources\n")
    return {"rows": counts, "index_s": index_s}


def analyse(compact: bool = False) -> None:
    """Fresh planner statistics after a bulk load or delete. After the load, on PostgreSQL, the
    tables are rewritten compactly first (VACUUM FULL): the index's updates leave a dead version
    of every row, and the space earlier runs freed is reused unevenly, so without it the table
    and its GIN index are 1.5-2.7 times larger from one run to the next."""
    tables = [m._meta.db_table for m in (Resource, ResourceCode, Assessment, CaseLaw)]
    full = compact and connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table in tables:
            command = "VACUUM (FULL, ANALYZE)" if full else "ANALYZE"
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


def clean() -> None:
    """Delete what the bench created (cascading to the resources' rows), and its index rows."""
    mine = Resource.objects.filter(source_key__startswith=PREFIX)
    if connection.vendor == "sqlite":
        ids = mine.values("id")
        sql, params = ids.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {search.FTS_TABLE} WHERE rowid IN ({sql})", params)
    mine.only("pk").delete()
    Organisation.objects.filter(acronym__startswith=ORG_PREFIX).delete()


# Queries and timing -------------------------------------------------------------------------------


@dataclass
class Probe:
    """A query as a reader writes it, and the words a plain scan looks for."""

    group: str
    filters: Filters
    required: list[str]
    excluded: list[str] = field(default_factory=list)
    found: int = 0
    found_ids: set[int] = field(default_factory=set)
    baseline_found: int = 0
    whole_word_ids: set[int] | None = None  # None: not checked (an excluded word)
    runs: list[dict[str, float]] = field(default_factory=list)

    @property
    def label(self) -> str:
        shown = {k: v for k, v in self.filters.as_params().items() if k != "q"}
        return self.filters.q + (f" {shown}" if shown else "")

    @property
    def missed(self) -> set[int] | None:
        """The resources holding each word whole that the search did not find."""
        return None if self.whole_word_ids is None else self.whole_word_ids - self.found_ids

    @property
    def correct(self) -> bool:
        """The search finds something whenever the scan does, and every resource holding each
        word as a whole word (the scan's substrings may find more: "traitement")."""
        if self.baseline_found and not self.found:
            return False
        return not self.missed


def probes() -> list[Probe]:
    one = [
        Probe("one_word", Filters(q=word), [word])
        for word in (
            "trafficking",
            "exploitation",
            "children",
            "recruitment",
            "smuggling",
            "traite",
            "trata",
            "торговля",
            "repatriation",
            "orphanage",
        )
    ]
    multi = [
        Probe("multi_word", Filters(q="trafficking exploitation"), ["trafficking", "exploitation"]),
        Probe(
            "multi_word",
            Filters(q="trafficking recruitment fishing"),
            ["trafficking", "recruitment", "fishing"],
        ),
        Probe("multi_word", Filters(q="forced labour"), ["forced", "labour"]),
        Probe("multi_word", Filters(q='"debt bondage"'), ["debt bondage"]),
        Probe("multi_word", Filters(q="trafficking -smuggling"), ["trafficking"], ["smuggling"]),
        # A stop word, not looked for; the generated English has "person", not "persons".
        Probe("multi_word", Filters(q="trafficking in persons"), ["trafficking", "person"]),
    ]
    filtered = [
        Probe("filtered", Filters(q="trafficking", country="TH"), ["trafficking"]),
        Probe("filtered", Filters(q="exploitation", kind=Kind.EVALUATION), ["exploitation"]),
        Probe("filtered", Filters(q="recruitment", year_from=2015, year_to=2020), ["recruitment"]),
        Probe("filtered", Filters(q="trafficking", country="UA", year_from=2014), ["trafficking"]),
        Probe("filtered", Filters(q="children", theme="child_protection"), ["children"]),
    ]
    return one + multi + filtered


@dataclass
class Page:
    rows: list[Resource]
    count: int  # as the paginator counts: at most CAP + 1
    build_ms: float  # building the queryset (parsing, concepts), before any SQL


def search_page(filters: Filters) -> Page:
    """What the search page (``views.index``) reads before its facets: the first page of
    results through its capped paginator, and each result's highlighted passage."""
    start = time.perf_counter()
    found = selectors.results(selectors.find(selectors.published(ANONYMOUS), filters))
    build_ms = (time.perf_counter() - start) * 1000
    paginator = CappedPaginator(found, views.PAGE_SIZE, cap=CAP)
    page = paginator.get_page(1)
    rows = list(page.object_list)
    query = search.searched(search.parse(filters.q))
    for resource in rows:
        resource.excerpt = views.excerpt(resource, query)
    return Page(rows, paginator.count, build_ms)


def facets(filters: Filters) -> selectors.Facets:
    """The page's facets, and its total."""
    return selectors.facets(selectors.published(ANONYMOUS), filters)


def _scan_condition(probe: Probe, words: bool = True) -> tuple[str, list[Any]]:
    """The scan's WHERE: ILIKE '%word%' on the title and abstract as text (not ``words``:
    none), the same filters."""
    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    text = "CAST(r.title AS TEXT) {like} %s OR CAST(r.abstract AS TEXT) {like} %s"
    where = ["r.status = %s", "r.is_public = %s"]
    params: list[Any] = [Status.PUBLISHED, True]
    for word in probe.required if words else []:
        where.append("(" + text.format(like=like) + ")")
        params += [f"%{word}%", f"%{word}%"]
    for word in probe.excluded if words else []:
        where.append("NOT (" + text.format(like=like) + ")")
        params += [f"%{word}%", f"%{word}%"]
    f = probe.filters
    if f.kind:
        where.append("r.kind = %s")
        params.append(f.kind)
    if f.year_from:
        where.append("r.year >= %s")
        params.append(f.year_from)
    if f.year_to:
        where.append("r.year <= %s")
        params.append(f.year_to)
    for name, kind in selectors.CODE_FILTERS.items():
        code = getattr(f, name)
        if code:
            where.append(
                f"EXISTS (SELECT 1 FROM {ResourceCode._meta.db_table} c WHERE c.resource_id = r.id"
                " AND c.kind = %s AND c.code = %s)"
            )
            params += [kind, code]
    return " AND ".join(where), params


def baseline(probe: Probe) -> tuple[list[tuple[Any, ...]], int]:
    """A plain scan: ILIKE '%word%' on the title and abstract as text, the same filters."""
    condition, params = _scan_condition(probe)
    table = Resource._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} r WHERE {condition}", params)
        (total,) = cursor.fetchone()
        cursor.execute(
            f"SELECT r.id, r.title, r.year FROM {table} r WHERE {condition} "
            f"ORDER BY r.year DESC, r.id DESC LIMIT {views.PAGE_SIZE}",
            params,
        )
        rows = cursor.fetchall()
    return rows, total


def texts() -> dict[int, str]:
    """Each published resource's titles and abstracts, decoded (in any script), by id."""
    table = Resource._meta.db_table
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.title, r.abstract FROM {table} r "
            "WHERE r.status = %s AND r.is_public = %s",
            [Status.PUBLISHED, True],
        )
        while rows := cursor.fetchmany(1000):
            for resource_id, title, abstract in rows:
                decoded = [json.loads(v) if isinstance(v, str) else v for v in (title, abstract)]
                found[resource_id] = "\n".join(
                    str(t) for texts in decoded for t in (texts or {}).values()
                )
    return found


def whole_word_ids(probe: Probe, published: dict[int, str]) -> set[int] | None:
    """The resources the filters keep whose title or abstract (``published``: :func:`texts`)
    holds each required word or phrase as a whole word (not "traite" in "traitement"), found in
    Python; None for a query with an excluded word, which the search excludes in all its forms
    and the scan only as written."""
    if probe.excluded:
        return None
    patterns = [
        re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE) for word in probe.required
    ]
    condition, params = _scan_condition(probe, words=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id FROM {Resource._meta.db_table} r WHERE {condition}", params)
        kept = [resource_id for (resource_id,) in cursor.fetchall()]
    return {i for i in kept if all(pattern.search(published[i]) for pattern in patterns)}


def search_ids(filters: Filters) -> set[int]:
    """Every resource the search finds."""
    found = selectors.find(selectors.published(ANONYMOUS), filters)
    return set(found.order_by().values_list("id", flat=True))


def timed(function: Any, *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, (time.perf_counter() - start) * 1000


def nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(nearest_rank(ordered, 0.95), 1),
        "max_ms": round(ordered[-1], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def measure(all_probes: list[Probe]) -> None:
    """Warm up with every query once and check its results, then time each class, search and
    scan taking turns."""
    published = texts()
    for probe in all_probes:
        search_page(probe.filters)
        probe.found = facets(probe.filters).total
        probe.found_ids = search_ids(probe.filters)
        _rows, probe.baseline_found = baseline(probe)
        probe.whole_word_ids = whole_word_ids(probe, published)
    groups: dict[str, list[Probe]] = {}
    for probe in all_probes:
        groups.setdefault(probe.group, []).append(probe)
    for members in groups.values():
        for n in range(max(REPEAT, len(members))):  # every query at least once
            probe = members[n % len(members)]
            if n % 2:
                _rows, baseline_ms = timed(baseline, probe)
            page, search_ms = timed(search_page, probe.filters)
            _facets, facets_ms = timed(facets, probe.filters)
            if not n % 2:
                _rows, baseline_ms = timed(baseline, probe)
            probe.runs.append(
                {
                    "search_ms": search_ms,
                    "build_ms": page.build_ms,
                    "facets_ms": facets_ms,
                    "baseline_ms": baseline_ms,
                }
            )


def explain(probe: Probe) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every query a search page and its facets run (PostgreSQL)."""
    search_page(probe.filters)
    facets(probe.filters)
    with CaptureQueriesContext(connection) as captured:
        search_page(probe.filters)
        facets(probe.filters)
    out = [f"Query plans for {probe.label!r} ({probe.found} found):"]
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(f"\n-- {query['time']} s\n{query['sql']}\n{plan}")
    return "\n".join(out) + "\n"


def figures_of(runs: list[dict[str, float]]) -> dict[str, Any]:
    search_ = summary([r["search_ms"] for r in runs])
    facets_ = summary([r["facets_ms"] for r in runs])
    plain = summary([r["baseline_ms"] for r in runs])
    ratio = plain["p95_ms"] / search_["p95_ms"] if search_["p95_ms"] else None
    ratio_median = plain["p50_ms"] / search_["p50_ms"] if search_["p50_ms"] else None
    out = {
        "runs": len(runs),
        "search": search_,
        "search_build": summary([r["build_ms"] for r in runs]),
        "facets": facets_,
        "page": summary([r["search_ms"] + r["facets_ms"] for r in runs]),
        "baseline": plain,
        "ratio": round(ratio, 2) if ratio is not None else None,
        "ratio_median": round(ratio_median, 2) if ratio_median is not None else None,
    }
    out["met"] = {
        "p95_ms": search_["p95_ms"] < GOAL_P95_MS,
        "ratio": ratio is not None and ratio >= GOAL_RATIO,
    }
    return out


# Main ---------------------------------------------------------------------------------------------


def main() -> None:
    log = sys.stderr.write
    rng = random.Random(SEED)
    w = world(rng)
    log("Deleting what an earlier run left...\n")
    clean()
    all_probes = probes()
    try:
        log(f"Generating {N} resources...\n")
        start = time.perf_counter()
        w.organisation = organisation()
        generated = generate(rng, w)
        analyse(compact=True)
        generation_s = time.perf_counter() - start
        log(f"Timing {REPEAT} runs per class of query (search, facets and scan)...\n")
        load_before = os.getloadavg()[0]
        measure(all_probes)
        load_after = os.getloadavg()[0]
        slowest = max(all_probes, key=lambda p: statistics.median(r["search_ms"] for r in p.runs))
        if connection.vendor == "postgresql":
            log(explain(slowest))
    finally:
        log("Deleting the generated resources...\n")
        start = time.perf_counter()
        clean()
        analyse()
        cleanup_s = time.perf_counter() - start
    classes = {}
    for group in ("one_word", "multi_word", "filtered"):
        members = [p for p in all_probes if p.group == group]
        classes[group] = {
            "queries": [p.label for p in members],
            **figures_of([r for p in members for r in p.runs]),
        }
    overall = figures_of([r for p in all_probes for r in p.runs])
    queries = [
        {
            "query": p.label,
            "group": p.group,
            "found": p.found,
            "share": round(p.found / N, 4),
            "baseline_found": p.baseline_found,
            "whole_word_found": None if p.whole_word_ids is None else len(p.whole_word_ids),
            "missed": None if p.missed is None else len(p.missed),
            "correct": p.correct,
            "runs": len(p.runs),
            "search_p50_ms": round(statistics.median(r["search_ms"] for r in p.runs), 1),
            "facets_p50_ms": round(statistics.median(r["facets_ms"] for r in p.runs), 1),
            "baseline_p50_ms": round(statistics.median(r["baseline_ms"] for r in p.runs), 1),
        }
        for p in all_probes
    ]
    met = {
        "p95_ms": all(c["met"]["p95_ms"] for c in classes.values()),
        "ratio": all(c["met"]["ratio"] for c in classes.values()),
        "correct": all(p.correct for p in all_probes),
    }
    wrong = [q for q in queries if not q["correct"]]
    figures = {
        "bench": "knowledge",
        "database": connection.vendor,
        "resources": N,
        "languages": dict(sorted(w.language_counts.items())),
        "rows": generated["rows"],
        "generation_s": round(generation_s, 1),
        "index_s": round(generated["index_s"], 1),
        "cleanup_s": round(cleanup_s, 1),
        "runs_per_class": REPEAT,
        "warm_up": "every query once",
        "classes": classes,
        "all": overall,
        "queries": queries,
        "slowest": next(q for q in queries if q["query"] == slowest.label),
        "baseline_query": "CAST(title AS TEXT) or CAST(abstract AS TEXT) ILIKE '%word%' for "
        "each word (NOT for an excluded one), the same filters as plain SQL, published and "
        "public: COUNT(*), then the first 20 by year",
        "facets_under_p95_goal": all(c["facets"]["p95_ms"] < GOAL_P95_MS for c in classes.values()),
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "goals": {"p95_ms": GOAL_P95_MS, "ratio": GOAL_RATIO},
        "met": met,
        "goals_met": all(met.values()),
        "wrong": [q["query"] for q in wrong],
    }
    lines = [
        f"{connection.vendor}, {N} resources "
        f"({', '.join(f'{k} {v}' for k, v in figures['languages'].items())}), generated in "
        f"{generation_s:.1f} s (of which indexing {figures['index_s']} s)."
    ]
    for group, c in classes.items():
        lines.append(
            f"{group} ({c['runs']} runs): search median {c['search']['p50_ms']} ms, "
            f"p95 {c['search']['p95_ms']} ms; facets median {c['facets']['p50_ms']} ms, "
            f"p95 {c['facets']['p95_ms']} ms; ILIKE scan median {c['baseline']['p50_ms']} ms, "
            f"p95 {c['baseline']['p95_ms']} ms; ratio p95 {c['ratio']}, "
            f"median {c['ratio_median']}."
        )
    lines.append(
        f"Slowest query: {slowest.label!r} ({slowest.found} found), search median "
        f"{figures['slowest']['search_p50_ms']} ms."
    )
    lines.append(
        f"Goals: search p95 < {GOAL_P95_MS} ms in every class: "
        f"{'met' if met['p95_ms'] else 'NOT met'}; at least {GOAL_RATIO}x faster than the scan "
        f"(p95): {'met' if met['ratio'] else 'NOT met'}; results correct: "
        f"{'yes' if met['correct'] else 'NO'}."
    )
    for q in wrong:
        lines.append(
            f"Wrong results for {q['query']!r}: {q['found']} found, the scan "
            f"{q['baseline_found']}; {q['missed']} of the {q['whole_word_found']} resources with "
            "the words whole not found."
        )
    print("\n".join(lines))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
