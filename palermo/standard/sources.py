"""Read the standard's sources into plain data: HTCDS 2.0 (field sheet and XLSForm), the CTDC
analytic variables, ISO country and language codes, and the ILO/EC screening indicators.

Nothing here touches the database: :mod:`palermo.standard.services` reconciles what these
functions return with what is stored. The HTCDS and ILO files are read from the shared standards
directory (``PALERMO_STANDARDS_DIR``); they are never copied into the project.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale
from django.conf import settings
from python_calamine import CalamineWorkbook

from palermo.standard.models import FieldStatus, FieldType, Section, Source

# Interface language -> CLDR locale, for names of languages.
CLDR_LOCALES = {"ar": "ar", "zh-hans": "zh_Hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}
# The order in which a shipped code's labels are written (``labels``).
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh-hans")


def labels(texts: tuple[str, ...]) -> dict[str, str]:
    """A code's labels written in the order of ``LANGUAGES``: all six, or an error."""
    return dict(zip(LANGUAGES, texts, strict=True))


class SourceError(Exception):
    """A source file is missing or not in the expected shape."""


@dataclass
class CodeSpec:
    code: str
    labels: dict[str, str]
    parent: tuple[str, str] | None = None  # (list key, code)
    aliases: list[str] = field(default_factory=list)


@dataclass
class CodeListSpec:
    key: str
    name: str
    source: str
    description: str = ""
    codes: list[CodeSpec] = field(default_factory=list)


@dataclass
class FieldSpec:
    key: str
    section: str
    name: str
    labels: dict[str, str]
    data_type: str
    is_core: bool
    status: str
    source: str
    code_list: str | None = None
    description: str = ""
    notes: str = ""
    aliases: list[str] = field(default_factory=list)
    derivation: dict[str, Any] = field(default_factory=dict)


@dataclass
class StandardSpec:
    code_lists: dict[str, CodeListSpec] = field(default_factory=dict)
    fields: list[FieldSpec] = field(default_factory=list)
    mappings: list[tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=list)

    def add_list(self, spec: CodeListSpec) -> None:
        self.code_lists[spec.key] = spec


def standards_dir() -> Path:
    return Path(settings.PALERMO_STANDARDS_DIR)


def htcds_dir() -> Path:
    return standards_dir() / "htcds"


def _require(path: Path) -> Path:
    if not path.is_file():
        raise SourceError(
            f"{path} not found. Set PALERMO_STANDARDS_DIR to the directory holding the HTCDS "
            "and ILO sources (by default ../shared/standards next to the project)."
        )
    return path


def _sheet(path: Path, name: str) -> list[list[Any]]:
    workbook = CalamineWorkbook.from_path(str(_require(path)))
    if name not in workbook.sheet_names:
        raise SourceError(f"{path.name}: sheet {name!r} not found")
    return workbook.get_sheet_by_name(name).to_python()


def _clean(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "").replace("\xa0", " ")).strip()


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


# HTCDS ----------------------------------------------------------------------------------------

HTCDS_SECTIONS = {
    "organization": Section.ORGANISATION,
    "person": Section.PERSON,
    "person - victim context": Section.VICTIM,
    "person - perpetrator context": Section.PERPETRATOR,
    "case": Section.CASE,
    "referral details": Section.REFERRAL,
    "case comment": Section.CASE_COMMENT,
    "historic trafficking events": Section.HISTORIC_EVENT,
    "support plan": Section.SUPPORT_PLAN,
    "consent": Section.CONSENT,
}

HTCDS_TYPES = {
    "text": FieldType.TEXT,
    "long text": FieldType.LONG_TEXT,
    "number": FieldType.NUMBER,
    "date": FieldType.DATE,
    "checkbox": FieldType.BOOLEAN,
    "picklist": FieldType.CHOICE,
    "picklist or text": FieldType.CHOICE,
    "multiselect picklist": FieldType.MULTI_CHOICE,
    "geolocation": FieldType.GEOLOCATION,
}

# Fields whose value lists are shared, or whose list deserves a clearer name than the field's.
HTCDS_LIST_NAMES = {
    "org_Type": "organisation_type",
    "vic_RecruitmentWebsitesAndApps": "websites_and_apps",
    "vic_ExploitationWebsitesAndApps": "websites_and_apps",
    "cas_ReasonForIncomingReferral": "referral_reason",
    "cas_ReasonForOutgoingReferral": "referral_reason",
    "hte_Type": "trafficking_event_type",
    "spl_Type": "support_plan_type",
    "vic_MethodsOfControl": "methods_of_control",
    "cas_Status": "case_status",
}

# Sub-forms of exploitation hang under a form of exploitation.
HTCDS_PARENTS = {
    "forced_labour_industry": ("type_of_exploitation", "ForcedLabour"),
    "type_of_sex_exploitation": ("type_of_exploitation", "SexualExploitation"),
}


def _htcds_type(raw: str, has_list: bool) -> str:
    raw = raw.strip().lower()
    if raw.startswith("lookup"):
        return FieldType.REFERENCE
    if raw == "text" and has_list:
        return FieldType.CHOICE  # e.g. mailing country "Text" holding ISO 3166 codes
    try:
        return HTCDS_TYPES[raw]
    except KeyError:
        raise SourceError(f"HTCDS field type {raw!r} is not known") from None


def read_htcds_fields(spec: StandardSpec) -> None:
    """The fields of ``HTCDS Field Standards 2.0.ods`` and their value lists."""
    rows = _sheet(htcds_dir() / "HTCDS Field Standards 2.0.ods", "Field_Standards")
    header = [_clean(cell).lower() for cell in rows[0]]
    col = {name: header.index(name) for name in header if name}
    section: str | None = None
    for row in rows[1:]:
        row = list(row) + [""] * (len(header) - len(row))
        title = _clean(row[0]).lower()
        if title:
            section = HTCDS_SECTIONS.get(title)  # the assessment examples map to None
            continue
        prefix, name = _clean(row[col["field name prefix"]]), _clean(row[col["field name"]])
        if section is None or not name or name == "N/A":
            continue
        key = f"{prefix}{name}"
        names = [_clean(v) for v in str(row[col["value names (if picklist)"]]).split("\n")]
        labels = [_clean(v) for v in str(row[col["value labels (if picklist)"]]).split("\n")]
        values_text = " ".join(names).lower()
        list_key: str | None = None
        if "iso 3166" in values_text:
            list_key = "country"
        elif "iso 639" in values_text:
            list_key = "language"
        elif any(names):
            pairs = [
                (n, labels[i] if i < len(labels) and labels[i] else n)
                for i, n in enumerate(names)
                if n
            ]
            list_key = HTCDS_LIST_NAMES.get(key, snake(name))
            if list_key not in spec.code_lists:
                parent = HTCDS_PARENTS.get(list_key)
                spec.add_list(
                    CodeListSpec(
                        key=list_key,
                        name=_clean(row[col["field label"]]) or name,
                        source=Source.HTCDS,
                        codes=[CodeSpec(code, {"en": label}, parent) for code, label in pairs],
                    )
                )
        raw_status = _clean(row[col["status"]]).lower()
        spec.fields.append(
            FieldSpec(
                key=key,
                section=section,
                name=name,
                labels={
                    "en": _clean(row[col["field label"]])
                    or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
                },
                data_type=_htcds_type(_clean(row[col["field type"]]) or "lookup", bool(list_key)),
                is_core=_clean(row[col["core"]]).lower() == "core",
                status=FieldStatus.DEPRECATED if raw_status == "deprecated" else FieldStatus.DRAFT,
                source=Source.HTCDS,
                code_list=list_key,
                description=_clean(row[col["description"]]),
                notes=_clean(row[col["notes"]]),
            )
        )
    if not spec.fields:
        raise SourceError("no field found in the HTCDS field sheet")


def read_xlsform_choices() -> dict[str, list[tuple[str, str]]]:
    """The choice lists of the HTCDS XLSForm: list name -> [(name, label)]."""
    rows = _sheet(htcds_dir() / "Toolkit" / "Survey" / "htcds_xlsform.xlsx", "choices")
    header = [_clean(cell).lower() for cell in rows[0]]
    lists: dict[str, list[tuple[str, str]]] = {}
    for row in rows[1:]:
        item = dict(zip(header, row, strict=False))
        if _clean(item.get("list_name")):
            lists.setdefault(_clean(item["list_name"]), []).append(
                (_clean(item.get("name")), _clean(item.get("label")))
            )
    return lists


def yes_no_list() -> CodeListSpec:
    """The XLSForm's answers to a check box (its ``consent`` list)."""
    return CodeListSpec(
        key="yes_no",
        name="Yes / no",
        source=Source.HTCDS,
        codes=[CodeSpec("TRUE", {"en": "Yes"}), CodeSpec("FALSE", {"en": "No"})],
    )


# ISO ------------------------------------------------------------------------------------------


def country_list() -> CodeListSpec:
    """ISO 3166-1 alpha-2 countries, named as the ``geo`` app names them (UN, CLDR)."""
    from palermo.geo.models import Country

    codes = [
        CodeSpec(
            c.iso2,
            {lang: c.name_in(lang) for lang in CLDR_LOCALES if c.name_in(lang)},
            aliases=[c.iso3, c.numeric],
        )
        for c in Country.objects.order_by("iso2")
    ]
    if not codes:
        raise SourceError("no country loaded: run `manage.py load_geo` first")
    return CodeListSpec(
        key="country",
        name="Country (ISO 3166-1 alpha-2)",
        source=Source.ISO,
        description="Names from the UN M49 list (OCHA) and the Unicode CLDR.",
        codes=codes,
    )


@cache
def _cldr(language: str) -> Locale:
    return Locale.parse(CLDR_LOCALES[language])


def language_list() -> CodeListSpec:
    """ISO 639-1 languages, named in the six languages by the Unicode CLDR (Babel)."""
    codes = []
    for lang in sorted(pycountry.languages, key=lambda item: getattr(item, "alpha_2", "")):
        alpha2 = getattr(lang, "alpha_2", None)
        if not alpha2:
            continue
        labels = {"en": _cldr("en").languages.get(alpha2) or lang.name}
        for ui in CLDR_LOCALES:
            if ui != "en" and (name := _cldr(ui).languages.get(alpha2)):
                labels[ui] = name
        codes.append(CodeSpec(alpha2, labels, aliases=[lang.alpha_3]))
    return CodeListSpec(
        key="language",
        name="Language (ISO 639-1)",
        source=Source.ISO,
        description="Names from the Unicode CLDR.",
        codes=codes,
    )


# CTDC analytic variables ----------------------------------------------------------------------

CTDC_DICTIONARY = "CTDC Global K-anon Dataset DATA DICTIONARY version 20210825.xlsx"


def _ctdc_list(
    key: str,
    name: str,
    codes: list[tuple[str, str, str]],
    parent: tuple[str, str] | None = None,
    translated: dict[str, tuple[str, str, str, str, str]] | None = None,
) -> CodeListSpec:
    """``codes``: (code, English label, CTDC notations separated by '|': the values and 0/1
    column names the CTDC files use for it). ``translated``: code -> its labels in French,
    Spanish, Russian, Arabic and Chinese (the rest of ``LANGUAGES``), each a code of the list."""
    translated = translated or {}
    unknown = set(translated) - {code for code, _label, _alias in codes}
    if unknown:
        raise ValueError(f"{key}: labels for codes not in the list: {sorted(unknown)}")
    return CodeListSpec(
        key=key,
        name=name,
        source=Source.CTDC,
        codes=[
            CodeSpec(
                code,
                labels((label, *translated[code])) if code in translated else {"en": label},
                parent,
                aliases=[a for a in alias.split("|") if a],
            )
            for code, label, alias in codes
        ],
    )


# The forms of exploitation in the other five languages, in the wording of the Protocol's
# official versions where it has one: knowledge search reads these labels as concepts
# ("trabajo forzoso" finds a report coded ForcedLabour), filters and facets show them.
_EXPLOITATION_LABELS = {
    "ForcedLabour": (
        "Travail forcé",
        "Trabajo forzoso",
        "Принудительный труд",
        "العمل القسري",
        "强迫劳动",
    ),
    "SexualExploitation": (
        "Exploitation sexuelle",
        "Explotación sexual",
        "Сексуальная эксплуатация",
        "الاستغلال الجنسي",
        "性剥削",
    ),
    "OtherExploitation": (
        "Autres formes d'exploitation",
        "Otras formas de explotación",
        "Другие формы эксплуатации",
        "أشكال الاستغلال الأخرى",
        "其他形式的剥削",
    ),
    "SexAndLabour": (
        "Exploitation sexuelle et travail forcé",
        "Explotación sexual y trabajo forzoso",
        "Сексуальная эксплуатация и принудительный труд",
        "الاستغلال الجنسي والعمل القسري",
        "性剥削和强迫劳动",
    ),
    "ForcedMarriage": (
        "Mariage forcé",
        "Matrimonio forzado",
        "Принудительный брак",
        "الزواج القسري",
        "强迫婚姻",
    ),
    "ForcedMilitary": (
        "Service militaire forcé",
        "Servicio militar forzoso",
        "Принудительная военная служба",
        "الخدمة العسكرية القسرية",
        "强迫服兵役",
    ),
    "OrganRemoval": (
        "Prélèvement d'organes",
        "Extracción de órganos",
        "Изъятие органов",
        "نزع الأعضاء",
        "切除器官",
    ),
    "SlaveryAndPractices": (
        "Esclavage et pratiques analogues",
        "Esclavitud y prácticas análogas",
        "Рабство и обычаи, сходные с рабством",  # noqa: RUF001
        "الاسترقاق والممارسات الشبيهة بالرق",
        "奴役和类似奴役的做法",
    ),
}


def ctdc_lists() -> list[CodeListSpec]:
    moc = "meansOfControl"
    lab = "typeOfLabour"
    sex = "typeOfSex"
    rel = "recruiterRelation"
    return [
        _ctdc_list(
            "ctdc_datasource",
            "Data source",
            [("CaseManagement", "Case management", "Case Management"), ("Hotline", "Hotline", "")],
        ),
        _ctdc_list(
            "ctdc_gender",
            "Gender (CTDC)",
            [
                ("Female", "Female", ""),
                ("Male", "Male", ""),
                (
                    "TransgenderNonConforming",
                    "Transgender / non-conforming",
                    "Transgender/NonConforming",
                ),
                ("Unknown", "Unknown", ""),
            ],
        ),
        _ctdc_list(
            "ctdc_age_band",
            "Age band (CTDC)",
            [
                (band, band.replace("--", "\u2013"), "")
                for band in [
                    "0--8",
                    "9--17",
                    "18--20",
                    "21--23",
                    "24--26",
                    "27--29",
                    "30--38",
                    "39--47",
                    "48+",
                ]
            ],
        ),
        _ctdc_list(
            "ctdc_majority",
            "Majority status",
            [
                ("Adult", "Adult (18 or over)", ""),
                ("Minor", "Minor (under 18)", ""),
                ("Unknown", "Unknown", ""),
            ],
        ),
        _ctdc_list(
            "ctdc_means_of_control",
            "Means of control (CTDC)",
            [
                (c, label, moc + c)
                for c, label in [
                    ("DebtBondage", "Debt bondage"),
                    ("TakesEarnings", "Takes earnings"),
                    ("RestrictsFinancialAccess", "Restricts financial access"),
                    ("Threats", "Threats"),
                    ("PsychologicalAbuse", "Psychological abuse"),
                    ("PhysicalAbuse", "Physical abuse"),
                    ("SexualAbuse", "Sexual abuse"),
                    ("FalsePromises", "False promises"),
                    ("PsychoactiveSubstances", "Psychoactive substances"),
                    ("RestrictsMovement", "Restricts movement"),
                    ("RestrictsMedicalCare", "Restricts medical care"),
                    ("ExcessiveWorkingHours", "Excessive working hours"),
                    ("UsesChildren", "Uses children"),
                    ("ThreatOfLawEnforcement", "Threat of law enforcement"),
                    ("WithholdsNecessities", "Withholds necessities"),
                    ("WithholdsDocuments", "Withholds documents"),
                    ("Other", "Other"),
                    ("NotSpecified", "Not specified"),
                ]
            ],
        ),
        _ctdc_list(
            "ctdc_exploitation",
            "Type of exploitation (CTDC)",
            [
                ("ForcedLabour", "Forced labour", "isForcedLabour"),
                ("SexualExploitation", "Sexual exploitation", "isSexualExploit"),
                ("OtherExploitation", "Other exploitation", "isOtherExploit|Other"),
                (
                    "SexAndLabour",
                    "Sexual exploitation and forced labour",
                    "isSexAndLabour|Combined sexual and labour exploitation",
                ),
                ("ForcedMarriage", "Forced marriage", "isForcedMarriage"),
                ("ForcedMilitary", "Forced military service", "isForcedMilitary"),
                ("OrganRemoval", "Organ removal", "isOrganRemoval"),
                ("SlaveryAndPractices", "Slavery and similar practices", "isSlaveryAndPractices"),
            ],
            translated=_EXPLOITATION_LABELS,
        ),
        _ctdc_list(
            "ctdc_labour_type",
            "Type of forced labour (CTDC)",
            [
                (c, label, lab + c)
                for c, label in [
                    ("Agriculture", "Agriculture"),
                    ("Aquafarming", "Aquafarming"),
                    ("Begging", "Begging"),
                    ("Construction", "Construction"),
                    ("DomesticWork", "Domestic work"),
                    ("Hospitality", "Hospitality"),
                    ("IllicitActivities", "Illicit activities"),
                    ("Manufacturing", "Manufacturing"),
                    ("MiningOrDrilling", "Mining or drilling"),
                    ("Peddling", "Peddling"),
                    ("Transportation", "Transportation"),
                    ("Other", "Other"),
                    ("NotSpecified", "Not specified"),
                ]
            ],
            parent=("ctdc_exploitation", "ForcedLabour"),
        ),
        _ctdc_list(
            "ctdc_sex_type",
            "Type of sexual exploitation (CTDC)",
            [
                (c, label, sex + c)
                for c, label in [
                    ("Prostitution", "Prostitution"),
                    ("Pornography", "Pornography"),
                    ("RemoteInteractiveServices", "Remote interactive services"),
                    ("PrivateSexualServices", "Private sexual services"),
                ]
            ],
            parent=("ctdc_exploitation", "SexualExploitation"),
        ),
        _ctdc_list(
            "ctdc_recruiter_relation",
            "Relationship to the recruiter (CTDC)",
            [
                (c, label, rel + c)
                for c, label in [
                    ("IntimatePartner", "Intimate partner"),
                    ("Friend", "Friend"),
                    ("Family", "Family"),
                    ("Other", "Other"),
                    ("Unknown", "Unknown"),
                ]
            ],
        ),
    ]


def _analytic(
    key: str,
    label: str,
    data_type: str,
    ctdc: list[str],
    derivation: dict[str, Any],
    code_list: str | None = None,
    description: str = "",
) -> FieldSpec:
    return FieldSpec(
        key=key,
        section=Section.ANALYTIC,
        name=key.removeprefix("ana_"),
        labels={"en": label},
        data_type=data_type,
        is_core=True,
        status=FieldStatus.RELEASED,
        source=Source.CTDC,
        code_list=code_list,
        description=description,
        aliases=ctdc,
        derivation=derivation,
    )


def _age_derivation(at: str, date_field: str) -> dict[str, Any]:
    return {
        "from": ["prs_Birthdate", date_field],
        "method": "majority",
        "note": f"Under 18 on the {at} date: Minor; 18 or over: Adult; no birth date: Unknown.",
    }


def ctdc_fields() -> list[FieldSpec]:
    """The CTDC global dataset's variables as fields of the standard, each with its derivation
    from HTCDS fields (``derivation``) and the CTDC column names it reads and writes
    (``aliases``)."""
    t = FieldType
    return [
        _analytic(
            "ana_YearOfRegistration",
            "Year of registration",
            t.NUMBER,
            ["yearOfRegistration"],
            {
                "from": ["cas_IdentificationDate"],
                "method": "year",
                "note": "Year the case was registered (identified) by the organisation.",
            },
        ),
        _analytic(
            "ana_Datasource",
            "Data source",
            t.CHOICE,
            ["Datasource"],
            {
                "from": [],
                "method": "constant",
                "note": "Case management for cases recorded in Palermo.",
            },
            "ctdc_datasource",
        ),
        _analytic(
            "ana_Gender",
            "Gender",
            t.CHOICE,
            ["gender"],
            {"from": ["prs_Gender"], "method": "crosswalk"},
            "ctdc_gender",
        ),
        _analytic(
            "ana_AgeBroad",
            "Age band at identification",
            t.CHOICE,
            ["ageBroad"],
            {
                "from": ["prs_Birthdate", "cas_IdentificationDate"],
                "method": "age_band",
                "note": "Age in whole years on the identification date, in CTDC bands.",
            },
            "ctdc_age_band",
        ),
        _analytic(
            "ana_MajorityStatus",
            "Majority status at identification",
            t.CHOICE,
            ["majorityStatus"],
            _age_derivation("identification", "cas_IdentificationDate"),
            "ctdc_majority",
        ),
        _analytic(
            "ana_MajorityStatusAtExploit",
            "Majority status at exploitation",
            t.CHOICE,
            ["majorityStatusAtExploit"],
            _age_derivation("first exploitation", "hte_Date[Type=Exploitation]"),
            "ctdc_majority",
        ),
        _analytic(
            "ana_MajorityEntry",
            "Majority status at entry into trafficking",
            t.CHOICE,
            ["majorityEntry", "MajorityEntry"],
            {
                "from": ["vic_AgeWhenTrafficked"],
                "method": "majority",
                "note": "Under 18 when trafficked: Minor; 18 or over: Adult.",
            },
            "ctdc_majority",
        ),
        _analytic(
            "ana_Citizenship",
            "Citizenship",
            t.CHOICE,
            ["citizenship"],
            {
                "from": ["prs_Citizenship"],
                "method": "first",
                "note": "The first citizenship recorded (ISO 3166-1 alpha-2).",
            },
            "country",
        ),
        _analytic(
            "ana_MeansOfControl",
            "Means of control",
            t.MULTI_CHOICE,
            ["meansOfControlConcatenated"],
            {
                "from": ["vic_MethodsOfControl"],
                "method": "crosswalk",
                "note": "Nothing recorded: NotSpecified.",
            },
            "ctdc_means_of_control",
        ),
        _analytic(
            "ana_TypeOfExploitation",
            "Type of exploitation",
            t.MULTI_CHOICE,
            ["typeOfExploitConcatenated"],
            {
                "from": ["vic_TypeOfExploitation"],
                "method": "crosswalk",
                "note": "SexAndLabour is added when both forced labour and sexual "
                "exploitation are present.",
            },
            "ctdc_exploitation",
        ),
        _analytic(
            "ana_TypeOfLabour",
            "Type of forced labour",
            t.MULTI_CHOICE,
            ["typeOfLabourConcatenated"],
            {"from": ["vic_ForcedLabourIndustry", "vic_TypeOfExploitation"], "method": "crosswalk"},
            "ctdc_labour_type",
        ),
        _analytic(
            "ana_TypeOfSex",
            "Type of sexual exploitation",
            t.MULTI_CHOICE,
            ["typeOfSexConcatenated"],
            {"from": ["vic_TypeOfSexExploitation"], "method": "crosswalk"},
            "ctdc_sex_type",
        ),
        _analytic(
            "ana_IsAbduction",
            "Abducted",
            t.BOOLEAN,
            ["isAbduction"],
            {
                "from": ["vic_MethodOfRecruitment"],
                "method": "not_derivable",
                "note": "HTCDS has no abduction field; recorded directly in Palermo cases.",
            },
        ),
        _analytic(
            "ana_RecruiterRelationship",
            "Relationship to the recruiter",
            t.MULTI_CHOICE,
            ["RecruiterRelationship"],
            {
                "from": ["vic_RelationshipToTrafficker"],
                "method": "crosswalk",
                "note": "HTCDS 'acquainted' and 'unacquainted' both become Other: CTDC has "
                "no such category.",
            },
            "ctdc_recruiter_relation",
        ),
        _analytic(
            "ana_CountryOfExploitation",
            "Country of exploitation",
            t.CHOICE,
            ["CountryOfExploitation"],
            {
                "from": ["hte_Country", "hte_Type"],
                "method": "event_country",
                "note": "Country of the historic trafficking event of type Exploitation.",
            },
            "country",
        ),
    ]


# HTCDS code -> CTDC code, by list. A code may map to several (forced begging is forced labour
# and, as a sub-type, begging).
CROSSWALK: dict[tuple[str, str], dict[str, list[str]]] = {
    ("gender", "ctdc_gender"): {
        "Feminine": ["Female"],
        "Masculine": ["Male"],
        "TransgenderFeminine": ["TransgenderNonConforming"],
        "TransgenderMasculine": ["TransgenderNonConforming"],
        "NonConforming": ["TransgenderNonConforming"],
        "NonSpecifiedUnknown": ["Unknown"],
    },
    ("methods_of_control", "ctdc_means_of_control"): {
        "PhysicalThreats": ["Threats"],
        "ThreatsLawEnforcement": ["ThreatOfLawEnforcement"],
        "ThreatensChildrenFamily": ["Threats"],
        "DebtBondage": ["DebtBondage"],
        "FalsePromises": ["FalsePromises"],
        "PhysicalAbuse": ["PhysicalAbuse"],
        "SexualAbuse": ["SexualAbuse"],
        "TakesEarnings": ["TakesEarnings"],
        "RestrictsFinancialAccess": ["RestrictsFinancialAccess"],
        "RestrictsMedicalCare": ["RestrictsMedicalCare"],
        "WithholdsNecessities": ["WithholdsNecessities"],
        "PsychologicalAbuse": ["PsychologicalAbuse"],
        "PsychoactiveSubstance": ["PsychoactiveSubstances"],
        "ExcessiveWorkingHours": ["ExcessiveWorkingHours"],
        "WithholdsDocuments": ["WithholdsDocuments"],
        "Other": ["Other"],
    },
    ("type_of_exploitation", "ctdc_exploitation"): {
        "ForcedLabour": ["ForcedLabour"],
        "SexualExploitation": ["SexualExploitation"],
        "ChildLabour": ["OtherExploitation"],
        "ForcedMarriage": ["ForcedMarriage"],
        "Servitude": ["SlaveryAndPractices"],
        "ForcedMilitaryByNonStateActors": ["ForcedMilitary"],
        "OrganRemoval": ["OrganRemoval"],
        "ForcedBegging": ["ForcedLabour"],
        "ForcedAdoption": ["OtherExploitation"],
        "Surrogacy": ["OtherExploitation"],
        "Other": ["OtherExploitation"],
    },
    ("type_of_exploitation", "ctdc_labour_type"): {"ForcedBegging": ["Begging"]},
    ("forced_labour_industry", "ctdc_labour_type"): {
        "A_AgricultureForestryAndFishing": ["Agriculture"],
        "B_MiningAndQuarrying": ["MiningOrDrilling"],
        "C_Manufacturing": ["Manufacturing"],
        "F_Construction": ["Construction"],
        "H_TransportationAndStorage": ["Transportation"],
        "I_AccommodationAndFoodServiceActivities": ["Hospitality"],
        "T_ActivitiesOfHouseholdsAsEmployers": ["DomesticWork"],
        **{
            code: ["Other"]
            for code in [
                "D_ElectricityGasSteamAndAirConditioningSupply",
                "E_WaterSupplySewerageWasteManagement",
                "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
                "J_InformationAndCommunication",
                "K_FinancialAndInsuranceActivities",
                "L_RealEstateActivities",
                "M_ProfessionalScientificAndTechnicalActivities",
                "N_AdministrativeAndSupportServiceActivities",
                "O_PublicAdministrationAndDefence",
                "P_Education",
                "Q_HumanHealthAndSocialWorkActivities",
                "R_ArtsEntertainmentAndRecreation",
                "S_OtherServiceActivities",
                "U_ActivitiesOfExtraterritorialOrganizations",
            ]
        },
    },
    ("type_of_sex_exploitation", "ctdc_sex_type"): {
        code: [code]
        for code in [
            "Prostitution",
            "Pornography",
            "RemoteInteractiveServices",
            "PrivateSexualServices",
        ]
    },
    ("relationship_to_trafficker", "ctdc_recruiter_relation"): {
        "Familial": ["Family"],
        "Acquainted": ["Other"],
        "Unaquainted": ["Other"],
    },
}


def read_ctdc_columns() -> list[str]:
    """The variable names of the CTDC data dictionary's main sheet."""
    path = standards_dir().parent / "data" / "ctdc-kanon-2021" / CTDC_DICTIONARY
    return [_clean(row[0]) for row in _sheet(path, "Main")[1:] if _clean(row[0])]


# Palermo's own additions ----------------------------------------------------------------------


def palermo_fields() -> list[FieldSpec]:
    """Fields the analytic variables need that HTCDS 2.0 lacks."""
    return [
        FieldSpec(
            key="cas_IdentificationDate",
            section=Section.CASE,
            name="IdentificationDate",
            labels={"en": "Identification date"},
            data_type=FieldType.DATE,
            is_core=True,
            status=FieldStatus.DRAFT,
            source=Source.PALERMO,
            description="The date the organisation identified or registered the person.",
            notes="Added by Palermo: the CTDC year of registration and ages are computed from it.",
        )
    ]


def build_spec() -> StandardSpec:
    """Everything the standard holds, read from its sources."""
    spec = StandardSpec()
    spec.add_list(country_list())
    spec.add_list(language_list())
    spec.add_list(yes_no_list())
    read_htcds_fields(spec)
    # The XLSForm's choices must all be in the field sheet's lists; add any that are not.
    xls = read_xlsform_choices()
    by_xls_name = {"citizenship": "country", "consent": "yes_no"}
    for f in spec.fields:
        if f.code_list:
            by_xls_name.setdefault(f.code_list.replace("_", ""), f.code_list)
            by_xls_name.setdefault(f.name.lower(), f.code_list)
    for xls_list, choices in xls.items():
        target = spec.code_lists.get(by_xls_name.get(xls_list, ""))
        if target is None:
            raise SourceError(f"XLSForm list {xls_list!r} matches no HTCDS field")
        known = {c.code for c in target.codes}
        for name, label in choices:
            if name not in known:
                target.codes.append(CodeSpec(name, {"en": label or name}))
    spec.fields.extend(palermo_fields())
    for code_list in ctdc_lists():
        spec.add_list(code_list)
    spec.fields.extend(ctdc_fields())
    from palermo.standard.interventions import intervention_lists, intervention_mappings

    for code_list in intervention_lists():
        spec.add_list(code_list)
    spec.mappings.extend(intervention_mappings())
    from palermo.standard.referral_services import (
        referral_service_lists,
        referral_service_mappings,
    )

    for code_list in referral_service_lists():
        spec.add_list(code_list)
    spec.mappings.extend(referral_service_mappings())
    for (source_list, target_list), table in CROSSWALK.items():
        for source_code, targets in table.items():
            for target_code in targets:
                spec.mappings.append(((source_list, source_code), (target_list, target_code)))
    return spec


# ILO / EC screening indicators ----------------------------------------------------------------


def ilo_instruments() -> list[dict[str, Any]]:
    """The ILO/EC operational indicators, one instrument document per set, in the form any
    instrument takes (see :data:`palermo.standard.schemas.INSTRUMENT_SCHEMA`)."""
    path = _require(standards_dir() / "ilo-indicators.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        source = data["source"]
        rule = data["rule"]
        sets = data["sets"]
    except (ValueError, KeyError) as exc:
        raise SourceError(f"{path.name}: {exc}") from exc
    citation = (
        f"{source['title']}. {source['publisher']}, {source['first_published']} "
        f"(revised {source['revised']}), {source['ilo_id']}."
    )
    documents = []
    for item in sets:
        rows = [ind for dim in item["dimensions"] for ind in dim["indicators"]]
        confirmed = all(ind.get("confirmed") for ind in rows) and rule.get("confirmed")
        documents.append(
            {
                "key": f"ilo-ec-{item['key'].replace('_', '-')}",
                "name": f"ILO/EC operational indicators: {item['label']}",
                "age_group": item["age_group"],
                "exploitation": item["exploitation"],
                "source": {"citation": citation, "url": source["url"]},
                "verification": {
                    "status": "verified" if confirmed else "unverified",
                    "note": f"{item['basis']} {source['verification']}",
                },
                "notes": [
                    *rule.get("open_questions", []),
                    "No sexual-exploitation set could be found; until one is added, screening "
                    "for sexual exploitation uses this labour set's dimensions.",
                ],
                "facts": [
                    {
                        "key": "act_recorded",
                        "label": "The act is on record: recruitment, transportation, transfer, "
                        "harbouring or receipt of the person.",
                    }
                ],
                "dimensions": [
                    {
                        "key": dim["key"],
                        "label": dim["label"],
                        "indicators": [
                            {
                                "key": ind["key"],
                                "label": ind["label"],
                                "grade": ind["grade"],
                                "confirmed": bool(ind.get("confirmed")),
                                **_indicator_note(ind),
                            }
                            for ind in dim["indicators"]
                        ],
                    }
                    for dim in item["dimensions"]
                ],
                "rule": {
                    "dimension_positive": {"any_of": rule["dimension_positive"]["any_of"]},
                    "outcome": _outcome_tree(rule["victim"][item["age_group"]]),
                },
                "examples": rule["dimension_positive"].get("examples", []),
            }
        )
    return documents


def _indicator_note(indicator: dict[str, Any]) -> dict[str, str]:
    parts = [indicator.get("note") or ""]
    if indicator.get("alt_grade"):
        parts.append(f"Disputed: another source grades it {indicator['alt_grade']}.")
    note = " ".join(part for part in parts if part)
    return {"note": note} if note else {}


def _outcome_tree(node: Any) -> Any:
    """The rule's outcome expression without its explanatory notes."""
    if isinstance(node, dict):
        return {k: [_outcome_tree(v) for v in node[k]] for k in ("all_of", "any_of") if k in node}
    return node
