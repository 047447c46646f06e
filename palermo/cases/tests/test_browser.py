"""A case worker records a case through intake and screening, adds a service and asks for the
case's closure; a supervisor finds the request in their task list and approves it. In a real
browser, on a phone-sized screen."""

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
def worker(transactional_db, settings):  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.geo.services import load_reference_data
    from palermo.standard.services import load_standard

    settings.PALERMO_REQUIRE_OTP = False  # the two-factor flow has its own browser test
    load_reference_data()
    load_standard()
    organisation = OrganisationFactory(acronym="BRC", country_id="TH")
    worker = MembershipFactory(organisation=organisation, role=Role.CASE_WORKER).user
    worker.supervisor = MembershipFactory(organisation=organisation, role=Role.SUPERVISOR).user
    return worker


def _log_in(page, url, user):  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_intake_screening_service_and_approved_closure_on_a_phone(page, live_server, worker):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server.url, worker)
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="New case (intake)").click()

    page.get_by_label("Given name").fill("Mali")
    page.get_by_label("Family name").fill("Browsertest")
    page.get_by_label("Birth date").fill("1996-08-21")
    page.get_by_label("Gender").select_option("Feminine")
    page.get_by_label("Identification date").fill("2026-03-02")
    page.get_by_label("Country of identification").select_option("TH")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Forms of exploitation").select_option(["ForcedLabour"])
    page.get_by_label("Means of control").select_option(["DebtBondage", "WithholdsDocuments"])
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Purpose").select_option("assistance")
    page.get_by_label("Decision").select_option("given")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("link", name="Next: screening").click()

    for label in [
        "Misled about what the job is, where it is, or who the employer is",
        "Misled about pay or earnings",
        "Too many working hours or days",
        "Very low pay, or none",
    ]:
        page.get_by_label(label, exact=False).first.check()
    destination = page.locator("fieldset", has_text="Coercion at destination")
    destination.get_by_label("Identity or travel documents taken away", exact=False).check()
    destination.get_by_label("Bound by a debt", exact=False).check()
    page.get_by_role("button", name="Record the screening").click()
    assert "Outcome: presumed victim of trafficking" in page.content()

    page.get_by_role("link", name="Person", exact=True).click()
    assert page.get_by_text("Browsertest").is_visible()
    page.get_by_role("link", name="Assistance").click()
    page.get_by_label("Type of service").select_option("Health")
    page.get_by_label("Provider").fill("District clinic")
    page.get_by_role("button", name="Add the service").click()
    assert page.locator("table").get_by_text("District clinic").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # Open the case, then ask for its closure.
    page.get_by_role("link", name="Screening").click()
    page.get_by_role("link", name="Screen", exact=True).click()
    page.get_by_role("button", name="Finish intake and open the case").click()
    assert "is open" in page.content()
    page.get_by_role("link", name="Approvals").click()
    page.get_by_label("Ask a supervisor to approve").select_option("closure")
    page.get_by_label("Case plan, or why the case can close").fill("Returned home; follow-up done")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_text("Requested", exact=True).is_visible()
    reference = page.locator("h1").inner_text().split()[0]
    page.get_by_role("button", name="Log out").click()

    # The supervisor finds it in the task list and approves it.
    _log_in(page, live_server.url, worker.supervisor)
    page.get_by_role("link", name="Tasks").click()
    row = page.locator("tr", has_text=reference)
    assert row.get_by_text("Decide: Closure").is_visible()
    row.get_by_role("link", name=reference).click()
    page.get_by_label("Decision").select_option("approve")
    page.get_by_label("Comment").fill("Agreed")
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_text("Decision recorded.").is_visible()
    assert page.locator("h1 .badge").first.inner_text() == "Closed"
    page.get_by_role("link", name="Tasks").click()
    assert page.get_by_text("Nothing is waiting for you.").is_visible()
