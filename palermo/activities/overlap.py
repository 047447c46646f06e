"""The overlap finder: which existing or past activities do the same thing in the same place.

Candidates share a recipient country or a named place with the draft (an activity elsewhere is
never an overlap). Each is scored on what the draft states: the period, the place, the pillars,
themes, target groups and forms of exploitation (codes are language-free, so an activity
described in French matches one described in English), the DAC sectors and SDG targets, and the
words the descriptions share. The score is the weighted share of the draft's criteria that
match; every match says which criteria matched.

No semantic model is used: none that a package ships without a download at run time was found
good enough across the six languages (docs/activities.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from palermo.activities import vocabulary
from palermo.activities.data import (
    DAC_SECTOR,
    EXPLOITATION,
    PILLAR,
    SDG_TARGET,
    TARGET_GROUP,
    THEME,
    ActivityData,
)
from palermo.activities.models import (
    Activity,
    ActivityCode,
    ActivityCountry,
    Place,
    Status,
    in_language,
)
from palermo.geo.models import Country

# How much each criterion weighs in the score.
WEIGHTS = {
    "country": 1.0,
    "place": 1.0,
    "period": 2.0,
    PILLAR: 1.0,
    THEME: 2.0,
    TARGET_GROUP: 1.5,
    EXPLOITATION: 1.0,
    "sectors": 0.5,
    "text": 2.0,
}
# A candidate is listed from this score (percent) on, and only when something beyond the
# country and the period matches.
MIN_SCORE = 30
TEXT_CHARS = 3000
MIN_TEXT_SIMILARITY = 0.15
MIN_COMMON_WORDS = 2
MIN_DRAFT_WORDS = 3
# Activities that ended longer ago than this before the draft starts are not compared.
PAST_YEARS = 5
JACCARD_KINDS = (PILLAR, THEME, TARGET_GROUP, EXPLOITATION)
_WORD = re.compile(r"\w{4,}", re.UNICODE)
_STOP = frozenset(
    {
        # Words every activity in the registry shares say nothing about this one.
        "trafficking",
        "traite",
        "trata",
        "human",
        "humans",
        "persons",
        "personas",
        "personnes",
        "anti",
        "about",
        "activities",
        "activity",
        "also",
        "avec",
        "been",
        "between",
        "cette",
        "como",
        "dans",
        "desde",
        "entre",
        "esta",
        "este",
        "estos",
        "from",
        "have",
        "into",
        "leur",
        "leurs",
        "more",
        "other",
        "over",
        "para",
        "pour",
        "program",
        "programme",
        "project",
        "projects",
        "projet",
        "projets",
        "proyecto",
        "proyectos",
        "sobre",
        "sont",
        "such",
        "than",
        "that",
        "their",
        "them",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "were",
        "which",
        "will",
        "with",
    }
)


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()[:TEXT_CHARS]) if w not in _STOP)


def stored_words(text: str) -> str:
    """What an activity keeps of its text for the finder: its distinct words, space-separated
    (the text is cut at ``TEXT_CHARS`` first, so this stays short)."""
    return " ".join(sorted(words(text)))


@dataclass
class Draft:
    """What the finder compares: an activity being drafted, or an existing one."""

    countries: set[str]
    places: set[str] = field(default_factory=set)
    start: date | None = None
    end: date | None = None
    codes: dict[str, set[str]] = field(default_factory=dict)
    text: str = ""
    identifier: str = ""

    @classmethod
    def of(cls, data: ActivityData) -> Draft:
        return cls(
            countries=set(data.countries),
            places={p.name.strip().lower() for p in data.places if p.name.strip()},
            start=data.start,
            end=data.end,
            codes={kind: set(codes) for kind, codes in data.codes.items()},
            text=" ".join([*data.title.values(), *data.description.values()]),
            identifier=data.identifier,
        )

    @classmethod
    def of_activity(cls, activity: Activity) -> Draft:
        codes: dict[str, set[str]] = {}
        for row in activity.codes.all():
            codes.setdefault(row.kind, set()).add(row.code)
        return cls(
            countries={c.country_id for c in activity.countries.all()},
            places={p.key for p in activity.places.all()},
            start=activity.start,
            end=activity.end,
            codes=codes,
            text=activity.search_text,
            identifier=activity.identifier,
        )


@dataclass
class Match:
    activity_id: Any
    identifier: str
    title: str
    owner: str
    status: str
    start: date | None
    end: date | None
    score: int
    reasons: list[str]
    past: bool

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def _places(draft: Draft) -> QuerySet[Place]:
    """Places named as the draft names them, in one of its countries (or in no stated
    country): "Eastern Province" of Zambia is not that of Rwanda."""
    found = Place.objects.filter(key__in=draft.places)
    if draft.countries:
        found = found.filter(Q(country__isnull=True) | Q(country_id__in=draft.countries))
    return found


def candidates(queryset: QuerySet[Activity], draft: Draft) -> QuerySet[Activity]:
    """Activities in one of the draft's countries or places (an indexed look-up: a UNION of
    the two, which PostgreSQL plans with both indexes where an OR of two IN subqueries makes it
    read every activity) that are not too old: when the draft has a period, those that end
    less than ``PAST_YEARS`` before it starts and start before it ends (or whose dates are
    unknown)."""
    ids = ActivityCountry.objects.filter(country_id__in=draft.countries).values("activity")
    if draft.places:
        ids = ids.union(_places(draft).values("activity"))
    found = queryset.filter(pk__in=ids)
    if draft.start and draft.end:
        try:
            oldest = draft.start - timedelta(days=365 * PAST_YEARS)
        except OverflowError:
            oldest = date.min
        found = found.filter(Q(end__isnull=True) | Q(end__gte=oldest)).filter(
            Q(start__isnull=True) | Q(start__lte=draft.end)
        )
    if draft.identifier:
        found = found.exclude(identifier=draft.identifier)
    return found.order_by()


@dataclass
class _Scored:
    pk: Any
    score: int
    past: bool
    share: float  # of the periods in common
    similarity: float  # of the descriptions


def code_tokens(codes: dict[str, set[str]]) -> str:
    """An activity's codes as the finder reads them: "kind:code" words."""
    return " ".join(sorted(f"{kind}:{code}" for kind, found in codes.items() for code in found))


def find(queryset: QuerySet[Activity], draft: Draft, limit: int = 10) -> list[Match]:
    """The activities of ``queryset`` that overlap ``draft``, best first, each with the
    criteria that matched. Every candidate is scored with numbers; only the ones returned are
    explained."""
    if not draft.countries and not draft.places:
        return []
    pool = candidates(queryset, draft)
    rows = list(
        pool.annotate(
            in_country=Exists(
                ActivityCountry.objects.filter(
                    activity=OuterRef("pk"), country_id__in=draft.countries
                )
            ),
            at_place=Exists(_places(draft).filter(activity=OuterRef("pk"))),
        ).values_list("pk", "start", "end", "words", "code_tokens", "in_country", "at_place")
    )
    if not rows:
        return []
    stated = _stated(draft)
    possible = sum(WEIGHTS[k] for k in stated)
    draft_words = words(draft.text)
    use_text = "text" in stated
    draft_tokens = frozenset(code_tokens(draft.codes).split())
    # Per kind the draft states: (weight, how many codes the draft has).
    jaccard = {k: (WEIGHTS[k], len(draft.codes[k])) for k in JACCARD_KINDS if draft.codes.get(k)}
    mine_sectors = len(draft.codes.get(DAC_SECTOR, ())) + len(draft.codes.get(SDG_TARGET, ()))
    d_start, d_end = draft.start or date.min, draft.end or date.min
    # Days counted inclusively: a one-day workshop inside the draft's period overlaps it.
    span = (d_end - d_start).days + 1 if draft.start and draft.end else 0
    scored = []
    # The loop runs for thousands of candidates: plain arithmetic, no call it can do without.
    for pk, start, end, text_words, tokens, in_country, at_place in rows:
        total = WEIGHTS["country"] if in_country else 0.0
        substantive = bool(at_place)
        if at_place:
            total += WEIGHTS["place"]
        share, past = 0.0, False
        if span and start and end:
            common_days = (min(d_end, end) - max(d_start, start)).days + 1
            if common_days > 0:
                share = min(1.0, common_days / min(span, (end - start).days + 1))
                total += WEIGHTS["period"] * share
            past = end < d_start
        if draft_tokens and tokens:
            theirs = tokens.split()
            if not draft_tokens.isdisjoint(theirs):
                counts: dict[str, list[int]] = {}
                for token in theirs:
                    kind = token.partition(":")[0]
                    pair = counts.setdefault(kind, [0, 0])
                    pair[0] += 1
                    if token in draft_tokens:
                        pair[1] += 1
                for kind, (weight, mine) in jaccard.items():
                    theirs_n, common = counts.get(kind, (0, 0))
                    if common:
                        total += weight * common / (mine + theirs_n - common)
                        substantive = True
                dac, sdg = counts.get(DAC_SECTOR, (0, 0)), counts.get(SDG_TARGET, (0, 0))
                if dac[1] + sdg[1]:
                    common = dac[1] + sdg[1]
                    total += WEIGHTS["sectors"] * common / (mine_sectors + dac[0] + sdg[0] - common)
        similarity = 0.0
        if use_text and text_words:
            other = text_words.split()
            together = len(draft_words.intersection(other))
            if together >= MIN_COMMON_WORDS:
                similarity = together / math.sqrt(len(draft_words) * len(other))
                if similarity >= MIN_TEXT_SIMILARITY:
                    total += WEIGHTS["text"] * similarity
                    substantive = True
                else:
                    similarity = 0.0
        score = round(100 * total / possible) if possible else 0
        if substantive and score >= MIN_SCORE:
            scored.append(_Scored(pk, score, past, share, similarity))
    scored.sort(key=lambda m: (-m.score, m.past, str(m.pk)))
    return _explain(draft, draft_words, scored[:limit])


def _stated(draft: Draft) -> list[str]:
    """The criteria the draft states: only those can match."""
    stated = ["country"] if draft.countries else []
    if draft.places:
        stated.append("place")
    if draft.start and draft.end:
        stated.append("period")
    stated += [k for k in JACCARD_KINDS if draft.codes.get(k)]
    if draft.codes.get(DAC_SECTOR) or draft.codes.get(SDG_TARGET):
        stated.append("sectors")
    if len(words(draft.text)) >= MIN_DRAFT_WORDS:
        stated.append("text")
    return stated


def _explain(draft: Draft, draft_words: frozenset[str], top: list[_Scored]) -> list[Match]:
    """The matches to return, with their details and the reasons they match."""
    ids = [m.pk for m in top]
    if not ids:
        return []
    activities = {
        row[0]: row
        for row in Activity.objects.filter(pk__in=ids).values_list(
            "pk", "identifier", "title", "owner__acronym", "status", "start", "end", "words"
        )
    }
    codes: dict[Any, dict[str, set[str]]] = {}
    for activity_id, kind, code in ActivityCode.objects.filter(activity__in=ids).values_list(
        "activity_id", "kind", "code"
    ):
        codes.setdefault(activity_id, {}).setdefault(kind, set()).add(code)
    countries: dict[Any, set[str]] = {}
    for activity_id, country in ActivityCountry.objects.filter(
        activity__in=ids, country_id__in=draft.countries
    ).values_list("activity_id", "country_id"):
        countries.setdefault(activity_id, set()).add(country)
    places: dict[Any, set[str]] = {}
    for activity_id, name in (
        _places(draft).filter(activity__in=ids).values_list("activity_id", "name")
    ):
        places.setdefault(activity_id, set()).add(name)
    country_names = {c.iso2: c.name for c in Country.objects.filter(iso2__in=draft.countries)}
    found = []
    for match in top:
        _pk, identifier, title, owner, status, start, end, text_words = activities[match.pk]
        reasons: list[str] = []
        if countries.get(match.pk):
            names = ", ".join(sorted(country_names.get(c, c) for c in countries[match.pk]))
            reasons.append(_("Same country: %(names)s") % {"names": names})
        if places.get(match.pk):
            reasons.append(
                _("Same place: %(names)s") % {"names": ", ".join(sorted(places[match.pk]))}
            )
        if match.share > 0:
            reasons.append(_("Periods overlap (%(share)d%%)") % {"share": round(match.share * 100)})
        elif match.past:
            reasons.append(_("A past activity: it ended before this one starts"))
        theirs = codes.get(match.pk, {})
        for kind, label in (
            (PILLAR, _("Same pillars: %(names)s")),
            (THEME, _("Same themes: %(names)s")),
            (TARGET_GROUP, _("Same target groups: %(names)s")),
            (EXPLOITATION, _("Same forms of exploitation: %(names)s")),
        ):
            common = draft.codes.get(kind, set()) & theirs.get(kind, set())
            if common:
                labels = sorted(vocabulary.label(kind, c) for c in common)
                reasons.append(label % {"names": ", ".join(labels)})
        sectors = (draft.codes.get(DAC_SECTOR, set()) | draft.codes.get(SDG_TARGET, set())) & (
            theirs.get(DAC_SECTOR, set()) | theirs.get(SDG_TARGET, set())
        )
        if sectors:
            reasons.append(
                _("Same DAC sectors or SDG targets: %(codes)s")
                % {"codes": ", ".join(sorted(sectors))}
            )
        if match.similarity:
            common_words = draft_words.intersection(text_words.split())
            top_words = ", ".join(sorted(common_words, key=lambda w: (-len(w), w))[:6])
            reasons.append(
                _("Similar description (%(share)d%%: %(words)s)")
                % {"share": round(match.similarity * 100), "words": top_words}
            )
        found.append(
            Match(
                match.pk,
                identifier,
                in_language(title),
                owner,
                status,
                start,
                end,
                match.score,
                reasons,
                match.past,
            )
        )
    return found
