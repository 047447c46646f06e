"""Drive the real site in headless Chromium (Debian's /usr/bin/chromium, through Playwright)."""

from __future__ import annotations

import base64

import pytest

from palermo.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is not installed"
    ),
]


@pytest.fixture
def people(transactional_db):  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory

    # No country: transactional tests flush the reference data loaded for the session.
    agency = OrganisationFactory(acronym="BRW")
    return {
        "analyst": MembershipFactory(organisation=agency, role=Role.ANALYST).user,
        "case_worker": MembershipFactory(organisation=agency, role=Role.CASE_WORKER).user,
    }


def _log_in(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_log_in_switch_language_log_out(page, live_server, people):
    user = people["analyst"]
    _log_in(page, live_server, user)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("link", name=user.username).is_visible()

    page.get_by_label("Language").select_option("ar")
    page.locator(".language-form button").click()
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.locator("html").get_attribute("lang") == "ar"
    # The navigation is mirrored: the brand sits at the right edge in Arabic.
    brand = page.locator(".brand").bounding_box()
    assert brand is not None
    assert brand["x"] > page.viewport_size["width"] / 2

    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"  # the choice is remembered
    assert page.locator("input[name=username]").is_visible()


def test_case_worker_sets_up_two_factor_then_uses_keyboard_only(page, live_server, people):
    from django_otp.oath import totp

    _log_in(page, live_server, people["case_worker"])
    page.wait_for_url("**/otp/setup/**")
    secret = page.locator(".secret").inner_text().replace(" ", "")
    code = totp(base64.b32decode(secret))
    page.get_by_label("Six-digit code").fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Two-factor authentication is on." in page.content()

    # Keyboard only: the first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_layout_fits_a_320px_screen(page, live_server, people):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/login/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_api_documentation_renders_under_the_csp(page, live_server):
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Palermo API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/countries/").count() >= 1
