"""The demo knowledge base: resources that really exist and that practitioners know (metadata
only, described in our own words), a few generated demo items (marked as such), and claims
that show a chain traced to its origin, an estimate without a published method, an
untraceable number and a number taken from a Palermo release.

The real publications carry their official titles in the languages they were published in
(where we are sure of them), abstracts in our own words in English and, for the major ones, in
French and Spanish, and a link only where we know the page (publishers move their files: an
unsure address is left out rather than guessed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from palermo.accounts.models import Organisation
from palermo.knowledge import services, vocabulary
from palermo.knowledge.models import Claim, EvidenceLevel, Kind, Resource, Validity
from palermo.stats import selectors as releases

ALL_ARTICLES = set(vocabulary.ARTICLES)

# key, kind, year, publishers, titles, abstract (our words; "abstracts" in other languages),
# codes, extra (url, authors, licence)
REAL: list[dict[str, Any]] = [
    {
        "key": "protocol-2000",
        "kind": Kind.LEGISLATION,
        "year": 2000,
        "publishers": ["United Nations General Assembly"],
        "title": {
            "en": "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially "
            "Women and Children, supplementing the United Nations Convention against "
            "Transnational Organized Crime",
            "fr": "Protocole visant à prévenir, réprimer et punir la traite des personnes, en "
            "particulier des femmes et des enfants",
            "es": "Protocolo para prevenir, reprimir y sancionar la trata de personas, "
            "especialmente mujeres y niños",
            "ru": "Протокол о предупреждении и пресечении торговли людьми, особенно женщинами и "  # noqa: RUF001
            "детьми, и наказании за нее",
        },
        "abstract": "The international treaty that first defined trafficking in persons by its "
        "act, means and purpose, and that asks States to criminalise it, to protect and "
        "assist victims, and to prevent it through cooperation. Adopted in Palermo in 2000.",
        "abstracts": {
            "fr": "Le traité international qui a défini pour la première fois la traite des "
            "personnes par l'acte, les moyens et la finalité d'exploitation. Il demande aux "
            "États de l'ériger en infraction, de protéger et d'aider les victimes et de la "
            "prévenir par la coopération. Adopté à Palerme en 2000.",
            "es": "El tratado internacional que definió por primera vez la trata de personas "
            "por el acto, los medios y el fin de explotación. Pide a los Estados que la "
            "tipifiquen como delito, que protejan y asistan a las víctimas y que la prevengan "
            "mediante la cooperación. Adoptado en Palermo en 2000.",
            "ru": "Международный договор, впервые определивший торговлю людьми через действие, "
            "способ и цель эксплуатации. Он обязывает государства признать её преступлением, "
            "защищать жертв и помогать им, а также предупреждать её через сотрудничество. "  # noqa: RUF001
            "Принят в Палермо в 2000 году.",
        },
        "codes": {"protocol_article": ALL_ARTICLES, "target_group": {"women", "children"}},
        "url": "https://www.ohchr.org/en/instruments-mechanisms/instruments/"
        "protocol-prevent-suppress-and-punish-trafficking-persons",
    },
    {
        "key": "ohchr-principles-2002",
        "kind": Kind.POLICY,
        "year": 2002,
        "publishers": ["Office of the United Nations High Commissioner for Human Rights"],
        "title": {
            "en": "Recommended Principles and Guidelines on Human Rights and Human Trafficking",
            "fr": "Principes et directives concernant les droits de l'homme et la traite des "
            "êtres humains : recommandations",
            "es": "Principios y directrices recomendados sobre los derechos humanos y la trata "
            "de personas",
            "ru": "Рекомендуемые принципы и руководящие положения, касающиеся прав человека и "
            "торговли людьми",
        },
        "abstract": "Principles that put the human rights of trafficked persons at the centre "
        "of every measure against trafficking, with guidelines for States on identification, "
        "non-punishment of victims, protection, access to remedies and cooperation.",
        "abstracts": {
            "fr": "Des principes qui placent les droits humains des personnes victimes de la "
            "traite au centre de toute mesure contre la traite, et des directives pour les "
            "États sur l'identification, la non-sanction des victimes, la protection, l'accès "
            "aux recours et la coopération.",
            "es": "Principios que sitúan los derechos humanos de las víctimas de la trata en "
            "el centro de toda medida contra la trata, con directrices para los Estados sobre "
            "la identificación, la no sanción de las víctimas, la protección, el acceso a "
            "recursos y la cooperación.",
        },
        "codes": {
            "intervention_theme": {"victim_assistance", "victim_identification"},
            "target_group": {"victims"},
        },
        "url": "https://www.ohchr.org/EN/Issues/Trafficking/TiP/Pages/Publications.aspx",
    },
    {
        "key": "ilo-global-report-2005",
        "kind": Kind.RESEARCH,
        "year": 2005,
        "publishers": ["International Labour Office"],
        "title": {
            "en": "A Global Alliance against Forced Labour",
            "fr": "Une alliance mondiale contre le travail forcé",
            "es": "Una alianza global contra el trabajo forzoso",
        },
        "abstract": "The ILO's global report on forced labour under the follow-up to its "
        "Declaration on Fundamental Principles and Rights at Work. It gives the ILO's first "
        "minimum estimate of forced labour in the world, with the part of it that results from "
        "trafficking, and explains the method behind the estimate.",
        "abstracts": {
            "fr": "Le rapport global de l'OIT sur le travail forcé. Il donne la première "
            "estimation minimale du travail forcé dans le monde, dont la part qui résulte de "
            "la traite, et explique la méthode de cette estimation.",
            "es": "El informe global de la OIT sobre el trabajo forzoso. Ofrece la primera "
            "estimación mínima del trabajo forzoso en el mundo, con la parte que resulta de la "
            "trata, y explica el método de la estimación.",
        },
        "codes": {
            "ctdc_exploitation": {"ForcedLabour"},
            "intervention_theme": {"data_research"},
            "target_group": {"workers"},
        },
    },
    {
        "key": "unhcr-guidelines-7-2006",
        "kind": Kind.POLICY,
        "year": 2006,
        "publishers": ["Office of the United Nations High Commissioner for Refugees"],
        "title": {
            "en": "Guidelines on International Protection No. 7: victims of trafficking and "
            "persons at risk of being trafficked",
            "fr": "Principes directeurs sur la protection internationale n° 7 : victimes de la "
            "traite et personnes risquant d'être victimes de la traite",
            "es": "Directrices sobre protección internacional n.º 7: víctimas de la trata de "
            "personas y personas que están en riesgo de ser víctimas de la trata",
        },
        "abstract": "Guidance on when a victim of trafficking, or a person at risk of it, "
        "qualifies for refugee status under the 1951 Convention, and on access to asylum "
        "procedures for trafficked persons.",
        "codes": {
            "intervention_theme": {"victim_assistance"},
            "target_group": {"refugees", "victims"},
        },
    },
    {
        "key": "unicef-child-guidelines-2006",
        "kind": Kind.TOOL,
        "year": 2006,
        "publishers": ["UNICEF"],
        "title": {"en": "Guidelines on the Protection of Child Victims of Trafficking"},
        "abstract": "Standards for the identification, protection and care of children who "
        "have been trafficked: the presumption of age, the appointment of a guardian, "
        "best-interests determination and durable solutions.",
        "codes": {"intervention_theme": {"child_protection"}, "target_group": {"children"}},
    },
    {
        "key": "iom-direct-assistance-2007",
        "kind": Kind.TOOL,
        "year": 2007,
        "publishers": ["International Organization for Migration"],
        "title": {"en": "The IOM Handbook on Direct Assistance for Victims of Trafficking"},
        "abstract": "A practical handbook for the people who assist trafficked persons: "
        "screening and identification interviews, shelter, health care, return and "
        "reintegration, and the safety of victims and staff, drawn from IOM's field work.",
        "codes": {
            "intervention_theme": {"victim_assistance", "return_reintegration"},
            "target_group": {"victims", "practitioners"},
        },
        "url": "https://migrationnetwork.un.org/resources/"
        "iom-handbook-direct-assistance-victims-trafficking",
    },
    {
        "key": "unodc-toolkit-2008",
        "kind": Kind.TOOL,
        "year": 2008,
        "publishers": ["United Nations Office on Drugs and Crime"],
        "title": {
            "en": "Toolkit to Combat Trafficking in Persons",
            "es": "Manual para la lucha contra la trata de personas",
        },
        "abstract": "A collection of promising practices, tools and resources from many "
        "countries for legislators, law enforcement, prosecutors and service providers, "
        "organised by the stages of the response, from prevention to protection.",
        "codes": {
            "intervention_theme": {"criminal_justice", "victim_identification"},
            "target_group": {"practitioners"},
        },
        "url": "https://www.unodc.org/unodc/en/human-trafficking/2008/electronic-toolkit/"
        "electronic-toolkit-to-combat-trafficking-in-persons---index.html",
    },
    {
        "key": "unodc-global-report-2009",
        "kind": Kind.RESEARCH,
        "year": 2009,
        "publishers": ["United Nations Office on Drugs and Crime", "UN.GIFT"],
        "title": {
            "en": "Global Report on Trafficking in Persons",
            "fr": "Rapport mondial sur la traite des personnes",
            "es": "Informe mundial sobre la trata de personas",
        },
        "abstract": "The first global assessment of the response to trafficking in persons, "
        "from data on legislation, prosecutions, convictions and the victims identified by "
        "national authorities in about 155 countries and territories.",
        "abstracts": {
            "fr": "La première évaluation mondiale de la réponse à la traite des personnes, à "
            "partir des données sur les lois, les poursuites, les condamnations et les "
            "victimes identifiées par les autorités d'environ 155 pays et territoires.",
            "es": "La primera evaluación mundial de la respuesta a la trata de personas, a "
            "partir de datos sobre leyes, procesamientos, condenas y víctimas identificadas "
            "por las autoridades de unos 155 países y territorios.",
        },
        "codes": {"intervention_theme": {"data_research"}},
    },
    {
        "key": "unodc-model-law-2009",
        "kind": Kind.LEGISLATION,
        "year": 2009,
        "publishers": ["United Nations Office on Drugs and Crime"],
        "title": {
            "en": "Model Law against Trafficking in Persons",
            "fr": "Loi type contre la traite des personnes",
            "es": "Ley Modelo contra la trata de personas",
            "ru": "Типовой закон о борьбе с торговлей людьми",  # noqa: RUF001
        },
        "abstract": "Model provisions that help States write national law implementing the "
        "Protocol: offences, protection and assistance of victims, immigration status, return, "
        "prevention and cooperation, with commentary on each option.",
        "abstracts": {
            "fr": "Des dispositions types pour aider les États à rédiger une loi nationale qui "
            "met en œuvre le Protocole : infractions, protection et assistance des victimes, "
            "statut migratoire, retour, prévention et coopération, chaque option commentée.",
            "es": "Disposiciones modelo que ayudan a los Estados a redactar una ley nacional "
            "que aplique el Protocolo: delitos, protección y asistencia a las víctimas, "
            "situación migratoria, retorno, prevención y cooperación, con un comentario de "
            "cada opción.",
        },
        "codes": {
            "protocol_article": {"3", "5", "6", "7", "8", "9", "10", "11"},
            "intervention_theme": {"legislative_assistance"},
            "target_group": {"practitioners"},
        },
    },
    {
        "key": "ilo-ec-indicators-2009",
        "kind": Kind.TOOL,
        "year": 2009,
        "publishers": ["International Labour Office", "European Commission"],
        "title": {"en": "Operational indicators of trafficking in human beings"},
        "abstract": "Sets of indicators of trafficking for labour and sexual exploitation of "
        "adults and children, agreed by experts through a Delphi survey, for identifying "
        "victims and for collecting comparable data.",
        "codes": {
            "intervention_theme": {"victim_identification", "data_research"},
            "ctdc_exploitation": {"ForcedLabour", "SexualExploitation"},
            "target_group": {"children", "practitioners"},
        },
        "url": "https://www.ilo.org/sites/default/files/wcmsp5/groups/public/@ed_norm/"
        "@declaration/documents/publication/wcms_105023.pdf",
    },
    {
        "key": "unodc-criminal-justice-manual-2009",
        "kind": Kind.TRAINING,
        "year": 2009,
        "publishers": ["United Nations Office on Drugs and Crime"],
        "title": {
            "en": "Anti-human trafficking manual for criminal justice practitioners",
            "es": "Manual sobre la lucha contra la trata de personas para profesionales de la "
            "justicia penal",
        },
        "abstract": "Training modules for police, prosecutors and judges on the definition of "
        "trafficking, indicators, risk assessment, interviewing victims and witnesses, and "
        "international cooperation in investigations.",
        "codes": {
            "intervention_theme": {"criminal_justice", "capacity_building"},
            "target_group": {"practitioners"},
        },
    },
    {
        "key": "odihr-nrm-2004",
        "kind": Kind.TOOL,
        "year": 2004,
        "publishers": ["OSCE Office for Democratic Institutions and Human Rights"],
        "title": {
            "en": "National Referral Mechanisms: Joining Efforts to Protect the Rights of "
            "Trafficked Persons. A Practical Handbook",
            "ru": "Национальные механизмы перенаправления: объединение усилий по защите прав "
            "жертв торговли людьми. Практическое руководство",
        },
        "abstract": "How to set up a national referral mechanism: a cooperative framework in "
        "which State actors and civil society identify trafficked persons and refer them to "
        "the services they need.",
        "codes": {
            "intervention_theme": {"referral_mechanisms", "coordination"},
            "target_group": {"victims", "practitioners"},
        },
        "authors": ["Theda Kröger", "Jasna Malkoc", "Bärbel Heide Uhl"],
        "licence": "© OSCE/ODIHR 2004: free to use and copy for education and other "
        "non-commercial purposes, with acknowledgement of the source",
        "url": "https://polis.osce.org/"
        "national-referral-mechanisms-joining-efforts-protect-rights-trafficked-persons-"
        "practical-handbook",
    },
    {
        "key": "icat-analytical-review-2010",
        "kind": Kind.RESEARCH,
        "year": 2010,
        "publishers": ["Inter-Agency Coordination Group against Trafficking in Persons (ICAT)"],
        "title": {
            "en": "An Analytical Review: 10 years on from the adoption of the UN Trafficking in "
            "Persons Protocol"
        },
        "abstract": "The first joint publication of the UN agencies and other international "
        "organisations that form ICAT: what each of them does against trafficking ten years "
        "after the Protocol, the gaps between their mandates, and recommendations for "
        "coordinated action on prevention, protection, prosecution and partnership.",
        "abstracts": {
            "fr": "La première publication commune des agences des Nations Unies et des "
            "autres organisations internationales membres de l'ICAT : ce que chacune fait "
            "contre la traite dix ans après le Protocole, les lacunes entre leurs mandats et "
            "des recommandations pour une action coordonnée.",
            "es": "La primera publicación conjunta de los organismos de las Naciones Unidas y "
            "otras organizaciones internacionales que forman el ICAT: lo que hace cada uno "
            "contra la trata diez años después del Protocolo, las lagunas entre sus mandatos "
            "y recomendaciones para una acción coordinada.",
        },
        "codes": {"intervention_theme": {"coordination"}, "target_group": {"practitioners"}},
        "url": "https://www.ungift.org/icat/icat-publications.html",
    },
]

DEMO_NOTE = " (Generated demo item: not a real publication.)"
GENERATED: list[dict[str, Any]] = [
    {
        "key": "demo-training-module",
        "kind": Kind.TRAINING,
        "year": 2011,
        "publishers": ["Global Migrant Assistance (demo)"],
        "title": {"en": "Induction module for new outreach workers (demo)"},
        "abstract": "A half-day module on recognising trafficking during outreach." + DEMO_NOTE,
    },
    {
        "key": "demo-leaflet",
        "kind": Kind.TOOL,
        "year": 2014,
        "publishers": ["Global Migrant Assistance (demo)"],
        "title": {"en": "Know your rights before you migrate: campaign leaflet (demo)"},
        "abstract": "A leaflet handed out at bus stations before the travel season." + DEMO_NOTE,
    },
    {
        "key": "demo-good-practice",
        "kind": Kind.GOOD_PRACTICE,
        "year": 2019,
        "publishers": ["Shelter Network (demo)"],
        "title": {
            "en": "Peer mentors in shelters for women (demo)",
            "fr": "Des pairs mentors dans les foyers pour femmes (démo)",
        },
        "abstract": "Survivors trained as mentors accompany new residents during their first "
        "months." + DEMO_NOTE,
        "assessment": {
            "evidence_level": EvidenceLevel.MONITORING,
            "evaluated": "Twelve months of case files before and after mentors started.",
            "evaluator": "The shelter network's own monitoring officer",
            "results": "Fewer residents left the shelter in their first month.",
        },
        "codes": {"intervention_theme": {"victim_assistance"}, "country": {"NG"}},
    },
    {
        "key": "demo-statistics-note",
        "kind": Kind.RESEARCH,
        "year": 2025,
        "publishers": ["Global Migrant Assistance (demo)"],
        "title": {"en": "What the pooled statistics show: a note for the public (demo)"},
        "abstract": "A one-page reading of the latest pooled release of Palermo's contributing "
        "organisations, with each figure traced to the release." + DEMO_NOTE,
        "codes": {"intervention_theme": {"data_research"}},
    },
    {
        "key": "demo-members-brief",
        "kind": Kind.RESEARCH,
        "year": 2024,
        "publishers": ["Global Migrant Assistance (demo)"],
        "title": {"en": "Brief on the pooled statistics for partners (demo, members only)"},
        "abstract": "A note for partner organisations on what the latest pooled release "
        "shows." + DEMO_NOTE,
        "is_public": False,
    },
]


def sherloc_table() -> Path:
    """UNODC SHERLOC's US case law, as shared beside the project (read, never copied)."""
    return (
        Path(settings.PALERMO_STANDARDS_DIR).parent
        / "data"
        / "unodc-sherloc-case-law-us"
        / "HumanTrafficking_CLDB.csv"
    )


def load_demo_case_law() -> int:
    """Import the shared SHERLOC table as the host's case law, when it is there."""
    from palermo.knowledge import sherloc

    host = Organisation.objects.filter(is_host=True).first()
    if host is None or not sherloc_table().is_file():
        return 0
    return sherloc.import_file(sherloc_table(), organisation=host).created


def _data(item: dict[str, Any]) -> services.ResourceData:
    return services.ResourceData(
        kind=item["kind"],
        title=item["title"],
        abstract={"en": item["abstract"], **item.get("abstracts", {})},
        publishers=item["publishers"],
        authors=item.get("authors", []),
        licence=item.get("licence", ""),
        year=item["year"],
        url=item.get("url", ""),
        is_public=item.get("is_public", True),
        codes={kind: set(codes) for kind, codes in item.get("codes", {}).items()},
        assessment=item.get("assessment"),
        source_key=f"demo:{item['key']}",
    )


def _claim(organisation: Organisation, stated_in: Resource, validity: str, **fields: Any) -> Claim:
    claim = Claim(organisation=organisation, stated_in=stated_in, validity=validity, **fields)
    claim.full_clean()
    claim.save()
    return claim


@transaction.atomic
def load_demo_knowledge() -> int:
    """Load the demo knowledge base once; returns the number of resources created."""
    host = Organisation.objects.filter(is_host=True).first()
    ngo = Organisation.objects.filter(acronym="GMA").first() or host
    if host is None or ngo is None or Resource.objects.filter(source_key__startswith="demo:"):
        return 0
    made: dict[str, Resource] = {}
    for item in REAL:
        made[item["key"]] = services.save_resource(
            actor=None, organisation=host, data=_data(item), publish=True
        )
    for item in GENERATED:
        made[item["key"]] = services.save_resource(
            actor=None, organisation=ngo, data=_data(item), publish=True
        )
    ilo = _claim(
        host,
        made["ilo-global-report-2005"],
        Validity.PUBLISHED_METHOD,
        statement="At least 2.45 million people are in forced labour as a result of "
        "trafficking at any given time.",
        language="en",
        value=Decimal(2450000),
        unit="persons",
        scope_place="World",
        scope_period="at any given time, around 2005",
        scope_population="people in forced labour as a result of trafficking",
        method="Minimum estimate from reported cases, with the sampling method described in "
        "the report.",
    )
    module = _claim(
        ngo,
        made["demo-training-module"],
        Validity.REPEATED,
        statement="2.4 million people are trafficked.",
        language="en",
        value=Decimal(2400000),
        unit="persons",
        scope_place="World",
        derived_from=ilo,
    )
    _claim(
        ngo,
        made["demo-leaflet"],
        Validity.REPEATED,
        statement="Every year 2.4 million people are trafficked.",
        language="en",
        value=Decimal(2400000),
        unit="persons per year",
        scope_place="World",
        derived_from=module,
    )
    _claim(
        ngo,
        made["demo-leaflet"],
        Validity.UNTRACEABLE,
        statement="One in three victims of trafficking is a child.",
        language="en",
        value=Decimal("33.3"),
        unit="percent",
        scope_population="victims of trafficking",
    )
    release = releases.latest_published()
    if release is not None:
        _claim(  # on a public item: anonymous visitors see a claim traced to a release
            ngo,
            made["demo-statistics-note"],
            Validity.PRIMARY,
            statement=f"The pooled release “{release.title}” counts the cases of the "
            "contributing organisations.",
            language="en",
            value=Decimal(release.records or 0),
            unit="cases",
            scope_period=f"{release.first_year}-{release.last_year}",
            source_release=release,
        )
    return len(made)
