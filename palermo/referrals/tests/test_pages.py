"""The referral pages: a case worker refers from a case; the receiving case worker sees only
what was shared, accepts or declines; the referring side sees the status."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from palermo.cases import services as case_services
from palermo.cases.tests.helpers import make_case
from palermo.referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    case_services.record_consent(
        case, world.users["case_worker"], "referral", "given", "person", timezone.localdate()
    )
    return case


def test_refer_then_accept_through_the_pages(login_as, world, case) -> None:  # type: ignore[no-untyped-def]
    worker = login_as(world.users["case_worker"])
    assert (
        "Refer the person" in worker.get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    response = worker.post(
        reverse("referrals:new", args=[case.pk]),
        {
            "to_organisation": world.other.pk,
            "kind": "general",
            "need": "shelter",
            "urgency": "urgent",
            "shared_fields": ["gender", "exploitation"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = Referral.objects.get()
    receiver = login_as(world.users["other_case_worker"])
    page = receiver.get(reverse("referrals:referral", args=[referral.pk])).content.decode()
    assert "Gender" in page
    assert case.person.family_name not in page
    assert case.reference not in page
    assert "F, e, m" not in page  # values are shown whole, not letter by letter
    assert case.person.gender in page
    assert "Shelter intake desk" not in page
    receiver.post(reverse("referrals:answer", args=[referral.pk]), {"decision": "accept"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert receiver.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert receiver.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    listed = receiver.get("/api/v1/cases/").json()
    assert str(case.pk) not in str(listed)
    # Nor through search (by reference or exact name) or the export of the person's record.
    for query in (case.reference, case.person.family_name):
        found = receiver.get(reverse("cases:list"), {"q": query}).content.decode()
        assert str(case.pk) not in found, query  # (the query itself is echoed in the form)
    record = receiver.post(reverse("cases:export_person", args=[case.pk]))
    assert record.status_code in (403, 404)
    sender = login_as(world.users["case_worker"])
    sent = sender.get(reverse("referrals:list"), {"box": "sent"}).content.decode()
    assert "Accepted" in sent
    assert sender.get(reverse("cases:detail", args=[referral.linked_case_id])).status_code == 404


def test_a_referral_without_consent_is_refused_on_the_page(login_as, world) -> None:  # type: ignore[no-untyped-def]
    unconsented = make_case(world.agency, world.users["case_worker"])
    worker = login_as(world.users["case_worker"])
    response = worker.post(
        reverse("referrals:new", args=[unconsented.pk]),
        {
            "to_organisation": world.other.pk,
            "kind": "general",
            "need": "shelter",
            "urgency": "routine",
            "shared_fields": ["gender"],
        },
    )
    assert response.status_code == 200
    assert "has not given consent to referral" in response.content.decode()
    assert not Referral.objects.exists()


def test_outsiders_do_not_see_a_referral(login_as, world, case) -> None:  # type: ignore[no-untyped-def]
    worker = login_as(world.users["case_worker"])
    worker.post(
        reverse("referrals:new", args=[case.pk]),
        {
            "to_organisation": world.other.pk,
            "kind": "general",
            "need": "health",
            "urgency": "routine",
            "shared_fields": ["gender"],
        },
    )
    referral = Referral.objects.get()
    for who in ("analyst", "other_administrator", "no_membership"):
        client = login_as(world.users[who])
        assert client.get(reverse("referrals:referral", args=[referral.pk])).status_code == 404


def test_refer_to_another_installation_through_the_page(login_as, world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.referrals.models import Message, Peer

    peer = Peer.objects.create(
        installation_id="palermo.abroad.example",
        name="Abroad",
        public_key="MCowBQYDK2VwAyEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    worker = login_as(world.users["case_worker"])
    response = worker.post(
        reverse("referrals:new", args=[case.pk]),
        {
            "peer": peer.pk,
            "remote_organisation": "SHT",
            "kind": "general",
            "need": "shelter",
            "urgency": "routine",
            "shared_fields": ["gender"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = Referral.objects.get()
    assert (referral.peer, referral.remote_organisation, referral.to_organisation) == (
        peer,
        "SHT",
        None,
    )
    assert Message.objects.get().envelope["fields"] == ["gender"]
    both = worker.post(
        reverse("referrals:new", args=[case.pk]),
        {
            "peer": peer.pk,
            "to_organisation": world.other.pk,
            "remote_organisation": "SHT",
            "kind": "general",
            "need": "shelter",
            "urgency": "routine",
            "shared_fields": ["gender"],
        },
    )
    assert "Choose an organisation here, or another installation" in both.content.decode()
