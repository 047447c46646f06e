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
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
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


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _period(draft: Draft, start: date | None, end: date | None) -> tuple[float, bool]:
    """The share of the shorter period the two have in common, and whether the candidate ended
    before the draft starts."""
    if not (draft.start and draft.end and start and end):
        return 0.0, False
    common = (min(draft.end, end) - max(draft.start, start)).days
    shorter = max(1, min((draft.end - draft.start).days, (end - start).days))
    return max(0.0, min(1.0, common / shorter)), end < draft.start


def candidates(queryset: QuerySet[Activity], draft: Draft) -> QuerySet[Activity]:
    """Activities in one of the draft's countries or places (an indexed look-up)."""
    where = Q(
        pk__in=ActivityCountry.objects.filter(country_id__in=draft.countries).values("activity")
    )
    if draft.places:
        where |= Q(pk__in=Place.objects.filter(key__in=draft.places).values("activity"))
    found = queryset.filter(where)
    if draft.identifier:
        found = found.exclude(identifier=draft.identifier)
    return found


def find(queryset: QuerySet[Activity], draft: Draft, limit: int = 10) -> list[Match]:
    """The activities of ``queryset`` that overlap ``draft``, best first."""
    if not draft.countries and not draft.places:
        return []
    pool = candidates(queryset, draft)
    rows = list(
        pool.values_list(
            "pk", "identifier", "title", "owner__acronym", "status", "start", "end", "search_text"
        )
    )
    if not rows:
        return []
    ids = pool.values("pk")
    codes: dict[Any, dict[str, set[str]]] = {}
    for activity_id, kind, code in ActivityCode.objects.filter(activity__in=ids).values_list(
        "activity_id", "kind", "code"
    ):
        codes.setdefault(activity_id, {}).setdefault(kind, set()).add(code)
    countries: dict[Any, set[str]] = {}
    for activity_id, country in ActivityCountry.objects.filter(activity__in=ids).values_list(
        "activity_id", "country_id"
    ):
        countries.setdefault(activity_id, set()).add(country)
    places: dict[Any, set[str]] = {}
    if draft.places:
        for activity_id, name in Place.objects.filter(
            activity__in=ids, key__in=draft.places
        ).values_list("activity_id", "name"):
            places.setdefault(activity_id, set()).add(name)
    draft_words = words(draft.text)
    scorer = _Scorer(draft, draft_words)
    found = []
    for pk, identifier, title, owner, status, start, end, text in rows:
        match = scorer.score(
            codes.get(pk, {}), countries.get(pk, set()), places.get(pk, set()), start, end, text
        )
        if match is None:
            continue
        score, reasons, past = match
        found.append(
            Match(
                pk, identifier, in_language(title), owner, status, start, end, score, reasons, past
            )
        )
    found.sort(key=lambda m: (-m.score, m.past, m.identifier))
    return found[:limit]


class _Scorer:
    def __init__(self, draft: Draft, draft_words: frozenset[str]) -> None:
        self.draft = draft
        self.words = draft_words
        self.country_names = {
            c.iso2: c.name for c in Country.objects.filter(iso2__in=draft.countries)
        }
        # The weights of the criteria the draft states: only those can match.
        self.stated = ["country"] if draft.countries else []
        if draft.places:
            self.stated.append("place")
        if draft.start and draft.end:
            self.stated.append("period")
        self.stated += [
            k for k in (PILLAR, THEME, TARGET_GROUP, EXPLOITATION) if draft.codes.get(k)
        ]
        if draft.codes.get(DAC_SECTOR) or draft.codes.get(SDG_TARGET):
            self.stated.append("sectors")
        if len(draft_words) >= 3:
            self.stated.append("text")
        self.possible = sum(WEIGHTS[k] for k in self.stated)

    def score(
        self,
        codes: dict[str, set[str]],
        countries: set[str],
        places: set[str],
        start: date | None,
        end: date | None,
        text: str,
    ) -> tuple[int, list[str], bool] | None:
        draft = self.draft
        total = 0.0
        reasons: list[str] = []
        substantive = False
        shared = draft.countries & countries
        if shared:
            total += WEIGHTS["country"]
            names = ", ".join(sorted(self.country_names.get(c, c) for c in shared))
            reasons.append(_("Same country: %(names)s") % {"names": names})
        if places:
            total += WEIGHTS["place"]
            substantive = True
            reasons.append(_("Same place: %(names)s") % {"names": ", ".join(sorted(places))})
        share, past = _period(draft, start, end)
        if share > 0:
            total += WEIGHTS["period"] * share
            reasons.append(_("Periods overlap (%(share)d%%)") % {"share": round(share * 100)})
        elif past:
            reasons.append(_("A past activity: it ended before this one starts"))
        for kind, label in (
            (PILLAR, _("Same pillars: %(names)s")),
            (THEME, _("Same themes: %(names)s")),
            (TARGET_GROUP, _("Same target groups: %(names)s")),
            (EXPLOITATION, _("Same forms of exploitation: %(names)s")),
        ):
            mine = draft.codes.get(kind, set())
            common = mine & codes.get(kind, set())
            if common:
                total += WEIGHTS[kind] * _jaccard(mine, codes.get(kind, set()))
                substantive = True
                reasons.append(
                    label % {"names": ", ".join(sorted(vocabulary.label(kind, c) for c in common))}
                )
        mine = draft.codes.get(DAC_SECTOR, set()) | draft.codes.get(SDG_TARGET, set())
        theirs = codes.get(DAC_SECTOR, set()) | codes.get(SDG_TARGET, set())
        if mine & theirs:
            total += WEIGHTS["sectors"] * _jaccard(mine, theirs)
            reasons.append(
                _("Same DAC sectors or SDG targets: %(codes)s")
                % {"codes": ", ".join(sorted(mine & theirs))}
            )
        if "text" in self.stated:
            other = words(text)
            common_words = self.words & other
            similarity = (
                len(common_words) / math.sqrt(len(self.words) * len(other)) if other else 0.0
            )
            if similarity >= MIN_TEXT_SIMILARITY and len(common_words) >= MIN_COMMON_WORDS:
                total += WEIGHTS["text"] * similarity
                substantive = True
                top = ", ".join(sorted(common_words, key=lambda w: (-len(w), w))[:6])
                reasons.append(
                    _("Similar description (%(share)d%%: %(words)s)")
                    % {"share": round(similarity * 100), "words": top}
                )
        score = round(100 * total / self.possible) if self.possible else 0
        if not substantive or score < MIN_SCORE:
            return None
        return score, reasons, past
