"""Referrals between two Palermo installations: signed JSON messages (docs/referrals.md).

A message is ``{"message": {...}, "signature": "<base64>"}``. The signature is Ed25519, by
the sending installation's key (``PALERMO_SIGNING_KEY``), over the message serialised
canonically: keys sorted, no spaces, UTF-8. The receiving installation knows each peer's
public key and refuses a message from an unknown or inactive sender, with a bad signature,
older than a day, or seen before; every message, accepted or refused, is kept and audited.

Two kinds of message:

* ``referral``: a person referred to an organisation of the receiving installation, with the
  shared fields' values (only those the referring worker chose);
* ``status``: the receiving side's answer (accepted, declined with a reason, completed with
  an outcome), or the sending side's withdrawal (cancelled, or revoked when the person
  withdrew consent: the receiving side then drops what was shared).
"""

from __future__ import annotations

import base64
import datetime
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from palermo.accounts.models import Organisation
from palermo.audit.services import record
from palermo.referrals.models import (
    OPEN_STATUSES,
    Kind,
    Message,
    Peer,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Urgency,
)

FORMAT = "palermo-referral/1"
MAX_BYTES = 256 * 1024
COMMON = {"format", "id", "sender", "sent_at", "type", "recipient"}
# The fields each kind of message may hold; anything else is refused.
ALLOWED = {
    "referral": COMMON
    | {
        "referral",
        "from_organisation",
        "to_organisation",
        "kind",
        "need",
        "urgency",
        "respond_by",
        "shared",
        "note",
        "protection_needs",
        "interview_language",
    },
    "status": COMMON | {"referral", "status", "reason", "outcome"},
}
# What is kept of a message in the clear (the rest is the person's, or free text).
KEPT = {
    "format",
    "id",
    "sender",
    "sent_at",
    "type",
    "recipient",
    "referral",
    "to_organisation",
    "kind",
    "need",
    "urgency",
    "respond_by",
    "status",
}
MAX_AGE = datetime.timedelta(days=1)
# From the sending side: the person's consent no longer covers identifiers; the receiving side
# drops them from what it keeps of the referral (its status does not change).
NARROWED = "narrowed"
STATUSES_IN = {
    NARROWED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.CANCELLED,
    ReferralStatus.REVOKED,
}


class MessageRefusedError(Exception):
    """A message this installation does not take; ``reason`` says why, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _AlreadyReceivedError(Exception):
    """A signed message this installation already took (its sender did not get the answer):
    answered as taken again, and nothing changes."""

    def __init__(self, kept: Message) -> None:
        super().__init__(kept.message_id)
        self.kept = kept


def canonical(message: dict[str, Any]) -> bytes:
    return json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.PALERMO_SIGNING_KEY))


def public_key() -> str:
    """This installation's public key, to give to its peers."""
    raw = (
        _private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode("ascii")


def sign(message: dict[str, Any], key: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    signature = (key or _private_key()).sign(canonical(message))
    return {"message": message, "signature": base64.b64encode(signature).decode("ascii")}


def new_message(message_type: str, **content: Any) -> dict[str, Any]:
    """A message to sign at delivery (``sent_at`` is set then, so that a peer that was away
    for days still takes it)."""
    return {
        "format": FORMAT,
        "id": str(uuid.uuid4()),
        "sender": settings.PALERMO_INSTALLATION_ID,
        "type": message_type,
        **content,
    }


def _printable(value: Any, limit: int) -> str:
    """A string from a peer or a stranger, safe to store: no NUL, no lone surrogates."""
    text = str(value)[: limit * 2]
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return text[:limit]


def verify(envelope: Any) -> tuple[Peer, dict[str, Any]]:
    """The sending peer and the message, or MessageRefusedError."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("message"), dict):
        raise MessageRefusedError("not a Palermo referral message")
    message = envelope["message"]
    if message.get("format") != FORMAT:
        raise MessageRefusedError("unknown message format")
    peer = Peer.objects.filter(installation_id=_printable(message.get("sender", ""), 200)).first()
    if peer is None or not peer.is_active:
        raise MessageRefusedError("unknown sender")
    try:
        signature = base64.b64decode(str(envelope.get("signature", "")), validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(peer.public_key))
        key.verify(signature, canonical(message))
    except (InvalidSignature, ValueError) as error:
        raise MessageRefusedError("bad signature") from error
    if set(message) - ALLOWED.get(str(message.get("type")), COMMON):
        raise MessageRefusedError("unknown fields")
    if message.get("recipient") != settings.PALERMO_INSTALLATION_ID:
        raise MessageRefusedError("message for another installation")
    sent_at = _moment(message.get("sent_at"))
    if sent_at is None or abs(timezone.now() - sent_at) > MAX_AGE:
        raise MessageRefusedError("message too old or from the future")
    if any("\x00" in str(value) for value in _strings(message)):
        raise MessageRefusedError("malformed message")
    taken = (
        Message.objects.filter(
            direction=Message.Direction.IN, peer=peer, message_id=str(message.get("id"))[:64]
        )
        .exclude(outcome__startswith="refused")
        .first()
    )
    if taken is not None:
        raise _AlreadyReceivedError(taken)
    return peer, message


def _moment(value: Any) -> datetime.datetime | None:
    try:
        moment = parse_datetime(str(value or ""))
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [str(k) for k in value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if isinstance(value, str) else []


def _without_person(message: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a message in the clear: the allow-listed envelope and the names of the
    shared fields, never their values or free text."""
    kept: dict[str, Any] = {key: _printable(message[key], 200) for key in KEPT if key in message}
    if isinstance(message.get("shared"), dict):
        kept["shared"] = sorted(_printable(key, 40) for key in message["shared"])[:30]
    elif isinstance(message.get("fields"), list):
        kept["shared"] = sorted(_printable(key, 40) for key in message["fields"])[:30]
    return kept


def receive(envelope: Any) -> Message:
    """Take a message from a peer, in one transaction. A refused message is kept (without the
    person's data) and audited in a transaction of its own, then MessageRefusedError is
    raised."""
    try:
        with transaction.atomic():
            peer, message = verify(envelope)
            referral = _apply(peer, message)
            kept = Message.objects.create(
                direction=Message.Direction.IN,
                peer=peer,
                message_id=str(message["id"])[:64],
                sender=peer.installation_id,
                kind=str(message.get("type"))[:20],
                body=_without_person(message),
                outcome="accepted",
                referral=referral,
            )
            record(
                action="referrals.message_received",
                organisation=referral.to_organisation or referral.from_organisation,
                target=kept,
                detail={"sender": peer.installation_id, "type": kept.kind},
            )
            return kept
    except _AlreadyReceivedError as again:
        return again.kept
    except MessageRefusedError as refused:
        keep_refusal(envelope, refused.reason)
        raise
    except Exception as error:  # a malformed message must not break the inbox
        keep_refusal(envelope, "malformed message")
        raise MessageRefusedError("malformed message") from error


@transaction.atomic
def keep_refusal(envelope: Any, reason: str) -> None:
    body = envelope.get("message") if isinstance(envelope, dict) else None
    body = body if isinstance(body, dict) else {}
    known = Peer.objects.filter(installation_id=_printable(body.get("sender", ""), 200)).exists()
    kept = Message.objects.create(
        direction=Message.Direction.IN,
        message_id=_printable(body.get("id", ""), 64),
        sender=_printable(body.get("sender", ""), 200),
        kind=_printable(body.get("type", ""), 20),
        # From a stranger, nothing but who it claimed to be.
        body=_without_person(body) if known else {},
        outcome=f"refused: {reason}",
    )
    record(
        action="referrals.message_refused",
        target=kept,
        detail={"reason": reason, "sender": kept.sender},
    )


def _apply(peer: Peer, message: dict[str, Any]) -> Referral:
    kind = message.get("type")
    if kind == "referral":
        return _incoming_referral(peer, message)
    if kind == "status":
        return _status(peer, message)
    raise MessageRefusedError("unknown message type")


# The shared fields holding codes of the standard, with the standard field whose list they
# come from (as a case here checks them); the country of identification is a country of the
# countries table.
SHARED_CODED = {
    "gender": "prs_Gender",
    "citizenship": "prs_Citizenship",
    "exploitation": "vic_TypeOfExploitation",
    "country_of_origin": "prs_Citizenship",
    "exploitation_countries": "prs_Citizenship",
}


def unknown_codes(shared: dict[str, Any]) -> list[str]:
    """The shared fields whose values are not codes this installation knows."""
    from palermo.cases import services as case_services
    from palermo.geo.models import Country

    unknown = list(case_services.check_codes(shared, SHARED_CODED))
    country = shared.get("identification_country")
    if country and not Country.objects.filter(iso2=country).exists():
        unknown.append("identification_country")
    return sorted(unknown)


def _incoming_referral(peer: Peer, message: dict[str, Any]) -> Referral:
    target = Organisation.objects.filter(
        acronym=str(message.get("to_organisation", ""))[:30], is_active=True
    ).first()
    if target is None:
        raise MessageRefusedError("no such organisation here")
    shared = message.get("shared")
    if not isinstance(shared, dict) or not shared:
        raise MessageRefusedError("nothing shared")
    from palermo.cases import sharing

    unknown = set(shared) - set(sharing.SHAREABLE)
    if unknown:
        raise MessageRefusedError("unknown shared field")
    if not all(sharing.valid(name, value) for name, value in shared.items()):
        raise MessageRefusedError("bad shared value")
    if unknown_codes(shared):
        raise MessageRefusedError("unknown code")
    for text_field in ("note", "protection_needs", "need", "from_organisation"):
        if not isinstance(message.get(text_field, ""), str):
            raise MessageRefusedError("malformed message")
    # The routes' own requirements, as services.check_referral applies them at home.
    safeguards = shared.get("child_safeguards") or {}
    if message.get("kind") == Kind.CHILD and not safeguards.get("determination_done_on"):
        raise MessageRefusedError("a child's referral without a best-interests determination")
    if message.get("kind") == Kind.CHILD and not safeguards.get("guardian_appointed_on"):
        raise MessageRefusedError("a child's referral without a guardian")
    if message.get("kind") == Kind.ASYLUM and not str(message.get("protection_needs", "")).strip():
        raise MessageRefusedError("an asylum referral without the protection needs")
    if (
        message.get("kind") == Kind.ASYLUM
        and not str(message.get("interview_language", "")).strip()
    ):
        raise MessageRefusedError("an asylum referral without the language of the interview")
    from palermo.referrals import vocabulary

    if not vocabulary.is_service_type(message.get("need")):
        raise MessageRefusedError("unknown need")
    remote_id = str(message.get("referral", ""))[:64]
    if not remote_id or Referral.objects.filter(peer=peer, remote_id=remote_id).exists():
        raise MessageRefusedError("referral missing or already received")
    urgency = str(message.get("urgency")) if message.get("urgency") in Urgency.values else "routine"
    kind = str(message.get("kind")) if message.get("kind") in Kind.values else Kind.GENERAL
    referral = Referral(
        peer=peer,
        remote_id=remote_id,
        sender_name=str(message.get("from_organisation", ""))[:300],
        to_organisation=target,
        kind=kind,
        cross_border=True,
        need=str(message.get("need", ""))[:40],
        urgency=urgency,
        fields=[name for name in sharing.SHAREABLE if name in shared],
        include_identifiers=bool(set(shared) & set(sharing.identifier_fields())),
        interview_language=str(message.get("interview_language", ""))[:60],
        respond_by=_respond_by(message.get("respond_by")),
        created_by=_system_user(),
    )
    referral.shared = shared
    referral.note = str(message.get("note", ""))[:10_000]
    referral.protection_needs = str(message.get("protection_needs", ""))[:10_000]
    referral.save()
    ReferralEvent.objects.create(referral=referral, status=ReferralStatus.SENT)
    return referral


# The answer a peer may ask for: not in the past (it would alert at once), not beyond this
# (it would never alert).
LONGEST_WAIT = datetime.timedelta(days=30)


def _respond_by(value: Any) -> datetime.datetime:
    now = timezone.now()
    asked = _moment(value) or now + MAX_AGE
    return min(max(asked, now), now + LONGEST_WAIT)


def _status(peer: Peer, message: dict[str, Any]) -> Referral:
    status = message.get("status")
    if status not in STATUSES_IN:
        raise MessageRefusedError("unknown status")
    reference = str(message.get("referral", ""))[:64]
    # Our referral the peer answers, or the peer's referral it withdraws.
    ours = _uuid(reference)
    sent_by_us = (
        Referral.objects.filter(peer=peer, pk=ours, to_organisation__isnull=True).first()
        if ours is not None
        else None
    )
    referral = (
        sent_by_us
        or Referral.objects.filter(
            peer=peer, remote_id=reference, from_organisation__isnull=True
        ).first()
    )
    if referral is None:
        raise MessageRefusedError("unknown referral")
    # The receiving side answers our referrals; the sending side withdraws its own.
    allowed: dict[str, set[str]] = (
        {
            ReferralStatus.ACCEPTED: {ReferralStatus.SENT, ReferralStatus.RECEIVED},
            ReferralStatus.DECLINED: {ReferralStatus.SENT, ReferralStatus.RECEIVED},
            ReferralStatus.COMPLETED: {ReferralStatus.ACCEPTED},
        }
        if sent_by_us is not None
        else {
            ReferralStatus.CANCELLED: set(OPEN_STATUSES),
            ReferralStatus.REVOKED: {
                *OPEN_STATUSES,
                ReferralStatus.ACCEPTED,
                ReferralStatus.COMPLETED,
            },
        }
    )
    if sent_by_us is None:
        allowed[NARROWED] = {*OPEN_STATUSES, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED}
    if referral.status not in allowed.get(status, set()):
        raise MessageRefusedError("status not allowed now")
    if status == NARROWED:
        from palermo.cases import sharing

        identifiers = set(sharing.identifier_fields())
        referral.shared = {k: v for k, v in (referral.shared or {}).items() if k not in identifiers}
        referral.fields = [name for name in referral.fields if name not in identifiers]
        referral.include_identifiers = False
        referral.save()
        return referral
    referral.status = status
    if status == ReferralStatus.DECLINED:
        referral.decline_reason = str(message.get("reason", ""))[:5000]
    if status == ReferralStatus.COMPLETED:
        referral.outcome = str(message.get("outcome", ""))[:5000]
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        referral.answered_at = timezone.now()
    if status in (ReferralStatus.REVOKED, ReferralStatus.CANCELLED) and sent_by_us is None:
        # The person withdrew consent, or the referral was withdrawn: drop what came with it.
        referral.shared = {}
        referral.note = ""
        referral.protection_needs = ""
    referral.save()
    ReferralEvent.objects.create(referral=referral, status=status)
    return referral


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _system_user() -> Any:
    """The account that stands for another installation in audit trails and histories."""
    from palermo.accounts.models import User

    user, _created = User.objects.get_or_create(
        username="palermo-federation", defaults={"is_active": False}
    )
    return user


# -- Sending -----------------------------------------------------------------------------


def queue(referral: Referral, message: dict[str, Any]) -> Message:
    """Keep a signed message to send to the referral's peer (``send_referral_messages``)."""
    kept = Message(
        direction=Message.Direction.OUT,
        peer=referral.peer,
        message_id=message["id"],
        kind=message["type"],
        sender=settings.PALERMO_INSTALLATION_ID,
        body=_without_person(message),
        referral=referral,
    )
    kept.envelope = message  # encrypted until delivered, then dropped; signed at delivery
    kept.save()
    return kept


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A peer's inbox answers; it does not send the person's data somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


# A referral that no answer came for (network errors, 5xx, "slow down") after this many runs,
# or that still waits this long after it was queued (behind another message to a peer that
# is away, say), is given up, so that the person's values do not wait here for ever. A status
# message (accepted, cancelled, revoked, narrowed...) is never given up: a revocation must
# reach the peer however long it is away; the person's words it may carry (a decline's
# reason, an outcome) are dropped from it then, and the bare status keeps waiting.
MAX_ATTEMPTS = 50
MAX_WAIT = datetime.timedelta(days=2)
# What a message may carry of the person's own words and values.
PERSONS_WORDS = ("note", "protection_needs", "reason", "outcome", "shared")
# Answers that say "not now" rather than "no": retried at the next run, never final.
TRANSIENT = frozenset({408, 425, 429})
# What a peer answers for a message it already took (an older Palermo refuses it so).
ALREADY_RECEIVED = "message already received"


def waiting() -> Any:
    """The outgoing messages still to deliver: neither delivered nor refused."""
    return Message.objects.filter(
        direction=Message.Direction.OUT, delivered_at__isnull=True, outcome=""
    )


def _refusal_reason(error: urllib.error.HTTPError) -> str:
    """The reason a peer's inbox gave for refusing (``{"error": {"message": ...}}``)."""
    try:
        body = json.loads(error.read(4096) or b"{}")
        reason = body["error"]["message"]
    except (ValueError, KeyError, TypeError, OSError):
        reason = ""
    return _printable(reason or f"HTTP {error.code}", 150)


class PeerBusyError(Exception):
    """The peer answered "not now" (408, 425, 429): leave its other messages for the next
    run."""


def deliver_all(messages: list[Message]) -> int:
    """Deliver queued messages in order; a peer that asks to slow down, or does not answer
    (network error, HTTP 5xx), gets nothing more in this run: its other messages wait, in
    their order, rather than each costing a timeout or overtaking the one before. A message
    queued more than ``MAX_WAIT`` ago is given up first (a referral refused, a status message
    stripped of the person's words), whether or not its turn comes. Returns how many were
    delivered."""
    too_old = timezone.now() - MAX_WAIT
    for message in messages:
        # Every waiting message ages, whether it is tried this run or waits behind another.
        if message.created_at < too_old and message.envelope:
            _give_up(message, dict(message.envelope), f"no answer after {MAX_WAIT.days} days")
    busy: set[Any] = set()
    sent = 0
    for message in messages:
        if message.outcome:
            continue  # given up above
        if message.peer_id in busy:
            continue
        try:
            if deliver(message):
                sent += 1
            elif message.pk is not None and not message.outcome:
                busy.add(message.peer_id)  # neither delivered, refused nor dropped
        except PeerBusyError:
            busy.add(message.peer_id)
    return sent


def deliver(message: Message, timeout: float = 20) -> bool:
    """POST one queued message to its peer's inbox; True when the peer took it. A refusal
    (HTTP 4xx other than 408, 425 and 429) is final: the message is kept as refused and the
    worker told (:func:`_refused`). Network errors, 5xx and those three are retried at the next
    run (a referral's values up to ``MAX_ATTEMPTS`` runs); on 408, 425 or 429 it raises
    :class:`PeerBusyError` after recording the attempt."""
    peer = message.peer
    if peer is None or not message.envelope:
        return False
    if not peer.is_active or not peer.url.startswith("https://"):
        # A peer deactivated (its key compromised, say) or without an https address gets
        # nothing: the message is dropped, as refused, and the worker told.
        _refused(message, "installation not active" if not peer.is_active else "no https address")
        return False
    content = dict(message.envelope)
    if content.get("type") == "referral":
        # The person's values, as consent allows at the moment they leave.
        from palermo.cases import services as case_services
        from palermo.cases import sharing
        from palermo.cases.models import ConsentPurpose

        case = message.referral.case if message.referral else None
        if case is None or not case_services.consents_to(case, ConsentPurpose.REFERRAL):
            message.delete()
            return False
        content["shared"] = sharing.shared_values(
            case, sharing.referable(case, content.pop("fields", []))
        )
    content["recipient"] = peer.installation_id
    content["sent_at"] = timezone.now().isoformat()
    request = urllib.request.Request(  # noqa: S310 - the peer's address is an operator's setting
        peer.url.rstrip("/") + "/api/v1/referrals/inbox/",
        data=json.dumps(sign(content)).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    message.attempts += 1
    message.save(update_fields=["attempts"])
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            ok = 200 <= response.status < 300
    except urllib.error.HTTPError as error:
        if error.code in TRANSIENT:
            _give_up_if_stale(message, content)
            raise PeerBusyError(error.code) from None
        reason = _refusal_reason(error)
        if 400 <= error.code < 500 and reason != ALREADY_RECEIVED:
            _refused(message, reason)
            return False
        ok = 400 <= error.code < 500  # already received: it was delivered before
    except OSError:
        ok = False
    if ok:
        message.delivered_at = timezone.now()
        message.envelope_enc = ""  # delivered: what was shared need not stay here
        message.save(update_fields=["delivered_at", "envelope_enc"])
        referral = message.referral
        # What left, and when: the names of the values read at delivery, never the values.
        record(
            action="referrals.message_delivered",
            organisation=(referral.from_organisation or referral.to_organisation)
            if referral
            else None,
            target=message,
            detail={
                "peer": peer.installation_id,
                "type": message.kind,
                "fields": sorted(content.get("shared") or {}),
                "status": content.get("status", ""),
            },
        )
    else:
        _give_up_if_stale(message, content)
    return ok


def _give_up_if_stale(message: Message, content: dict[str, Any]) -> None:
    if message.attempts >= MAX_ATTEMPTS:
        _give_up(message, content, f"no answer after {message.attempts} attempts")


def _give_up(message: Message, content: dict[str, Any], reason: str) -> None:
    """A referral is refused with ``reason``; a status message loses the person's words."""
    if content.get("type") == "referral":
        _refused(message, reason)
    else:
        strip_persons_words(message, content)


def strip_persons_words(message: Message, envelope: dict[str, Any]) -> None:
    """Keep a queued status message without the person's words (``envelope``: its content)."""
    if any(key in envelope for key in PERSONS_WORDS):
        message.envelope = {k: v for k, v in envelope.items() if k not in PERSONS_WORDS}
        message.save(update_fields=["envelope_enc"])


@transaction.atomic
def _refused(message: Message, reason: str) -> None:
    """A message the peer refused (or that never got through): kept as refused, without the
    person's data, never sent again; a referral it carried is marked refused; audited, and
    the worker who referred (or the receiving organisation's case workers) told."""
    from palermo.referrals import services

    message.outcome = f"refused: {reason}"[:200]
    message.envelope_enc = ""
    message.save(update_fields=["outcome", "envelope_enc"])
    referral = message.referral
    if referral is None:
        return
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if message.kind == "referral" and referral.status in OPEN_STATUSES:
        referral.status = ReferralStatus.REFUSED
        referral.answered_at = timezone.now()
        referral.save(update_fields=["status", "answered_at", "updated_at"])
        ReferralEvent.objects.create(referral=referral, status=ReferralStatus.REFUSED)
    record(
        action="referrals.message_refused_by_peer",
        organisation=referral.from_organisation or referral.to_organisation,
        target=message,
        detail={
            "reason": reason,
            "peer": message.peer.installation_id if message.peer else "",
            "type": message.kind,
            "referral": str(referral.pk),
        },
    )
    services.tell_of_refusal(referral, message.kind, reason)
