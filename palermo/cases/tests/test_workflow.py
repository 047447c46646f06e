"""Assignment, approvals, flags, child safeguards and the task list, through the services."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.audit.models import AuditEvent
from palermo.cases import safeguards, services, workflow
from palermo.cases.models import Approval, CaseStatus, ChildSafeguards
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CHILD = {"birth_date": (TODAY - datetime.timedelta(days=15 * 365)).isoformat()}


def _open(case, worker):  # type: ignore[no-untyped-def]
    services.record_consent(case, worker, "assistance", "given", "guardian", TODAY)
    return services.change_status(case, worker, case.row_version, CaseStatus.OPEN)


def test_only_a_supervisor_assigns_and_only_to_a_worker_of_the_organisation(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    colleague = MembershipFactory(organisation=world.agency, role=Role.CASE_WORKER).user
    case = make_case(world.agency, worker)
    with pytest.raises(ValidationError, match="supervisor"):
        workflow.assign(case, worker, colleague, case.row_version)
    with pytest.raises(ValidationError, match="cannot be given"):
        workflow.assign(case, supervisor, world.users["other_case_worker"], case.row_version)
    with pytest.raises(ValidationError, match="cannot be given"):
        workflow.assign(case, supervisor, world.users["analyst"], case.row_version)
    with pytest.raises(services.ConflictError):
        workflow.assign(case, supervisor, colleague, case.row_version - 1)
    case = workflow.assign(case, supervisor, colleague, case.row_version)
    assert case.assigned_to == colleague
    event = AuditEvent.objects.filter(action="case.assigned").latest("seq")
    assert event.detail["to"] == str(colleague.pk)


def test_bulk_reassignment_moves_what_the_supervisor_may_and_lists_the_rest(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    colleague = MembershipFactory(organisation=world.agency, role=Role.CASE_WORKER).user
    mine = [make_case(world.agency, worker) for _ in range(3)]
    foreign = make_case(world.other, world.users["other_case_worker"])
    result = workflow.reassign_many([c.pk for c in mine] + [foreign.pk], supervisor, colleague)
    assert sorted(result.reassigned) == sorted(c.reference for c in mine)
    assert result.refused == {}  # the other agency's case is not even visible: not named
    for case in mine:
        case.refresh_from_db()
        assert case.assigned_to == colleague
        assert case.row_version == 2
    foreign.refresh_from_db()
    assert foreign.assigned_to == world.users["other_case_worker"]
    with pytest.raises(ValidationError):
        workflow.reassign_many([foreign.pk], supervisor, colleague)
    # A case worker supervises nothing: every visible case is refused with its reason.
    refused = workflow.reassign_many([c.pk for c in mine], colleague, worker)
    assert refused.reassigned == []
    assert len(refused.refused) == 3


def test_closure_needs_a_supervisor_other_than_the_requester(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = _open(make_case(world.agency, worker), worker)
    with pytest.raises(ValidationError) as caught:
        workflow.request_approval(case, worker, "closure", "  ")
    assert "content" in caught.value.message_dict
    request = workflow.request_approval(case, worker, "closure", "Reintegrated with family")
    assert "Reintegrated" not in request.content_enc
    assert request.due_on == TODAY + datetime.timedelta(days=5)
    with pytest.raises(ValidationError, match="already waiting"):
        workflow.request_approval(case, worker, "closure", "again")
    with pytest.raises(ValidationError, match="supervisor"):
        workflow.decide(request, worker, approve=True)
    with pytest.raises(ValidationError) as caught:
        workflow.decide(request, supervisor, approve=False)
    assert "comment" in caught.value.message_dict
    rejected = workflow.decide(request, supervisor, approve=False, comment="Follow-up first")
    assert rejected.state == Approval.State.REJECTED
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    # The supervisor's own request must be decided by someone else.
    own = workflow.request_approval(case, supervisor, "closure", "Follow-up done")
    with pytest.raises(ValidationError, match="other than"):
        workflow.decide(own, supervisor, approve=True)
    workflow.withdraw(own, supervisor)
    approved = workflow.decide(
        workflow.request_approval(case, worker, "closure", "Follow-up done"), supervisor, True
    )
    assert approved.state == Approval.State.APPROVED
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    with pytest.raises(ValidationError, match="already decided"):
        workflow.decide(approved, supervisor, approve=False, comment="changed my mind")
    actions = list(
        AuditEvent.objects.filter(action__startswith="case.approval").values_list(
            "action", flat=True
        )
    )
    assert actions.count("case.approval_requested") == 3
    assert "case.approval_withdrawn" in actions


def test_a_case_plan_is_approved_without_changing_the_status(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    case = _open(make_case(world.agency, worker), worker)
    plan = workflow.request_approval(case, worker, "case_plan", "Shelter 3 months; legal aid")
    workflow.decide(plan, supervisor, approve=True, comment="Agreed")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    plan.refresh_from_db()
    assert plan.comment == "Agreed"
    assert plan.decided_by == supervisor


def test_flags_are_raised_with_a_reason_and_cleared(world) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    with pytest.raises(ValidationError):
        workflow.raise_flag(case, worker, "bogus")
    with pytest.raises(ValidationError) as caught:
        workflow.raise_flag(case, worker, "other", "")
    assert "details" in caught.value.message_dict
    flag = workflow.raise_flag(case, worker, "safety", "Recruiter seen near the shelter")
    assert "Recruiter" not in flag.details_enc
    workflow.clear_flag(flag, worker)
    with pytest.raises(ValidationError, match="already cleared"):
        workflow.clear_flag(flag, worker)


def test_a_child_gets_safeguards_with_due_dates_and_closure_waits_for_the_determination(
    world,
) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    identified = TODAY - datetime.timedelta(days=20)
    case = make_case(world.agency, worker, CHILD, identified_on=identified)
    assert case.is_minor
    record = ChildSafeguards.objects.get(case=case)
    assert record.guardian_due == identified + datetime.timedelta(days=3)
    assert record.determination_due == identified + datetime.timedelta(days=90)
    assert safeguards.overdue_steps(record) == ["guardian", "assessment"]
    adult = make_case(world.agency, worker)
    assert not ChildSafeguards.objects.filter(case=adult).exists()
    with pytest.raises(ValidationError, match="under 18"):
        safeguards.update_safeguards(adult, worker, {"tracing_status": "in_progress"})

    with pytest.raises(ValidationError) as caught:
        safeguards.update_safeguards(
            case,
            worker,
            {
                "guardian_appointed_on": TODAY + datetime.timedelta(days=1),
                "determination_done_on": TODAY,
                "determination_outcome": "",
            },
        )
    assert set(caught.value.message_dict) == {
        "guardian_appointed_on",
        "guardian_name",
        "determination_outcome",
        "assessment_done_on",
    }
    record.refresh_from_db()
    assert record.guardian_appointed_on is None  # nothing half-saved

    case = _open(case, worker)
    with pytest.raises(ValidationError, match="best-interests determination"):
        workflow.request_approval(case, worker, "closure", "Done")
    record = safeguards.update_safeguards(
        case,
        worker,
        {
            "guardian_appointed_on": identified + datetime.timedelta(days=2),
            "guardian_name": "Mrs Guardian Example",
            "assessment_done_on": identified + datetime.timedelta(days=10),
            "tracing_status": "in_progress",
        },
    )
    assert safeguards.overdue_steps(record) == []
    assert "Guardian Example" not in record.guardian_name_enc
    event = AuditEvent.objects.filter(action="case.safeguards_changed").latest("seq")
    assert event.detail["identifiers_changed"] == ["guardian_name"]
    assert "Guardian Example" not in str(event.detail)
    safeguards.update_safeguards(
        case,
        worker,
        {"determination_done_on": TODAY, "determination_outcome": "Stay in foster care"},
    )
    request = workflow.request_approval(case, worker, "closure", "Placed in foster care")
    workflow.decide(request, supervisor, approve=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_the_task_list_shows_what_waits_overdue_first(world) -> None:  # type: ignore[no-untyped-def]
    worker, supervisor = world.users["case_worker"], world.users["supervisor"]
    child = make_case(
        world.agency, worker, CHILD, identified_on=TODAY - datetime.timedelta(days=20)
    )
    adult = _open(make_case(world.agency, worker), worker)
    request = workflow.request_approval(adult, worker, "case_plan", "Plan")
    Approval.objects.filter(pk=request.pk).update(due_on=TODAY - datetime.timedelta(days=1))
    workflow.raise_flag(adult, worker, "medical")

    supervisor_tasks = workflow.tasks_for(supervisor)
    decisions = [t for t in supervisor_tasks if t.kind == "approval"]
    assert [(t.approval, t.overdue) for t in decisions] == [(request, True)]
    assert {t.kind for t in supervisor_tasks} == {"approval", "safeguard", "flag"}
    worker_tasks = workflow.tasks_for(worker)
    kinds = [(t.kind, t.case.reference, t.overdue) for t in worker_tasks]
    assert ("safeguard", child.reference, True) in kinds
    assert ("flag", adult.reference, False) in kinds
    assert all(t.kind != "approval" for t in worker_tasks)  # a worker decides nothing
    assert [t.overdue for t in worker_tasks] == sorted(
        (t.overdue for t in worker_tasks), reverse=True
    )
    assert workflow.tasks_for(world.users["other_case_worker"]) == []
    assert workflow.tasks_for(world.users["analyst"]) == []


def test_reminders_mail_each_person_their_overdue_tasks(world, settings) -> None:  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    worker.email = "worker@example.org"
    worker.save()
    make_case(world.agency, worker, CHILD, identified_on=TODAY - datetime.timedelta(days=20))
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert worker.username in out.getvalue()
    assert not mail.outbox
    supervisor = world.users["supervisor"]
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    call_command("send_reminders", stdout=out)
    # The assigned worker, and the supervisor (who hears of every overdue safeguard).
    assert sorted(m.to[0] for m in mail.outbox) == ["supervisor@example.org", "worker@example.org"]
    message = next(m for m in mail.outbox if m.to == ["worker@example.org"])
    assert "Appoint a guardian" in message.body
    assert "Testperson" not in message.body  # references only, never names
