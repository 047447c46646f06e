"""Exports through the visibility rule, neutralised, audited; and the round trip."""

from __future__ import annotations

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.audit.models import AuditEvent
from palermo.cases.models import Case
from palermo.cases.tests.helpers import make_case
from palermo.ingest import services
from palermo.ingest.exports import ExportRefusedError, export_cases
from palermo.standard.models import MappingProfile

pytestmark = pytest.mark.django_db

PROFILES = Path(services.__file__).parent / "profiles"
CODED = (
    "case_type",
    "identified_on",
    "exploitation",
    "means_of_control",
    "forced_labour_industry",
    "recruiter_relationship",
    "analytic",
)


@pytest.fixture
def agency_cases(world):  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    first = make_case(world.agency, worker)
    services_case = make_case(world.agency, worker, {"given_name": "=HYPERLINK(1)"})
    from palermo.cases import services as case_services

    case_services.update_case(
        first,
        worker,
        first.row_version,
        {
            "exploitation": ["ForcedLabour"],
            "means_of_control": ["DebtBondage", "WithholdsDocuments"],
        },
    )
    Case.objects.filter(pk=services_case.pk).update(
        analytic={"ana_Gender": "Female", "ana_AgeBroad": "18--20", "ana_YearOfRegistration": 2019}
    )
    make_case(world.other, world.users["other_case_worker"])  # never in the agency's export
    return Case.objects.filter(organisation=world.agency)


def test_who_may_export_and_what_they_get(world, agency_cases) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with pytest.raises(ExportRefusedError):
        export_cases(world.users["analyst"], world.agency, "csv", out)
    with pytest.raises(ExportRefusedError):
        export_cases(world.users["other_case_worker"], world.agency, "csv", out)
    with pytest.raises(ExportRefusedError):
        export_cases(world.users["case_worker"], world.agency, "csv", out)
    count = export_cases(world.users["data_manager"], world.agency, "csv", out)
    assert count == 2
    text = out.getvalue().decode("utf-8-sig")
    assert "Okonkwo" not in text
    assert "A1234567" not in text
    out = io.BytesIO()
    export_cases(world.users["supervisor"], world.agency, "csv", out, identifiers=True)
    text = out.getvalue().decode("utf-8-sig")
    assert "Okonkwo-Testperson" in text
    assert "'=HYPERLINK(1)" in text  # neutralised
    event = AuditEvent.objects.filter(action="ingest.exported").latest("seq")
    assert event.detail == {"format": "csv", "layout": "standard", "cases": 2, "identifiers": True}


def test_xlsx_and_json_exports(world, agency_cases, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cases.xlsx"
    call_command(
        "export_cases",
        "--org",
        world.agency.acronym,
        "--as",
        world.users["supervisor"].username,
        "--format",
        "xlsx",
        "--identifiers",
        "--out",
        path,
        stdout=StringIO(),
    )
    sheet = load_workbook(path)["Cases"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in values
    path = tmp_path / "cases.json"
    call_command(
        "export_cases",
        "--org",
        world.agency.acronym,
        "--as",
        world.users["data_manager"].username,
        "--format",
        "json",
        "--out",
        path,
        stdout=StringIO(),
    )
    records = json.loads(path.read_text())
    assert {r["reference"] for r in records} == set(
        agency_cases.values_list("reference", flat=True)
    )
    with pytest.raises(CommandError, match="Refused"):
        call_command(
            "export_cases",
            "--org",
            world.agency.acronym,
            "--as",
            world.users["analyst"].username,
            "--out",
            tmp_path / "no.csv",
        )
    assert not (tmp_path / "no.csv").exists()
    assert not (tmp_path / "no.csv.part").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "hxl", "json"])
def test_round_trip_into_a_fresh_organisation_keeps_the_coded_records(
    world, agency_cases, tmp_path, fmt
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"export.{fmt}"
    with path.open("wb") as out:
        export_cases(world.users["data_manager"], world.agency, fmt, out)
    manager = MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user
    call_command(
        "save_profile",
        PROFILES / "palermo-export.json",
        "--org",
        world.other.acronym,
        "--as",
        manager.username,
        stdout=StringIO(),
    )
    profile = MappingProfile.objects.get(organisation=world.other, name="Palermo export")
    batch = services.run_import(path, world.other, profile, manager)
    assert (batch.status, batch.created, batch.rows_rejected) == ("done", 2, 0), batch.problems
    for original in agency_cases:
        copy = Case.objects.get(
            organisation=world.other, imported_from__source_key=original.reference
        )
        for name in CODED:
            if name == "case_type":
                continue  # imported records are identified victims
            assert getattr(copy, name) == getattr(original, name), name
        assert copy.person.gender == original.person.gender
        assert copy.person.citizenship == original.person.citizenship
        assert copy.person.given_name == ""  # identifiers were not exported


def test_the_ctdc_layout_carries_analytic_variables_only_and_imports_with_the_ctdc_profile(
    world, agency_cases, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import csv
    import gzip

    from django.conf import settings

    manager = world.users["data_manager"]
    path = tmp_path / "ctdc.csv"
    with path.open("wb") as out:
        export_cases(manager, world.agency, "csv", out, layout="ctdc")
    with path.open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    ctdc = Path(settings.PALERMO_STANDARDS_DIR).parent / "data" / "ctdc-kanon-2021"
    with gzip.open(ctdc / "ctdc_global_kanon_2021-07-15.csv.gz", "rt") as real:
        real_columns = set(next(csv.reader(real)))
    assert set(rows[0]) <= real_columns  # CTDC's own column names
    assert not {"reference", "prs_FirstName", "prs_Citizenship"} & set(rows[0])
    imported = next(r for r in rows if r["yearOfRegistration"] == "2019")
    assert (imported["gender"], imported["ageBroad"]) == ("Female", "18--20")  # as imported
    derived = next(r for r in rows if r["typeOfExploitConcatenated"])
    assert derived["typeOfExploitConcatenated"] == "ForcedLabour"  # derived from HTCDS codes
    assert "DebtBondage" in derived["meansOfControlConcatenated"].split(";")
    assert derived["Datasource"] == "CaseManagement"
    with pytest.raises(ExportRefusedError, match="no identifiers"):
        export_cases(manager, world.agency, "csv", io.BytesIO(), identifiers=True, layout="ctdc")

    other_manager = MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user
    call_command(
        "save_profile",
        PROFILES / "ctdc-kanon-2021.json",
        "--org",
        world.other.acronym,
        "--as",
        other_manager.username,
        stdout=StringIO(),
    )
    profile = MappingProfile.objects.get(organisation=world.other, name__startswith="CTDC global")
    batch = services.run_import(path, world.other, profile, other_manager)
    assert (batch.status, batch.created, batch.rows_rejected) == ("done", 2, 0), batch.problems
    copies = Case.objects.filter(organisation=world.other, imported_from__isnull=False)
    exploitation = sorted(c.analytic.get("ana_TypeOfExploitation", []) for c in copies)
    assert exploitation == [[], ["ForcedLabour"]]
    bands = [c.analytic.get("ana_AgeBroad", "") for c in copies]
    assert "18--20" in bands  # as imported
    assert all(bands)  # the other derived from the age at identification


def test_the_hxl_export_tags_every_column(world, agency_cases) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    export_cases(world.users["data_manager"], world.agency, "hxl", out)
    header, tags = out.getvalue().decode("utf-8-sig").splitlines()[:2]
    tags_of = dict(zip(header.split(","), tags.split(","), strict=True))
    assert tags_of["prs_Citizenship"] == "#country+code+v_iso2+prs_citizenship"
    assert tags_of["cas_IdentificationDate"] == "#date+cas_identificationdate"
    assert tags_of["vic_TypeOfExploitation"] == "#x_htcds+vic_typeofexploitation"
