"""In a real browser: a national coordinator updates a checklist item and records a measurement;
the country page and the world map show them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from palermo.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is not installed"
    ),
]


@pytest.fixture
def coordinator(transactional_db, settings):  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.geo.services import load_reference_data
    from palermo.monitoring import services
    from palermo.monitoring.models import Indicator, Plan

    settings.PALERMO_REQUIRE_OTP = False
    load_reference_data()
    body = OrganisationFactory(acronym="NCB", name="Coordination body", country_id="NG")
    user = MembershipFactory(organisation=body, role=Role.NATIONAL_COORDINATOR).user
    plan = services.save_part(
        user,
        Plan(
            country_id="NG",
            title="Plan against trafficking 2024-2028",
            starts=date(2024, 1, 1),
            ends=date(2028, 12, 31),
        ),
    )
    services.save_part(
        user,
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
    return user


def test_a_coordinator_updates_the_checklist_and_measures(page, live_server, coordinator):  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_role("link", name="Monitoring").first.click()
    page.get_by_role("link", name="Nigeria").first.click()
    page.get_by_role("link", name="Update: National referral mechanism").click()
    page.get_by_label("Status").select_option(label="In place")
    page.get_by_label("In effect since").fill("2021-03-01")
    page.get_by_label("Evidence (link)").fill("https://example.org/nrm-guidelines")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The checklist is updated.").wait_for()
    row = page.locator("#item-referral_mechanism")
    assert "In place" in row.inner_text()
    assert "2021-03-01" in row.inner_text()

    page.get_by_role("link", name="Plan against trafficking 2024-2028").click()
    page.get_by_role("link", name="Record a measurement").click()
    page.get_by_label("Date measured").fill("2026-01-01")
    page.get_by_label("Value").fill("130")
    page.get_by_label("Source of the figure").fill("Police register")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The measurement is recorded.").wait_for()
    indicators = page.locator("#indicators").inner_text()
    assert "Off track" in indicators
    assert "130" in indicators

    page.get_by_role("link", name="Nigeria").first.click()
    assert "Off track" in page.locator("main").inner_text()
    page.get_by_role("link", name="Every country").click()
    page.get_by_label("The map shows", exact=True).select_option(
        label="National referral mechanism"
    )
    page.get_by_role("button", name="Show").click()
    assert page.locator('svg [aria-label="Nigeria: In place"]').count() >= 1
    assert page.get_by_role("row", name="Nigeria In place").is_visible()  # the table below
