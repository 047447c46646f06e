"""IATI activity XML: the real sample file, idempotent re-imports, bad files, and exports that
validate against the IATI 2.03 schema."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from palermo.activities import iati
from palermo.activities.data import PILLAR, SDG_TARGET, TARGET_GROUP, THEME
from palermo.activities.models import (
    Activity,
    ActivityCode,
    ActivityImport,
    Classification,
    FundingLink,
    Participation,
    Role,
    Status,
)
from palermo.activities.tests.helpers import IATI_SAMPLE, import_bytes, make_activity
from palermo.standard.interventions import VOCABULARY_URI

pytestmark = pytest.mark.django_db


def _import(world: Any, content: bytes, name: str = "file.xml") -> ActivityImport:
    return import_bytes(world.users["data_manager"], world.agency, content, name)


def test_the_iom_sample_file_imports_as_its_publisher_states_it(world: Any) -> None:
    job = _import(world, IATI_SAMPLE.read_bytes())
    assert (job.state, job.read, job.created, job.rejected) == ("done", 1, 1, 0)
    assert job.problems == []  # the d-portal file is valid once wrapped
    activity = Activity.objects.get()
    assert activity.identifier == "XM-DAC-47066-DP.2154"
    assert activity.owner == world.agency
    assert (activity.reporting_org_ref, activity.reporting_org_type) == ("XM-DAC-47066", "40")
    assert activity.reporting_org_name == "International Organization for Migration (IOM)"
    assert activity.title["en"].startswith("Promotion of Human Security")
    assert activity.status == Status.IMPLEMENTATION
    assert (activity.planned_start, activity.actual_start, activity.planned_end) == (
        date(2020, 3, 15),
        date(2020, 3, 15),
        date(2021, 3, 14),
    )
    assert (activity.start, activity.end) == (date(2020, 3, 15), date(2021, 3, 14))
    assert [c.country_id for c in activity.countries.all()] == ["SO"]
    # The office with its coordinates; the country-wide location is the country, not a place.
    assert [(p.name, p.latitude, p.longitude) for p in activity.places.all()] == [
        ("IOM Country Office - SO", 2.013475, 45.306415)
    ]
    assert (activity.budget, activity.currency) == (Decimal("1459753.72"), "USD")
    assert set(activity.codes.values_list("kind", "code")) == {("dac_sector", "72010")}
    assert activity.classification == Classification.NONE  # WASH work, not anti-trafficking
    roles = {(p.role, p.ref) for p in activity.participants.all()}
    assert roles == {(Role.FUNDING, "XM-DAC-701-2"), (Role.ACCOUNTABLE, "XM-DAC-47066")}
    # The funding chain: Japan's activity funds this one (participant and transaction agree).
    link = FundingLink.objects.get()
    assert (link.provider, link.recipient) == ("XM-DAC-701-2-YK/IOM/71", activity.identifier)
    assert link.amount == Decimal("1459753.72")
    contact = activity.contacts.get()
    assert (contact.organisation, contact.email) == ("IOM - Somalia", "iomsomalia@iom.int")


def test_importing_the_same_file_twice_changes_nothing(world: Any) -> None:
    _import(world, IATI_SAMPLE.read_bytes())
    before = Activity.objects.get()
    rows = (
        Participation.objects.count(),
        FundingLink.objects.count(),
        ActivityCode.objects.count(),
    )
    job = _import(world, IATI_SAMPLE.read_bytes())
    assert (job.read, job.created, job.updated, job.unchanged) == (1, 0, 0, 1)
    after = Activity.objects.get()
    assert after.pk == before.pk
    assert after.updated_at == before.updated_at
    assert rows == (
        Participation.objects.count(),
        FundingLink.objects.count(),
        ActivityCode.objects.count(),
    )


def test_an_updated_file_updates_the_activity(world: Any) -> None:
    _import(world, IATI_SAMPLE.read_bytes())
    changed = IATI_SAMPLE.read_bytes().replace(
        b'<activity-status code="2"/>', b'<activity-status code="4"/>'
    )
    job = _import(world, changed)
    assert (job.created, job.updated, job.unchanged) == (0, 1, 0)
    assert Activity.objects.get().status == Status.CLOSED


def test_another_organisation_cannot_overwrite_an_activity(world: Any) -> None:
    _import(world, IATI_SAMPLE.read_bytes())
    from palermo.accounts.models import Role as AccountRole
    from palermo.accounts.tests.factories import MembershipFactory

    other = MembershipFactory(organisation=world.other, role=AccountRole.DATA_MANAGER).user
    job = import_bytes(other, world.other, IATI_SAMPLE.read_bytes(), "x.xml")
    assert (job.state, job.rejected, job.created) == ("done", 1, 0)
    assert "another organisation" in job.problems[0]["message"]
    assert Activity.objects.get().owner == world.agency


def _two_activities(second: bytes) -> bytes:
    good = IATI_SAMPLE.read_bytes().split(b"?>", 1)[1]
    return b'<?xml version="1.0"?>\n<iati-activities version="2.03">' + good + second


def test_a_malformed_file_imports_nothing_and_says_where(world: Any) -> None:
    # The first activity is fine; the file breaks after it: nothing at all is written.
    job = _import(world, _two_activities(b"<iati-activity><iati-identifier>X</iati"))
    assert job.state == ActivityImport.State.FAILED
    assert "not well-formed XML (line" in job.error
    assert not Activity.objects.exists()
    assert (job.read, job.created) == (0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<html><body>Not IATI</body></html>", "not an IATI activity file"),
        (b'<iati-activities version="1.05"></iati-activities>', "version 1.05 is not supported"),
        (b"\xff\xfe garbage", "not well-formed"),
    ],
)
def test_files_that_are_not_iati_are_refused_clearly(
    world: Any, content: bytes, message: str
) -> None:
    job = _import(world, content)
    assert job.state == ActivityImport.State.FAILED
    assert message in job.error


def test_an_activity_without_identifier_is_refused_and_the_others_import(world: Any) -> None:
    job = _import(
        world,
        _two_activities(
            b'<iati-activity><reporting-org ref="X" type="10"/>'
            b"<title><narrative>No id</narrative></title></iati-activity></iati-activities>"
        ),
    )
    assert (job.state, job.read, job.created, job.rejected) == ("done", 2, 1, 1)
    messages = [p["message"] for p in job.problems]
    assert any("no usable iati-identifier" in m for m in messages)
    # The schema's complaints are reported too, without refusing what can be read.
    assert any("IATI 2.03 schema" in m for m in messages)


def test_an_external_entity_is_not_read(world: Any, tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    content = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>XE-1</iati-identifier>'
        '<reporting-org ref="XE" type="10"/><title><narrative>&s;</narrative></title>'
        '<activity-status code="2"/></iati-activity></iati-activities>'
    ).encode()
    job = _import(world, content)
    assert job.state == ActivityImport.State.FAILED
    assert "document type" in job.error
    assert not Activity.objects.exists()


def _exported(activities: Any) -> bytes:
    buffer = io.BytesIO()
    iati.write(activities, buffer)
    return buffer.getvalue()


def test_an_export_validates_against_the_iati_schema_and_carries_the_vocabulary(world: Any) -> None:
    make_activity(
        world.agency,
        "AGA-1",
        title={"en": "Shelter for women", "fr": "Foyer pour femmes"},
        description={"en": "Shelter & legal aid <for> survivors"},
        countries=["NG", "GH"],
        places=["Lagos"],
        codes={THEME: ["victim_assistance", "access_to_justice"], TARGET_GROUP: ["women"]},
        budget=Decimal("1000.50"),
        currency="EUR",
    )
    _import(world, IATI_SAMPLE.read_bytes())
    from palermo.activities.selectors import with_details

    content = _exported(with_details(Activity.objects.order_by("identifier")))
    document = etree.fromstring(content)
    assert iati.schema().validate(document.getroottree()), iati.schema().error_log
    ours = document.find("iati-activity")
    assert ours is not None
    assert ours.findtext("iati-identifier") == "AGA-1"
    shares = [c.get("percentage") for c in ours.findall("recipient-country")]
    assert sum(Decimal(s) for s in shares) == 100
    tags = {(t.get("vocabulary"), t.get("code")) for t in ours.findall("tag")}
    # Our codes under the vocabulary's URI, and the SDG targets the themes map to.
    assert ("99", "victim_assistance") in tags
    assert ("99", "women") in tags
    assert ("99", "protection") in tags
    assert ("3", "8.7") in tags
    assert ("3", "16.3") in tags
    assert {t.get("vocabulary-uri") for t in ours.findall("tag[@vocabulary='99']")} == {
        VOCABULARY_URI
    }
    assert {s.get("code") for s in ours.findall("sector")} >= {"15180", "15130"}


def test_an_exported_file_imports_back_with_its_codes(world: Any) -> None:
    from palermo.activities.selectors import with_details

    make_activity(
        world.agency,
        "AGA-2",
        codes={THEME: ["criminal_justice"], TARGET_GROUP: ["practitioners"]},
    )
    content = _exported(with_details(Activity.objects.all()))
    Activity.objects.all().delete()
    job = _import(world, content)
    assert (job.created, job.rejected) == (1, 0)
    activity = Activity.objects.get()
    codes = set(activity.codes.values_list("kind", "code"))
    assert {
        (THEME, "criminal_justice"),
        (TARGET_GROUP, "practitioners"),
        (PILLAR, "prosecution"),
    } <= codes
    assert (SDG_TARGET, "16.3") in codes
    assert activity.classification == Classification.DECLARED


def test_an_imported_activity_naming_trafficking_is_classified_as_such(world: Any) -> None:
    content = (
        b'<iati-activities version="2.02"><iati-activity xml:lang="fr">'
        b"<iati-identifier>XF-9</iati-identifier>"
        b'<reporting-org ref="XF" type="21"><narrative>ONG</narrative></reporting-org>'
        b"<title><narrative>Lutte contre la traite des \xc3\xaatres humains</narrative></title>"
        b'<activity-status code="2"/><recipient-country code="ML"/>'
        b'<sector vocabulary="1" code="16070"/></iati-activity></iati-activities>'
    )
    _import(world, content)
    activity = Activity.objects.get()
    assert activity.classification == Classification.DERIVED
    assert activity.title == {"fr": "Lutte contre la traite des êtres humains"}
    # Labour rights is the one DAC sector a single theme maps to.
    assert (THEME, "labour_market_measures") in set(activity.codes.values_list("kind", "code"))


def test_the_commands_import_and_export(world: Any, tmp_path: Any, capsys: Any) -> None:
    user = world.users["data_manager"]
    call_command(
        "import_activities", str(IATI_SAMPLE), "--org", world.agency.acronym, "--as", user.username
    )
    assert "1 created" in capsys.readouterr().out
    call_command(
        "import_activities", str(IATI_SAMPLE), "--org", world.agency.acronym, "--as", user.username
    )
    assert "1 unchanged" in capsys.readouterr().out
    assert IATI_SAMPLE.exists()  # the command works on a copy
    target = tmp_path / "out.xml"
    call_command(
        "export_activities", "--format", "iati", "--output", str(target), "--country", "SO"
    )
    exported = etree.parse(str(target))
    assert iati.schema().validate(exported)
    assert exported.findtext("iati-activity/iati-identifier") == "XM-DAC-47066-DP.2154"
