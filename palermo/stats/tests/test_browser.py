"""A data manager of the hosting organisation defines and computes a release through the pages,
the contributor approves, it is published; then an anonymous visitor opens the dashboard and the
map, reads a chart's table and downloads it. In a real browser."""

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
    from palermo.accounts.models import OrganisationType, Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.geo.services import load_reference_data
    from palermo.standard.services import load_standard
    from palermo.stats.tests.helpers import coded_cases

    settings.PALERMO_REQUIRE_OTP = False  # the two-factor flow has its own browser test
    load_reference_data()
    load_standard()
    host = OrganisationFactory(acronym="HST", type=OrganisationType.INTERGOVERNMENTAL, is_host=True)
    agency = OrganisationFactory(acronym="AGX", name="Agency X", country_id="TH")
    worker = MembershipFactory(organisation=agency, role=Role.CASE_WORKER).user
    coded_cases(agency, worker, 24)
    coded_cases(agency, worker, 13, ana_Gender="Male", ana_Citizenship="KH")
    coded_cases(agency, worker, 3, ana_Gender="Male", ana_Citizenship="MM")
    return {
        "host": MembershipFactory(organisation=host, role=Role.DATA_MANAGER).user,
        "agency": MembershipFactory(organisation=agency, role=Role.DATA_MANAGER).user,
    }


def _login(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")


def _logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Log out").click()


def test_a_release_is_defined_computed_published_and_read_by_anyone(
    page, live_server, people, tmp_path
):  # type: ignore[no-untyped-def]
    _login(page, live_server, people["host"])
    page.get_by_role("link", name="Statistics").click()
    assert page.get_by_text("No release of pooled statistics has been published yet.").is_visible()
    page.get_by_role("link", name="Define a release").click()
    page.get_by_label("Title").fill("Browser release")
    page.get_by_label("From year").fill("2020")
    page.get_by_label("To year").fill("2026")
    page.get_by_label("Agency X").check()
    page.get_by_role("button", name="Define the release").click()
    page.get_by_text("Waiting for the contributors").wait_for()
    _logout(page)

    _login(page, live_server, people["agency"])
    page.goto(f"{live_server.url}/statistics/releases/")
    page.get_by_role("link", name="Browser release v1").click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Your organisation's cases will enter this release.").wait_for()
    _logout(page)

    _login(page, live_server, people["host"])
    page.goto(f"{live_server.url}/statistics/releases/")
    page.get_by_role("link", name="Browser release").click()
    page.get_by_role("button", name="Compute the release").click()
    page.get_by_text("Computed: not published").wait_for()
    assert page.get_by_role("columnheader", name="U1").is_visible()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published: anyone can now see this release.").wait_for()
    _logout(page)

    # An anonymous visitor.
    page.goto(f"{live_server.url}/statistics/")
    page.get_by_role("heading", name="Browser release").wait_for()
    assert page.get_by_text("40 victims").is_visible()
    world_map = page.locator("#map-citizenship svg[role=img]")
    assert world_map.get_attribute("aria-label") == "Citizenship"
    assert page.locator("#map-citizenship [aria-label='Cambodia: 15']").count() == 1
    figure = page.locator("#bars-sex")
    figure.get_by_text("Table").click()
    assert figure.get_by_role("cell", name="suppressed").count() == 0
    assert figure.get_by_role("row", name="Female 25").is_visible()
    page.locator("#map-citizenship").get_by_text("Table").click()
    assert (
        page.locator("#map-citizenship").get_by_role("row", name="Myanmar suppressed").is_visible()
    )
    with page.expect_download() as download:
        page.locator("#map-citizenship").get_by_role(
            "link", name="CSV (Citizenship)", exact=True
        ).click()
    saved = tmp_path / "citizenship.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "MM,Myanmar,suppressed,1" in text
    assert "KH,Cambodia,15," in text

    page.get_by_role("form", name="Filter the charts").get_by_label(
        "Sex", exact=True
    ).select_option("Male")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("Sex: Male").wait_for()
    assert page.get_by_text("15 victims").is_visible()
