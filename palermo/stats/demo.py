"""A published release for the demo: the demo agencies' consented cases, counted with the
default disclosure control, so that the public dashboard has something to show."""

from __future__ import annotations

from django.utils import timezone

from palermo.accounts import access
from palermo.accounts.models import Membership, Organisation, Role
from palermo.stats import services
from palermo.stats.dimensions import DEFAULT, MAIN
from palermo.stats.models import Contribution, Release

TITLE = "Demo: victims identified by the demo agencies"


def publish_demo_release() -> Release | None:
    """Define, approve (by each agency's data manager), compute and publish the demo release,
    once. Agencies without a data manager are not asked."""
    if Release.objects.filter(title=TITLE).exists():
        return None
    manager = (
        Membership.objects.filter(organisation__is_host=True, role=Role.DATA_MANAGER)
        .select_related("user")
        .first()
    )
    if manager is None:
        return None
    answering = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(role=Role.DATA_MANAGER).select_related("user")
        if access.can_answer_contribution(m.user, m.organisation)
    }
    organisations = list(
        Organisation.objects.filter(pk__in=answering, cases__isnull=False).distinct()
    )
    if not organisations:
        return None
    year = timezone.localdate().year
    release = services.define_release(
        manager.user,
        services.Definition(TITLE, year - 9, year, organisations, list(DEFAULT), list(MAIN)),
    )
    for contribution in release.contributions.select_related("organisation"):
        services.answer(answering[contribution.organisation_id], contribution, approve=True)
    release = services.compute(release, manager.user)
    if release.state != Release.State.COMPUTED:
        return release
    approved = release.contributions.filter(state=Contribution.State.APPROVED).count()
    return services.publish(manager.user, release) if approved else release
