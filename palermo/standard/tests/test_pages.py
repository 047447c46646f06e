"""The standard's pages and API, as readers, editors and data managers use them."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.standard import selectors, services
from palermo.standard.models import Code, Instrument, MappingProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(world):  # type: ignore[no-untyped-def]
    return MembershipFactory(organisation=world.host, role=Role.DATA_MANAGER).user


def _ilo_adult() -> Instrument:
    return Instrument.objects.get(key="ilo-ec-adult-labour")


@pytest.mark.parametrize(
    "url",
    [
        "/standard/",
        "/standard/versions/",
        "/standard/fields/",
        "/standard/fields/?section=victim&q=exploitation",
        "/standard/fields/ana_AgeBroad/",
        "/standard/lists/",
        "/standard/lists/country/?q=phil",
        "/standard/lists/forced_labour_industry/codes/F_Construction/",
        "/standard/instruments/",
    ],
)
def test_the_standard_is_public(client, url) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200


def test_unknown_things_and_versions_are_not_found(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/standard/fields/prs_Colour/").status_code == 404
    assert client.get("/standard/lists/colours/").status_code == 404
    assert client.get("/standard/fields/?version=999").status_code == 404
    assert client.get("/standard/fields/?version=abc").status_code == 404
    assert client.get("/standard/download/secrets.txt").status_code == 404


def test_pages_speak_arabic_right_to_left_and_french(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "ar"
    page = client.get("/standard/lists/country/?q=PH").content.decode()
    assert 'dir="rtl"' in page
    assert 'lang="ar"' in page
    assert "الفلبين" in page
    client.cookies["django_language"] = "fr"
    page = client.get("/standard/lists/country/?q=PH").content.decode()
    assert "Philippines" in page
    assert "Listes de codes" in page


def test_missing_translations_show_to_editors_only(client, login_as, editor, world) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = "fr"
    url = "/standard/lists/gender/"
    assert "pas encore traduit" not in client.get(url).content.decode()
    login_as(world.users["case_worker"])
    client.cookies["django_language"] = "fr"
    page = client.get(url).content.decode()
    assert "Feminine" in page
    assert "pas encore traduit" not in page
    login_as(editor)
    client.cookies["django_language"] = "fr"
    assert "pas encore traduit" in client.get(url).content.decode()


def test_an_editor_adds_a_code_and_a_translation_through_the_pages(
    client, login_as, editor
) -> None:  # type: ignore[no-untyped-def]
    login_as(editor)
    before = selectors.latest_version()
    response = client.post(
        "/standard/lists/marital_status/add/",
        {
            "code": "Cohabiting",
            "label_en": "Cohabiting",
            "label_fr": "Concubinage",
            "note": "Asked for by the shelters",
        },
    )
    assert response.status_code == 302
    code = Code.objects.get(code_list__key="marital_status", code="Cohabiting")
    response = client.post(
        "/standard/lists/marital_status/codes/Cohabiting/label/",
        {"language": "ar", "text": "مساكنة"},
        follow=True,
    )
    assert f"version {before + 2}" in response.content.decode()
    assert selectors.code_labels([code.pk], before + 2)[code.pk]["ar"] == "مساكنة"
    # The previous version is still readable, without the code.
    old = client.get(f"/standard/lists/marital_status/?version={before}").content.decode()
    assert "Cohabiting" not in old
    assert f"version {before}" in old
    # A duplicate is refused with a message, and nothing is written.
    response = client.post(
        "/standard/lists/marital_status/add/",
        {"code": "Cohabiting", "label_en": "Again", "note": "dup"},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert selectors.latest_version() == before + 2


def test_only_editors_change_the_standard(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    add = "/standard/lists/gender/add/"
    assert client.get(add).status_code == 302  # anonymous: to the login page
    login_as(world.users["data_manager"])  # a data manager, but not of the hosting organisation
    assert client.get(add).status_code == 403
    assert (
        client.post("/standard/lists/gender/codes/Feminine/retire/", {"reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            "/standard/fields/prs_Gender/label/", {"language": "fr", "text": "x"}
        ).status_code
        == 403
    )


def test_the_screening_page_explains_its_outcome(client) -> None:  # type: ignore[no-untyped-def]
    url = reverse("standard:instrument_detail", args=[_ilo_adult().pk])
    page = client.get(url).content.decode()
    assert "Not yet verified against the original" in page
    response = client.post(
        url,
        {
            "present": [
                "deceptive_recruitment.deceived_job_nature_location_employer",
                "deceptive_recruitment.deceived_wages",
                "exploitation.excessive_hours_days",
                "exploitation.low_or_no_pay",
                "coercion_at_destination.documents_confiscated",
                "coercion_at_destination.debt_bondage",
            ]
        },
    )
    page = response.content.decode()
    assert "Outcome: presumed victim of trafficking" in page
    assert "meets &#x27;at least 2 strong&#x27;" in page
    response = client.post(url, {"present": ["exploitation.invented"]})
    assert "do not fit the instrument" in response.content.decode()


def test_downloads(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/standard/download/record.schema.json")
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["properties"]["prs_Gender"]["enum"][0] == "Feminine"
    response = client.get("/standard/download/xlsform.xlsx?version=1")
    assert response.content[:2] == b"PK"
    response = client.get(f"/standard/instruments/{_ilo_adult().pk}/document.json")
    assert json.loads(response.content)["key"] == "ilo-ec-adult-labour"


def test_a_data_manager_keeps_a_mapping_profile_and_tests_it_on_a_file(
    client, login_as, world
) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    form = {
        "organisation": str(world.agency.pk),
        "name": "Hotline export",
        "description": "",
        "columns-TOTAL_FORMS": "3",
        "columns-INITIAL_FORMS": "0",
        "columns-0-column": "Nationalité",
        "columns-0-field": "prs_Citizenship",
        "columns-0-values": "Philippin = PH\nMexicaine = MX",
        "columns-1-column": "Sexe",
        "columns-1-field": "prs_Gender",
        "columns-1-values": "F = Feminine",
    }
    response = client.post("/standard/profiles/new/", form)
    assert response.status_code == 302
    profile = MappingProfile.objects.get(name="Hotline export")
    sample = "Nationalité;Sexe\nPhilippin;F\nMexicaine;H\nMartien;F\n".encode("cp1252")
    response = client.post(
        f"/standard/profiles/{profile.pk}/",
        {"sample": SimpleUploadedFile("sample.csv", sample, content_type="text/csv")},
    )
    page = response.content.decode()
    assert "3 rows mapped" in page
    assert "<td>Sexe</td><td>H</td><td>1</td><td>2</td>" in page
    assert "<td>Nationalité</td><td>Martien</td><td>1</td><td>3</td>" in page
    # A bad value mapping is reported on the form, nothing saved.
    form["name"] = "Broken"
    form["columns-0-values"] = "Philippin"
    response = client.post("/standard/profiles/new/", form)
    assert response.status_code == 200
    assert "your value = code" in response.content.decode()
    assert not MappingProfile.objects.filter(name="Broken").exists()


def test_profiles_belong_to_their_organisation(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory

    profile = services.save_profile(
        world.other,
        "Theirs",
        [{"column": "Sex", "field": "prs_Gender"}],
        MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user,
    )
    login_as(world.users["data_manager"])
    assert client.get(f"/standard/profiles/{profile.pk}/").status_code == 404
    login_as(world.users["case_worker"])
    assert client.get("/standard/profiles/").status_code == 403


# API -------------------------------------------------------------------------------------------


def test_api_reads_the_standard(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/v1/standard/fields/?section=victim").json()
    keys = [f["key"] for f in data["results"]]
    assert "vic_TypeOfExploitation" in keys
    assert "prs_Gender" not in keys
    data = client.get("/api/v1/standard/code-lists/country/", HTTP_ACCEPT_LANGUAGE="fr").json()
    ph = next(c for c in data["codes"] if c["code"] == "PH")
    assert ph["labels"]["ar"] == "الفلبين"
    assert ph["label"] == "Philippines"
    assert client.get("/api/v1/standard/fields/ana_Gender/").json()["derivation"]["from"] == [
        "prs_Gender"
    ]
    error = client.get("/api/v1/standard/fields/?version=zero").json()["error"]
    assert error["status"] == 400
    assert "version" in error["fields"]
    assert client.get("/api/v1/standard/code-lists/?version=999").status_code == 404


def test_api_evaluates_an_instrument_and_validates_records(client) -> None:  # type: ignore[no-untyped-def]
    instrument = Instrument.objects.get(key="ilo-ec-child-labour")
    exploitation = next(
        d
        for d in selectors.current_version(instrument).document["dimensions"]
        if d["key"] == "exploitation"
    )
    strong = next(i["key"] for i in exploitation["indicators"] if i["grade"] == "strong")
    medium = next(i["key"] for i in exploitation["indicators"] if i["grade"] == "medium")
    response = client.post(
        f"/api/v1/standard/instruments/{instrument.pk}/evaluate/",
        {
            "present": [f"exploitation.{strong}", f"exploitation.{medium}"],
            "facts": {"act_recorded": True},
        },
        content_type="application/json",
    )
    data = response.json()
    assert data["outcome"] == "presumed_victim"
    assert data["verification"] == "unverified"
    response = client.post(
        f"/api/v1/standard/instruments/{instrument.pk}/evaluate/",
        {"present": ["exploitation.invented"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unknown indicators" in response.json()["error"]["fields"]["present"][0]
    response = client.post(
        "/api/v1/standard/record-schema/",
        {"prs_Gender": "Woman"},
        content_type="application/json",
    )
    assert response.json() == {
        "valid": False,
        "errors": ["prs_Gender: 'Woman' is not a code of this field's list"],
    }


def test_api_mapping_profiles(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    body = {
        "organisation": str(world.agency.pk),
        "name": "API profile",
        "columns": [
            {"column": "Nationality", "field": "prs_Citizenship", "values": {"Filipino": "PH"}}
        ],
    }
    response = client.post(
        "/api/v1/standard/mapping-profiles/", body, content_type="application/json"
    )
    assert response.status_code == 201
    profile_id = response.json()["id"]
    response = client.post(
        f"/api/v1/standard/mapping-profiles/{profile_id}/apply/",
        {"rows": [{"Nationality": "Filipino"}, {"Nationality": "Atlantean"}]},
        content_type="application/json",
    )
    data = response.json()
    assert data["records"] == [{"prs_Citizenship": ["PH"]}, {}]
    assert data["unmapped_values"] == [
        {
            "column": "Nationality",
            "field": "prs_Citizenship",
            "value": "Atlantean",
            "count": 1,
            "rows": [2],
            "reason": "unknown_code",
            "detail": "",
        }
    ]
    bad = dict(
        body,
        name="Bad",
        columns=[{"column": "N", "field": "prs_Citizenship", "values": {"x": "ZZ"}}],
    )
    response = client.post(
        "/api/v1/standard/mapping-profiles/", bad, content_type="application/json"
    )
    assert response.status_code == 400
    foreign = dict(body, organisation=str(world.other.pk), name="Foreign")
    response = client.post(
        "/api/v1/standard/mapping-profiles/", foreign, content_type="application/json"
    )
    assert response.status_code == 403
    login_as(world.users["case_worker"])
    assert client.get("/api/v1/standard/mapping-profiles/").json()["count"] == 0
