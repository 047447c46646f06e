"""The checklist of a country's legal and institutional framework against trafficking in persons.

The items follow the Palermo Protocol (articles 3, 5, 6, 7, 9 and 10) and the gaps named in the
ten-year review of its implementation: forms of exploitation left out of the offence, victims
recognised only if female or minors, means required for child victims, confusion with migrant
smuggling, victims punished for what they were made to do, residence made conditional on
testimony, and countries without a plan, a coordinator, a referral mechanism, a specialised unit,
data, or a single conviction.

Each item has a status and a history; "convictions recorded" is not on the checklist: it is
computed from the official figures (see :func:`palermo.monitoring.selectors.convictions`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    YES = "yes", _("In place")
    PARTLY = "partly", _("Partly in place")
    NO = "no", _("Not in place")
    UNKNOWN = "unknown", _("Not known")


#: Map colours for each status (Okabe & Ito, colour-blind safe), and for "no entry yet".
STATUS_COLOURS = {
    Status.YES: "#009E73",
    Status.PARTLY: "#E69F00",
    Status.NO: "#D55E00",
    Status.UNKNOWN: "#bdbdbd",
}


@dataclass(frozen=True)
class Item:
    key: str
    label: Promise
    help: Promise
    group: Promise


_LAW = _("Legal framework")
_VICTIMS = _("Protection of victims")
_INSTITUTIONS = _("Institutions and policy")

ITEMS: tuple[Item, ...] = (
    Item(
        "protocol_ratified",
        _("Protocol ratified"),
        _("The State is party to the Protocol (ratification, accession or succession)."),
        _LAW,
    ),
    Item(
        "all_forms_criminalised",
        _("Trafficking criminalised for all forms of exploitation"),
        _(
            "Sexual exploitation, forced labour or services, slavery and similar practices, "
            "servitude and the removal of organs are all covered by the offence."
        ),
        _LAW,
    ),
    Item(
        "all_victims_covered",
        _("Victims of any sex and age covered"),
        _("The offence protects men and boys as well as women and girls, adults and children."),
        _LAW,
    ),
    Item(
        "child_without_means",
        _("Child trafficking criminalised irrespective of the means"),
        _("For a victim under 18, no threat, force, deception or other means needs proving."),
        _LAW,
    ),
    Item(
        "distinct_from_smuggling",
        _("Distinguished from migrant smuggling"),
        _("Trafficking and the smuggling of migrants are separate offences."),
        _LAW,
    ),
    Item(
        "non_punishment",
        _("Non-punishment of victims"),
        _("Victims are not punished for offences they were compelled to commit."),
        _VICTIMS,
    ),
    Item(
        "reflection_period",
        _("Reflection period"),
        _("Presumed victims get time to recover and decide, without the threat of removal."),
        _VICTIMS,
    ),
    Item(
        "residence_unconditional",
        _("Residence permits not conditional on cooperation"),
        _("A permit to stay does not depend on testifying or cooperating with the authorities."),
        _VICTIMS,
    ),
    Item(
        "compensation",
        _("Compensation"),
        _("Victims can obtain compensation, from the offender or a State fund."),
        _VICTIMS,
    ),
    Item(
        "action_plan",
        _("National action plan in force"),
        _("A national action plan against trafficking in persons is adopted and current."),
        _INSTITUTIONS,
    ),
    Item(
        "coordination_body",
        _("National coordination body or rapporteur"),
        _("A body coordinates the national response, or a rapporteur monitors it."),
        _INSTITUTIONS,
    ),
    Item(
        "referral_mechanism",
        _("National referral mechanism"),
        _("Identified victims are referred to assistance by agreed procedures."),
        _INSTITUTIONS,
    ),
    Item(
        "specialised_unit",
        _("Specialised police or prosecution unit"),
        _("A police or prosecution unit specialises in trafficking cases."),
        _INSTITUTIONS,
    ),
    Item(
        "data_collection",
        _("Data collection system"),
        _("Data on victims, offenders and cases are collected nationally."),
        _INSTITUTIONS,
    ),
)

BY_KEY = {item.key: item for item in ITEMS}
KEYS = tuple(BY_KEY)
ITEM_CHOICES = [(item.key, item.label) for item in ITEMS]
