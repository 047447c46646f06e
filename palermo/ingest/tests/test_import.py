"""Importing case records through mapping profiles: every row kept, nothing twice, nothing
half-written, every problem named."""

from __future__ import annotations

import datetime
import gzip
import json
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.audit.models import AuditEvent
from palermo.cases.models import Case, Consent, Person, PersonIndex
from palermo.cases.services import find_persons, index_rows
from palermo.ingest import services
from palermo.ingest.models import ImportBatch, ImportedRecord
from palermo.ingest.staging import Stage, ordered_id
from palermo.standard.models import MappingProfile
from palermo.standard.services import save_profile

pytestmark = pytest.mark.django_db

PROFILES = Path(services.__file__).parent / "profiles"
CTDC = Path(settings.PALERMO_STANDARDS_DIR).parent / "data" / "ctdc-kanon-2021"
SHELTER = [
    {"column": "Case ID", "field": "cas_CaseOwner"},
    {"column": "First name", "field": "prs_FirstName"},
    {"column": "Last name", "field": "prs_SecondName"},
    {"column": "Sex", "field": "prs_Gender", "values": {"F": "Feminine", "M": "Masculine"}},
    {"column": "Born", "field": "prs_Birthdate"},
    {"column": "Nationality", "field": "prs_Citizenship"},
    {"column": "Identified", "field": "cas_IdentificationDate"},
    {"column": "Exploitation", "field": "vic_TypeOfExploitation", "separator": ";"},
]
HEADER = "Case ID,First name,Last name,Sex,Born,Nationality,Identified,Exploitation\n"
GOOD = [
    "S-1,Ana,Testrow,F,1990-01-02,PH,2025-05-01,ForcedLabour\n",
    "S-2,Ben,Testrow,M,1985-03-04,NG,2025-06-01,SexualExploitation;ForcedLabour\n",
    "S-3,Cruz,Testrow,F,2001-07-08,MX,2025-07-01,ForcedLabour\n",
]


@pytest.fixture
def shelter(world):  # type: ignore[no-untyped-def]
    return save_profile(world.agency, "Shelter", SHELTER, world.users["data_manager"])


def _ready_profile(world, file: str) -> MappingProfile:  # type: ignore[no-untyped-def]
    """One of the ready-made profiles, saved for the agency by its data manager."""
    call_command(
        "save_profile",
        PROFILES / file,
        "--org",
        world.agency.acronym,
        "--as",
        world.users["data_manager"].username,
        stdout=StringIO(),
    )
    name = json.loads((PROFILES / file).read_text())["name"]
    return world.agency.mapping_profiles.get(name=name)


def _file(tmp_path: Path, lines: list[str], name: str = "shelter.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _import(world, profile, path, **options):  # type: ignore[no-untyped-def]
    return services.run_import(path, world.agency, profile, world.users["data_manager"], **options)


def test_a_file_imports_once_and_an_updated_file_updates_only_its_changed_rows(
    world, shelter, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, GOOD)
    batch = _import(world, shelter, path, id_column="Case ID")
    assert (batch.status, batch.created, batch.rows_rejected) == ("done", 3, 0)
    case = Case.objects.get(imported_from__source_key="S-2")
    assert case.exploitation == ["SexualExploitation", "ForcedLabour"]
    assert case.person.given_name == "Ben"
    assert case.age_at_identification == 40
    assert "Ben" not in case.person.given_name_enc  # identifiers encrypted like any case's
    assert case.person.pk in find_persons([world.agency.pk], "Ben Testrow")

    again = _import(world, shelter, path, id_column="Case ID")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Case.objects.count() == 3

    changed = [GOOD[0], GOOD[1].replace("NG", "GH"), GOOD[2]]
    update = _import(world, shelter, _file(tmp_path, changed, "v2.csv"), id_column="Case ID")
    assert (update.created, update.updated, update.unchanged) == (0, 1, 2)
    case.refresh_from_db()
    assert case.person.citizenship == ["GH"]
    assert case.row_version == 2
    assert AuditEvent.objects.filter(action="ingest.imported").count() == 3


def test_a_renamed_person_is_found_by_the_new_name_only_and_codes_follow_the_row(
    world, shelter, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _import(world, shelter, _file(tmp_path, GOOD), id_column="Case ID")
    person = Case.objects.get(imported_from__source_key="S-2").person
    person.aliases = ["Benny Alias"]  # added in Palermo: no file holds it
    person.save()
    PersonIndex.objects.bulk_create(index_rows(person), ignore_conflicts=True)
    renamed = [GOOD[0], GOOD[1].replace("Ben", "Benedict").replace("Sexual", "Xx"), GOOD[2]]
    renamed[1] = renamed[1].replace("XxExploitation;", "")
    update = _import(world, shelter, _file(tmp_path, renamed, "v2.csv"), id_column="Case ID")
    assert update.updated == 1
    case = Case.objects.get(imported_from__source_key="S-2")
    assert case.exploitation == ["ForcedLabour"]
    assert list(case.codes.values_list("field", "code")) == [("exploitation", "ForcedLabour")]
    assert case.person.pk in find_persons([world.agency.pk], "Benedict Testrow")
    assert case.person.pk not in find_persons([world.agency.pk], "Ben Testrow")
    assert case.person.pk in find_persons([world.agency.pk], "Benny Alias")  # still found


def test_a_check_writes_nothing_and_an_erased_persons_row_is_never_written_again(
    world, shelter, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from palermo.cases.subject_rights import erase_person

    path = _file(tmp_path, GOOD)
    checked = _import(world, shelter, path, id_column="Case ID", check_only=True)
    assert (checked.status, checked.rows_read, Case.objects.count()) == ("checked", 3, 0)
    _import(world, shelter, path, id_column="Case ID")
    case = Case.objects.get(imported_from__source_key="S-1")
    Consent.objects.create(
        case=case,
        purpose="statistics",
        decision="given",
        given_by="person",
        decided_on="2025-05-01",
        recorded_by=world.users["supervisor"],
    )
    erase_person(case, world.users["supervisor"], "The person asked on 2026-11-01.")
    without_consent = Case.objects.get(imported_from__source_key="S-2")
    erase_person(without_consent, world.users["supervisor"], "Asked on 2026-11-02.")
    assert not Case.objects.filter(pk=without_consent.pk).exists()  # deleted, its key kept
    changed = [GOOD[0].replace("PH", "VN"), GOOD[1], GOOD[2]]
    again = _import(world, shelter, _file(tmp_path, changed, "v2.csv"), id_column="Case ID")
    assert (again.created, again.updated, again.unchanged, again.skipped_erased) == (0, 0, 1, 2)
    case.refresh_from_db()
    assert case.person.given_name == ""
    assert case.person.citizenship != ["VN"]
    assert not find_persons([world.agency.pk], "Ben Testrow")  # not brought back


def test_a_file_with_errors_is_refused_whole_with_every_bad_cell_named(
    world, shelter, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    bad = [
        *GOOD,
        "S-4,Dee,Testrow,X,1999-02-30,ZZ,2025-01-01,ForcedLabour\n",
        "S-1,Eve,Testrow,F,1990-01-02,PH,2099-01-01,Begging\n",
        ",Fay,Testrow,F,1990-01-02,PH,2025-01-01,ForcedLabour\n",
        "S-" + "9" * 300 + ",Gil,Testrow,M,1990-01-02,PH,2025-01-01,ForcedLabour\n",
    ]
    batch = _import(world, shelter, _file(tmp_path, bad), id_column="Case ID")
    assert batch.status == ImportBatch.Status.REFUSED
    assert Case.objects.count() == 0
    found = {(p["row"], p["column"], p["reason"]) for p in batch.problems}
    assert found >= {
        ("5", "Sex", "unknown_code"),
        ("5", "Born", "not_a_date"),
        ("5", "Nationality", "unknown_code"),
        ("6", "Identified", "future_date"),
        ("6", "Exploitation", "unknown_code"),
        ("6", "Case ID", "duplicate_identifier"),
        ("7", "Case ID", "missing_identifier"),
        ("8", "Case ID", "long_identifier"),
    }
    assert batch.rows_rejected == 4

    partial = _import(world, shelter, _file(tmp_path, bad), id_column="Case ID", mode="valid_rows")
    assert (partial.status, partial.created, partial.rows_rejected) == ("done", 3, 4)
    assert set(ImportedRecord.objects.values_list("source_key", flat=True)) == {"S-1", "S-2", "S-3"}


def test_another_agencys_codes_and_columns_need_only_a_profile(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """ISO alpha-3 countries, its own age bands and column names: a profile, no code."""
    profile = save_profile(
        world.agency,
        "Partner NGO",
        [
            {"column": "SEXE", "field": "ana_Gender", "values": {"H": "Male", "F": "Female"}},
            {
                "column": "TRANCHE_AGE",
                "field": "ana_AgeBroad",
                "values": {"moins de 18": "9--17", "18-20 ans": "18--20"},
            },
            {
                "column": "NATIONALITE",
                "field": "ana_Citizenship",
                "values": {"NGA": "NG", "PHL": "PH"},
            },
        ],
        world.users["data_manager"],
    )
    path = tmp_path / "ngo.csv"
    path.write_bytes(
        "SEXE;TRANCHE_AGE;NATIONALITE\nF;moins de 18;NGA\nH;18-20 ans;PHL\n".encode("latin-1")
    )
    batch = _import(world, profile, path)
    assert (batch.status, batch.created) == ("done", 2)
    analytic = sorted(Case.objects.values_list("analytic", flat=True), key=str)
    assert {"ana_Gender": "Female", "ana_AgeBroad": "9--17", "ana_Citizenship": "NG"} in analytic


def test_identical_rows_without_identifier_are_each_a_person_and_import_once(
    world, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    name = _ready_profile(world, "ctdc-kanon-2021.json").name
    path = tmp_path / "ctdc.csv"
    with gzip.open(CTDC / "ctdc_global_kanon_2021-07-15.csv.gz", "rb") as packed:
        path.write_bytes(b"".join(packed.readline() for _ in range(1501)))

    progress = StringIO()

    def import_file() -> str:
        out = StringIO()
        progress.truncate(0)
        call_command(
            "import_cases",
            path,
            "--mapping",
            name,
            "--org",
            world.agency.acronym,
            "--as",
            world.users["data_manager"].username,
            stdout=out,
            stderr=progress,
        )
        return out.getvalue()

    assert "1,500 created" in import_file()
    assert f"[{'#' * 30}] 100% 1,500/1,500 rows, 0 rejected" in progress.getvalue()
    assert "writing 1,500 rows in one transaction" in progress.getvalue()
    rows = Case.objects.filter(organisation=world.agency)
    assert rows.count() == 1500  # the file repeats rows; each is a person
    distinct = {json.dumps(a, sort_keys=True) for a in rows.values_list("analytic", flat=True)}
    assert len(distinct) < 1500
    first = rows.order_by("reference").first()
    assert first is not None
    assert first.analytic["ana_Gender"] == "Female"
    assert first.analytic["ana_YearOfRegistration"] == 2002
    assert "0 created, 0 updated, 1,500 unchanged" in import_file()


def test_an_import_that_fails_midway_leaves_nothing_and_runs_again(
    world, shelter, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    real = Stage._insert_new

    def failing(*args):  # type: ignore[no-untyped-def]
        real(*args)  # persons, cases and keys written...
        raise ConnectionError("the database went away")  # ...then the connection is lost

    monkeypatch.setattr(Stage, "_insert_new", failing)
    path = _file(tmp_path, GOOD)
    with pytest.raises(ConnectionError):
        _import(world, shelter, path, id_column="Case ID")
    assert Case.objects.count() == 0  # what was written went with the rest
    assert Person.objects.count() == 0
    assert ImportedRecord.objects.count() == 0
    failed = ImportBatch.objects.get()
    assert failed.status == "failed"
    assert "run it again" in failed.error
    assert (failed.created, failed.updated, failed.unchanged) == (0, 0, 0)
    monkeypatch.setattr(Stage, "_insert_new", real)
    batch = _import(world, shelter, path, id_column="Case ID")
    assert (batch.created, Case.objects.count()) == (3, 3)


def test_workbooks_and_json_import_through_the_same_profile(world, shelter, tmp_path) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["About this file"])
    sheet = workbook.create_sheet("Register")
    sheet.append(HEADER.strip().split(","))
    for line in GOOD:
        sheet.append(line.strip().split(","))
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    batch = _import(world, shelter, path, id_column="Case ID")
    assert (batch.status, batch.created) == ("done", 3)

    records = [{"Case ID": "J-1", "Sex": "F", "Exploitation": ["ForcedLabour", "Other"]}]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    batch = _import(world, shelter, path, id_column="Case ID")
    assert (batch.status, batch.created) == ("done", 1)
    assert Case.objects.get(imported_from__source_key="J-1").exploitation == [
        "ForcedLabour",
        "Other",
    ]


def test_the_command_prints_each_problem_and_why(world, shelter, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = [*GOOD, "S-1,Eve,Testrow,F,1990-01-02,PH,2099-01-01,ForcedLabour\n"]
    out = StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command(
            "import_cases",
            _file(tmp_path, bad),
            "--mapping",
            "Shelter",
            "--org",
            world.agency.acronym,
            "--as",
            world.users["data_manager"].username,
            "--id-column",
            "Case ID",
            stdout=out,
            stderr=StringIO(),
        )
    text = out.getvalue()
    assert "row 5, Identified: '2099-01-01': a date in the future" in text
    assert "row 5, Case ID: 'S-1': the same source identifier as another row of the file" in text
    batch = ImportBatch.objects.get()
    assert all("why" not in problem for problem in batch.problems)  # read from its reason


def test_unreadable_files_fail_with_their_reason(world, shelter, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    batch = _import(world, shelter, path)
    assert (batch.status, batch.error) == ("failed", "The file is empty.")
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "import_cases",
            path,
            "--mapping",
            "Shelter",
            "--org",
            world.agency.acronym,
            "--as",
            world.users["case_worker"].username,
        )


def test_the_htcds_template_filled_in_imports_with_its_profile(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    template = Path(settings.PALERMO_STANDARDS_DIR) / "htcds" / "Toolkit" / "Excel"
    workbook = load_workbook(template / "HTCDS Excel Spreadsheet v2.0.xlsx")
    sheet = workbook.worksheets[0]
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    rows = [
        {
            "prs_FirstName": "Lina",
            "prs_SecondName": "Templatetest",
            "prs_Gender": "Feminine",
            "prs_Birthdate": "1994-02-03",
            "prs_Citizenship": "VN",
            "vic_TypeOfExploitation": "ForcedLabour;SexualExploitation",
            "vic_MethodsOfControl": "DebtBondage",
        },
        {"prs_FirstName": "Minh", "prs_Gender": "Masculine", "prs_Citizenship": "VN"},
    ]
    for offset, values in enumerate(rows):
        for key, value in values.items():
            sheet.cell(row=3 + offset, column=columns[key], value=value)
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    profile = _ready_profile(world, "htcds-template-2.0.json")
    batch = _import(world, profile, path)
    assert (batch.status, batch.rows_read, batch.created) == ("done", 2, 2)
    lina = Case.objects.get(person__in=find_persons([world.agency.pk], "Lina Templatetest"))
    assert lina.exploitation == ["ForcedLabour", "SexualExploitation"]
    assert lina.means_of_control == ["DebtBondage"]
    assert lina.person.citizenship == ["VN"]


def test_the_report_workbook_marks_each_bad_cell(world, shelter, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    from palermo.ingest.report import write_report

    bad = [GOOD[0], '=HYPERLINK("http://x"),Dee,Testrow,X,1999-02-30,PH,2025-01-01,Begging\n']
    path = _file(tmp_path, bad)
    batch = _import(world, shelter, path, id_column="Case ID")
    out = tmp_path / "report.xlsx"
    write_report(batch, path, out)
    workbook = load_workbook(out)
    listed = list(workbook["Problems"].iter_rows(min_row=2, values_only=True))
    assert ("3", "Sex", "X", "not a code of the field's list") in listed
    rejected = workbook["Rejected rows"]
    header = [c.value for c in rejected[1]]
    (row,) = rejected.iter_rows(min_row=2)
    cells = dict(zip(header, row, strict=True))
    assert cells["Row"].value == "3"
    assert cells["Sex"].fill.fgColor.rgb.endswith("FFC7CE")
    assert cells["Born"].comment.text == "not a date (YYYY-MM-DD)"
    assert cells["First name"].fill.fgColor.rgb != cells["Sex"].fill.fgColor.rgb
    assert cells["Case ID"].value.startswith("'=")  # no formula reaches a spreadsheet


def test_only_the_organisations_data_managers_import_through_its_own_profiles(
    world, shelter, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    path = _file(tmp_path, GOOD)
    with pytest.raises(PermissionDenied):
        services.run_import(path, world.agency, shelter, world.users["case_worker"])
    theirs = MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user
    with pytest.raises(PermissionDenied):  # their own data manager, the agency's profile
        services.run_import(path, world.other, shelter, theirs)
    assert not ImportBatch.objects.exists()


def test_row_keys_and_hashes_keep_the_form_earlier_imports_stored(world, shelter, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Re-importing a file imported before gives "unchanged" only if each row's content key
    (its cells, whatever their order) and hash (its coded record) come out as they did: pinned
    here, for a fixed key, as the first version computed them."""
    lines = [GOOD[1], "S-5,Zoë,,F,,,,Xx;ForcedLabour\n", "S-6,Ana\n", "S-7\n"]  # 2 cells, 1
    path = _file(tmp_path, lines)
    with override_settings(PALERMO_BLIND_INDEX_KEY="a fixed key for this test"):
        rows = list(services.checked_rows(path, path.name, shelter, ""))
    assert [(r.key, r.row_hash) for r in rows] == [
        (
            "f71d580558d995ec310a6189a66b22de3a8d2bed",
            "8c9a9e73fdc896ae6f89897ff12555ae91669efd6b52af689a3ba2fecbbe848e",
        ),
        (
            "610f1176bc13655010c6ec5f17614cdff5ac1094",
            "a8115a2359d47578548c85e031f0de088b00f629b60288487855577cee498190",
        ),
        (
            "d00026e19467031e7cf0b7e15a9f661d328aeaa9",
            "123975ccc12ba81b99abc4d6db4335d94b890b494cc28758ce0855f90c08bf5e",
        ),
        (
            "9c1fe0a464671ca5d979a99f24752d98e4ec69b5",
            "d7b5081cc8f76287ed38c88a270cebab1feee6c1e60c01d05a123c30ad229bf1",
        ),
    ]
    assert rows[1].problems[0]["value"] == "Xx"  # a refused row is keyed like any other


def test_every_field_of_a_row_reaches_its_person_and_case_and_a_left_out_one_its_default(
    world, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    profile = _ready_profile(world, "palermo-export.json")
    full = {
        "reference": "P-1",
        "prs_FirstName": "Zoë",
        "prs_SecondName": "Fieldtest",
        "prs_Birthdate": "1990-06-15",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "PH;VN",
        "prs_IdentityNumber": "AB-123",
        "prs_MobilePhone": "+63 912 345 6789",
        "prs_MailingStreet": "1 Rue du Test",
        "cas_IdentificationDate": "2024-06-14",
        "vic_RelationshipToTrafficker": "Familial",
        "vic_TraffickingStatusDecisionMakingOrg": "NGO",
        "vic_AgeWhenTrafficked": "17",
        "vic_TypeOfExploitation": "ForcedLabour;SexualExploitation;ForcedLabour",
        "vic_ForcedLabourIndustry": "F_Construction",
        "vic_TypeOfSexExploitation": "Prostitution",
        "vic_MethodsOfControl": "DebtBondage",
        "vic_MethodOfRecruitment": "AtWork",
        "hte_Country": "TH",
        "ana_YearOfRegistration": "2019.0",
        "ana_IsAbduction": "true",
    }
    path = tmp_path / "export.csv"
    path.write_text(
        ",".join(full) + "\n" + ",".join(full.values()) + "\n" + "P-2" + "," * (len(full) - 1),
        encoding="utf-8",
    )
    batch = _import(world, profile, path)
    assert (batch.status, batch.created, batch.rows_rejected) == ("done", 2, 0), batch.problems
    case = Case.objects.get(imported_from__source_key="P-1")
    person = case.person
    assert (person.given_name, person.family_name, person.birth_date) == (
        "Zoë",
        "Fieldtest",
        "1990-06-15",
    )
    assert (person.gender, person.citizenship) == ("Feminine", ["PH", "VN"])
    assert person.documents == [{"type": "identity", "number": "AB-123"}]
    assert (person.phone, person.address) == ("+63 912 345 6789", "1 Rue du Test")
    assert (case.identified_on, case.age_at_identification, case.age_at_entry) == (
        datetime.date(2024, 6, 14),
        33,
        17,
    )
    assert (case.recruiter_relationship, case.identified_by) == ("Familial", "NGO")
    assert case.exploitation == ["ForcedLabour", "SexualExploitation"]
    assert (case.forced_labour_industry, case.sex_exploitation) == (
        ["F_Construction"],
        ["Prostitution"],
    )
    assert (case.means_of_control, case.recruitment_methods) == (["DebtBondage"], ["AtWork"])
    assert case.exploitation_countries == ["TH"]
    assert case.analytic == {"ana_YearOfRegistration": 2019, "ana_IsAbduction": True}
    assert sorted(case.codes.values_list("field", "code")) == [
        ("exploitation", "ForcedLabour"),
        ("exploitation", "SexualExploitation"),
        ("forced_labour_industry", "F_Construction"),
        ("means_of_control", "DebtBondage"),
        ("sex_exploitation", "Prostitution"),
    ]
    assert person.pk in find_persons([world.agency.pk], "Zoe Fieldtest")
    assert person.pk in find_persons([world.agency.pk], "AB123")

    empty = Case.objects.get(imported_from__source_key="P-2")
    assert (empty.person.given_name, empty.person.citizenship, empty.person.documents) == (
        "",
        [],
        [],
    )
    assert (empty.identified_on, empty.age_at_identification, empty.narrative) == (None, None, "")
    assert (empty.exploitation, empty.exploitation_countries, empty.analytic) == ([], [], {})
    assert not empty.codes.exists()
    assert not PersonIndex.objects.filter(person=empty.person).exists()


def test_staged_ids_are_version_4_uuids_led_by_the_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    ids = [uuid.UUID(ordered_id()) for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert all((i.version, i.variant) == (4, uuid.RFC_4122) for i in ids)
    assert all(before <= i.int >> 80 <= after for i in ids)
    assert len(set(ids)) == len(ids)
