"""The intervention vocabulary as activities use it: names in the reader's language, which list a
code belongs to, and how an activity that does not cite the vocabulary is classified."""

from __future__ import annotations

import re

from django.utils.translation import get_language

from palermo.activities.data import (
    DAC_SECTOR,
    KINDS,
    PILLAR,
    SDG_TARGET,
    THEME,
    VOCABULARY_KINDS,
    ActivityData,
)
from palermo.activities.models import Classification
from palermo.standard import interventions, selectors

# SDG targets that name trafficking, forced labour or the exploitation of children.
TRAFFICKING_TARGETS = frozenset({"5.2", "8.7", "16.2"})
# Words that name trafficking in the six languages (and the related forms of exploitation).
_TRAFFICKING_WORDS = re.compile(
    r"(human|people|child|persons?)[- ]traffick|traffick\w* (in|of) (human|persons?|people|"
    r"women|children|girls|boys|migrants)|traffick\w* victims?|victims? of traffick|"
    r"trafic d'(êtres humains|enfants)|traite (des |de |d')(êtres humains|personnes|enfants|"
    r"femmes)|"
    r"trata de (personas|seres humanos|mujeres|niñ)|forced labou?r|travail forcé|"
    r"trabajo forzoso|modern slavery|esclavage moderne|esclavitud moderna|"
    r"торговл\w* людьми|принудительн\w* труд|"
    r"الاتجار بالبشر|الاتجار بالأشخاص|العمل القسري|贩运人口|人口贩运|拐卖|强迫劳动",
    re.IGNORECASE,
)


def names(kind: str, language: str | None = None) -> dict[str, str]:
    """Code -> name in ``language`` for one kind (kept a few minutes)."""
    return selectors.cached_code_names(kind, language or get_language() or "en")


def choices(kind: str) -> list[tuple[str, str]]:
    return list(names(kind).items())


def kind_of_code() -> dict[str, str]:
    """Code -> kind for the codes an organisation declares with the vocabulary's URI (the
    lists' codes do not collide, so a code alone says which list it is from)."""
    found: dict[str, str] = {}
    for kind in VOCABULARY_KINDS:
        for code in names(kind, "en"):
            found.setdefault(code, kind)
    return found


def label(kind: str, code: str) -> str:
    return names(kind).get(code, code)


def mentions_trafficking(text: str) -> bool:
    return bool(_TRAFFICKING_WORDS.search(text))


def classify(data: ActivityData) -> None:
    """Set ``data.classification`` for an imported activity and complete its codes: a theme
    brings its pillar; a theme brings the DAC sectors and SDG targets it maps to only on export,
    never here. An activity citing the vocabulary is "declared"; one whose SDG targets or text
    name trafficking is "derived", with the theme its DAC sector names unambiguously (labour
    rights: labour-market measures); any other is "none"."""
    theme_pillar = interventions.theme_pillar()
    for theme in data.codes.get(THEME, set()):
        if theme in theme_pillar:
            data.add_code(PILLAR, theme_pillar[theme])
    if data.codes.get(THEME) or data.codes.get(PILLAR):
        data.classification = Classification.DECLARED
        return
    text = " ".join([*data.title.values(), *data.description.values()])
    if data.codes.get(SDG_TARGET, set()) & TRAFFICKING_TARGETS or mentions_trafficking(text):
        data.classification = Classification.DERIVED
        unambiguous = _unambiguous_themes()
        for sector in data.codes.get(DAC_SECTOR, set()):
            if sector in unambiguous:
                data.add_code(THEME, unambiguous[sector])
                data.add_code(PILLAR, theme_pillar[unambiguous[sector]])
        return
    data.classification = Classification.NONE


def _unambiguous_themes() -> dict[str, str]:
    """DAC sector -> theme, for the sectors only one theme maps to."""
    by_sector: dict[str, list[str]] = {}
    for theme, sectors in interventions.theme_dac().items():
        for sector in sectors:
            by_sector.setdefault(sector, []).append(theme)
    return {sector: themes[0] for sector, themes in by_sector.items() if len(themes) == 1}


def known(kind: str, code: str) -> bool:
    """Whether a code a person or a file gives is in its list (DAC sectors and SDG targets are
    IATI's lists: any well-formed code is kept)."""
    if kind == DAC_SECTOR:
        return bool(re.fullmatch(r"\d{5}", code))
    if kind == SDG_TARGET:
        return bool(re.fullmatch(r"\d{1,2}\.[0-9a-z]{1,2}", code))
    return kind in KINDS and code in names(kind, "en")
