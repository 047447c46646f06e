"""The kinds of service a person identified as a victim of trafficking is referred to, as the
service directory and referrals code them, with their six-language labels and their mapping
to HTCDS's support plan types where one exists.

HTCDS codes a support plan's type (health, legal, livelihood...) but has no code for shelter,
asylum procedures, child protection or return and reintegration, which national referral
mechanisms refer people to most; this Palermo list adds them.
"""

from __future__ import annotations

from palermo.standard.models import Source
from palermo.standard.sources import CodeListSpec, CodeSpec, labels

REFERRAL_SERVICES = "referral_service"
HTCDS_SUPPORT = "support_plan_type"

# code: (HTCDS support plan type or "", labels in en, fr, es, ru, ar, zh-hans)
_SERVICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "shelter": (
        "",
        ("Shelter", "Hébergement", "Alojamiento", "Приют", "المأوى", "庇护所"),
    ),
    "health": (
        "Health",
        (
            "Health care",
            "Soins de santé",
            "Atención de salud",
            "Медицинская помощь",
            "الرعاية الصحية",
            "医疗保健",
        ),
    ),
    "psychosocial": (
        "Health",
        (
            "Psychosocial support",
            "Soutien psychosocial",
            "Apoyo psicosocial",
            "Психосоциальная поддержка",
            "الدعم النفسي والاجتماعي",
            "心理社会支持",
        ),
    ),
    "legal_aid": (
        "Legal",
        (
            "Legal aid",
            "Aide juridique",
            "Asistencia jurídica",
            "Юридическая помощь",
            "المساعدة القانونية",
            "法律援助",
        ),
    ),
    "asylum": (
        "Legal",
        (
            "Asylum procedure (international protection)",
            "Procédure d'asile (protection internationale)",
            "Procedimiento de asilo (protección internacional)",
            "Процедура предоставления убежища (международная защита)",
            "إجراءات اللجوء (الحماية الدولية)",
            "庇护程序（国际保护）",  # noqa: RUF001
        ),
    ),
    "child_protection": (
        "SocialCare",
        (
            "Child protection services",
            "Services de protection de l'enfance",
            "Servicios de protección infantil",
            "Службы защиты детей",
            "خدمات حماية الطفل",
            "儿童保护服务",
        ),
    ),
    "return_reintegration": (
        "",
        (
            "Return and reintegration",
            "Retour et réintégration",
            "Retorno y reintegración",
            "Возвращение и реинтеграция",
            "العودة وإعادة الإدماج",
            "返回和重新融入",
        ),
    ),
    "livelihood": (
        "Livelihood",
        (
            "Livelihood and employment",
            "Moyens de subsistance et emploi",
            "Medios de vida y empleo",
            "Средства к существованию и трудоустройство",
            "سبل العيش والعمل",
            "生计和就业",
        ),
    ),
    "education": (
        "Education",
        (
            "Education and training",
            "Éducation et formation",
            "Educación y formación",
            "Образование и обучение",
            "التعليم والتدريب",
            "教育和培训",
        ),
    ),
    "financial": (
        "Financial",
        (
            "Financial assistance",
            "Aide financière",
            "Asistencia financiera",
            "Финансовая помощь",
            "المساعدة المالية",
            "经济援助",
        ),
    ),
    "social_care": (
        "SocialCare",
        (
            "Social care",
            "Aide sociale",
            "Atención social",
            "Социальная помощь",
            "الرعاية الاجتماعية",
            "社会照护",
        ),
    ),
    "interpretation": (
        "",
        (
            "Interpretation",
            "Interprétariat",
            "Interpretación",
            "Устный перевод",
            "الترجمة الفورية",
            "口译",
        ),
    ),
}


def referral_service_lists() -> list[CodeListSpec]:
    return [
        CodeListSpec(
            key=REFERRAL_SERVICES,
            name="Service a victim of trafficking is referred to",
            source=Source.PALERMO,
            description="Palermo's list for the service directory and referrals; mapped to "
            "HTCDS support plan types where one exists.",
            codes=[CodeSpec(code, labels(texts)) for code, (_htcds, texts) in _SERVICES.items()],
        )
    ]


def referral_service_mappings() -> list[tuple[tuple[str, str], tuple[str, str]]]:
    return [
        ((REFERRAL_SERVICES, code), (HTCDS_SUPPORT, htcds))
        for code, (htcds, _labels) in _SERVICES.items()
        if htcds
    ]
