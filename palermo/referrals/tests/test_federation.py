"""Cross-border referrals between two Palermo installations: signed messages, refused and
audited when the sender is unknown or the signature bad; a referral and its answer travel
both ways carrying only the chosen fields."""

from __future__ import annotations

import base64
import copy
import datetime
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
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


def capture_delivery(monkeypatch) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """Stand in for the peer's inbox: what ``deliver`` posts lands in the returned dict."""
    posted: dict = {}  # type: ignore[type-arg]

    class Reply:
        status = 202

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *args):  # type: ignore[no-untyped-def]
            return False

    def fake_open(request, timeout):  # type: ignore[no-untyped-def]
        posted["body"] = json.loads(request.data)
        return Reply()

    monkeypatch.setattr(federation._OPENER, "open", fake_open)
    return posted


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
        "recipient": settings.PALERMO_INSTALLATION_ID,
        "type": "referral",
        "referral": "r-1",
        "from_organisation": "Border NGO",
        "to_organisation": world.other.acronym,
        "kind": "general",
        "need": "shelter",
        "urgency": "urgent",
        "respond_by": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
        "shared": {"gender": "Feminine", "exploitation": ["SexualExploitation"]},
    }
    message.update(changes)
    return message


def test_a_signed_referral_from_a_known_peer_is_taken(client, world, peer) -> None:  # type: ignore[no-untyped-def]
    envelope = federation.sign(referral_from_abroad(world), ABROAD)
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 202
    referral = Referral.objects.get()
    assert (referral.to_organisation, referral.case, referral.peer) == (world.other, None, peer)
    assert referral.shared == {"gender": "Feminine", "exploitation": ["SexualExploitation"]}
    kept = Message.objects.get()
    assert kept.body["shared"] == ["exploitation", "gender"]  # names only, never values
    assert AuditEvent.objects.filter(action="referrals.message_received").count() == 1
    # A second delivery of the same message (its sender missed the answer) is answered as
    # taken, and changes nothing.
    again = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert again.status_code == 202
    assert again.json()["outcome"] == "accepted"
    assert (Referral.objects.count(), Message.objects.count()) == (1, 1)


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
        envelope["message"]["shared"]["gender"] = "Masculine"
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 403
    assert not Referral.objects.exists()
    refusal = AuditEvent.objects.get(action="referrals.message_refused")
    assert refusal.detail["reason"] in ("bad signature", "unknown sender")
    assert "Feminine" not in str(Message.objects.get().body)


def test_an_old_message_is_refused(client, world, peer) -> None:  # type: ignore[no-untyped-def]
    stale = referral_from_abroad(world, sent_at="2020-01-01T00:00:00+00:00")
    response = client.post(
        "/api/v1/referrals/inbox/", federation.sign(stale, ABROAD), content_type="application/json"
    )
    assert response.status_code == 400


def test_accepting_a_referral_from_abroad_answers_with_a_signed_status(
    world, peer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world), ABROAD))
    referral = Referral.objects.get()
    services.accept(actor=world.users["other_case_worker"], referral=referral)
    answer = Message.objects.get(direction=Message.Direction.OUT)
    assert answer.body["status"] == "accepted"
    assert answer.body["referral"] == "r-1"
    # Delivered, it is signed then, for its recipient, and verifies with our published key.
    peer.url = "https://palermo.abroad.example"
    peer.save()
    posted = capture_delivery(monkeypatch)
    assert federation.deliver(answer)
    signed = posted["body"]
    assert signed["message"]["recipient"] == "palermo.abroad.example"
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(federation.public_key()))
    public.verify(base64.b64decode(signed["signature"]), federation.canonical(signed["message"]))
    answer.refresh_from_db()
    assert answer.envelope_enc == ""


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
    # Queued: the names of the fields; the values are read when it is delivered.
    assert sent.envelope["fields"] == ["gender"]
    assert case.person.family_name not in str(sent.envelope)
    answer = {
        "format": federation.FORMAT,
        "id": "a-1",
        "sender": "palermo.abroad.example",
        "sent_at": timezone.now().isoformat(),
        "type": "status",
        "referral": str(referral.pk),
        "recipient": settings.PALERMO_INSTALLATION_ID,
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
    # The referral never left: it is dropped from the queue, and nothing is sent.
    assert not Message.objects.filter(direction=Message.Direction.OUT).exists()


def test_a_delivered_referral_is_revoked_abroad_when_consent_is_withdrawn(world, peer) -> None:  # type: ignore[no-untyped-def]
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
    Message.objects.update(delivered_at=timezone.now(), envelope_enc="")
    case_services.record_consent(
        case, worker, "referral", "withdrawn", "person", timezone.localdate()
    )
    statuses = [m.body.get("status") for m in Message.objects.filter(kind="status")]
    assert statuses == ["revoked"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"person_name": "Jane"}, "unknown fields"),
        ({"shared": {"age": "abc"}}, "bad shared value"),
        ({"shared": {"identification_country": "Narnia"}}, "bad shared value"),
        ({"recipient": "palermo.elsewhere"}, "message for another installation"),
        ({"sent_at": "2026-11-29T10:00:00"}, "message too old or from the future"),
        ({"sent_at": "2026-13-45T10:00:00+00:00"}, "message too old or from the future"),
        ({"need": "shel\x00ter"}, "malformed message"),
        (
            {"kind": "child_protection", "shared": {"gender": "Feminine"}},
            "a child's referral without a best-interests determination",
        ),
    ],
)
def test_malformed_referrals_are_refused_kept_without_values_and_audited(  # type: ignore[no-untyped-def]
    client, world, peer, change, reason
) -> None:
    envelope = federation.sign(referral_from_abroad(world, **change), ABROAD)
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == reason
    assert not Referral.objects.exists()
    kept = Message.objects.get()
    assert "Jane" not in str(kept.body)
    assert AuditEvent.objects.filter(action="referrals.message_refused").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        '{"message": {"format": "palermo-referral/1", "sender": "\\ud800"}, "signature": "x"}',
        '{"message": {"format": "x\\u0000", "sender": "a"}, "signature": "x"}',
        '["not", "an", "envelope"]',
    ],
)
def test_the_inbox_never_breaks_on_a_strangers_message(client, db, body) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/referrals/inbox/", body, content_type="application/json")
    assert response.status_code in (400, 403)
    assert AuditEvent.objects.filter(action="referrals.message_refused").count() == 1


def test_a_peer_cannot_set_a_status_out_of_turn(world, peer) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world), ABROAD))
    forced = {
        "format": federation.FORMAT,
        "id": "s-1",
        "sender": "palermo.abroad.example",
        "recipient": settings.PALERMO_INSTALLATION_ID,
        "sent_at": timezone.now().isoformat(),
        "type": "status",
        "referral": "r-1",
        "status": "accepted",
    }
    with pytest.raises(federation.MessageRefusedError, match="not allowed"):
        federation.receive(federation.sign(forced, ABROAD))
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_a_huge_message_is_refused_before_it_is_read(client, db) -> None:  # type: ignore[no-untyped-def]
    body = '{"message": {"x": "' + "a" * (federation.MAX_BYTES + 10) + '"}, "signature": ""}'
    response = client.post("/api/v1/referrals/inbox/", body, content_type="application/json")
    assert response.status_code == 413
    assert AuditEvent.objects.filter(action="referrals.message_refused").count() == 1


def test_a_body_that_is_not_json_is_refused_and_audited(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/referrals/inbox/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="referrals.message_refused").count() == 1


def test_identifiers_leave_only_as_far_as_consent_goes_when_delivered(
    world, peer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    today = timezone.localdate()
    case_services.record_consent(
        case, worker, "referral", "given", "person", today, covers_identifiers=True
    )
    services.refer_abroad(
        actor=worker,
        case=case,
        peer=peer,
        remote_organisation="SHELTER-X",
        data=services.ReferralData(to_organisation=None, need="shelter", fields=["name", "gender"]),
    )
    case_services.record_consent(case, worker, "referral", "given", "person", today)
    peer.url = "https://palermo.abroad.example"
    peer.save()
    posted = capture_delivery(monkeypatch)
    assert federation.deliver(Message.objects.get(kind="referral"))
    assert posted["body"]["message"]["shared"] == {"gender": case.person.gender}


def test_a_late_referral_sent_abroad_alerts_its_worker(
    world, peer, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    worker = world.users["case_worker"]
    worker.email = "worker@example.org"
    worker.save()
    case = make_case(world.agency, worker)
    case_services.record_consent(case, worker, "referral", "given", "person", timezone.localdate())
    referral = services.refer_abroad(
        actor=worker,
        case=case,
        peer=peer,
        remote_organisation="SHELTER-X",
        data=services.ReferralData(to_organisation=None, need="shelter", fields=["gender"]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(referral.respond_by + datetime.timedelta(hours=1)) == 1
    assert mail.outbox[0].to == ["worker@example.org"]


def test_erasure_and_rotation_cover_referrals_and_messages_from_abroad(  # type: ignore[no-untyped-def]
    world, peer, settings
) -> None:
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory
    from palermo.cases.subject_rights import erase_person

    message = referral_from_abroad(world, note="Ada Obi, phone 0803")
    federation.receive(federation.sign(message, ABROAD))
    referral = Referral.objects.get()
    services.accept(actor=world.users["other_case_worker"], referral=referral)
    answer = Message.objects.get(direction=Message.Direction.OUT)
    # Key rotation re-encrypts the referral's values and the queued message.
    old = settings.PALERMO_ENCRYPTION_KEYS[0]
    settings.PALERMO_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    call_command("rotate_keys")
    settings.PALERMO_ENCRYPTION_KEYS = settings.PALERMO_ENCRYPTION_KEYS[:1]
    referral = Referral.objects.get()
    assert referral.note == "Ada Obi, phone 0803"
    assert referral.shared["gender"] == "Feminine"
    assert Message.objects.get(pk=answer.pk).envelope["status"] == "accepted"
    # Erasing the person of the linked case clears what came from abroad.
    supervisor = MembershipFactory(organisation=world.other, role=Role.SUPERVISOR).user
    referral.refresh_from_db()
    erase_person(referral.linked_case, supervisor, "The person asked")
    row = Referral.objects.filter(pk=referral.pk).values("note_enc", "shared_enc").get()
    assert row == {"note_enc": "", "shared_enc": ""}


def answer_delivery(monkeypatch, code: int, reason: str = "") -> list:  # type: ignore[type-arg]
    """Stand in for a peer's inbox answering every POST with HTTP ``code``; returns the list
    of what was posted."""
    import io
    import urllib.error

    posted: list = []  # type: ignore[type-arg]

    def fake_open(request, timeout):  # type: ignore[no-untyped-def]
        posted.append(json.loads(request.data))
        body = json.dumps({"error": {"status": code, "code": "refused", "message": reason}})
        raise urllib.error.HTTPError(request.full_url, code, reason, {}, io.BytesIO(body.encode()))

    monkeypatch.setattr(federation._OPENER, "open", fake_open)
    return posted


def queued_referral_abroad(world, peer):  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    worker.email = "worker@example.org"
    worker.save()
    case = make_case(world.agency, worker)
    case_services.record_consent(case, worker, "referral", "given", "person", timezone.localdate())
    peer.url = "https://palermo.abroad.example"
    peer.save()
    return services.refer_abroad(
        actor=worker,
        case=case,
        peer=peer,
        remote_organisation="TYPO",
        data=services.ReferralData(to_organisation=None, need="shelter", fields=["gender"]),
    )


def test_a_refused_delivery_is_recorded_told_and_never_sent_again(  # type: ignore[no-untyped-def]
    client, login_as, world, peer, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail
    from django.core.management import call_command

    referral = queued_referral_abroad(world, peer)
    posted = answer_delivery(monkeypatch, 400, "no such organisation here")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_referral_messages")
    call_command("send_referral_messages")  # the next run sends nothing
    assert len(posted) == 1
    sent = Message.objects.get(kind="referral")
    assert sent.outcome == "refused: no such organisation here"
    assert sent.envelope_enc == ""
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED
    assert [e.status for e in referral.events.all()] == ["sent", "refused"]
    refusal = AuditEvent.objects.get(action="referrals.message_refused_by_peer")
    assert refusal.detail["reason"] == "no such organisation here"
    assert mail.outbox[0].to == ["worker@example.org"]
    assert str(referral.pk) in mail.outbox[0].body
    login_as(world.users["case_worker"])
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "no such organisation here" in page


def test_already_received_counts_as_delivered(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    referral = queued_referral_abroad(world, peer)
    answer_delivery(monkeypatch, 400, "message already received")
    assert federation.deliver(Message.objects.get(kind="referral"))
    sent = Message.objects.get(kind="referral")
    assert sent.delivered_at is not None
    assert sent.outcome == ""
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_failing_peer_is_retried_up_to_a_cap(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    referral = queued_referral_abroad(world, peer)
    posted = answer_delivery(monkeypatch, 503, "busy")
    monkeypatch.setattr(federation, "MAX_ATTEMPTS", 3)
    for _run in range(5):
        for message in federation.waiting():
            federation.deliver(message)
    assert len(posted) == 3
    assert Message.objects.get(kind="referral").outcome == "refused: no answer after 3 attempts"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED


def test_a_peer_that_asks_to_slow_down_is_retried_not_refused(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    first = queued_referral_abroad(world, peer)
    second = queued_referral_abroad(world, peer)
    posted = answer_delivery(monkeypatch, 429, "Request was throttled.")
    call_command("send_referral_messages")
    # The first answer "slow down" stops this run for that peer: the second is not even tried.
    assert len(posted) == 1
    for referral in (first, second):
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.SENT
    assert not Message.objects.exclude(outcome="").exists()
    assert federation.waiting().count() == 2
    capture_delivery(monkeypatch)
    call_command("send_referral_messages")
    assert federation.waiting().count() == 0


def test_a_peer_that_does_not_answer_costs_one_attempt_a_run(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    queued_referral_abroad(world, peer)
    queued_referral_abroad(world, peer)
    posted = answer_delivery(monkeypatch, 503, "down")
    call_command("send_referral_messages")
    assert len(posted) == 1  # the second waits behind the first, in order
    assert federation.waiting().count() == 2
    assert not Message.objects.exclude(outcome="").exists()


def test_a_status_message_without_personal_data_is_never_given_up(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    referral = queued_referral_abroad(world, peer)
    capture_delivery(monkeypatch)
    assert federation.deliver(Message.objects.get(kind="referral"))
    services.cancel(actor=world.users["case_worker"], referral=referral)
    status_message = federation.waiting().get()
    answer_delivery(monkeypatch, 503, "busy")
    monkeypatch.setattr(federation, "MAX_ATTEMPTS", 2)
    for _run in range(4):
        federation.deliver_all(list(federation.waiting()))
    status_message.refresh_from_db()
    assert status_message.attempts == 4
    assert status_message.outcome == ""
    assert federation.waiting().count() == 1


def test_a_stale_status_message_loses_the_persons_words_and_keeps_trying(
    world, peer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world), ABROAD))
    referral = Referral.objects.get()
    reason = "She told us she fears her employer's brother."
    services.decline(actor=world.users["other_case_worker"], referral=referral, reason=reason)
    answer = federation.waiting().get()
    assert answer.envelope["reason"] == reason
    peer.url = "https://palermo.abroad.example"
    peer.save()
    posted = answer_delivery(monkeypatch, 503, "busy")
    monkeypatch.setattr(federation, "MAX_ATTEMPTS", 2)
    for _run in range(3):
        federation.deliver_all(list(federation.waiting()))
    answer = Message.objects.get(pk=answer.pk)
    assert len(posted) == 3
    assert "reason" not in answer.envelope
    assert answer.envelope["status"] == "declined"
    assert (answer.outcome, federation.waiting().count()) == ("", 1)  # still to send
    assert reason in json.dumps(posted[0], ensure_ascii=False)
    assert reason not in json.dumps(posted[-1], ensure_ascii=False)  # the last went without it


def test_messages_waiting_behind_a_stuck_one_are_given_up_in_time(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world), ABROAD))
    federation.receive(
        federation.sign(referral_from_abroad(world, id="m-2", referral="r-2"), ABROAD)
    )
    first, second = Referral.objects.order_by("created_at")
    worker = world.users["other_case_worker"]
    services.decline(actor=worker, referral=first, reason="Reason one.")
    services.decline(actor=worker, referral=second, reason="Reason two.")
    referral = queued_referral_abroad(world, peer)  # a referral abroad, behind both answers
    posted = answer_delivery(monkeypatch, 503, "busy")

    def run() -> None:
        federation.deliver_all(list(federation.waiting().order_by("created_at")))

    run()
    behind = list(Message.objects.filter(direction="out").order_by("created_at"))[1:]
    assert [m.attempts for m in behind] == [0, 0]  # never tried: the peer is down
    assert "Reason two." in json.dumps(behind[0].envelope)
    Message.objects.update(created_at=timezone.now() - federation.MAX_WAIT)
    run()
    answer, sent = (Message.objects.get(pk=m.pk) for m in behind)
    assert (answer.attempts, answer.outcome) == (0, "")  # still to send, without the reason
    assert "reason" not in answer.envelope
    assert answer.envelope["status"] == "declined"
    assert sent.outcome == "refused: no answer after 2 days"
    assert sent.envelope_enc == ""
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED
    assert {p["message"]["type"] for p in posted} == {"status"}  # the referral never left
    assert "Reason one." not in json.dumps(posted[-1])  # the head went without its words
    assert federation.waiting().count() == 2


@pytest.mark.parametrize(
    "shared",
    [
        {"identification_country": "XX"},
        {"country_of_origin": "QQ"},
        {"exploitation_countries": ["NG", "QQ"]},
        {"citizenship": ["QQ"]},
        {"exploitation": ["Nonsense"]},
        {"gender": "Nonsense"},
    ],
)
def test_unknown_codes_from_abroad_are_refused_and_audited(client, world, peer, shared) -> None:  # type: ignore[no-untyped-def]
    message = referral_from_abroad(world, shared={"gender": "Feminine", **shared})
    envelope = federation.sign(message, ABROAD)
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "unknown code"
    assert not Referral.objects.exists()
    refusal = AuditEvent.objects.get(action="referrals.message_refused")
    assert refusal.detail["reason"] == "unknown code"


def test_known_codes_from_abroad_reach_the_linked_case(world, peer) -> None:  # type: ignore[no-untyped-def]
    shared = {
        "gender": "Feminine",
        "citizenship": ["NG"],
        "identification_country": "TH",
        "country_of_origin": "NG",
        "exploitation_countries": ["TH"],
        "exploitation": ["SexualExploitation"],
        "age": 24,
    }
    federation.receive(federation.sign(referral_from_abroad(world, shared=shared), ABROAD))
    referral = services.accept(
        actor=world.users["other_case_worker"], referral=Referral.objects.get()
    )
    linked = referral.linked_case
    assert (linked.identification_country_id, linked.country_of_origin) == ("TH", "NG")
    assert (linked.exploitation, linked.exploitation_countries) == (["SexualExploitation"], ["TH"])
    assert (linked.person.gender, linked.person.citizenship) == ("Feminine", ["NG"])
    assert linked.age_at_identification == 24


def test_unknown_codes_kept_from_before_are_left_out_on_accept(world, peer) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world), ABROAD))
    referral = Referral.objects.get()
    # A referral taken before codes were checked on receipt.
    referral.shared = {
        "gender": "Feminine",
        "identification_country": "XX",
        "country_of_origin": "QQ",
        "exploitation": ["Nonsense"],
    }
    referral.save()
    referral = services.accept(actor=world.users["other_case_worker"], referral=referral)
    linked = referral.linked_case
    linked.refresh_from_db()
    assert linked.identification_country_id is None
    assert (linked.country_of_origin, linked.exploitation) == ("", [])
    assert linked.person.gender == "Feminine"


CHILD = {"determination_done_on": "2026-03-01", "guardian_appointed_on": "2026-02-01"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"kind": "child_protection", "shared": {"child_safeguards": {}}},
            "a child's referral without a best-interests determination",
        ),
        (
            {
                "kind": "child_protection",
                "shared": {"child_safeguards": {"determination_done_on": "2026-03-01"}},
            },
            "a child's referral without a guardian",
        ),
        (
            {"kind": "asylum", "need": "asylum", "interview_language": "Tigrinya"},
            "an asylum referral without the protection needs",
        ),
        (
            {"kind": "asylum", "need": "asylum", "protection_needs": "Fears reprisals"},
            "an asylum referral without the language of the interview",
        ),
        (
            {"kind": "asylum", "protection_needs": " ", "interview_language": "Tigrinya"},
            "an asylum referral without the protection needs",
        ),
    ],
)
def test_a_route_s_required_fields_are_required_from_abroad(  # type: ignore[no-untyped-def]
    client, world, peer, change, reason
) -> None:
    envelope = federation.sign(referral_from_abroad(world, **change), ABROAD)
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == reason
    assert not Referral.objects.exists()
    assert AuditEvent.objects.get(action="referrals.message_refused").detail["reason"] == reason


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "child_protection", "shared": {"gender": "Feminine", "child_safeguards": CHILD}},
        {
            "kind": "asylum",
            "need": "asylum",
            "protection_needs": "Fears reprisals",
            "interview_language": "Tigrinya",
        },
    ],
)
def test_a_route_with_its_fields_is_taken_from_abroad(world, peer, change) -> None:  # type: ignore[no-untyped-def]
    federation.receive(federation.sign(referral_from_abroad(world, **change), ABROAD))
    assert Referral.objects.get().kind == change["kind"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"is_active": False}, "installation not active"),
        ({"url": "http://palermo.abroad.example"}, "no https address"),
    ],
)
def test_an_inactive_or_plain_http_peer_gets_nothing(
    world, peer, monkeypatch, change, reason
) -> None:  # type: ignore[no-untyped-def]
    referral = queued_referral_abroad(world, peer)
    for name, value in change.items():
        setattr(peer, name, value)
    peer.save()
    posted = capture_delivery(monkeypatch)
    assert not federation.deliver(Message.objects.get(kind="referral"))
    assert posted == {}
    sent = Message.objects.get(kind="referral")
    assert sent.outcome == f"refused: {reason}"
    assert sent.envelope_enc == ""
    assert not federation.waiting().exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED


def test_what_left_and_when_is_audited(world, peer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    queued_referral_abroad(world, peer)
    capture_delivery(monkeypatch)
    message = Message.objects.get(kind="referral")
    assert federation.deliver(message)
    delivered = AuditEvent.objects.get(action="referrals.message_delivered")
    assert delivered.detail["fields"] == ["gender"]
    assert delivered.detail["peer"] == "palermo.abroad.example"
    assert "Feminine" not in str(delivered.detail)


def test_a_referral_from_abroad_keeps_nothing_of_the_person_once_completed(  # type: ignore[no-untyped-def]
    client, login_as, world, peer
) -> None:
    from palermo.referrals import selectors

    message = referral_from_abroad(world, note="Ada Obi, phone 0803")
    federation.receive(federation.sign(message, ABROAD))
    receiver = world.users["other_case_worker"]
    referral = services.accept(actor=receiver, referral=Referral.objects.get())
    assert selectors.shared_for(receiver, referral)
    services.complete(actor=receiver, referral=referral, outcome="Housed")
    referral = Referral.objects.get()
    assert selectors.shared_for(receiver, referral) is None
    assert (referral.shared_enc, referral.note_enc, referral.protection_needs_enc) == ("", "", "")
    login_as(receiver)
    assert "Ada Obi" not in client.get(f"/referrals/{referral.pk}/").content.decode()
    # The linked case is the organisation's record of the person.
    assert referral.linked_case.person.gender == "Feminine"


def test_narrowed_consent_reaches_the_other_installation(world, peer) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    today = timezone.localdate()
    case_services.record_consent(
        case, worker, "referral", "given", "person", today, covers_identifiers=True
    )
    services.refer_abroad(
        actor=worker,
        case=case,
        peer=peer,
        remote_organisation="SHELTER-X",
        data=services.ReferralData(to_organisation=None, need="shelter", fields=["name", "gender"]),
    )
    Message.objects.update(delivered_at=timezone.now(), envelope_enc="")
    case_services.record_consent(case, worker, "referral", "given", "person", today)
    statuses = [m.body.get("status") for m in Message.objects.filter(kind="status")]
    assert statuses == ["narrowed"]
    assert AuditEvent.objects.filter(action="referrals.narrowed").count() == 1


def test_a_narrowed_referral_from_abroad_drops_the_identifiers(world, peer) -> None:  # type: ignore[no-untyped-def]
    shared = {"gender": "Feminine", "name": "Ada Obi", "phone": "0803"}
    federation.receive(federation.sign(referral_from_abroad(world, shared=shared), ABROAD))
    narrowed = {
        "format": federation.FORMAT,
        "id": "n-1",
        "sender": "palermo.abroad.example",
        "recipient": settings.PALERMO_INSTALLATION_ID,
        "sent_at": timezone.now().isoformat(),
        "type": "status",
        "referral": "r-1",
        "status": "narrowed",
    }
    federation.receive(federation.sign(narrowed, ABROAD))
    referral = Referral.objects.get()
    assert referral.shared == {"gender": "Feminine"}
    assert referral.fields == ["gender"]
    assert not referral.include_identifiers
    assert referral.status == ReferralStatus.SENT


def test_an_unknown_need_is_refused(client, world, peer) -> None:  # type: ignore[no-untyped-def]
    envelope = federation.sign(referral_from_abroad(world, need="spa_weekend"), ABROAD)
    response = client.post("/api/v1/referrals/inbox/", envelope, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "unknown need"
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (datetime.timedelta(days=-5), datetime.timedelta(0)),
        (datetime.timedelta(days=400), datetime.timedelta(days=30)),
        (datetime.timedelta(days=3), datetime.timedelta(days=3)),
    ],
)
def test_the_deadline_asked_from_abroad_is_kept_in_range(world, peer, asked, expected) -> None:  # type: ignore[no-untyped-def]
    before = timezone.now()
    message = referral_from_abroad(world, respond_by=(before + asked).isoformat())
    federation.receive(federation.sign(message, ABROAD))
    respond_by = Referral.objects.get().respond_by
    assert before + expected <= respond_by <= timezone.now() + expected
