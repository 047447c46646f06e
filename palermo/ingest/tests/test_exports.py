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
    assert event.detail == {"format": "csv", "cases": 2, "identifiers": True}


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


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
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
