"""An activity as plain data: what an IATI file, a 3W/4W row, the form and the API all produce,
and what the services save. Nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# The kinds of coded attributes, each a code list of the standard.
PILLAR = "intervention_pillar"
THEME = "intervention_theme"
TARGET_GROUP = "target_group"
EXPLOITATION = "ctdc_exploitation"
DAC_SECTOR = "dac_sector"
SDG_TARGET = "sdg_target"
# The kinds an organisation declares (and the vocabulary URI names); the others are IATI's.
VOCABULARY_KINDS = (PILLAR, THEME, TARGET_GROUP, EXPLOITATION)
KINDS = (*VOCABULARY_KINDS, DAC_SECTOR, SDG_TARGET)


@dataclass
class PlaceData:
    name: str
    country: str = ""
    admin_code: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class ParticipantData:
    role: str
    name: str
    ref: str = ""
    org_type: str = ""
    activity_ref: str = ""


@dataclass
class LinkData:
    provider: str
    recipient: str
    provider_org: str = ""
    recipient_org: str = ""
    amount: Decimal | None = None
    currency: str = ""


@dataclass
class IndicatorData:
    result: str
    title: str
    measure: str = ""
    baseline: str = ""
    target: str = ""
    actual: str = ""
    period_end: date | None = None


@dataclass
class DocumentData:
    title: str
    url: str
    format: str = ""
    category: str = ""
    language: str = ""


@dataclass
class ContactData:
    organisation: str = ""
    person: str = ""
    email: str = ""
    telephone: str = ""
    website: str = ""
    address: str = ""


@dataclass
class ActivityData:
    identifier: str
    reporting_org_ref: str
    reporting_org_name: str
    title: dict[str, str]
    status: str
    reporting_org_type: str = ""
    description: dict[str, str] = field(default_factory=dict)
    planned_start: date | None = None
    actual_start: date | None = None
    planned_end: date | None = None
    actual_end: date | None = None
    countries: dict[str, Decimal | None] = field(default_factory=dict)
    places: list[PlaceData] = field(default_factory=list)
    codes: dict[str, set[str]] = field(default_factory=dict)
    budget: Decimal | None = None
    currency: str = ""
    participants: list[ParticipantData] = field(default_factory=list)
    links: list[LinkData] = field(default_factory=list)
    indicators: list[IndicatorData] = field(default_factory=list)
    documents: list[DocumentData] = field(default_factory=list)
    contacts: list[ContactData] = field(default_factory=list)
    last_updated: datetime | None = None
    classification: str = ""
    # None: keep what the activity has (public for a new one). Files never say it, so
    # re-importing a file never publishes an activity an organisation made members-only.
    is_public: bool | None = None

    def add_code(self, kind: str, code: str) -> None:
        self.codes.setdefault(kind, set()).add(code)

    @property
    def start(self) -> date | None:
        return self.actual_start or self.planned_start

    @property
    def end(self) -> date | None:
        return self.actual_end or self.planned_end
