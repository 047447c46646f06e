"""Changing and deleting what the knowledge base holds: a change to a published resource goes
back to review; nothing is deleted that a claim, a country profile or an action plan rests on;
files replaced, removed or written by a failed save leave nothing behind; a missing file is a
404; and the messages say what happened in the reader's words."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import RestrictedError
from django.urls import reverse
from django.utils import timezone

from palermo.audit.models import AuditEvent
from palermo.knowledge import selectors, services, sherloc
from palermo.knowledge.forms import initial_for
from palermo.knowledge.models import Claim, Resource, Status, Validity
from palermo.knowledge.tests.helpers import claim, resource
from palermo.knowledge.tests.test_pages import pdf_bytes
from palermo.knowledge.tests.test_sherloc import table, write
from palermo.monitoring import services as monitoring
from palermo.monitoring.models import Plan, ProfileEntry

pytestmark = pytest.mark.django_db


def _pdf(text: str, name: str = "report.pdf") -> tuple[str, bytes, services.PdfText]:
    return services.pdf_from_upload(SimpleUploadedFile(name, pdf_bytes(text)))


def _published_with_file(world: Any, title: str, text: str) -> Resource:
    data = services.ResourceData(kind="research", title={"en": title}, text_language="en")
    return services.save_resource(
        actor=None, organisation=world.agency, data=data, pdf=_pdf(text), publish=True
    )


def _form_of(resource: Resource, **change: Any) -> dict[str, Any]:
    """What the edit form posts when nothing is touched, with ``change`` applied."""
    posted: dict[str, Any] = {}
    for name, value in initial_for(resource).items():
        if value in (None, "", []) or name == "contributor":
            continue
        if isinstance(value, bool):
            if value:
                posted[name] = "on"
            continue
        posted[name] = value
    posted.update(change)
    return {k: v for k, v in posted.items() if v is not None}


def _found_by_anonymous(words: str) -> list[str]:
    anyone = AnonymousUser()
    filters = selectors.Filters.from_query({"q": words})
    return [r.display_title for r in selectors.find(selectors.published(anyone), filters)]


# -- A change to a published resource is reviewed again -----------------------------------


def test_an_edit_to_a_published_resource_waits_for_review_before_readers_see_it(
    client: Any, login_as: Any, world: Any
) -> None:
    live = _published_with_file(world, "Fishing fleets", "Crews were paid in kind.")
    analyst = login_as(world.users["analyst"])
    form = analyst.get(reverse("knowledge:edit", args=[live.uid])).content.decode()
    assert "it goes back to review" in form
    upload = SimpleUploadedFile("new.pdf", pdf_bytes("Recruiters withheld the crews' wages."))
    response = analyst.post(
        reverse("knowledge:edit", args=[live.uid]),
        _form_of(live, title_en="Fishing fleets, revised", file=upload),
        follow=True,
    )
    assert "sent to review" in response.content.decode()
    live.refresh_from_db()
    assert (live.status, live.submitted_by) == (Status.SUBMITTED, world.users["analyst"])
    assert _found_by_anonymous("withheld wages") == []
    assert _found_by_anonymous("fishing") == []
    client.logout()
    assert client.get(reverse("knowledge:detail", args=[live.uid])).status_code == 404
    changed = AuditEvent.objects.filter(action="knowledge.resource_changed").get()
    assert {"title", "file", "file_name", "status"} <= set(changed.detail["changed"])
    reviewer = login_as(world.users["knowledge_reviewer"])
    reviewer.post(reverse("knowledge:review", args=[live.uid]), {"decision": "approve"})
    assert _found_by_anonymous("withheld wages") == ["Fishing fleets, revised"]


def test_a_draft_shows_no_notice_and_stays_a_draft(login_as: Any, world: Any) -> None:
    draft = resource(world.agency, "Work in progress", publish=False)
    analyst = login_as(world.users["analyst"])
    form = analyst.get(reverse("knowledge:edit", args=[draft.uid])).content.decode()
    assert "it goes back to review" not in form
    response = analyst.post(
        reverse("knowledge:edit", args=[draft.uid]),
        _form_of(draft, title_en="Work in progress, further"),
        follow=True,
    )
    assert "The resource is saved." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(
    "change",
    [
        {"abstract": {"en": "A new abstract."}},
        {"is_public": False},
        {"year": 2019},
        {"licence": "CC BY 4.0"},
        {"authors": ["A. Writer"]},
        {"codes": {"country": {"TH"}}},
        {"codes": {"intervention_theme": {"victim_assistance"}}},
    ],
    ids=lambda change: next(iter(change)) + str(next(iter(change.values())))[:12],
)
def test_any_field_a_reader_sees_sends_it_back_to_review(world: Any, change: Any) -> None:
    live = resource(world.agency, "Labour inspections", abstract="Inspectors visited farms.")
    fields: dict[str, Any] = {
        "kind": "research",
        "title": {"en": "Labour inspections"},
        "abstract": {"en": "Inspectors visited farms."},
    }
    data = services.ResourceData(**{**fields, **change})
    services.save_resource(
        actor=world.users["analyst"], organisation=world.agency, data=data, resource=live
    )
    live.refresh_from_db()
    assert live.status == Status.SUBMITTED


def test_a_case_record_change_sends_it_back_to_review(world: Any) -> None:
    case = resource(world.agency, "State v. A", kind="case_law", case_law={"court": "High Court"})
    data = services.ResourceData(
        kind="case_law", title={"en": "State v. A"}, case_law={"court": "Court of Appeal"}
    )
    services.save_resource(
        actor=world.users["analyst"], organisation=world.agency, data=data, resource=case
    )
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_saving_with_nothing_changed_changes_nothing(login_as: Any, world: Any) -> None:
    live = resource(
        world.agency,
        "Shelter standards",
        abstract="Minimum standards.",
        publishers=["Agency"],
        year=2020,
        codes={"country": {"NG"}, "intervention_theme": {"victim_assistance"}},
    )
    stamp = live.updated_at
    analyst = login_as(world.users["analyst"])
    response = analyst.post(reverse("knowledge:edit", args=[live.uid]), _form_of(live), follow=True)
    assert "Nothing was changed" in response.content.decode()
    live.refresh_from_db()
    assert (live.status, live.updated_at) == (Status.PUBLISHED, stamp)
    assert not AuditEvent.objects.filter(action="knowledge.resource_changed").exists()


def test_an_import_run_again_keeps_its_resource_published(world: Any) -> None:
    """``publish`` is the operator's import (SHERLOC, the demo): it is not reviewed."""
    data = services.ResourceData(kind="research", title={"en": "Imported"}, source_key="t:1")
    made = services.save_resource(actor=None, organisation=world.agency, data=data, publish=True)
    data.title = {"en": "Imported, corrected at the source"}
    services.save_resource(
        actor=None, organisation=world.agency, data=data, resource=made, publish=True
    )
    made.refresh_from_db()
    assert made.status == Status.PUBLISHED


def test_an_import_run_again_does_not_publish_a_change_waiting_for_review(
    login_as: Any, world: Any, tmp_path: Any
) -> None:
    """A members-only case made public by an editor waits for a reviewer, whatever the
    import does meanwhile: it updates the case and leaves it waiting."""
    path = write(tmp_path, table({}))
    sherloc.import_file(path, organisation=world.agency)
    case = Resource.objects.get()
    Resource.objects.filter(pk=case.pk).update(is_public=False)
    case.refresh_from_db()
    analyst = login_as(world.users["analyst"])
    analyst.post(reverse("knowledge:edit", args=[case.uid]), _form_of(case, is_public="on"))
    case.refresh_from_db()
    assert (case.status, case.is_public) == (Status.SUBMITTED, True)
    outcomes: list[str] = []

    def progress(row: Any, outcome: str) -> None:
        outcomes.append(outcome)

    changed = write(tmp_path, table({"Place": "Baltimore, MD"}), "changed.csv")
    report = sherloc.import_file(changed, organisation=world.agency, progress=progress)

    assert (report.updated, outcomes) == (1, ["updated, waiting for review"])
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.case_law.place == "Baltimore, MD"
    assert _found_by_anonymous("Example") == []
    again = sherloc.import_file(changed, organisation=world.agency)
    assert again.unchanged == 1
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


# -- Deleting what something rests on ------------------------------------------------------


def test_a_resource_a_country_profile_cites_is_not_deleted(login_as: Any, world: Any) -> None:
    law = resource(world.agency, "Anti-trafficking act", kind="legislation")
    coordinator = world.users["national_coordinator"]
    monitoring.record_entry(
        coordinator,
        ProfileEntry(
            country_id="NG", item="action_plan", status="yes", since=date(2020, 1, 1), evidence=law
        ),
    )
    with pytest.raises(ValidationError, match="country profile of Nigeria cites it"):
        services.delete_resource(actor=world.users["analyst"], resource=law)
    assert not AuditEvent.objects.filter(action="knowledge.resource_deleted").exists()
    analyst = login_as(world.users["analyst"])
    response = analyst.post(reverse("knowledge:delete", args=[law.uid]), follow=True)
    assert response.status_code == 200
    assert "The country profile of Nigeria cites it as evidence." in response.content.decode()
    assert Resource.objects.filter(pk=law.pk).exists()


def test_a_resource_an_action_plan_names_is_not_deleted(world: Any) -> None:
    document = resource(world.agency, "National action plan (text)", kind="policy")
    monitoring.save_part(
        world.users["national_coordinator"],
        Plan(
            country_id="NG",
            title="National action plan 2024-2028",
            starts=date(2024, 1, 1),
            ends=date(2028, 12, 31),
            document=document,
        ),
    )
    with pytest.raises(ValidationError, match="National action plan 2024-2028"):
        services.delete_resource(actor=world.users["analyst"], resource=document)
    assert Resource.objects.filter(pk=document.pk).exists()


def test_a_resource_whose_claim_another_resource_repeats_is_not_deleted(world: Any) -> None:
    survey = resource(world.agency, "Survey")
    origin = claim(world.agency, survey, 7, validity=Validity.PRIMARY)
    leaflet = resource(world.agency, "Leaflet")
    claim(world.agency, leaflet, 7, derived_from=origin)
    with pytest.raises(ValidationError, match="rest on it"):
        services.delete_resource(actor=world.users["analyst"], resource=survey)
    dataset = resource(world.agency, "Dataset")
    claim(world.agency, leaflet, 9, validity=Validity.PRIMARY, source_resource=dataset)
    with pytest.raises(ValidationError, match="rest on it"):
        services.delete_resource(actor=world.users["analyst"], resource=dataset)
    with pytest.raises(RestrictedError):  # whoever deletes it, not only the service
        dataset.delete()
    assert Resource.objects.filter(pk__in=[survey.pk, dataset.pk]).count() == 2
    assert not AuditEvent.objects.filter(action="knowledge.claim_deleted").exists()
    within = resource(world.agency, "Self-contained")
    first = claim(world.agency, within, 3, validity=Validity.PRIMARY)
    claim(world.agency, within, 3, derived_from=first)
    services.delete_resource(actor=world.users["analyst"], resource=within)
    assert not Resource.objects.filter(pk=within.pk).exists()


def test_a_claim_others_repeat_is_not_deleted(login_as: Any, world: Any) -> None:
    report = resource(world.agency, "Agency report")
    origin = claim(world.agency, report, 40, validity=Validity.PRIMARY)
    note = resource(world.host, "Host's note")
    repeated = claim(world.host, note, 40, derived_from=origin)
    with pytest.raises(ValidationError, match="taken from this claim"):
        services.delete_claim(actor=world.users["analyst"], claim=origin)
    analyst = login_as(world.users["analyst"])
    response = analyst.post(reverse("knowledge:claim_delete", args=[origin.pk]), follow=True)
    assert response.status_code == 200
    assert "taken from this claim" in response.content.decode()
    with pytest.raises(RestrictedError):
        origin.delete()
    repeated.refresh_from_db()
    assert repeated.derived_from == origin
    repeated.delete()
    analyst.post(reverse("knowledge:claim_delete", args=[origin.pk]))
    assert not Claim.objects.filter(pk=origin.pk).exists()


# -- PDFs and their files ------------------------------------------------------------------


def test_a_damaged_pdf_is_refused_in_one_translated_sentence_and_its_reason_logged(
    caplog: Any,
) -> None:
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage"
    with (
        caplog.at_level(logging.INFO, logger="palermo.knowledge.services"),
        pytest.raises(ValidationError) as refused,
    ):
        services.pdf_from_upload(SimpleUploadedFile("broken.pdf", broken))
    assert refused.value.messages == ["This PDF is damaged and cannot be read."]
    assert "Unreadable PDF" in caplog.text


def test_a_replaced_file_is_deleted_once_the_change_is_committed(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    live = _published_with_file(world, "Old version", "First edition.")
    storage, old = live.file.storage, live.file.name
    data = services.ResourceData(kind="research", title={"en": "Old version"})
    with django_capture_on_commit_callbacks(execute=True):
        services.save_resource(
            actor=world.users["analyst"],
            organisation=world.agency,
            data=data,
            resource=live,
            pdf=_pdf("Second edition."),
        )
    live.refresh_from_db()
    assert not storage.exists(old)
    assert storage.exists(live.file.name)
    assert "Second edition" in live.full_text


def test_a_file_written_by_a_failed_save_is_deleted(world: Any) -> None:
    storage = Resource._meta.get_field("file").storage
    folder = f"knowledge/{timezone.now().year}"
    before = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()
    data = services.ResourceData(
        kind="case_law",
        title={"en": "State v. B"},
        case_law={"court": "High Court", "form": "not a form"},  # refused after the file is written
    )
    with pytest.raises(ValidationError):
        services.save_resource(
            actor=world.users["analyst"],
            organisation=world.agency,
            data=data,
            pdf=_pdf("Judgment text.", name="judgment-b.pdf"),
        )
    after = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()
    assert after == before
    assert not Resource.objects.filter(title__en="State v. B").exists()


def test_removing_the_file_removes_it_and_its_text(
    client: Any, login_as: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    live = _published_with_file(world, "Handbook", "Confidential annex: shelter addresses.")
    storage, stored = live.file.storage, live.file.name
    assert _found_by_anonymous("shelter addresses") == ["Handbook"]
    analyst = login_as(world.users["analyst"])
    form = analyst.get(reverse("knowledge:edit", args=[live.uid])).content.decode()
    assert "Remove the current file" in form
    with django_capture_on_commit_callbacks(execute=True):
        analyst.post(reverse("knowledge:edit", args=[live.uid]), _form_of(live, remove_file="on"))
    live.refresh_from_db()
    assert (live.file.name, live.file_name, live.full_text, live.pages) == ("", "", "", None)
    assert not storage.exists(stored)
    assert live.status == Status.SUBMITTED
    login_as(world.users["knowledge_reviewer"]).post(
        reverse("knowledge:review", args=[live.uid]), {"decision": "approve"}
    )
    assert _found_by_anonymous("shelter addresses") == []
    assert _found_by_anonymous("handbook") == ["Handbook"]
    client.logout()
    assert client.get(reverse("knowledge:file", args=[live.uid])).status_code == 404


def test_a_new_file_and_removing_the_file_at_once_is_refused(login_as: Any, world: Any) -> None:
    live = _published_with_file(world, "Guide", "Text.")
    analyst = login_as(world.users["analyst"])
    upload = SimpleUploadedFile("other.pdf", pdf_bytes("Other text."))
    response = analyst.post(
        reverse("knowledge:edit", args=[live.uid]),
        _form_of(live, remove_file="on", file=upload),
    )
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    live.refresh_from_db()
    assert live.status == Status.PUBLISHED


def test_a_file_missing_from_storage_is_a_404(client: Any, world: Any) -> None:
    live = _published_with_file(world, "Lost file", "Text.")
    live.file.storage.delete(live.file.name)
    assert client.get(reverse("knowledge:file", args=[live.uid])).status_code == 404


# -- The claims list -----------------------------------------------------------------------


def test_the_claims_list_says_when_a_filter_matches_nothing(client: Any, world: Any) -> None:
    empty = client.get(reverse("knowledge:claims")).content.decode()
    assert "No claim is recorded yet" in empty
    claim(world.agency, resource(world.agency, "Report"), 5, validity=Validity.PRIMARY)
    filtered = client.get(reverse("knowledge:claims"), {"validity": Validity.UNTRACEABLE})
    body = filtered.content.decode()
    assert "No claim has this validity." in body
    assert "No claim is recorded yet" not in body
    listed = client.get(reverse("knowledge:claims"), {"validity": Validity.PRIMARY})
    assert "No claim" not in listed.content.decode()
