"""Palermo's vocabulary of anti-trafficking interventions: the four Ps, the themes of work and
the groups an activity targets, with their mappings to the DAC sectors and SDG targets under
which IATI publishers report such work.

IATI has no code for anti-trafficking work. These lists give it one: a publisher cites a theme
as ``<tag vocabulary="99" vocabulary-uri="{URI}" code="victim_assistance"/>`` (or as a sector
with vocabulary 98/99 and the same URI), and Palermo classifies and exports activities with it.
The URI is stable: it names the vocabulary, not a server (see docs/activities.md).
"""

from __future__ import annotations

from palermo.standard.models import Source
from palermo.standard.sources import CodeListSpec, CodeSpec, labels

VOCABULARY_URI = "https://w3id.org/palermo/vocabulary/interventions"

PILLARS = "intervention_pillar"
THEMES = "intervention_theme"
TARGET_GROUPS = "target_group"
DAC_SECTORS = "dac_sector"
SDG_TARGETS = "sdg_target"

# code: (en, fr, es, ru, ar, zh-hans)
_PILLARS = {
    "prevention": ("Prevention", "Prévention", "Prevención", "Предупреждение", "الوقاية", "预防"),
    "protection": ("Protection", "Protection", "Protección", "Защита", "الحماية", "保护"),
    "prosecution": (
        "Prosecution",
        "Poursuites",
        "Enjuiciamiento",
        "Уголовное преследование",
        "الملاحقة القضائية",
        "起诉",
    ),
    "partnership": ("Partnership", "Partenariat", "Alianzas", "Партнерство", "الشراكة", "伙伴关系"),
}

# code: (pillar, DAC sectors, SDG targets, labels)
_THEMES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "awareness_raising": (
        "prevention",
        ("15180", "15190"),
        ("5.2", "8.7", "16.2"),
        (
            "Awareness raising",
            "Sensibilisation",
            "Sensibilización",
            "Повышение осведомленности",
            "التوعية",
            "提高认识",
        ),
    ),
    "safe_migration": (
        "prevention",
        ("15190",),
        ("10.7", "8.7"),
        (
            "Safe migration",
            "Migration sûre",
            "Migración segura",
            "Безопасная миграция",
            "الهجرة الآمنة",
            "安全移民",
        ),
    ),
    "labour_market_measures": (
        "prevention",
        ("16070",),
        ("8.7", "8.8"),
        (
            "Labour-market measures",
            "Mesures relatives au marché du travail",
            "Medidas del mercado laboral",
            "Меры на рынке труда",
            "تدابير سوق العمل",
            "劳动力市场措施",
        ),
    ),
    "victim_identification": (
        "protection",
        ("15160", "15180"),
        ("5.2", "8.7", "16.2"),
        (
            "Victim identification",
            "Identification des victimes",
            "Identificación de víctimas",
            "Выявление жертв",
            "تحديد هوية الضحايا",
            "识别受害者",
        ),
    ),
    "victim_assistance": (
        "protection",
        ("15160", "15180"),
        ("5.2", "8.7", "16.2"),
        (
            "Victim assistance",
            "Assistance aux victimes",
            "Asistencia a las víctimas",
            "Помощь жертвам",
            "مساعدة الضحايا",
            "援助受害者",
        ),
    ),
    "child_protection": (
        "protection",
        ("15160",),
        ("16.2",),
        (
            "Child protection",
            "Protection de l'enfance",
            "Protección de la infancia",
            "Защита детей",
            "حماية الطفل",
            "儿童保护",
        ),
    ),
    "referral_mechanisms": (
        "protection",
        ("15160", "15190"),
        ("8.7", "16.2"),
        (
            "Referral mechanisms",
            "Mécanismes d'orientation",
            "Mecanismos de derivación",
            "Механизмы перенаправления",
            "آليات الإحالة",
            "转介机制",
        ),
    ),
    "return_reintegration": (
        "protection",
        ("15190",),
        ("10.7", "8.7"),
        (
            "Return and reintegration",
            "Retour et réintégration",
            "Retorno y reintegración",
            "Возвращение и реинтеграция",
            "العودة وإعادة الإدماج",
            "返回和重新融入社会",
        ),
    ),
    "legislative_assistance": (
        "prosecution",
        ("15130", "15160"),
        ("16.3", "8.7"),
        (
            "Legislative assistance",
            "Assistance législative",
            "Asistencia legislativa",
            "Помощь в области законодательства",
            "المساعدة التشريعية",
            "立法援助",
        ),
    ),
    "criminal_justice": (
        "prosecution",
        ("15130",),
        ("16.3", "8.7", "16.2"),
        (
            "Criminal justice",
            "Justice pénale",
            "Justicia penal",
            "Уголовное правосудие",
            "العدالة الجنائية",
            "刑事司法",
        ),
    ),
    "access_to_justice": (
        "prosecution",
        ("15130", "15160"),
        ("16.3",),
        (
            "Access to justice and compensation",
            "Accès à la justice et indemnisation",
            "Acceso a la justicia e indemnización",
            "Доступ к правосудию и компенсация",
            "الوصول إلى العدالة والتعويض",
            "诉诸司法和赔偿",
        ),
    ),
    "capacity_building": (
        "partnership",
        ("15160",),
        ("8.7",),
        (
            "Capacity building and training",
            "Renforcement des capacités et formation",
            "Fomento de la capacidad y formación",
            "Наращивание потенциала и обучение",
            "بناء القدرات والتدريب",
            "能力建设和培训",
        ),
    ),
    "data_research": (
        "partnership",
        ("15160",),
        ("8.7",),
        (
            "Data and research",
            "Données et recherche",
            "Datos e investigación",
            "Данные и исследования",
            "البيانات والبحوث",
            "数据和研究",
        ),
    ),
    "coordination": (
        "partnership",
        ("15160",),
        ("8.7",),
        (
            "Coordination and action plans",
            "Coordination et plans d'action",
            "Coordinación y planes de acción",
            "Координация и планы действий",
            "التنسيق وخطط العمل",
            "协调和行动计划",
        ),
    ),
}

# code: (sex it covers or "", minor/adult it covers or "", labels)
_TARGET_GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "women": ("Female", "Adult", ("Women", "Femmes", "Mujeres", "Женщины", "النساء", "妇女")),
    "men": ("Male", "Adult", ("Men", "Hommes", "Hombres", "Мужчины", "الرجال", "男子")),
    "girls": ("Female", "Minor", ("Girls", "Filles", "Niñas", "Девочки", "الفتيات", "女童")),
    "boys": ("Male", "Minor", ("Boys", "Garçons", "Niños", "Мальчики", "الفتيان", "男童")),
    "children": ("", "Minor", ("Children", "Enfants", "Niños y niñas", "Дети", "الأطفال", "儿童")),
    "victims": (
        "",
        "",
        (
            "Victims and survivors",
            "Victimes et survivants",
            "Víctimas y sobrevivientes",
            "Жертвы и пострадавшие",
            "الضحايا والناجون",
            "受害者和幸存者",
        ),
    ),
    "migrants": ("", "", ("Migrants", "Migrants", "Migrantes", "Мигранты", "المهاجرون", "移民")),
    "refugees": (
        "",
        "",
        (
            "Refugees and asylum seekers",
            "Réfugiés et demandeurs d'asile",
            "Refugiados y solicitantes de asilo",
            "Беженцы и просители убежища",
            "اللاجئون وطالبو اللجوء",
            "难民和寻求庇护者",
        ),
    ),
    "displaced": (
        "",
        "",
        (
            "Internally displaced persons",
            "Personnes déplacées internes",
            "Desplazados internos",
            "Внутренне перемещенные лица",
            "النازحون داخلياً",
            "境内流离失所者",
        ),
    ),
    "workers": (
        "",
        "Adult",
        (
            "Workers in a sector at risk",
            "Travailleurs d'un secteur à risque",
            "Trabajadores de un sector de riesgo",
            "Работники отраслей риска",
            "العاملون في قطاع معرض للخطر",
            "高风险行业工人",
        ),
    ),
    "practitioners": (
        "",
        "",
        (
            "Practitioners and officials",
            "Praticiens et fonctionnaires",
            "Profesionales y funcionarios",
            "Специалисты и должностные лица",
            "الممارسون والمسؤولون",
            "从业人员和官员",
        ),
    ),
    "general_public": (
        "",
        "",
        (
            "General public",
            "Grand public",
            "Público en general",
            "Широкая общественность",
            "عامة الجمهور",
            "公众",
        ),
    ),
}

_DAC = {
    "15130": "Legal and judicial development",
    "15160": "Human rights",
    "15180": "Ending violence against women and girls",
    "15190": "Facilitation of orderly, safe, regular and responsible migration and mobility",
    "16070": "Labour rights",
}
_SDG = {
    "5.2": "Eliminate all forms of violence against all women and girls, including trafficking",
    "8.7": "End forced labour, modern slavery, human trafficking and child labour",
    "8.8": "Protect labour rights and promote safe working environments, including migrants",
    "10.7": "Orderly, safe, regular and responsible migration and mobility of people",
    "16.2": "End abuse, exploitation, trafficking and violence against children",
    "16.3": "Promote the rule of law and ensure equal access to justice for all",
}


def intervention_lists() -> list[CodeListSpec]:
    """The vocabulary's code lists, in the order they load."""
    return [
        CodeListSpec(
            key=PILLARS,
            name="Anti-trafficking pillar (4 Ps)",
            source=Source.PALERMO,
            description=f"Part of {VOCABULARY_URI}",
            codes=[CodeSpec(code, labels(texts)) for code, texts in _PILLARS.items()],
        ),
        CodeListSpec(
            key=THEMES,
            name="Anti-trafficking intervention theme",
            source=Source.PALERMO,
            description=f"{VOCABULARY_URI}. A theme's parent is its main pillar.",
            codes=[
                CodeSpec(code, labels(texts), parent=(PILLARS, pillar))
                for code, (pillar, _dac, _sdg, texts) in _THEMES.items()
            ],
        ),
        CodeListSpec(
            key=TARGET_GROUPS,
            name="Target group of an intervention",
            source=Source.PALERMO,
            description=f"Part of {VOCABULARY_URI}",
            codes=[CodeSpec(code, labels(t[2])) for code, t in _TARGET_GROUPS.items()],
        ),
        CodeListSpec(
            key=DAC_SECTORS,
            name="OECD DAC 5-digit sector (those anti-trafficking work is reported under)",
            source=Source.PALERMO,
            description="IATI Sector vocabulary 1; only the codes the themes map to.",
            codes=[CodeSpec(code, {"en": name}) for code, name in _DAC.items()],
        ),
        CodeListSpec(
            key=SDG_TARGETS,
            name="SDG target (those naming trafficking, forced labour or migration)",
            source=Source.PALERMO,
            description="IATI Tag vocabulary 3; only the targets the themes map to.",
            codes=[CodeSpec(code, {"en": name}) for code, name in _SDG.items()],
        ),
    ]


def intervention_mappings() -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Each theme to the DAC sectors and SDG targets its work is reported under."""
    pairs = []
    for code, (_pillar, dac, sdg, _texts) in _THEMES.items():
        pairs += [((THEMES, code), (DAC_SECTORS, sector)) for sector in dac]
        pairs += [((THEMES, code), (SDG_TARGETS, target)) for target in sdg]
    return pairs


def theme_pillar() -> dict[str, str]:
    return {code: spec[0] for code, spec in _THEMES.items()}


def theme_dac() -> dict[str, tuple[str, ...]]:
    return {code: spec[1] for code, spec in _THEMES.items()}


def theme_sdg() -> dict[str, tuple[str, ...]]:
    return {code: spec[2] for code, spec in _THEMES.items()}


def group_coverage() -> dict[str, tuple[str, str]]:
    """Target group -> (sex, minor/adult) it covers, in CTDC's codes; "" covers any."""
    return {code: (sex, majority) for code, (sex, majority, _t) in _TARGET_GROUPS.items()}
