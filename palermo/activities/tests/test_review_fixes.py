"""What a review of the registry found: members-only activities made public again by a
re-import or read by an unverified member, edits that lost imported data, input that broke
pages, exports or imports."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from palermo.activities import iati, services, tables
from palermo.activities.data import PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import Activity, FundingLink, Status
from palermo.activities.selectors import with_details
from palermo.activities.tests.helpers import IATI_SAMPLE, import_bytes, make_activity

pytestmark = pytest.mark.django_db


def _import(world: Any, content: bytes, name: str = "file.xml") -> Any:
    return import_bytes(world.users["data_manager"], world.agency, content, name)


def _edit(client: Client, activity: Activity, **changes: Any) -> None:
    from palermo.activities.forms import initial_for

    form = {k: v for k, v in initial_for(activity, "en").items() if v not in (None, "")}
    form.pop("is_public")  # unticked unless the change ticks it
    form.update(changes)
    response = client.post(f"/activities/{activity.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]


def test_a_reimport_keeps_a_members_only_activity_hidden(
    world: Any, login_as: Callable[..., Client]
) -> None:
    _import(world, IATI_SAMPLE.read_bytes())
    activity = Activity.objects.get()
    _edit(login_as(world.users["data_manager"]), activity)  # unticks "public"
    assert not Activity.objects.get().is_public
    changed = IATI_SAMPLE.read_bytes().replace(b'code="2"/>', b'code="3"/>', 1)
    job = _import(world, changed)
    assert job.updated == 1
    assert not Activity.objects.get().is_public
    assert Client().get(f"/activities/{activity.pk}/").status_code == 404


def test_editing_an_imported_activity_keeps_what_the_form_does_not_show(
    world: Any, login_as: Callable[..., Client]
) -> None:
    _import(world, IATI_SAMPLE.read_bytes())
    activity = with_details(Activity.objects.all()).get()
    _edit(login_as(world.users["data_manager"]), activity, is_public="on", status="3")
    after = Activity.objects.get()
    assert after.status == Status.FINALISATION
    assert FundingLink.objects.filter(stated_by=after).count() == 1
    assert ("dac_sector", "72010") in set(after.codes.values_list("kind", "code"))
    assert after.places.get().latitude == 2.013475
    assert {p.ref for p in after.participants.all()} == {"XM-DAC-701-2", "XM-DAC-47066"}
    assert after.contacts.get().organisation == "IOM - Somalia"


def test_an_unverified_member_reads_no_members_only_activity_through_the_api(
    world: Any, login_as: Callable[..., Client]
) -> None:
    hidden = make_activity(world.other, "OTH-SAFE", is_public=False)
    unverified = login_as(world.users["data_manager"], verified=False)
    assert unverified.get(f"/api/v1/activities/{hidden.pk}/").status_code in (403, 404)
    verified = login_as(world.users["data_manager"])
    assert verified.get(f"/api/v1/activities/{hidden.pk}/").status_code == 200


def test_an_organisation_code_with_a_slash_breaks_no_page(world: Any, client: Client) -> None:
    activity = make_activity(world.agency, "AGA-SLASH", reporting_org_ref="UNODC/ROSEA")
    assert client.get("/activities/").status_code == 200
    assert client.get(f"/activities/{activity.pk}/").status_code == 200
    page = client.get("/activities/organisations/UNODC/ROSEA/")
    assert page.status_code == 200
    assert "Activity AGA-SLASH" in page.content.decode()


def test_numbers_a_column_cannot_hold_refuse_the_activity_not_the_file(world: Any) -> None:
    huge = IATI_SAMPLE.read_bytes().replace(
        b">1459753.72</value>\n  </budget>", b">1e20</value>\n  </budget>"
    )
    assert huge != IATI_SAMPLE.read_bytes()
    job = _import(world, huge)
    assert (job.state, job.rejected, job.created) == ("done", 1, 0)
    assert any("below 10^14" in p["message"] for p in job.problems)
    table = (
        "Org,Activity,Country,Budget\n#org+impl,#activity+name,#country+code,#value+budget\n"
        "NGO,Hotline,NG,NaN\nNGO,Shelter,NG,1000\n"
    )
    job = _import(world, table.encode(), "3w.csv")
    assert (job.state, job.created) == ("done", 2)
    assert any("'NaN' is not an amount" in p["message"] for p in job.problems)
    assert Activity.objects.get(title__en="Shelter").budget == Decimal(1000)


def test_malformed_query_parameters_are_ignored_or_not_found(world: Any, client: Client) -> None:
    make_activity(world.agency, "AGA-Q", budget=Decimal(500), currency="USD")
    assert client.get("/activities/?budget_min=NaN&budget_max=Infinity").status_code == 200
    assert client.get("/activities/export.hxl?budget_min=sNaN&q=%00").status_code == 200
    assert client.get("/activities/organisations/NOPE/?page=1").status_code == 404


def test_a_control_character_in_a_title_does_not_break_the_iati_export(
    world: Any, client: Client
) -> None:
    make_activity(world.agency, "AGA-CTRL", title={"en": "Shelter\x0c for women\x01"})
    assert Activity.objects.get().title == {"en": "Shelter for women"}
    response = client.get("/activities/export.iati")
    assert iati.schema().validate(etree.fromstring(response.content).getroottree())


def test_our_3w_export_keeps_a_pipeline_status_and_a_neutralised_title(world: Any) -> None:
    make_activity(world.agency, "AGA-P", status=Status.PIPELINE, title={"en": "-20% child labour"})
    text = io.StringIO()
    tables.write(with_details(Activity.objects.all()), text)
    Activity.objects.all().delete()
    _import(world, text.getvalue().encode(), "3w.csv")
    back = Activity.objects.get()
    assert back.status == Status.PIPELINE
    assert back.title == {"en": "-20% child labour"}


def test_the_form_does_not_overwrite_an_existing_identifier(
    world: Any, login_as: Callable[..., Client]
) -> None:
    make_activity(world.agency, "AGA-TAKEN", title={"en": "Original"})
    client = login_as(world.users["data_manager"])
    response = client.post(
        "/activities/new/",
        {
            "owner": world.agency.pk,
            "identifier": "AGA-TAKEN",
            "language": "en",
            "title": "Replacement",
            "status": "1",
            "countries": ["NG"],
            "is_public": "on",
        },
    )
    assert "already registered" in response.content.decode()
    assert Activity.objects.get().title == {"en": "Original"}


def test_plain_words_are_not_anti_trafficking_work() -> None:
    from palermo.activities.vocabulary import mentions_trafficking

    for text in (
        "Se trata de un proyecto de agua potable",
        "Le projet traite des eaux usées",
        "Counter drug trafficking at the border",
    ):
        assert not mentions_trafficking(text), text
    for text in (
        "Combating trafficking in persons",
        "Lutte contre la traite des êtres humains",
        "Prevención de la trata de personas",
        "Противодействие торговле людьми",
    ):
        assert mentions_trafficking(text), text


def test_training_officials_does_not_cover_victims_needs(world: Any) -> None:
    from palermo.activities import gaps

    make_activity(
        world.agency,
        "AGA-TRAIN",
        countries=["TH"],
        codes={
            PILLAR: ["protection"],
            THEME: ["victim_identification"],
            TARGET_GROUP: ["practitioners"],
        },
    )
    need = gaps.Need("Male", 40, sex="Male")
    codes = services.data_of(Activity.objects.get()).codes
    assert not gaps.covers(codes, need)
    assert gaps.covers(codes, gaps.Need("Forced labour", 40, form="ForcedLabour"))


def test_a_commitment_and_its_payment_are_not_counted_twice(world: Any) -> None:
    def transaction(kind: str, amount: str, currency: str = "USD") -> bytes:
        return (
            f'<transaction><transaction-type code="{kind}"/>'
            f'<transaction-date iso-date="2020-03-01"/>'
            f'<value currency="{currency}" value-date="2020-03-01">{amount}</value>'
            f'<provider-org provider-activity-id="XF-FUNDER-1"/></transaction>'
        ).encode()

    head = (
        b'<iati-activities version="2.03"><iati-activity><iati-identifier>XF-2'
        b'</iati-identifier><reporting-org ref="XF" type="21"/><title><narrative>T</narrative>'
        b'</title><activity-status code="2"/>'
    )
    tail = b"</iati-activity></iati-activities>"
    content = head + transaction("11", "100") + transaction("1", "100") + transaction("13", "999")
    _import(world, content + tail)
    link = FundingLink.objects.get()
    assert (link.provider, link.amount, link.currency) == ("XF-FUNDER-1", Decimal(100), "USD")
    mixed = head.replace(b"XF-2", b"XF-3") + transaction("1", "50") + transaction("1", "70", "EUR")
    _import(world, mixed + tail)
    assert FundingLink.objects.get(recipient="XF-3").amount is None


def test_a_members_only_activity_reaches_the_public_through_no_overlap_or_funding_link(
    world: Any,
) -> None:
    shelter = {
        "countries": ["NG"],
        "places": ["Lagos"],
        "codes": {PILLAR: ["protection"], THEME: ["victim_assistance"], TARGET_GROUP: ["women"]},
        "description": {"en": "Shelter, counselling and legal aid for women survivors."},
    }
    public = make_activity(world.agency, "AGA-PUB", title={"en": "Public shelter"}, **shelter)
    hidden = make_activity(
        world.other, "OTH-HIDDEN", title={"en": "Hidden safe house"}, is_public=False, **shelter
    )
    FundingLink.objects.create(provider="OTH-HIDDEN", recipient="AGA-PUB", stated_by=hidden)
    FundingLink.objects.create(provider="AGA-PUB", recipient="OTH-HIDDEN", stated_by=public)
    anonymous = Client()
    page = anonymous.get(f"/activities/{public.pk}/").content.decode()
    assert "Hidden safe house" not in page
    # The link the hidden activity states is not shown; the one the public activity states
    # names its other end by the identifier it stated, without a link to a hidden page.
    assert "Funded by" not in page
    assert "OTH-HIDDEN" in page
    assert f"/activities/{hidden.pk}/" not in page
    api = anonymous.get(f"/api/v1/activities/{public.pk}/overlaps/").json()
    assert [m["identifier"] for m in api] == []
    member = Client()
    member.force_login(world.users["analyst"])
    assert "Hidden safe house" in member.get(f"/activities/{public.pk}/").content.decode()
