"""Records kept with a case besides its own fields: movements of the person, attachments (the
person's photo among them) and what is known of the perpetrators. Free text, names and files are
encrypted; each write is audited with its coded values only."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.audit import services as audit
from palermo.cases.access import case_access
from palermo.cases.models import Attachment, Case, Movement, Perpetrator
from palermo.cases.services import check_codes
from palermo.core import crypto

if TYPE_CHECKING:
    from palermo.accounts.models import User

COUNTRY = "prs_Citizenship"


@transaction.atomic
def add_movement(
    case: Case,
    actor: User,
    kind: str,
    from_country: str,
    to_country: str,
    departed_on: datetime.date,
    arrived_on: datetime.date | None = None,
    details: str = "",
) -> Movement:
    errors = check_codes(
        {"from_country": from_country, "to_country": to_country},
        {"from_country": COUNTRY, "to_country": COUNTRY},
    )
    if kind not in Movement.Kind.values:
        errors["kind"] = [_("Choose the kind of movement.")]
    for name in ("from_country", "to_country"):
        if not (from_country if name == "from_country" else to_country):
            errors[name] = [_("Choose a country.")]
    if kind in (Movement.Kind.RETURN, Movement.Kind.RELOCATION) and from_country == to_country:
        errors["to_country"] = [_("A return or a relocation crosses a border.")]
    if kind == Movement.Kind.TRANSFER and from_country and from_country != to_country:
        errors["to_country"] = [_("A transfer stays within one country.")]
    today = timezone.localdate()
    if departed_on > today + datetime.timedelta(days=365):
        errors["departed_on"] = [_("This date is more than a year ahead.")]
    if arrived_on and arrived_on < departed_on:
        errors["arrived_on"] = [_("Arrival cannot come before departure.")]
    if arrived_on and arrived_on > today:
        errors["arrived_on"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)
    movement = Movement(
        case=case,
        kind=kind,
        from_country=from_country,
        to_country=to_country,
        departed_on=departed_on,
        arrived_on=arrived_on,
        recorded_by=actor,
    )
    movement.details = details
    movement.save()
    audit.record(
        action="case.movement_added",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"kind": kind, "from": from_country, "to": to_country},
    )
    return movement


def _sniff(head: bytes) -> str | None:
    """The type a file's first bytes show it to be, for the types we accept."""
    signatures = (
        (b"%PDF-", "application/pdf"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
    )
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # docx and odt are zip files
    return None


def _office_document(data: bytes) -> bool:
    """Whether a zip file is an office document: OOXML has [Content_Types].xml, ODF a
    ``mimetype`` entry (a renamed APK or JAR has neither)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names or "mimetype" in names


def _check_type(name: str, declared: str, data: bytes) -> str:
    allowed = settings.PALERMO_ATTACHMENT_TYPES
    sniffed = _sniff(data[:16])
    if declared not in allowed:
        raise ValidationError(
            {"file": _("Files of this type are not accepted: %(type)s.") % {"type": declared}}
        )
    if sniffed == "zip":
        ok = declared.startswith("application/vnd.") and _office_document(data)
    elif sniffed is not None:
        ok = sniffed == declared
    else:
        ok = declared == "text/plain" and b"\x00" not in data
    if not ok:
        raise ValidationError({"file": _("The file's content does not match its type.")})
    return declared


@transaction.atomic
def add_attachment(
    case: Case,
    actor: User,
    kind: str,
    name: str,
    content_type: str,
    size: int,
    stream: IO[bytes],
) -> Attachment:
    """Keep a file with the case, encrypted. Refused, with nothing saved, when it is empty,
    too large, of a type not accepted, or not what its type says."""
    limit = settings.PALERMO_ATTACHMENT_MAX_BYTES
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("Choose what the file is.")})
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; at most %(limit)s are accepted.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            }
        )
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": _("The file is larger than it said.")})
    content_type = _check_type(name, content_type, data)
    if kind == Attachment.Kind.PHOTO and not content_type.startswith("image/"):
        raise ValidationError({"file": _("A photo must be a JPEG, PNG or WebP image.")})
    attachment = Attachment(
        case=case,
        kind=kind,
        content_type=content_type,
        size=len(data),
        uploaded_by=actor,
        data_enc=crypto.encrypt_blob(data),
    )
    attachment.name = (name or "file").strip()[:200]
    attachment.save()
    audit.record(
        action="case.attachment_added",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={"attachment": attachment.pk, "kind": kind, "size": len(data)},
    )
    return attachment


def read_attachment(attachment: Attachment, actor: User) -> bytes:
    """The file's bytes, decrypted, for a reader of identifiers; the read is audited."""
    if not case_access(actor, attachment.case).identifiers:
        raise PermissionDenied("attachment")
    data = crypto.decrypt_blob(attachment.data_enc)
    audit.record(
        action="case.attachment_read",
        actor=actor,
        organisation=attachment.case.organisation,
        target=attachment.case,
        detail={"attachment": attachment.pk},
    )
    return data


PERPETRATOR_CODED = {
    "roles": "per_RoleInProcess",
    "gender": "prs_Gender",
    "citizenship": COUNTRY,
    "relationship": "vic_RelationshipToTrafficker",
}


@transaction.atomic
def add_perpetrator(case: Case, actor: User, values: dict[str, Any]) -> Perpetrator:
    errors = check_codes(values, PERPETRATOR_CODED)
    if not any(values.get(k) for k in (*PERPETRATOR_CODED, "name", "details")):
        errors["roles"] = [_("Record at least one thing known about this person.")]
    if errors:
        raise ValidationError(errors)
    perpetrator = Perpetrator(
        case=case,
        roles=list(values.get("roles") or []),
        gender=values.get("gender") or "",
        citizenship=values.get("citizenship") or "",
        relationship=values.get("relationship") or "",
        part_of_group=values.get("part_of_group"),
        recorded_by=actor,
    )
    perpetrator.name = values.get("name", "")
    perpetrator.details = values.get("details", "")
    perpetrator.save()
    audit.record(
        action="case.perpetrator_added",
        actor=actor,
        organisation=case.organisation,
        target=case,
        detail={k: getattr(perpetrator, k) for k in PERPETRATOR_CODED},
    )
    return perpetrator
