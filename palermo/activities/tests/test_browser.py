"""A data manager drafts an activity, sees the overlap warning while filling in the form, opens
the matched activity; then anyone views the map of activities and the gaps. In a real browser."""

from __future__ import annotations

import pytest

from palermo.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is not installed"
    ),
]


@pytest.fixture
def people(transactional_db, settings):  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.activities.data import PILLAR, TARGET_GROUP, THEME
    from palermo.activities.tests.helpers import make_activity
    from palermo.geo.services import load_reference_data
    from palermo.standard.services import load_standard

    settings.PALERMO_REQUIRE_OTP = False  # the two-factor flow has its own browser test
    load_reference_data()
    load_standard()
    agency = OrganisationFactory(acronym="AGX", name="Agency X", country_id="NG")
    shelter = OrganisationFactory(acronym="SHL", name="Shelter Network", country_id="NG")
    make_activity(
        shelter,
        "SHL-LAGOS-1",
        title={"en": "Shelter for women survivors of trafficking in Lagos"},
        description={"en": "Shelter, counselling and legal aid for women survivors."},
        countries=["NG"],
        places=["Lagos"],
        codes={PILLAR: ["protection"], THEME: ["victim_assistance"], TARGET_GROUP: ["women"]},
    )
    make_activity(
        shelter,
        "SHL-KENYA-1",
        title={"en": "Training labour inspectors in Mombasa"},
        countries=["KE"],
        codes={THEME: ["labour_market_measures"]},
    )
    return {"manager": MembershipFactory(organisation=agency, role=Role.DATA_MANAGER).user}


def _login(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")


def test_a_draft_shows_its_overlap_and_the_match_opens(page, live_server, people):  # type: ignore[no-untyped-def]
    _login(page, live_server, people["manager"])
    page.get_by_role("link", name="Who does what where").click()
    page.get_by_role("link", name="Register an activity").click()
    panel = page.locator("#overlaps")
    assert "Choose a country" in panel.inner_text()
    page.get_by_label("Title:", exact=True).fill("Safe house for women survivors in Lagos")
    page.get_by_label("Recipient countries:").select_option("NG")
    page.get_by_label("Places:").fill("Lagos")
    page.get_by_label("Victim assistance").check()
    page.get_by_label("Women", exact=True).check()
    warning = page.get_by_text("1 activity may overlap this one")
    warning.wait_for()
    assert "Same place: Lagos" in panel.inner_text()
    assert "Training labour inspectors" not in panel.inner_text()
    with page.context.expect_page() as opened:
        panel.get_by_role(
            "link", name="Shelter for women survivors of trafficking in Lagos"
        ).click()
    match = opened.value
    match.wait_for_load_state()
    assert match.get_by_role("heading", level=1).inner_text() == (
        "Shelter for women survivors of trafficking in Lagos"
    )
    match.close()
    # The draft is still there, and registers.
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Safe house for women survivors in Lagos").wait_for()
    assert (
        "Shelter for women survivors of trafficking in Lagos" in page.locator("main").inner_text()
    )


def test_the_map_and_the_gaps_are_there_for_anyone(page, live_server, people):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/activities/")
    figure = page.get_by_role("figure", name="Map of activities")
    assert figure.locator("svg").count() == 1
    assert figure.locator("svg").bounding_box()["width"] > 300
    page.get_by_label("Country", exact=True).select_option("KE")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("link", name="Training labour inspectors in Mombasa").is_visible()
    assert page.get_by_text("Shelter for women survivors").count() == 0
    page.get_by_role("link", name="Gaps by country").click()
    assert page.get_by_text("No release of pooled statistics is published yet").is_visible()
    page.get_by_role("link", name="Nigeria").click()
    assert page.get_by_role("heading", name="Nigeria", level=1).is_visible()
