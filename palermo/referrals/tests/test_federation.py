"""Cross-border referrals between two Palermo installations: signed messages, refused and
audited when the sender is unknown or the signature bad; a referral and its answer travel
both ways carrying only the chosen fields."""

from __future__ import annotations

import base64
import copy
import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from palermo.audit.models import AuditEvent
from palermo.cases import services as case_services
from palermo.cases.tests.helpers import make_case
from palermo.referrals import federation, services
from palermo.referrals.models import Message, Peer, Referral, ReferralStatus

pytestmark = pytest.mark.django_db

ABROAD = Ed25519PrivateKey.generate()


def _public(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()


@pytest.fixture
def peer(db):  # type: ignore[no-untyped-def]
    return Peer.objects.create(
        installation_id="palermo.abroad.example", name="Abroad", public_key=_public(ABROAD)
    )


def referral_from_abroad(world, **changes):  # type: ignore[no-untyped-def]
    message = {
        "format": federation.FORMAT,
        "id": "m-1",
        "sender": "palermo.abroad.example",
        "sent_at": timezone.now().isoformat(),
        "type": "referral",
        "referral": "r-1",
        "from_organisation": "Border NGO",
        "to_organisation": world.other.acronym,
        "kind": "general",
        "need": "shelter",
        "urgency": "urgent",
        "respond_by": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
        "shared": {"gender": "Female", "exploitation": ["SexualExploitation"]},
    }
    message.update(changes)
    return message


def test_a_signed_referral_from_a_known_peer_is_taken(client, world, peer) -> None:  # type: ignore[no-untyped-def]
    envelope = federation.sign(referral_from_abroad(world), ABROAD)
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 202
    referral = Referral.objects.get()
    assert (referral.to_organisation, referral.case, referral.peer) == (world.other, None, peer)
    assert referral.shared == {"gender": "Female", "exploitation": ["SexualExploitation"]}
    kept = Message.objects.get()
    assert kept.body["shared"] == ["exploitation", "gender"]  # names only, never values
    assert AuditEvent.objects.filter(action="referrals.message_received").count() == 1
    # A second delivery of the same message is refused.
    again = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert again.status_code == 400


@pytest.mark.parametrize("problem", ["bad signature", "unknown sender", "tampered"])
def test_bad_signatures_and_unknown_senders_are_refused_and_audited(  # type: ignore[no-untyped-def]
    client, world, peer, problem
) -> None:
    message = referral_from_abroad(world)
    if problem == "bad signature":
        envelope = federation.sign(message, Ed25519PrivateKey.generate())
    elif problem == "unknown sender":
        envelope = federation.sign({**message, "sender": "palermo.stranger"}, ABROAD)
    else:
        envelope = federation.sign(message, ABROAD)
        envelope = copy.deepcopy(envelope)
        envelope["message"]["shared"]["gender"] = "Male"
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 403
    assert not Referral.objects.exists()
    refusal = AuditEvent.objects.get(action="referrals.message_refused")
    assert refusal.detail["reason"] in ("bad signature", "unknown sender")
    assert "Female" not in str(Message.objects.get().body)


def test_an_old_message_is_refused(client, world, peer) -> None:  # type: ignore[no-untyped-def]
    stale = referral_from_abroad(world, sent_at="2020-01-01T00:00:00+00:00")
    response = client.post(
        "/api/v1/referrals/inbox/", federation.sign(stale, ABROAD), content_type="application/json"
    )
    assert response.status_code == 400


def test_accepting_a_referral_from_abroad_answers_with_a_signed_status(world, peer) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world), ABROAD))
    referral = Referral.objects.get()
    services.accept(actor=world.users["other_case_worker"], referral=referral)
    answer = Message.objects.get(direction=Message.Direction.OUT)
    assert answer.body["status"] == "accepted"
    assert answer.body["referral"] == "r-1"
    signed = answer.envelope
    peer_here = Peer(
        installation_id=federation.settings.PALERMO_INSTALLATION_ID,
        name="us",
        public_key=federation.public_key(),
    )
    peer_here.save()
    # The signature verifies with this installation's published key.
    assert federation.verify(signed)[0] == peer_here


def test_a_referral_sent_abroad_carries_only_the_chosen_fields_and_takes_the_answer(
    world, peer
) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    case_services.record_consent(case, worker, "referral", "given", "person", timezone.localdate())
    referral = services.refer_abroad(
        actor=worker,
        case=case,
        peer=peer,
        remote_organisation="SHELTER-X",
        data=services.ReferralData(to_organisation=None, need="shelter", fields=["gender"]),
    )
    sent = Message.objects.get(direction=Message.Direction.OUT)
    assert sent.envelope["message"]["shared"] == {"gender": case.person.gender}
    assert case.person.family_name not in str(sent.envelope)
    answer = {
        "format": federation.FORMAT,
        "id": "a-1",
        "sender": "palermo.abroad.example",
        "sent_at": timezone.now().isoformat(),
        "type": "status",
        "referral": str(referral.pk),
        "status": "declined",
        "reason": "No place",
    }
    federation.receive(federation.sign(answer, ABROAD))
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (ReferralStatus.DECLINED, "No place")


def test_withdrawn_consent_reaches_the_other_installation(world, peer) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    case_services.record_consent(case, worker, "referral", "given", "person", timezone.localdate())
    services.refer_abroad(
        actor=worker,
        case=case,
        peer=peer,
        remote_organisation="SHELTER-X",
        data=services.ReferralData(to_organisation=None, need="shelter", fields=["gender"]),
    )
    case_services.record_consent(
        case, worker, "referral", "withdrawn", "person", timezone.localdate()
    )
    statuses = [m.body.get("status") for m in Message.objects.filter(kind="status")]
    assert statuses == ["revoked"]
