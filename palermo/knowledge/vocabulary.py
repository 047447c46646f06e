"""The knowledge base's code lists: what each coded attribute of a resource may hold, the
Protocol's articles and the elements of the offence (acts, means, purposes) that case law is
coded with, and the languages the search understands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from palermo.geo import selectors as geo
from palermo.standard import selectors as standard

# Kinds of ResourceCode. Themes, forms of exploitation and target groups are the standard's
# lists, the same codes activities and releases use.
COUNTRY = "country"
REGION = "region"
THEME = "intervention_theme"
EXPLOITATION = "ctdc_exploitation"
TARGET_GROUP = "target_group"
LANGUAGE = "language"
ARTICLE = "protocol_article"
PUBLISHER = "publisher"
STANDARD_KINDS = (THEME, EXPLOITATION, TARGET_GROUP)
# The kinds a resource's contributor codes (forms, imports).
ENTERED_KINDS = (COUNTRY, REGION, THEME, EXPLOITATION, TARGET_GROUP, LANGUAGE, ARTICLE, PUBLISHER)
# Kinds read from the resource's other fields when it is saved, so that every metadata field
# is a filter with a facet: authors and licence as written, the language of the full text, a
# good practice's or an evaluation's evidence level, and case law's acts, means, form of
# trafficking and verdict.
AUTHOR = "author"
LICENCE = "licence"
TEXT_LANGUAGE = "text_language"
EVIDENCE = "evidence_level"
ACT = "act"
MEANS_KIND = "means"
CASE_FORM = "trafficking_form"
VERDICT = "verdict"
FIELD_KINDS = (AUTHOR, LICENCE, TEXT_LANGUAGE, EVIDENCE, ACT, MEANS_KIND, CASE_FORM, VERDICT)
FACET_KINDS = ENTERED_KINDS + FIELD_KINDS
# The codes read from a resource's other fields rather than chosen: the languages of its titles,
# abstracts and full text, its publishers and FIELD_KINDS. They are shown with the fields they
# come from, not among its codes (page and API alike), and a re-import derives them again.
# Regions are not: a contributor chooses them too, besides those a country brings.
DERIVED_KINDS = (LANGUAGE, PUBLISHER, *FIELD_KINDS)

# The six languages of titles, abstracts and full texts (interface codes), with the PostgreSQL
# text-search configuration and the Snowball stemmer that stem each. Chinese has no stemmer:
# its characters are indexed one by one, so that any run of characters is found as a phrase.
LANGUAGES = {
    "en": _("English"),
    "fr": _("French"),
    "es": _("Spanish"),
    "ru": _("Russian"),
    "ar": _("Arabic"),
    "zh-hans": _("Chinese"),
}
# The Latin-script configurations are copies that fold accents first (unaccent, made by the
# migration), so that "explotacion" finds "explotación", as on SQLite (FTS5 folds them too).
PG_CONFIGS = {
    "en": "palermo_english",
    "fr": "palermo_french",
    "es": "palermo_spanish",
    "ru": "russian",
    "ar": "arabic",
    "zh-hans": "simple",
}
SNOWBALL = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}

# The Trafficking in Persons Protocol's articles that national law implements.
ARTICLES = {
    "3": pgettext_lazy("Protocol article", "Art. 3: definition of trafficking in persons"),
    "5": pgettext_lazy("Protocol article", "Art. 5: criminalization"),
    "6": pgettext_lazy("Protocol article", "Art. 6: assistance to and protection of victims"),
    "7": pgettext_lazy("Protocol article", "Art. 7: status of victims in receiving States"),
    "8": pgettext_lazy("Protocol article", "Art. 8: repatriation of victims"),
    "9": pgettext_lazy("Protocol article", "Art. 9: prevention of trafficking in persons"),
    "10": pgettext_lazy("Protocol article", "Art. 10: information exchange and training"),
    "11": pgettext_lazy("Protocol article", "Art. 11: border measures"),
    "12": pgettext_lazy("Protocol article", "Art. 12: security and control of documents"),
    "13": pgettext_lazy("Protocol article", "Art. 13: legitimacy and validity of documents"),
}

# The elements of the offence (Protocol, art. 3(a)).
ACTS = {
    "recruitment": _("Recruitment"),
    "transportation": _("Transportation"),
    "transfer": _("Transfer"),
    "harbouring": _("Harbouring"),
    "receipt": _("Receipt"),
}
MEANS = {
    "threat_force": _("Threat or use of force or other forms of coercion"),
    "abduction": _("Abduction"),
    "fraud": _("Fraud"),
    "deception": _("Deception"),
    "abuse_of_power": _("Abuse of power"),
    "abuse_of_vulnerability": _("Abuse of a position of vulnerability"),
    "payments": _("Giving or receiving payments or benefits to a person in control"),
}
PURPOSES = {
    "sexual_exploitation": _(
        "Exploitation of the prostitution of others or other forms of sexual exploitation"
    ),
    "forced_labour": _("Forced labour or services"),
    "slavery": _("Slavery or practices similar to slavery"),
    "servitude": _("Servitude"),
    "organ_removal": _("Removal of organs"),
    "other": _("Other purposes"),
}
# Purpose -> the form of exploitation releases and activities count (the standard's CTDC list).
PURPOSE_EXPLOITATION = {
    "sexual_exploitation": "SexualExploitation",
    "forced_labour": "ForcedLabour",
    "slavery": "SlaveryAndPractices",
    "servitude": "SlaveryAndPractices",
    "organ_removal": "OrganRemoval",
    "other": "OtherExploitation",
}


def names(kind: str, language: str | None = None) -> dict[str, str]:
    """Code -> name in ``language`` (the reader's by default) for one kind of code."""
    from palermo.knowledge.models import EvidenceLevel, Form, Verdict

    fixed: dict[str, Any] = {
        LANGUAGE: LANGUAGES,
        TEXT_LANGUAGE: LANGUAGES,
        ARTICLE: ARTICLES,
        ACT: ACTS,
        MEANS_KIND: MEANS,
        EVIDENCE: dict(EvidenceLevel.choices),
        CASE_FORM: dict(Form.choices),
        VERDICT: dict(Verdict.choices),
    }
    if kind in fixed:
        return {code: str(label) for code, label in fixed[kind].items()}
    language = language or get_language() or "en"
    if kind in (COUNTRY, REGION):
        return geo.names(kind, language)
    if kind in (PUBLISHER, AUTHOR, LICENCE):
        return {}  # named by themselves
    return standard.cached_code_names(kind, language)


def label(kind: str, code: str, language: str | None = None) -> str:
    """The name of one code in ``language`` (the reader's by default); the code itself where
    it has none (publishers, authors and licences are their own names)."""
    return names(kind, language).get(code, code)


def all_labels(kind: str) -> dict[str, dict[str, str]]:
    """Code -> {language: label} for one of the standard's lists, every language."""
    return standard.cached_code_labels(kind)


def known(kind: str, code: str) -> bool:
    if kind in STANDARD_KINDS:
        return code in names(kind, "en")
    if kind == LANGUAGE:
        return code in LANGUAGES
    if kind == ARTICLE:
        return code in ARTICLES
    return bool(code)


_QUALIFIER = re.compile(r"\s*[(\uff08].*?[)\uff09]\s*")  # also full-width brackets


@dataclass(frozen=True)
class PlaceLabels:
    names: tuple[tuple[str, str, str, str], ...]  # kind, code, language, name
    fingerprint: int  # changes when the names do


_PLACE_LABELS: list[tuple[geo.Names, PlaceLabels]] = []  # geo's names and what they gave


def place_labels() -> PlaceLabels:
    """The names of every country (COUNTRY, ISO code) and region (REGION, M49 code) in every
    language: the UN's name (as geo keeps it), the same without what is in brackets ("Bolivia"
    for "Bolivia (Plurinational State of)") and, for a country, the CLDR's usual short name
    ("Russia", "Vietnam"). Made again only when geo's kept names are read again."""
    places = geo.cached_names()
    if _PLACE_LABELS and _PLACE_LABELS[0][0] is places:
        return _PLACE_LABELS[0][1]
    found: list[tuple[str, str, str, str]] = []
    for kind in (COUNTRY, REGION):
        for language in LANGUAGES:
            short = geo.cldr_country_names(language) if kind == COUNTRY else {}
            for code, official in sorted(places[kind][language].items()):
                texts = (official, _QUALIFIER.sub(" ", official).strip(), short.get(code, ""))
                found.extend((kind, code, language, t) for t in dict.fromkeys(texts) if t)
    names = tuple(found)
    labels = PlaceLabels(names, hash(names))
    _PLACE_LABELS[:] = [(places, labels)]
    return labels
