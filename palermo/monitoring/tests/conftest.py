from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.monitoring import services
from palermo.monitoring.models import Indicator, Plan


@pytest.fixture
def monitors(world: Any) -> dict[str, Any]:
    """Agency A (Nigeria) holds a national coordinator and a monitoring approver; agency B
    (Thailand) a coordinator of its own."""
    return {
        "coordinator": world.users["national_coordinator"],
        "approver": world.users["monitoring_approver"],
        "second_coordinator": MembershipFactory(
            organisation=world.agency, role=Role.NATIONAL_COORDINATOR
        ).user,
        "other_coordinator": MembershipFactory(
            organisation=world.other, role=Role.NATIONAL_COORDINATOR
        ).user,
    }


@pytest.fixture
def plan(world: Any, monitors: dict[str, Any]) -> Plan:
    return services.save_part(
        monitors["coordinator"],
        Plan(
            country_id="NG",
            title="National action plan 2024-2028",
            starts=date(2024, 1, 1),
            ends=date(2028, 12, 31),
        ),
    )


@pytest.fixture
def indicator(plan: Plan, monitors: dict[str, Any]) -> Indicator:
    return services.save_part(
        monitors["coordinator"],
        Indicator(
            plan=plan,
            name="Victims identified",
            unit="persons",
            baseline=Decimal(100),
            baseline_date=date(2024, 1, 1),
            target=Decimal(200),
            deadline=date(2028, 1, 1),
        ),
    )
