"""The knowledge base's pages: search, contribution and review, PDFs, claims, and that what is
restricted to members never reaches anonymous readers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from fpdf import FPDF
from pypdf import PdfWriter

from palermo.audit.models import AuditEvent
from palermo.knowledge.models import Resource, Status
from palermo.knowledge.tests.helpers import resource

pytestmark = pytest.mark.django_db


def pdf_bytes(text: str, *, password: str = "") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    content = bytes(pdf.output())
    if not password:
        return content
    writer = PdfWriter(clone_from=io.BytesIO(content))
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_data(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {"kind": "research", "title_en": "A study", "is_public": "on"}
    data.update(extra)
    return data


def test_anonymous_search_page_lists_public_resources(client, world) -> None:  # type: ignore[no-untyped-def]
    resource(world.agency, "Debt bondage in brick kilns", abstract="Families owed the kiln owner.")
    response = client.get(reverse("knowledge:index"), {"q": "kiln"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Debt bondage in brick kilns" in body
    assert "<mark>kiln</mark>" in body


def test_restricted_never_reaches_anonymous(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    secret = resource(
        world.agency,
        "Safe house locations review",
        abstract="The shelter at the harbour district takes twelve women.",
        is_public=False,
    )
    resource(world.agency, "Harbour labour inspections", abstract="Inspections at the harbour.")
    page = client.get(reverse("knowledge:index"), {"q": "harbour"}).content.decode()
    assert "Harbour labour inspections" in page
    assert "Safe house" not in page
    assert "twelve women" not in page
    assert client.get(reverse("knowledge:detail", args=[secret.uid])).status_code == 404
    api = client.get("/api/v1/knowledge/resources/", {"q": "harbour"})
    assert api.status_code == 200
    assert "Safe house" not in api.content.decode()
    assert client.get(f"/api/v1/knowledge/resources/{secret.uid}/").status_code == 404
    # A signed-in member of any organisation sees it.
    member = login_as(world.users["other_case_worker"])
    assert (
        "Safe house locations review"
        in member.get(reverse("knowledge:index"), {"q": "harbour"}).content.decode()
    )


def test_contribute_submit_review_publish(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    analyst = login_as(world.users["analyst"])
    response = analyst.post(
        reverse("knowledge:new"),
        form_data(
            contributor=world.agency.pk,
            title_en="Screening tools compared",
            abstract_fr="Une comparaison des outils de détection.",
            year="2021",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Resource.objects.get(title__en="Screening tools compared")
    assert created.status == Status.DRAFT
    client.logout()
    assert client.get(reverse("knowledge:detail", args=[created.uid])).status_code == 404
    login_as(world.users["analyst"])
    analyst.post(reverse("knowledge:submit", args=[created.uid]))
    created.refresh_from_db()
    assert created.status == Status.SUBMITTED
    reviewer = login_as(world.users["knowledge_reviewer"])
    queue = reviewer.get(reverse("knowledge:queue")).content.decode()
    assert "Screening tools compared" in queue
    reviewer.post(reverse("knowledge:review", args=[created.uid]), {"decision": "return"})
    created.refresh_from_db()
    assert created.status == Status.SUBMITTED  # returning needs a note
    reviewer.post(reverse("knowledge:review", args=[created.uid]), {"decision": "approve"})
    created.refresh_from_db()
    assert created.status == Status.PUBLISHED
    client.logout()
    assert client.get(reverse("knowledge:detail", args=[created.uid])).status_code == 200
    actions = set(
        AuditEvent.objects.filter(object_id=str(created.pk)).values_list("action", flat=True)
    )
    assert {
        "knowledge.resource_created",
        "knowledge.resource_submitted",
        "knowledge.resource_published",
    } <= actions


def test_reviewer_does_not_approve_own_submission(login_as, world) -> None:  # type: ignore[no-untyped-def]
    own = resource(world.agency, "Own study", publish=False)
    reviewer = login_as(world.users["knowledge_reviewer"])
    reviewer.post(reverse("knowledge:submit", args=[own.uid]))
    reviewer.post(reverse("knowledge:review", args=[own.uid]), {"decision": "approve"})
    own.refresh_from_db()
    assert own.status == Status.SUBMITTED


def test_roles_without_contribution_cannot_add(login_as, world) -> None:  # type: ignore[no-untyped-def]
    worker = login_as(world.users["case_worker"])
    assert worker.get(reverse("knowledge:new")).status_code == 403


def test_pdf_upload_becomes_searchable(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    analyst = login_as(world.users["analyst"])
    upload = SimpleUploadedFile(
        "report.pdf",
        pdf_bytes("Recruiters confiscated the passports of the fishermen."),
        content_type="application/pdf",
    )
    response = analyst.post(
        reverse("knowledge:new"),
        form_data(
            contributor=world.agency.pk, title_en="Annual report", file=upload, text_language="en"
        ),
    )
    assert response.status_code == 302
    created = Resource.objects.get(title__en="Annual report")
    assert "passports" in created.full_text
    created.status = Status.PUBLISHED
    created.save()
    page = client.get(reverse("knowledge:index"), {"q": "confiscating passport"}).content.decode()
    assert "Annual report" in page
    assert "<mark>confiscated</mark>" in page
    download = client.get(reverse("knowledge:file", args=[created.uid]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "damaged"),
        (b"PK\x03\x04 not a pdf at all", "not a PDF"),
        (None, "password"),
    ],
)
def test_bad_pdfs_are_refused_clearly(login_as, world, content, message) -> None:  # type: ignore[no-untyped-def]
    analyst = login_as(world.users["analyst"])
    if content is None:
        content = pdf_bytes("Secret", password="s3cret")
    upload = SimpleUploadedFile("bad.pdf", content, content_type="application/pdf")
    response = analyst.post(
        reverse("knowledge:new"),
        form_data(contributor=world.agency.pk, title_en="Broken file", file=upload),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resource.objects.filter(title__en="Broken file").exists()


def test_editing_an_imported_case_keeps_what_the_form_does_not_show(login_as, world) -> None:  # type: ignore[no-untyped-def]
    from palermo.knowledge.models import CaseLaw

    case = resource(
        world.agency,
        "United States v. Example",
        kind="case_law",
        case_law={"court": "", "acts": ["recruitment"], "sectors": ["Agriculture"]},
        parties=[
            ("victim", "female", "", "", None),
            ("victim", "", "", "foreign", None),
            ("defendant", "male", "", "", 2),
        ],
    )
    reviewer = login_as(world.users["analyst"])
    page = reviewer.get(reverse("knowledge:edit", args=[case.uid]))
    assert page.status_code == 200
    assert page.context["form"].initial["defendants_male"] == 2
    data = {
        "kind": "case_law",
        "title_en": "United States v. Example",
        "defendants_male": "3",
        "acts": "recruitment",
    }
    response = reviewer.post(reverse("knowledge:edit", args=[case.uid]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = CaseLaw.objects.get(resource=case)
    assert stored.sectors == ["Agriculture"]
    assert set(stored.parties.values_list("role", "sex", "nationality", "count")) == {
        ("victim", "female", "", None),
        ("victim", "", "foreign", None),
        ("defendant", "male", "", 3),
    }


def test_the_case_law_form_counts_parties_by_age_and_nationality(login_as, world) -> None:  # type: ignore[no-untyped-def]
    from palermo.knowledge.models import CaseLaw

    contributor = login_as(world.users["analyst"])
    data = {
        "contributor": world.agency.pk,
        "kind": "case_law",
        "title_en": "State v. Counted",
        "court": "High Court",
        "victims_female": "4",
        "victims_adults": "3",
        "victims_minors": "1",
        "victims_foreign": "4",
        "defendants_male": "2",
        "defendants_nationals": "2",
    }
    response = contributor.post(reverse("knowledge:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = CaseLaw.objects.get(resource__title__en="State v. Counted")
    assert set(case.parties.values_list("role", "sex", "age", "nationality", "count")) == {
        ("victim", "female", "", "", 4),
        ("victim", "", "adult", "", 3),
        ("victim", "", "minor", "", 1),
        ("victim", "", "", "foreign", 4),
        ("defendant", "male", "", "", 2),
        ("defendant", "", "", "national", 2),
    }
    page = contributor.get(reverse("knowledge:edit", args=[case.resource.uid]))
    assert page.context["form"].initial["victims_foreign"] == 4
    assert page.context["form"].initial["defendants_nationals"] == 2
    assert "Victims by sex, age and nationality" in page.content.decode()


def test_the_search_page_reads_a_fixed_number_of_queries(client, world) -> None:  # type: ignore[no-untyped-def]
    """Whatever its rows: they are read with only the columns a result shows (its kind, year,
    publishers, members-only mark, passage), and a column the page used but the query left out
    would cost one more query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page() -> tuple[int, str]:
        client.get(reverse("knowledge:index"), {"q": "harbour"})  # code lists cached
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("knowledge:index"), {"q": "harbour"}).content.decode()
        return len(queries), body

    for n in range(3):
        resource(world.agency, f"Harbour report {n}", codes={"country": {"TH"}})
    few, _ = page()
    for n in range(3, 15):
        study = resource(
            world.agency,
            f"Harbour law {n}",
            kind="legislation",
            abstract=f"Port work {n}.",
            year=2000 + n,
            publishers=["IOM", "UNODC"],
            codes={"country": {"NG"}},
        )
        # The passage then comes from the text, in its language (as a PDF's would).
        Resource.objects.filter(pk=study.pk).update(
            full_text=f"The harbour number {n}.", text_language="en"
        )
    many, body = page()
    assert many == few
    assert "<mark>harbour</mark> number 14." in body
    assert "2014 · IOM, UNODC" in body
    assert "Legislation" in body
