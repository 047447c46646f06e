"""In a real browser: an analyst adds a report with its PDF and submits it; a reviewer of
another organisation publishes it; a reader finds it by a word of the PDF in another form,
narrows the search with a facet, and follows a claim's chain to its origin."""

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
def people(transactional_db, settings, tmp_path):  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.geo.services import load_reference_data
    from palermo.knowledge.models import Validity
    from palermo.knowledge.tests.helpers import claim, resource
    from palermo.standard.services import load_standard

    settings.PALERMO_REQUIRE_OTP = False  # the two-factor flow has its own browser test
    settings.MEDIA_ROOT = tmp_path
    load_reference_data()
    load_standard()
    agency = OrganisationFactory(acronym="AGX", name="Agency X", country_id="NG")
    host = OrganisationFactory(acronym="HST", name="Host", is_host=True)
    origin_doc = resource(
        host, "Global estimate of forced labour", year=2005, codes={"country": {"TH"}}
    )
    resource(
        host, "Fishing fleets and forced labour in Thailand", year=2018, codes={"country": {"TH"}}
    )
    resource(host, "Forced labour in Nigerian quarries", year=2019, codes={"country": {"NG"}})
    origin = claim(
        host,
        origin_doc,
        2450000,
        validity=Validity.PUBLISHED_METHOD,
        method="Minimum estimate from reported cases.",
        statement="At least 2.45 million people",
    )
    poster = resource(host, "Campaign poster", year=2012)
    claim(host, poster, 2400000, derived_from=origin, statement="2.4 million people are trafficked")
    return {
        "analyst": MembershipFactory(organisation=agency, role=Role.ANALYST).user,
        "reviewer": MembershipFactory(organisation=host, role=Role.KNOWLEDGE_REVIEWER).user,
        "poster": poster,
    }


def _login(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")


def test_contribute_review_find_and_trace(page, live_server, people, tmp_path):  # type: ignore[no-untyped-def]
    from palermo.knowledge.tests.test_pages import pdf_bytes

    pdf = tmp_path / "quarry-inspections.pdf"
    pdf.write_bytes(pdf_bytes("Inspectors found debt bondage in three limestone quarries."))
    _login(page, live_server, people["analyst"])
    page.get_by_role("link", name="Knowledge").first.click()
    page.get_by_role("link", name="Add a resource").click()
    page.get_by_label("Kind:").select_option("research")
    # The case-law section shows only for case law.
    page.get_by_label("Court:", exact=True).wait_for(state="hidden")
    page.get_by_label("Title (English):").fill("Quarry inspections 2023")
    page.get_by_label("Year:").fill("2023")
    page.get_by_label("Countries:").select_option("NG")
    page.get_by_label("PDF file:").set_input_files(str(pdf))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Quarry inspections 2023").wait_for()
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_text("The resource is waiting for review.").wait_for()

    page.context.clear_cookies()
    _login(page, live_server, people["reviewer"])
    page.goto(f"{live_server.url}/knowledge/review/")
    page.get_by_role("link", name="Quarry inspections 2023").click()
    page.get_by_label("Publish").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("The resource is published.").wait_for()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/knowledge/")
    page.get_by_label("Words").fill("quarry")
    page.get_by_role("button", name="Search").click()
    results = page.locator("ol.results")
    assert "Quarry inspections 2023" in results.inner_text()
    assert "Forced labour in Nigerian quarries" in results.inner_text()
    page.get_by_label("Words").fill("debts bondage")
    page.get_by_role("button", name="Search").click()
    assert results.locator("mark").first.inner_text() in {"debt", "bondage"}
    page.get_by_label("Words").fill("forced labour")
    page.get_by_role("button", name="Search").click()
    assert results.locator("li").count() == 3
    page.locator("aside").get_by_role("link", name="Thailand").click()
    assert results.locator("li").count() == 2
    assert "Forced labour in Nigerian quarries" not in results.inner_text()

    page.goto(f"{live_server.url}/knowledge/{people['poster'].uid}/")
    page.get_by_role("link", name="2.4 million people are trafficked").click()
    assert page.get_by_text("Traced to its origin in 1 step.").is_visible()
    graph = page.locator("svg.chain-graph")
    assert graph.bounding_box()["height"] > 100
    assert "Global estimate of forced labour" in (graph.text_content() or "")
