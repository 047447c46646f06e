"""Building resources and claims for tests through the services, as every door does."""

from __future__ import annotations

from typing import Any

from palermo.accounts.models import Organisation
from palermo.knowledge import services
from palermo.knowledge.models import Claim, Resource, Validity


def resource(
    organisation: Organisation,
    title: str | dict[str, str],
    *,
    kind: str = "research",
    abstract: str | dict[str, str] = "",
    language: str = "en",
    publish: bool = True,
    **extra: Any,
) -> Resource:
    titles = title if isinstance(title, dict) else {language: title}
    abstracts = (
        abstract if isinstance(abstract, dict) else ({language: abstract} if abstract else {})
    )
    data = services.ResourceData(kind=kind, title=titles, abstract=abstracts, **extra)
    return services.save_resource(actor=None, organisation=organisation, data=data, publish=publish)


def claim(
    organisation: Organisation,
    stated_in: Resource,
    value: float = 1,
    *,
    validity: str = Validity.REPEATED,
    actor: Any = None,
    **extra: Any,
) -> Claim:
    """A claim saved directly (the service checks the actor; tests of the service use it)."""
    data = services.ClaimData(
        statement=extra.pop("statement", f"{value} people"),
        value=value,
        unit=extra.pop("unit", "persons"),
        stated_in=stated_in,
        validity=validity,
        **extra,
    )
    services._check_claim(data, None)
    found = Claim(organisation=organisation, created_by=actor)
    for name, val in vars(data).items():
        setattr(found, name, val)
    found.save()
    return found
