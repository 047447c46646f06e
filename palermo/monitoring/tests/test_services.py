"""Who may change a country's monitoring, the checklist's history, measurements from releases,
and the approval that locks a period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from palermo.audit.models import AuditEvent
from palermo.geo.models import Country
from palermo.monitoring import selectors, services
from palermo.monitoring.models import Indicator, Period, Plan, ProfileEntry
from palermo.stats import selectors as releases
from palermo.stats.models import Release
from palermo.stats.tests.helpers import coded_cases


def entry(status: str, since: date, item: str = "action_plan", country: str = "NG") -> ProfileEntry:
    return ProfileEntry(
        country_id=country, item=item, status=status, since=since, evidence_url="https://x.org/a"
    )


def test_only_the_countrys_coordinators_change_it(world: Any, monitors: dict[str, Any]) -> None:
    services.record_entry(monitors["coordinator"], entry("yes", date(2020, 1, 1)))
    for user in (
        monitors["other_coordinator"],  # coordinator of another country
        monitors["approver"],
        world.users["analyst"],
        world.users["administrator"],
        world.users["platform_admin"],
    ):
        with pytest.raises(PermissionDenied):
            services.record_entry(user, entry("no", date(2021, 1, 1)))
        with pytest.raises(PermissionDenied):
            services.save_part(
                user,
                Plan(country_id="NG", title="x", starts=date(2024, 1, 1), ends=date(2025, 1, 1)),
            )
    services.record_entry(
        monitors["other_coordinator"], entry("no", date(2021, 1, 1), country="TH")
    )
    assert AuditEvent.objects.filter(action="monitoring.checklist_recorded").count() == 2


def test_each_change_is_kept_and_the_status_follows_its_date(
    world: Any, monitors: dict[str, Any]
) -> None:
    user = monitors["coordinator"]
    services.record_entry(user, entry("no", date(2010, 1, 1)))
    services.record_entry(user, entry("yes", date(2018, 7, 1)))
    nigeria = Country.objects.get(pk="NG")
    assert selectors.statuses("action_plan", date(2017, 12, 31)) == {"NG": "no"}
    assert selectors.statuses("action_plan", date(2018, 12, 31)) == {"NG": "yes"}
    assert [e.status for e in selectors.history(nigeria)["action_plan"]] == ["yes", "no"]
    current = {i.key: e for i, e in selectors.profile(nigeria)}["action_plan"]
    assert current is not None
    assert current.status == "yes"
    # A correction of the same date supersedes the earlier entry and keeps it in the history.
    services.record_entry(user, entry("partly", date(2018, 7, 1)))
    assert selectors.statuses("action_plan", date(2019, 1, 1)) == {"NG": "partly"}
    assert len(selectors.history(nigeria)["action_plan"]) == 3


def test_a_status_needs_evidence(world: Any, monitors: dict[str, Any]) -> None:
    from palermo.monitoring.forms import EntryForm

    form = EntryForm(
        {"status": "yes", "since": "2020-01-01"},
        instance=ProfileEntry(country_id="NG", item="action_plan"),
        user=monitors["coordinator"],
        country=Country.objects.get(pk="NG"),
    )
    assert not form.is_valid()
    assert "evidence" in str(form.errors).lower()


def test_approval_locks_a_period_and_unlocking_needs_a_reason(
    world: Any, monitors: dict[str, Any], indicator: Indicator
) -> None:
    coordinator, approver = monitors["coordinator"], monitors["approver"]
    services.add_measurement(
        coordinator,
        indicator,
        measured_on=date(2025, 12, 31),
        value=Decimal(130),
        source_note="Police register",
    )
    period = Period.objects.get(plan=indicator.plan, year=2025)
    with pytest.raises(PermissionDenied):  # a coordinator does not approve
        services.approve_period(
            monitors["second_coordinator"], services.submit_period(coordinator, period)
        )
    services.approve_period(approver, period)
    with pytest.raises(ValidationError, match="locked"):
        services.add_measurement(
            coordinator,
            indicator,
            measured_on=date(2025, 6, 30),
            value=Decimal(120),
            source_note="x",
        )
    with pytest.raises(ValidationError):
        services.delete_measurement(coordinator, indicator.measurements.get())
    with pytest.raises(ValidationError):
        services.unlock_period(approver, period, "   ")
    with pytest.raises(PermissionDenied):
        services.unlock_period(coordinator, period, "typo")
    services.unlock_period(approver, period, "The police register was corrected.")
    services.add_measurement(
        coordinator, indicator, measured_on=date(2025, 6, 30), value=Decimal(120), source_note="x"
    )
    # Another year is not affected by a lock.
    kinds = list(period.events.values_list("kind", "reason"))
    assert kinds == [
        ("submitted", ""),
        ("approved", ""),
        ("unlocked", "The police register was corrected."),
    ]
    assert AuditEvent.objects.filter(action="monitoring.period_unlocked").exists()


def test_nobody_approves_what_they_submitted(
    world: Any, monitors: dict[str, Any], indicator: Indicator
) -> None:
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory

    both = monitors["coordinator"]
    MembershipFactory(organisation=world.host, role=Role.MONITORING_APPROVER)  # elsewhere: no right
    services.add_measurement(
        both, indicator, measured_on=date(2025, 1, 1), value=Decimal(1), source_note="x"
    )
    period = services.submit_period(both, Period.objects.get(year=2025))
    with pytest.raises(PermissionDenied):
        services.approve_period(both, period)
    with pytest.raises(ValidationError):
        services.submit_period(both, period)  # already submitted


def test_a_measurement_from_a_release_takes_its_value_and_cites_it(
    world: Any, monitors: dict[str, Any], plan: Plan
) -> None:
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory
    from palermo.stats import services as stats

    host_manager = MembershipFactory(organisation=world.host, role=Role.DATA_MANAGER).user
    coded_cases(world.agency, world.users["case_worker"], 14)
    coded_cases(world.agency, world.users["case_worker"], 13, ana_Gender="Male")
    release = stats.define_release(
        host_manager,
        stats.Definition(
            "Pooled 2024", 2020, 2026, [world.agency], ["year", "sex", "citizenship"], []
        ),
    )
    for contribution in release.contributions.all():
        stats.answer(world.users["data_manager"], contribution, approve=True)
    release = stats.publish(host_manager, stats.compute(release, host_manager))
    assert release.state == Release.State.PUBLISHED
    women = services.save_part(
        monitors["coordinator"],
        Indicator(
            plan=plan,
            name="Women identified",
            unit="persons",
            target=Decimal(100),
            deadline=date(2028, 1, 1),
            from_releases=True,
            release_filters={"sex": "Female"},
        ),
    )
    found = services.add_measurement(
        monitors["coordinator"], women, measured_on=date(2024, 12, 31), release=release
    )
    published = releases.total(release, {"sex": "Female"})
    assert published is not None
    assert found.value == Decimal(published)
    assert found.release == release
    assert "Pooled 2024" in found.source_note
    assert found.source == "release"
    # A count the release suppresses cannot be cited.
    women.release_filters = {"sex": "Female", "citizenship": "GH"}
    women.save()
    with pytest.raises(ValidationError, match="does not publish"):
        services.add_measurement(
            monitors["coordinator"], women, measured_on=date(2025, 1, 1), release=release
        )


def test_a_manual_measurement_says_where_it_comes_from(
    world: Any, monitors: dict[str, Any], indicator: Indicator
) -> None:
    with pytest.raises(ValidationError):
        services.add_measurement(
            monitors["coordinator"], indicator, measured_on=date(2025, 1, 1), value=Decimal(5)
        )
    with pytest.raises(ValidationError):
        services.add_measurement(
            monitors["coordinator"], indicator, measured_on=date(2025, 1, 1), source_note="x"
        )


def test_an_indicator_whose_target_lies_the_wrong_way_is_refused(
    world: Any, monitors: dict[str, Any], plan: Plan
) -> None:
    with pytest.raises(ValidationError):
        services.save_part(
            monitors["coordinator"],
            Indicator(
                plan=plan,
                name="x",
                unit="%",
                baseline=Decimal(50),
                target=Decimal(10),
                deadline=date(2028, 1, 1),
            ),
        )
