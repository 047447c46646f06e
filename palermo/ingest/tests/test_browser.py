"""A data manager imports a spreadsheet through the pages: sends it, confirms the suggested mapping,
reads the check's report of a bad row, imports the valid rows, and finds the result again after a
reload. In a real browser, with the keyboard where a form is filled."""

from __future__ import annotations

import pytest

from palermo.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="BROWSER TESTS SKIPPED: /usr/bin/chromium is not installed"
    ),
]

FILE = (
    "Case ID;Given name;Gender;Citizenship;Identification date;Type of exploitation\n"
    "B-1;Ana Browserimport;Feminine;PH;2025-05-01;ForcedLabour\n"
    "B-2;Ben Browserimport;Masculine;Nigeria;2025-06-01;Sexual exploitation\n"
    "B-3;Cruz Browserimport;Féminin;Atlantis;2025-07-01;ForcedLabour\n"
)


@pytest.fixture
def manager(transactional_db, settings, tmp_path):  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.geo.services import load_reference_data
    from palermo.standard.services import load_standard

    settings.PALERMO_REQUIRE_OTP = False  # the two-factor flow has its own browser test
    settings.PALERMO_UPLOAD_DIR = tmp_path / "uploads"
    load_reference_data()
    load_standard()
    organisation = OrganisationFactory(acronym="BRI", country_id="TH")
    return MembershipFactory(organisation=organisation, role=Role.DATA_MANAGER).user


def test_a_data_manager_maps_checks_and_imports_a_file(page, live_server, manager, tmp_path):  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import PASSWORD
    from palermo.cases.models import Case

    source = tmp_path / "register.csv"
    source.write_text(FILE, encoding="cp1252")  # a Latin-1 spreadsheet export, semicolons
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("File:", exact=True).set_input_files(str(source))
    page.get_by_role("button", name="Send the file").click()

    assert page.get_by_role("columnheader", name="Identification date").first.is_visible()
    assert page.get_by_label("Standard field of Gender").input_value() == "prs_Gender"
    page.get_by_label("Name of the profile").fill("Browser register")
    page.get_by_label("Source identifier column").select_option("Case ID")
    page.get_by_role("button", name="Save the profile and check the file").click()

    page.get_by_text("Checked: nothing imported yet").wait_for()
    assert page.get_by_role("cell", name="Atlantis").is_visible()
    assert page.get_by_role(
        "link", name="Download the report (XLSX, bad cells marked)"
    ).is_visible()
    assert Case.objects.count() == 0
    page.get_by_role("button", name="Import the 2 valid rows").click()

    page.get_by_text("2 created, 0 updated, 0 unchanged").wait_for()
    page.reload()
    assert page.get_by_text("2 created, 0 updated, 0 unchanged").is_visible()
    assert Case.objects.filter(organisation__acronym="BRI").count() == 2
    page.get_by_role("link", name="All imports").click()
    assert page.get_by_role("cell", name="Done").first.is_visible()
