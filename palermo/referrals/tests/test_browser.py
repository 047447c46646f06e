"""In a real browser: a case worker of an NGO in Nigeria refers a woman to a shelter of an
organisation in Thailand; the shelter's case worker accepts and sees only what was shared."""

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
    from django.utils import timezone

    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.cases import services as case_services
    from palermo.cases.tests.helpers import make_case
    from palermo.geo.services import load_reference_data
    from palermo.referrals import services
    from palermo.standard.services import load_standard

    settings.PALERMO_REQUIRE_OTP = False  # the two-factor flow has its own browser test
    load_reference_data()
    load_standard()
    ngo = OrganisationFactory(acronym="NGX", name="NGO X", country_id="NG")
    shelter_org = OrganisationFactory(acronym="SHT", name="Shelter Thailand", country_id="TH")
    worker = MembershipFactory(organisation=ngo, role=Role.CASE_WORKER).user
    receiver = MembershipFactory(organisation=shelter_org, role=Role.CASE_WORKER).user
    keeper = MembershipFactory(organisation=shelter_org, role=Role.SUPERVISOR).user
    services.save_service(
        actor=keeper,
        organisation=shelter_org,
        data=services.ServiceData(
            name="Bangkok women's shelter",
            service_type="shelter",
            areas=[("TH", "Bangkok")],
            sex="female",
        ),
    )
    case = make_case(ngo, worker)
    case_services.record_consent(case, worker, "referral", "given", "person", timezone.localdate())
    return {"worker": worker, "receiver": receiver, "case": case}


def _login(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")


def test_refer_across_a_border_and_accept(page, live_server, people):  # type: ignore[no-untyped-def]
    from palermo.cases import sharing

    case = people["case"]
    _login(page, live_server, people["worker"])
    page.goto(f"{live_server.url}/referrals/services/?service_type=shelter&country=TH")
    assert page.get_by_role("link", name="Bangkok women's shelter").is_visible()
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Refer the person").click()
    page.get_by_label("Refer to").select_option(label="Shelter Thailand (SHT)")
    page.get_by_label("Service (optional)").select_option(label="Bangkok women's shelter")
    page.get_by_label("Need:", exact=True).select_option("shelter")
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_label("Gender", exact=True).check()
    page.get_by_label("Forms of exploitation").check()
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("The referral is sent.").wait_for()
    assert page.get_by_text("Cross-border").first.is_visible()

    page.context.clear_cookies()
    _login(page, live_server, people["receiver"])
    page.get_by_role("link", name="Referrals").first.click()
    page.locator("table").get_by_role("link").first.click()
    shared = page.locator("main").inner_text()
    assert "Gender" in shared
    assert sharing.display(case.person.gender) in shared  # the shared value, not just its name
    # Nothing unshared, identifiers or not.
    for unshared in ("Citizenship", "Country of origin", "Case type", "Date of birth"):
        assert unshared not in shared, unshared
    assert "Okonkwo-Testperson" not in shared
    assert case.reference not in shared
    assert "Shelter intake desk" not in shared
    page.get_by_label("Accept").check()
    page.get_by_role("button", name="Send the answer").click()
    page.get_by_text("The referral is accepted").wait_for()
    page.get_by_role("link", name="Your organisation's case for this person").click()
    assert "Okonkwo-Testperson" not in page.locator("main").inner_text()
    # (The referring case itself stays out of reach: test_pages checks its 404.)
