"""3W/4W tables with HXL hashtags: a coordinator's table imports by its tags, idempotently; our
own export imports back unchanged."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from palermo.activities import tables
from palermo.activities.data import EXPLOITATION, PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import Activity, ActivityImport, Role, Status
from palermo.activities.selectors import with_details
from palermo.activities.tests.helpers import import_bytes, make_activity

pytestmark = pytest.mark.django_db

# A coordinator's own table: other headers, French labels, one activity over two rows (two
# provinces), one row with a bad country.
COORDINATOR_3W = "\n".join(
    [
        "Organisation;Projet;Code;Pays;Province;Secteur;Groupe cible;Début;Fin;Statut;Bailleur",
        "#org+impl;#activity+name;#activity+id;#country+code;#adm1+name;#sector;#beneficiary;"
        "#date+start;#date+end;#status;#org+donor",
        "Refuge Mali;Accueil des survivantes;RM-01;MLI;Bamako;Assistance aux victimes;"
        "Femmes|Filles;2025-01-01;2026-06-30;ongoing;Fonds X",
        "Refuge Mali;Accueil des survivantes;RM-01;MLI;Kayes;Assistance aux victimes;Femmes;"
        "2025-01-01;2026-06-30;ongoing;Fonds X",
        "Refuge Mali;Formation des policiers;;Mali;;Justice pénale;;15/02/2025;31/12/2025;planned;",
        "Autre ONG;Projet fantôme;;XXX;;;;;;;",
    ]
)


def _import(world: Any, content: bytes, name: str = "3w.csv") -> ActivityImport:
    return import_bytes(world.users["data_manager"], world.agency, content, name)


def test_a_coordinators_3w_table_imports_by_its_hashtags(world: Any) -> None:
    job = _import(world, COORDINATOR_3W.encode("utf-8"))
    assert (job.state, job.created, job.rejected) == ("done", 2, 1), job.problems
    assert any("XXX" in p["message"] for p in job.problems)
    shelter = Activity.objects.get(identifier="RM-01")
    assert shelter.title == {"en": "Accueil des survivantes"}
    assert sorted(p.name for p in shelter.places.all()) == ["Bamako", "Kayes"]
    assert [c.country_id for c in shelter.countries.all()] == ["ML"]
    codes = set(shelter.codes.values_list("kind", "code"))
    assert {(THEME, "victim_assistance"), (PILLAR, "protection")} <= codes
    assert {(TARGET_GROUP, "women"), (TARGET_GROUP, "girls")} <= codes
    assert shelter.status == Status.IMPLEMENTATION
    roles = {(p.role, p.name) for p in shelter.participants.all()}
    assert roles == {(Role.IMPLEMENTING, "Refuge Mali"), (Role.FUNDING, "Fonds X")}
    # No code given: one is made from the organisation, title and country; a day-first date.
    training = Activity.objects.exclude(identifier="RM-01").get()
    assert training.identifier.startswith("REFUGE-MALI-3W-")
    assert (training.status, str(training.start)) == (Status.PIPELINE, "2025-02-15")


def test_importing_the_table_again_changes_nothing(world: Any) -> None:
    _import(world, COORDINATOR_3W.encode("utf-8"))
    job = _import(world, COORDINATOR_3W.encode("utf-8"))
    assert (job.created, job.updated, job.unchanged) == (0, 0, 2)
    assert Activity.objects.count() == 2


def test_a_table_without_hashtags_is_refused_clearly(world: Any) -> None:
    job = _import(world, b"Organisation,Activity\nA,B\n")
    assert job.state == ActivityImport.State.FAILED
    assert "No HXL hashtags" in job.error
    assert not Activity.objects.exists()


def test_an_xlsx_3w_table_imports(world: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Org", "Activity", "Country", "Theme", "Form"])
    sheet.append(["#org+impl", "#activity+name", "#country+code", "#sector", "#impact"])
    sheet.append(["NGO Z", "Hotline", "NG", "victim_identification", "ForcedLabour"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = _import(world, buffer.getvalue(), "3w.xlsx")
    assert (job.state, job.created) == ("done", 1), job.error
    codes = set(Activity.objects.get().codes.values_list("kind", "code"))
    assert (EXPLOITATION, "ForcedLabour") in codes


def test_our_3w_export_imports_back_unchanged(world: Any) -> None:
    make_activity(
        world.agency,
        "AGA-3W",
        countries=["NG", "GH"],
        places=["Lagos"],
        codes={THEME: ["awareness_raising"], TARGET_GROUP: ["migrants"]},
    )
    text = io.StringIO()
    tables.write(with_details(Activity.objects.all()), text)
    lines = text.getvalue().splitlines()
    assert lines[1].startswith("#activity+code,#activity+name")
    # Header, hashtags, then one row per place and per country: Lagos (its country not stated
    # for an activity in two countries), Ghana, Nigeria.
    assert len(lines) == 5
    Activity.objects.all().delete()
    job = _import(world, text.getvalue().encode())
    assert (job.created, job.rejected) == (1, 0), job.problems
    back = Activity.objects.get()
    assert back.identifier == "AGA-3W"
    assert sorted(c.country_id for c in back.countries.all()) == ["GH", "NG"]
    assert (THEME, "awareness_raising") in set(back.codes.values_list("kind", "code"))


def test_a_formula_in_a_title_is_neutralised_in_the_export(world: Any) -> None:
    make_activity(world.agency, "AGA-F", title={"en": '=HYPERLINK("http://x")'})
    text = io.StringIO()
    tables.write(with_details(Activity.objects.all()), text)
    assert "'=HYPERLINK" in text.getvalue()
