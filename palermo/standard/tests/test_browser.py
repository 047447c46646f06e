"""The standard's pages in a real browser: Arabic right to left, French, and a screening tried
with the keyboard."""

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
def standard(transactional_db):  # type: ignore[no-untyped-def]
    """Transactional tests start from an empty database: load the reference data again."""
    from palermo.geo.services import load_reference_data
    from palermo.standard.services import load_standard

    load_reference_data()
    load_standard()


def _switch_language(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(".language-form select").select_option(code)
    page.locator(".language-form button").click()
    page.wait_for_function(f"document.documentElement.lang === '{code}'")


def test_code_lists_in_arabic_right_to_left_then_in_french(page, live_server, standard):  # type: ignore[no-untyped-def]
    from palermo.geo.models import Country

    germany = Country.objects.get(iso2="DE")
    page.goto(f"{live_server.url}/standard/lists/country/?q=DE")
    _switch_language(page, "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("table").get_by_text(germany.name_ar, exact=True).is_visible()
    # The sub-navigation is mirrored: its first item sits right of its last.
    first = page.locator(".subnav li").first.bounding_box()
    last = page.locator(".subnav li").last.bounding_box()
    assert first is not None
    assert last is not None
    assert first["x"] > last["x"]

    _switch_language(page, "fr")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("table").get_by_text("Allemagne", exact=True).is_visible()
    page.get_by_role("link", name="Listes de codes").click()
    page.wait_for_url("**/standard/lists/")
    assert page.get_by_role("heading", level=1).inner_text() == "Listes de codes"


def test_a_screening_is_tried_with_the_keyboard_and_explained(page, live_server, standard):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/standard/instruments/")
    page.get_by_role("link", name="ILO/EC operational indicators: Adults").click()
    assert "Not yet verified against the original" in page.locator("#verification").inner_text()
    for label in [
        "Misled about what the job is, where it is, or who the employer is",
        "Misled about pay or earnings",
        "Too many working hours or days",
        "Very low pay, or none",
    ]:
        box = page.get_by_label(label, exact=False).first
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
    destination = page.locator("fieldset", has_text="Coercion at destination")
    for label in ["Identity or travel documents taken away", "Bound by a debt"]:
        box = destination.get_by_label(label, exact=False)
        box.focus()
        page.keyboard.press("Space")
    page.get_by_role("button", name="Evaluate").press("Enter")
    outcome = page.locator("#outcome")
    outcome.wait_for()
    assert "Outcome: presumed victim of trafficking" in outcome.inner_text()
    assert "2 strong, 0 medium, 0 weak meets 'at least 2 strong'" in outcome.inner_text()
    # The answers are kept on the page, so a worker can adjust and evaluate again.
    assert destination.get_by_label("Bound by a debt", exact=False).is_checked()
