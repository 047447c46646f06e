"""Referrals between organisations: consent and the minimum necessary, the routes' own
requirements, what the receiving organisation sees, declining, revoking, deadlines."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from palermo.audit.models import AuditEvent
from palermo.cases import services as case_services
from palermo.cases.access import case_access, shared_access, visible_cases
from palermo.cases.models import Case
from palermo.cases.tests.helpers import make_case
from palermo.referrals import services
from palermo.referrals.models import Kind, Referral, ReferralStatus

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    return make_case(world.agency, world.users["case_worker"])


def consent(world, case, *, identifiers: bool = False, decision: str = "given") -> None:  # type: ignore[no-untyped-def]
    case_services.record_consent(
        case,
        world.users["case_worker"],
        "referral",
        decision,
        "person",
        TODAY,
        covers_identifiers=identifiers,
    )


def send(world, case, fields=("gender", "exploitation"), **extra):  # type: ignore[no-untyped-def]
    data = services.ReferralData(
        to_organisation=extra.pop("to", world.other),
        need=extra.pop("need", "shelter"),
        fields=list(fields),
        **extra,
    )
    return services.refer(actor=world.users["case_worker"], case=case, data=data)


def test_no_referral_without_consent(world, case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="consent to referral"):
        send(world, case)
    consent(world, case)
    consent(world, case, decision="withdrawn")
    with pytest.raises(ValidationError, match="consent to referral"):
        send(world, case)
    assert not Referral.objects.exists()


def test_identifiers_only_when_consent_covers_them(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    with pytest.raises(ValidationError, match="does not cover their identifiers"):
        send(world, case, fields=("name", "gender"))
    consent(world, case, identifiers=True)
    referral = send(world, case, fields=("name", "gender"))
    assert referral.include_identifiers


def test_the_receiving_organisation_sees_exactly_the_shared_fields(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    Case.objects.filter(pk=case.pk).update(exploitation=["SexualExploitation"])
    case.refresh_from_db()
    assert case.age_at_identification is not None
    referral = send(world, case, fields=("gender", "exploitation", "age"))
    receiver = world.users["other_case_worker"]
    services.mark_received(actor=receiver, referral=referral)
    services.accept(actor=receiver, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    # Through the grant: those fields, no identifier, and the case in no list or page.
    shared = shared_access(receiver, case)
    assert shared is not None
    assert shared.fields == ("gender", "age", "exploitation")
    assert not shared.identifiers
    assert not visible_cases(receiver).filter(pk=case.pk).exists()
    assert not case_access(receiver, case).view
    # The linked case holds only the shared fields: no name, place or narrative.
    linked = Case.objects.get(pk=referral.linked_case_id)
    assert linked.organisation == world.other
    assert linked.person.given_name == ""
    assert linked.person.family_name == ""
    assert linked.identification_place == ""
    assert linked.narrative == ""
    assert linked.person.birth_date == ""
    # ... and holds the shared ones.
    assert linked.person.gender == case.person.gender
    assert linked.exploitation == case.exploitation
    assert linked.age_at_identification == case.age_at_identification
    # The referring organisation sees the status, not the receiving organisation's case.
    assert not visible_cases(world.users["case_worker"]).filter(pk=linked.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"referrals.sent", "referrals.received", "referrals.accepted", "case.granted"} <= actions


def test_declining_gives_no_access_and_revoking_consent_removes_it(  # type: ignore[no-untyped-def]
    client, login_as, world, case
) -> None:
    from palermo.referrals import selectors

    consent(world, case)
    receiver = world.users["other_case_worker"]
    login_as(receiver)
    gender = case.person.gender
    nothing = "Nothing is shared with your organisation any more"

    def page(referral) -> str:  # type: ignore[no-untyped-def]
        return client.get(f"/referrals/{referral.pk}/").content.decode()

    declined = send(world, case)
    # Before the answer, the receiver reads the shared fields (so that losing them can show).
    assert selectors.shared_for(receiver, declined) == {
        "gender": gender,
        "exploitation": case.exploitation,
    }
    assert nothing not in page(declined)
    with pytest.raises(ValidationError, match="Say why"):
        services.decline(actor=receiver, referral=declined, reason=" ")
    services.decline(actor=receiver, referral=declined, reason="No place for men")
    declined.refresh_from_db()
    assert selectors.shared_for(receiver, declined) is None
    assert nothing in page(declined)
    assert shared_access(receiver, case) is None
    cancelled = send(world, case)
    assert nothing not in page(cancelled)
    services.cancel(actor=world.users["case_worker"], referral=cancelled)
    assert nothing in page(cancelled)
    accepted = send(world, case)
    services.accept(actor=receiver, referral=accepted)
    accepted.refresh_from_db()
    assert shared_access(receiver, case) is not None
    assert selectors.shared_for(receiver, accepted)
    assert nothing not in page(accepted)
    consent(world, case, decision="withdrawn")
    assert shared_access(receiver, case) is None
    accepted.refresh_from_db()
    assert accepted.status == ReferralStatus.REVOKED
    assert selectors.shared_for(receiver, accepted) is None
    assert nothing in page(accepted)


def test_only_the_receiving_organisation_answers(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    referral = send(world, case)
    with pytest.raises(PermissionDenied):
        services.accept(actor=world.users["case_worker"], referral=referral)
    with pytest.raises(PermissionDenied):
        services.accept(actor=world.users["other_administrator"], referral=referral)


def test_a_child_is_referred_only_after_the_best_interests_determination(world) -> None:  # type: ignore[no-untyped-def]
    child = make_case(
        world.agency,
        world.users["case_worker"],
        {"birth_date": "2014-05-01"},
        identified_on=datetime.date(2026, 3, 1),
    )
    assert child.is_minor
    case_services.record_consent(
        child, world.users["case_worker"], "referral", "given", "guardian", TODAY
    )
    fields = ("gender", "child_safeguards")
    with pytest.raises(ValidationError, match="best-interests determination"):
        send(world, child, fields=fields, kind=Kind.CHILD, need="child_protection")
    safeguards = child.safeguards
    safeguards.determination_done_on = TODAY
    safeguards.save()
    with pytest.raises(ValidationError, match="guardian"):
        send(world, child, fields=fields, kind=Kind.CHILD, need="child_protection")
    safeguards.guardian_appointed_on = TODAY
    safeguards.save()
    referral = send(world, child, fields=fields, kind=Kind.CHILD, need="child_protection")
    assert referral.kind == Kind.CHILD


def test_an_asylum_referral_needs_its_own_fields(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    with pytest.raises(ValidationError) as refused:
        send(world, case, kind=Kind.ASYLUM, need="asylum")
    assert {"protection_needs", "interview_language"} <= set(refused.value.message_dict)
    referral = send(
        world,
        case,
        kind=Kind.ASYLUM,
        need="asylum",
        protection_needs="Fears reprisals from the network at home.",
        interview_language="Tigrinya",
    )
    assert referral.protection_needs.startswith("Fears reprisals")
    assert (
        "Fears"
        not in Referral.objects.filter(pk=referral.pk).values_list(
            "protection_needs_enc", flat=True
        )[0]
    )


def test_a_deadline_passes_and_the_alert_fires_once(
    world, case, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    world.users["other_case_worker"].email = "receiver@example.org"
    world.users["other_case_worker"].save()
    referral = send(world, case, urgency="emergency")
    assert services.send_alerts() == 0
    later = referral.respond_by + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(later) == 1
    assert services.send_alerts(later) == 0
    assert len(mail.outbox) == 1
    assert "receiver@example.org" in mail.outbox[0].to
    assert case.person.family_name not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="referrals.overdue").count() == 1


def test_cross_border_is_recorded(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    assert send(world, case).cross_border  # agency in Nigeria, the other in Thailand


def accepted_twice(world, case):  # type: ignore[no-untyped-def]
    """The person referred twice to the same organisation, for two needs, each sharing one
    field, both accepted: (receiver, first, second)."""
    consent(world, case)
    receiver = world.users["other_case_worker"]
    first = send(world, case, fields=("gender",))
    services.accept(actor=receiver, referral=first)
    second = send(world, case, fields=("exploitation",), need="health")
    services.accept(actor=receiver, referral=second)
    first.refresh_from_db()
    second.refresh_from_db()
    return receiver, first, second


def test_the_same_person_is_referred_twice_to_the_same_organisation(world, case) -> None:  # type: ignore[no-untyped-def]
    receiver, first, second = accepted_twice(world, case)
    shared = shared_access(receiver, case)
    assert shared is not None
    assert set(shared.fields) == {"gender", "exploitation"}
    services.complete(actor=receiver, referral=second, outcome="Treated")
    services.complete(actor=receiver, referral=first, outcome="Housed")
    # Completed: the linked cases are theirs; nothing of the referring case stays shared.
    assert shared_access(receiver, case) is None


def test_narrowed_consent_stops_identifiers_before_the_answer(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case, identifiers=True)
    referral = send(world, case, fields=("name", "phone", "gender"))
    consent(world, case, identifiers=False)
    receiver = world.users["other_case_worker"]
    from palermo.referrals import selectors

    assert set(selectors.shared_for(receiver, referral) or {}) == {"gender"}
    services.accept(actor=receiver, referral=referral)
    referral.refresh_from_db()
    linked = Case.objects.get(pk=referral.linked_case_id)
    assert linked.person.phone == ""
    assert "Okonkwo" not in linked.person.given_name
    assert not referral.grant.include_identifiers


def test_narrowed_consent_after_acceptance_narrows_the_grant_and_says_so(world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.audit.models import AuditEvent
    from palermo.referrals import selectors

    consent(world, case, identifiers=True)
    referral = send(world, case, fields=("phone", "gender"))
    receiver = world.users["other_case_worker"]
    services.accept(actor=receiver, referral=referral)
    referral.refresh_from_db()
    assert referral.grant.include_identifiers
    consent(world, case, identifiers=False)
    referral.grant.refresh_from_db()
    assert not referral.grant.include_identifiers
    assert AuditEvent.objects.filter(action="case.grant_narrowed").count() == 1
    assert set(selectors.shared_for(receiver, referral) or {}) == {"gender"}


def test_erasing_a_referred_person_ends_the_referrals(client, login_as, world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    open_one = send(world, case)
    services.accept(actor=world.users["other_case_worker"], referral=send(world, case))
    from palermo.cases.subject_rights import erase_person

    erase_person(case, world.users["supervisor"], "The person asked")
    open_one.refresh_from_db()
    assert open_one.status == ReferralStatus.REVOKED
    assert shared_access(world.users["other_case_worker"], case) is None
    with pytest.raises(ValidationError):
        services.accept(actor=world.users["other_case_worker"], referral=open_one)


def test_each_referral_shows_its_own_fields_though_one_grant_holds_both(world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.referrals import selectors

    receiver, first, second = accepted_twice(world, case)
    assert set(selectors.shared_for(receiver, first) or {}) == {"gender"}
    assert set(selectors.shared_for(receiver, second) or {}) == {"exploitation"}
    # The person of the first is erased where it was received: the second keeps its field.
    supervisor = erase_at_the_shelter(world, first.linked_case)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ReferralStatus.REVOKED, ReferralStatus.ACCEPTED)
    assert set(selectors.shared_for(receiver, second) or {}) == {"exploitation"}
    assert set(shared_access(receiver, case).fields) == {"exploitation"}
    # The grant given again is audited as the erasing supervisor's doing, for a reason of its
    # own; it still carries the referring worker's decision to share.
    regranted = AuditEvent.objects.filter(action="case.granted").latest("seq")
    assert regranted.actor == supervisor
    assert regranted.detail["fields"] == ["exploitation"]
    assert regranted.detail["on_behalf_of"] == second.created_by.pk
    second.grant.refresh_from_db()
    assert second.grant.granted_by == second.created_by
    assert second.created_by != supervisor
    assert second.grant.reason == "Still shared by other accepted referrals"


def erase_at_the_shelter(world, linked):  # type: ignore[no-untyped-def]
    """A supervisor of the receiving organisation erases the person of ``linked``."""
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory
    from palermo.cases.subject_rights import erase_person

    supervisor = MembershipFactory(organisation=world.other, role=Role.SUPERVISOR).user
    erase_person(linked, supervisor, "The person asked the shelter")
    return supervisor


def test_erasure_where_it_was_received_ends_the_receivers_access(world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.cases.models import Case

    consent(world, case)
    referral = send(world, case)
    receiver = world.users["other_case_worker"]
    services.accept(actor=receiver, referral=referral)
    referral.refresh_from_db()
    assert shared_access(receiver, case) is not None
    erase_at_the_shelter(world, Case.objects.get(pk=referral.linked_case_id))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
    assert shared_access(receiver, case) is None


def test_only_those_who_see_the_case_see_what_was_shared(world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory
    from palermo.referrals import selectors

    consent(world, case)
    referral = send(world, case)
    world.other.case_workers_see_all = False
    world.other.save()
    colleague = MembershipFactory(organisation=world.other, role=Role.CASE_WORKER).user
    services.accept(actor=world.users["other_case_worker"], referral=referral)
    referral.refresh_from_db()
    assert selectors.shared_for(world.users["other_case_worker"], referral)
    assert selectors.shared_for(colleague, referral) is None  # not assigned to the linked case
    # On the referring side, a colleague who does not see the case does not see its referral.
    world.agency.case_workers_see_all = False
    world.agency.save()
    unassigned = MembershipFactory(organisation=world.agency, role=Role.CASE_WORKER).user
    assert not selectors.referrals_for(unassigned).filter(pk=referral.pk).exists()


def test_one_grant_follows_every_accepted_referral(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    receiver = world.users["other_case_worker"]
    first = send(world, case, fields=("gender",))
    second = send(world, case, fields=("exploitation",), need="health")
    services.accept(actor=receiver, referral=first)
    services.accept(actor=receiver, referral=second)
    services.complete(actor=receiver, referral=second, outcome="Treated")
    shared = shared_access(receiver, case)
    assert shared is not None
    assert shared.fields == ("gender",)  # the first is still accepted; only its field stays
    services.complete(actor=receiver, referral=first, outcome="Housed")
    assert shared_access(receiver, case) is None


def test_a_grant_given_by_hand_outlives_a_referral(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    manual = case_services.grant_access(
        case, world.users["supervisor"], world.other, "Joint case conference", False
    )
    receiver = world.users["other_case_worker"]
    referral = send(world, case)
    services.accept(actor=receiver, referral=referral)
    services.complete(actor=receiver, referral=referral, outcome="Done")
    manual.refresh_from_db()
    assert manual.revoked_at is None


ENC_COLUMNS = (
    "note_enc",
    "protection_needs_enc",
    "decline_reason_enc",
    "outcome_enc",
    "shared_enc",
)


def test_erasure_leaves_no_text_of_the_person_on_referrals(client, login_as, world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.cases.subject_rights import erase_person

    consent(world, case)
    receiver = world.users["other_case_worker"]
    done = send(world, case, note="Maria Okonkwo, phone 0803")
    services.accept(actor=receiver, referral=done)
    services.complete(actor=receiver, referral=done, outcome="Maria Okonkwo housed in Bangkok")
    declined = send(world, case, note="Maria Okonkwo, phone 0803")
    services.decline(actor=receiver, referral=declined, reason="Maria Okonkwo speaks only Edo")
    asylum = send(
        world,
        case,
        kind=Kind.ASYLUM,
        need="asylum",
        protection_needs="Maria Okonkwo fears the network",
        interview_language="Edo",
    )
    erase_person(case, world.users["supervisor"], "The person asked")
    for referral in (done, declined, asylum):
        row = Referral.objects.filter(pk=referral.pk).values(*ENC_COLUMNS).get()
        assert row == dict.fromkeys(ENC_COLUMNS, ""), referral
    # The receiving worker's page no longer shows the outcome.
    login_as(receiver)
    page = client.get(f"/referrals/{done.pk}/")
    assert "Okonkwo" not in page.content.decode()


def test_rotate_keys_re_encrypts_the_referrals(world, case, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.core.management.base import CommandError

    consent(world, case)
    receiver = world.users["other_case_worker"]
    done = send(world, case, note="Housing first")
    services.accept(actor=receiver, referral=done)
    services.complete(actor=receiver, referral=done, outcome="Housed")
    declined = send(world, case, note="Second try")
    services.decline(actor=receiver, referral=declined, reason="No beds")
    old = settings.PALERMO_ENCRYPTION_KEYS[0]
    settings.PALERMO_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    with pytest.raises(CommandError, match="still under an old key"):
        call_command("rotate_keys", "--check")
    assert "referrals.Referral: 4 value(s) under an old key" in capsys.readouterr().out
    call_command("rotate_keys")
    settings.PALERMO_ENCRYPTION_KEYS = settings.PALERMO_ENCRYPTION_KEYS[:1]  # the old key goes
    call_command("rotate_keys", "--check")
    done = Referral.objects.get(pk=done.pk)
    declined = Referral.objects.get(pk=declined.pk)
    assert (done.note, done.outcome) == ("Housing first", "Housed")
    assert (declined.note, declined.decline_reason) == ("Second try", "No beds")


def test_a_third_organisation_with_a_whole_case_grant_reads_no_referral(  # type: ignore[no-untyped-def]
    client, login_as, world, case
) -> None:
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory, OrganisationFactory
    from palermo.referrals import selectors

    consent(world, case)
    referral = send(world, case)
    services.decline(
        actor=world.users["other_case_worker"],
        referral=referral,
        reason="No beds; the woman speaks only Edo",
    )
    open_one = send(world, case)
    third = OrganisationFactory(acronym="AGC", country_id="NG")
    case_services.grant_access(case, world.users["supervisor"], third, "Joint case", False)
    outsider = MembershipFactory(organisation=third, role=Role.SUPERVISOR).user
    assert case_access(outsider, case).view  # the case, yes
    assert not selectors.referrals_for(outsider).exists()  # its referrals, no
    login_as(outsider)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.cancel(actor=outsider, referral=open_one)
    # The referring organisation still reads both.
    assert selectors.referrals_for(world.users["case_worker"]).count() == 2


def test_opening_a_referral_cancelled_meanwhile_does_not_reopen_it(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    referral = send(world, case)
    opened_page = Referral.objects.get(pk=referral.pk)  # the receiver's copy, read before
    services.cancel(actor=world.users["case_worker"], referral=referral)
    services.mark_received(actor=world.users["other_case_worker"], referral=opened_page)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.CANCELLED
    assert opened_page.status == ReferralStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.accept(actor=world.users["other_case_worker"], referral=opened_page)
    assert not AuditEvent.objects.filter(action="referrals.received").exists()


def test_a_referral_answered_meanwhile_is_not_cancelled(world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    referral = send(world, case)
    senders_copy = Referral.objects.get(pk=referral.pk)  # read before the answer
    services.accept(actor=world.users["other_case_worker"], referral=referral)
    with pytest.raises(ValidationError, match="waiting for an answer"):
        services.cancel(actor=world.users["case_worker"], referral=senders_copy)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert shared_access(world.users["other_case_worker"], case) is not None


def test_status_changes_lock_their_rows(world, case) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("this database has no row locks")
    consent(world, case)
    referral = send(world, case)
    with CaptureQueriesContext(connection) as accepting:
        services.accept(actor=world.users["other_case_worker"], referral=referral)
    assert any(
        "FOR UPDATE" in q["sql"] and 'FROM "cases_case"' in q["sql"] for q in accepting
    )  # the case, while its grant is rebuilt
    with CaptureQueriesContext(connection) as withdrawing:
        consent(world, case, decision="withdrawn")
    assert any(
        "FOR UPDATE" in q["sql"] and 'FROM "referrals_referral"' in q["sql"] for q in withdrawing
    )


def test_revoking_and_reading_what_was_shared_are_audited(client, login_as, world, case) -> None:  # type: ignore[no-untyped-def]
    consent(world, case)
    referral = send(world, case, fields=("gender", "exploitation"))  # no identifier
    login_as(world.users["other_case_worker"])
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200
    read = AuditEvent.objects.get(action="referrals.shared_viewed")
    assert read.detail["fields"] == ["exploitation", "gender"]
    services.accept(actor=world.users["other_case_worker"], referral=referral)
    consent(world, case, decision="withdrawn")
    revoked = AuditEvent.objects.get(action="referrals.revoked")
    assert revoked.object_id == str(referral.pk)
