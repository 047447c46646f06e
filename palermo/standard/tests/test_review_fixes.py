"""Bad input and edge cases found in review: each once produced a 500, lost data silently, or let
an edit be undone."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory, UserFactory
from palermo.standard import selectors, services
from palermo.standard.mapping import ColumnRule, map_rows
from palermo.standard.models import Code, CodeLabel, CodeList, Instrument
from palermo.standard.tests.test_screening import NATIONAL_CHECKLIST

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(world):  # type: ignore[no-untyped-def]
    return MembershipFactory(organisation=world.host, role=Role.DATA_MANAGER).user


def test_reloading_the_sources_keeps_an_editors_labels(editor) -> None:  # type: ignore[no-untyped-def]
    feminine = Code.objects.get(code_list__key="gender", code="Feminine")
    ph = Code.objects.get(code_list__key="country", code="PH")
    services.set_label(feminine, "en", "Female", editor)
    services.set_label(ph, "fr", "République des Philippines", editor)
    version = selectors.latest_version()
    result = services.load_standard()
    assert result.created_version is False
    assert selectors.latest_version() == version
    labels = selectors.code_labels([feminine.pk, ph.pk], version)
    assert labels[feminine.pk]["en"] == "Female"
    assert labels[ph.pk]["fr"] == "République des Philippines"


def test_two_current_labels_in_one_language_are_impossible() -> None:
    from django.db import IntegrityError, transaction

    code = Code.objects.get(code_list__key="gender", code="Masculine")
    with pytest.raises(IntegrityError), transaction.atomic():
        CodeLabel.objects.create(code=code, language="en", text="Male", since=1)


def test_retired_codes_keep_their_labels_and_leave_the_coverage_count(editor) -> None:  # type: ignore[no-untyped-def]
    code = services.add_code(
        CodeList.objects.get(key="marital_status"), "Engaged", {"en": "Engaged"}, editor
    )
    version = services.retire_code(code, editor, "not a marital status")
    with pytest.raises(ValidationError, match="keeps the labels"):
        services.set_label(code, "fr", "Fiancé", editor)
    english = next(c for c in selectors.label_coverage(version) if c.language == "en")
    assert english.labelled == english.total


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["source"].update(url="javascript:alert(1)"), "does not match"),
        (lambda d: d.update(examples=[float("nan")]), "is not a number JSON allows"),
        (lambda d: d.update(name="a\x00b"), "NUL character"),
        (lambda d: d["rule"].update(outcome=_nested(30)), "nested more than"),
        (
            lambda d: d.update(facts=[{"key": "control", "label": "Same key as the dimension"}]),
            "keys must be unique",
        ),
    ],
    ids=["javascript-url", "nan", "nul", "deep", "fact-shadows-dimension"],
)
def test_bad_instrument_documents_are_refused(change, message) -> None:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(NATIONAL_CHECKLIST)
    change(document)
    errors = services.instrument_errors(document)
    assert any(message in e for e in errors), errors


def _nested(depth: int) -> object:
    node: object = "control"
    for _ in range(depth):
        node = {"all_of": [node]}
    return node


def test_instrument_uploads_that_are_not_plain_json_get_a_message(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["data_manager"])
    for body, message in [
        (b"[" * 100_000, "nested too deeply"),
        (b'{"key": NaN}', "not a JSON file"),
        (b"\xff\xfe not json", "not a JSON file"),
    ]:
        response = client.post(
            reverse("standard:instrument_upload"),
            {
                "organisation": str(world.agency.pk),
                "document": SimpleUploadedFile("i.json", body, content_type="application/json"),
            },
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Instrument.objects.filter(owner=world.agency).exists()


def test_deeply_nested_json_to_the_api_is_a_400(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/standard/record-schema/", "[" * 50_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_odd_version_numbers_do_not_break_the_instrument_page(client) -> None:  # type: ignore[no-untyped-def]
    instrument = Instrument.objects.get(key="ilo-ec-adult-labour")
    url = reverse("standard:instrument_detail", args=[instrument.pk])
    assert client.get(url + "?v=²").status_code == 200
    assert client.get(url + "?v=99").status_code == 404


def test_a_code_page_respects_the_version(client, editor) -> None:  # type: ignore[no-untyped-def]
    before = selectors.latest_version()
    services.add_code(CodeList.objects.get(key="gender"), "Agender", {"en": "Agender"}, editor)
    url = "/standard/lists/gender/codes/Agender/"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?version={before}").status_code == 404


def test_a_windows_1252_sample_is_read_as_such(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    profile = services.save_profile(
        world.agency,
        "Accents",
        [{"column": "Genre", "field": "prs_Gender", "values": {"Féminin": "Feminine"}}],
        world.users["data_manager"],
    )
    login_as(world.users["data_manager"])
    sample = "Nom;Genre\r\nRené;Féminin\r\nAnna;Feminine\r\n".encode("cp1252")
    assert len(sample) % 2 == 0  # would also decode, wrongly, as UTF-16
    response = client.post(
        f"/standard/profiles/{profile.pk}/",
        {"sample": SimpleUploadedFile("s.csv", sample, content_type="text/csv")},
    )
    page = response.content.decode()
    assert "2 rows mapped" in page
    assert "Every value was mapped." in page


def test_map_rows_never_drops_a_value_silently(world) -> None:  # type: ignore[no-untyped-def]
    rules = [
        ColumnRule("Sex", "prs_Gender", values={"-": "NonSpecifiedUnknown"}),
        ColumnRule("Consent", "con_Consent", values={"Oui": "TRUE"}),
        ColumnRule("Born", "prs_Birthdate"),
        ColumnRule("Children", "prs_NumberOfChildren"),
        ColumnRule("Status", "prs_MaritalStatus", values={"Together": "Cohabiting"}),
    ]
    rows = [
        {"Sex": "-", "Consent": "Oui", "Born": "2001-02-03", "Children": "2"},
        {"Sex": "Feminine; Masculine", "Consent": "No", "Born": "03/02/2001", "Children": "two"},
        {"Status": "Together"},
    ]
    result = map_rows(rules, services.field_infos(), services.vocabulary(), rows)
    assert result.records[0] == {
        "prs_Gender": "NonSpecifiedUnknown",
        "con_Consent": True,
        "prs_Birthdate": "2001-02-03",
        "prs_NumberOfChildren": 2,
    }
    assert result.records[1] == {"con_Consent": False}
    reasons = {(u.column, u.value): (u.reason, u.detail) for u in result.unmapped_values}
    assert reasons == {
        ("Sex", "Feminine; Masculine"): ("unknown_code", ""),
        ("Born", "03/02/2001"): ("not_a_date", ""),
        ("Children", "two"): ("not_a_number", ""),
        ("Status", "Together"): ("retired_code", "Cohabiting"),
    }


def test_a_profile_cannot_squeeze_several_codes_into_a_one_code_field(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        services.save_profile(
            world.agency,
            "Squeeze",
            [
                {"column": "G", "field": "prs_Gender", "separator": ";"},
                {"column": "G2", "field": "prs_Gender"},
                {"column": "Consent", "field": "con_Consent", "values": {"Oui": "YES"}},
            ],
            world.users["data_manager"],
        )
    messages = caught.value.messages
    assert "G: the field prs_Gender takes one value, so it has no separator." in messages
    assert "prs_Gender takes one value but two columns are mapped to it." in messages
    assert "Consent: “Oui” maps to YES, which is not a code of yes_no." in messages


def test_instruments_api_asks_for_the_second_factor_first(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    services.import_instrument(NATIONAL_CHECKLIST, world.agency, UserFactory())
    login_as(world.users["data_manager"], verified=False)
    assert client.get("/api/v1/standard/instruments/").status_code == 403
    login_as(world.users["data_manager"])
    keys = [i["key"] for i in client.get("/api/v1/standard/instruments/").json()["results"]]
    assert "national-checklist" in keys
    login_as(world.users["other_case_worker"])
    keys = [i["key"] for i in client.get("/api/v1/standard/instruments/").json()["results"]]
    assert "national-checklist" not in keys


def test_list_pages_do_not_query_per_row(
    client, login_as, world, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(6):
        services.save_profile(
            world.agency,
            f"P{n}",
            [{"column": "Sex", "field": "prs_Gender"}],
            world.users["data_manager"],
        )
    login_as(world.users["data_manager"])
    with django_assert_max_num_queries(15):
        assert client.get("/api/v1/standard/mapping-profiles/").status_code == 200
    with django_assert_max_num_queries(20):
        client.get("/standard/lists/type_of_exploitation/codes/ForcedLabour/")
