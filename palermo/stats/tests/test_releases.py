"""Releases through their services and doors: who may do what, what enters, what comes out."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.audit.models import AuditEvent
from palermo.cases import services as cases
from palermo.stats import selectors, services
from palermo.stats.models import BudgetSpend, Contribution, Release
from palermo.stats.tests.helpers import coded_cases

DIMENSIONS = ["year", "sex", "age_band", "citizenship", "exploitation_country", "exploitation"]


@pytest.fixture
def managers(world: Any) -> dict[str, Any]:
    return {
        "host": MembershipFactory(organisation=world.host, role=Role.DATA_MANAGER).user,
        "agency": world.users["data_manager"],
        "other": MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user,
    }


def define(managers: dict[str, Any], organisations: list[Any], **options: Any) -> Release:
    definition = services.Definition(
        title=options.pop("title", "Pooled test release"),
        first_year=2020,
        last_year=2026,
        organisations=organisations,
        dimensions=options.pop("dimensions", DIMENSIONS),
        main_dimensions=options.pop("main_dimensions", ["year", "sex", "citizenship"]),
        **options,
    )
    return services.define_release(managers["host"], definition)


def approve_all(release: Release, managers: dict[str, Any]) -> None:
    for contribution in release.contributions.select_related("organisation"):
        user = (
            managers["agency"] if contribution.organisation.acronym == "AGA" else managers["other"]
        )
        services.answer(user, contribution, approve=True)


def computed(release: Release, managers: dict[str, Any]) -> Release:
    release = services.compute(release, managers["host"])
    assert release.state == Release.State.COMPUTED, release.error
    return release


def cell(release: Release, dims: str, values: str) -> tuple[int | None, bool] | None:
    table = selectors.cells(release)
    for row in table.iter_rows(named=True):
        if row["dims"] == dims and row["values"] == values:
            return row["count"], row["suppressed"]
    return None


def test_only_consented_non_draft_cases_enter_and_withdrawal_leaves_the_next_version(
    world: Any, managers: dict[str, Any]
) -> None:
    worker = world.users["case_worker"]
    kept = coded_cases(world.agency, worker, 14)
    coded_cases(world.agency, worker, 3, consent="refused", ana_Citizenship="GH")
    coded_cases(world.agency, worker, 3, consent="", ana_Citizenship="GH")
    release = define(managers, [world.agency], k=3, rounding_base=2)
    approve_all(release, managers)
    first = computed(release, managers)
    assert first.snapshot.rows == 14
    assert cell(first, "citizenship", "GH") is None  # no consent, not counted at all
    assert cell(first, "citizenship", "NG") == (14, False)

    for case in kept[:3]:
        cases.record_consent(
            case, worker, "statistics", "withdrawn", "person", datetime.date(2026, 2, 1)
        )
    second = services.new_version(managers["host"], first)
    approve_all(second, managers)
    second = computed(second, managers)
    assert second.version == 2
    assert second.supersedes == first
    assert second.snapshot.rows == 11
    assert cell(second, "citizenship", "NG") == (12, False)  # 11 rounded to a multiple of 2
    first.refresh_from_db()
    assert first.snapshot.rows == 14
    assert cell(first, "citizenship", "NG") == (14, False)


def test_an_organisation_that_did_not_approve_is_absent(
    world: Any, managers: dict[str, Any]
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 12)
    coded_cases(world.other, world.users["other_case_worker"], 12, ana_Citizenship="TH")
    release = define(managers, [world.agency, world.other], k=3)
    services.answer(managers["agency"], release.contributions.get(organisation=world.agency), True)
    with pytest.raises(PermissionDenied):  # only AGB's data managers answer for AGB
        services.answer(
            managers["agency"], release.contributions.get(organisation=world.other), True
        )
    services.answer(managers["other"], release.contributions.get(organisation=world.other), False)
    release = computed(release, managers)
    assert release.snapshot.rows == 12
    assert cell(release, "citizenship", "TH") is None
    contributors = {c["acronym"]: c for c in release.metadata["contributors"]}
    assert contributors["AGA"]["records"] == 10
    assert contributors["AGB"]["records"] is None
    assert contributors["AGB"]["answer"] == Contribution.State.DECLINED


def test_no_approval_no_computation_and_only_the_host_manages(
    world: Any, managers: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        services.define_release(
            managers["agency"],
            services.Definition("x", 2020, 2026, [world.agency], ["sex"], []),
        )
    release = define(managers, [world.agency])
    with pytest.raises(ValidationError):
        services.request_compute(managers["host"], release)
    with pytest.raises(ValidationError) as error:
        define(managers, [], rounding_base=1, dimensions=["sex", "nonsense"])
    assert {"organisations", "rounding_base", "dimensions"} <= set(error.value.message_dict)


def test_a_computed_release_never_changes(world: Any, managers: dict[str, Any]) -> None:
    coded_cases(world.agency, world.users["case_worker"], 12)
    release = define(managers, [world.agency], k=3)
    approve_all(release, managers)
    release = computed(release, managers)
    checksum, cells = release.checksum, bytes(release.cells)
    release.cells = b"tampered"
    with pytest.raises(ValidationError):
        release.save()
    release.refresh_from_db()
    with pytest.raises(ValidationError):
        services.request_compute(managers["host"], release)  # not computed twice
    services.publish(managers["host"], release)
    release.refresh_from_db()
    release.state = Release.State.COMPUTED
    with pytest.raises(ValidationError):
        release.save()
    release.refresh_from_db()
    release.k = 100  # nor what it says it is
    with pytest.raises(ValidationError):
        release.save()
    release.refresh_from_db()
    with pytest.raises(ValidationError):
        services.compute(release, managers["host"])
    with pytest.raises(ValidationError):
        release.delete()
    release.refresh_from_db()
    assert release.checksum == checksum
    assert bytes(release.cells) == cells
    assert release.state == Release.State.PUBLISHED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "stats.release.defined",
        "stats.contribution.approved",
        "stats.snapshot.frozen",
        "stats.release.computed",
        "stats.release.published",
    } <= actions


@override_settings(PALERMO_DP_EPSILON_BUDGET=5.0)
def test_the_privacy_budget_of_a_snapshot_cannot_be_exceeded(
    world: Any, managers: dict[str, Any]
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 20)
    release = define(managers, [world.agency], method="dp", epsilon=4.0, k=3)
    approve_all(release, managers)
    first = computed(release, managers)
    assert first.metadata["privacy"]["P4"]["epsilon"] == 4.0
    # Zero-concentrated accounting composes more tightly than adding epsilons: two releases at
    # 4 would spend more than 5, two at 2 would not.
    again = services.new_version(managers["host"], first, same_snapshot=True)
    approve_all(again, managers)
    again = services.compute(again, managers["host"])
    assert again.state == Release.State.FAILED
    assert "budget" in again.error
    assert BudgetSpend.objects.filter(snapshot=first.snapshot).count() == 1
    # A fresh snapshot has its own budget.
    fresh = define(managers, [world.agency], method="dp", epsilon=4.0, k=3)
    approve_all(fresh, managers)
    assert computed(fresh, managers).snapshot != first.snapshot


def published(world: Any, managers: dict[str, Any]) -> Release:
    coded_cases(world.agency, world.users["case_worker"], 30)
    coded_cases(world.agency, world.users["case_worker"], 4, ana_Gender="Male")
    release = define(managers, [world.agency])
    approve_all(release, managers)
    release = computed(release, managers)
    return services.publish(managers["host"], release)


def test_the_public_api_never_returns_a_suppressed_value(
    world: Any, managers: dict[str, Any], client: Client
) -> None:
    release = published(world, managers)
    draft = define(managers, [world.agency], title="Not yet")
    listing = client.get("/api/v1/releases/").json()
    assert [r["id"] for r in listing["results"]] == [str(release.pk)]
    assert client.get(f"/api/v1/releases/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/releases/{draft.pk}/cells/").status_code == 404
    seen, url = [], f"/api/v1/releases/{release.pk}/cells/"
    while url:
        page = client.get(url).json()
        seen += page["results"]
        url = page["next"]
    suppressed = [c for c in seen if c["suppressed"]]
    assert suppressed
    assert all(c["count"] is None for c in suppressed)
    assert {
        "dimensions": ["sex"],
        "values": {"sex": "Male"},
        "count": None,
        "suppressed": True,
    } in seen
    assert all(c["count"] >= release.k for c in seen if not c["suppressed"])
    only = client.get(f"/api/v1/releases/{release.pk}/cells/?dimensions=sex&sex=Female").json()
    assert only["results"] == [
        {"dimensions": ["sex"], "values": {"sex": "Female"}, "count": 30, "suppressed": False}
    ]
    assert client.get(f"/api/v1/releases/{release.pk}/cells/?dimensions=nope").status_code == 400
    assert client.get(f"/api/v1/releases/{release.pk}/").json()["metadata"]["utility"]


def test_dashboard_tables_and_downloads_show_suppressed_as_suppressed(
    world: Any, managers: dict[str, Any], client: Client
) -> None:
    release = published(world, managers)
    page = client.get(f"/statistics/releases/{release.pk}/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text
    assert 'role="img"' in text
    assert "suppressed" in text
    assert client.get("/statistics/").status_code == 302
    csv = client.get(f"/statistics/releases/{release.pk}/tables/sex.csv").content.decode(
        "utf-8-sig"
    )
    assert "Male,Male,suppressed,1" in csv.replace("\r", "")
    assert "Female,Female,30," in csv
    hxl = client.get(f"/statistics/releases/{release.pk}/tables/sex.hxl").content.decode()
    assert hxl.splitlines()[1].startswith("#x_sex+code,#description,#affected+num")
    document = json.loads(client.get(f"/statistics/releases/{release.pk}/tables/sex.json").content)
    assert {"code": "Male", "label": "Male", "count": None, "suppressed": True} in document["rows"]
    xlsx = client.get(f"/statistics/releases/{release.pk}/tables/sex.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    svg = client.get(f"/statistics/releases/{release.pk}/charts/map/citizenship.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    filtered = client.get(f"/statistics/releases/{release.pk}/tables/citizenship.csv?sex=Female")
    assert "NG," in filtered.content.decode("utf-8-sig")
    assert client.get(f"/statistics/releases/{release.pk}/tables/nope.csv").status_code == 404


def test_drafts_are_hidden_from_the_public_and_other_organisations(
    world: Any, managers: dict[str, Any], login_as: Any
) -> None:
    release = define(managers, [world.agency])
    anonymous = login_as(None)
    assert anonymous.get(f"/statistics/releases/{release.pk}/").status_code == 404
    assert anonymous.get(f"/statistics/releases/{release.pk}/dashboard/").status_code == 404
    asked = login_as(managers["agency"])
    assert asked.get(f"/statistics/releases/{release.pk}/").status_code == 200
    outsider = login_as(managers["other"])
    assert outsider.get(f"/statistics/releases/{release.pk}/").status_code == 404
    assert outsider.get("/statistics/releases/new/").status_code == 403


def test_a_data_manager_defines_computes_and_publishes_through_the_pages(
    world: Any, managers: dict[str, Any], login_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 15)
    host = login_as(managers["host"])
    form = {
        "title": "Through the pages",
        "first_year": "2020",
        "last_year": "2026",
        "organisations": [str(world.agency.pk)],
        "dimensions": ["year", "sex", "citizenship"],
        "main_dimensions": [],
        "max_length": "2",
        "method": "threshold",
        "k": "11",
        "rounding_base": "5",
    }
    bad = host.post("/statistics/releases/new/", {**form, "last_year": "2010"})
    assert bad.status_code == 200
    assert "ends before it starts" in bad.content.decode()
    response = host.post("/statistics/releases/new/", form)
    release = Release.objects.get(title="Through the pages")
    assert response.status_code == 302
    contribution = release.contributions.get()
    agency = login_as(managers["agency"])
    agency.post(
        f"/statistics/releases/{release.pk}/answer/{contribution.pk}/", {"answer": "approve"}
    )
    host = login_as(managers["host"])
    with django_capture_on_commit_callbacks(execute=True):
        host.post(f"/statistics/releases/{release.pk}/compute/")
    release.refresh_from_db()
    assert release.state == Release.State.COMPUTED, release.error
    page = host.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "U1" in page
    assert "does not protect against comparing two releases" in page
    host.post(f"/statistics/releases/{release.pk}/publish/")
    release.refresh_from_db()
    assert release.state == Release.State.PUBLISHED
    assert release.records == 15


def test_an_organisation_sees_its_own_exact_figures_and_no_one_else_does(
    world: Any, managers: dict[str, Any], login_as: Any
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 3, consent="")  # no consent needed
    coded_cases(world.other, world.users["other_case_worker"], 2)
    figures = services.own_figures(world.users["analyst"], world.agency, ["citizenship"])
    assert figures.total == 3
    assert figures.tables["citizenship"] == [("NG", 3)]
    with pytest.raises(PermissionDenied):
        services.own_figures(world.users["analyst"], world.other, ["citizenship"])
    page = login_as(world.users["analyst"]).get("/statistics/own/")
    assert page.status_code == 200
    assert "Nigeria" in page.content.decode()
    assert login_as(world.users["case_worker"]).get("/statistics/own/").status_code == 403


def test_a_reused_snapshot_is_refused_when_a_contributor_no_longer_approves(
    world: Any, managers: dict[str, Any]
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 12)
    coded_cases(world.other, world.users["other_case_worker"], 12, ana_Citizenship="TH")
    first = define(managers, [world.agency, world.other], k=3)
    approve_all(first, managers)
    first = computed(first, managers)
    again = services.new_version(managers["host"], first, same_snapshot=True)
    services.answer(managers["agency"], again.contributions.get(organisation=world.agency), True)
    services.answer(managers["other"], again.contributions.get(organisation=world.other), False)
    again = services.compute(again, managers["host"])
    assert again.state == Release.State.FAILED
    assert "other organisations" in again.error
    assert again.cells is None


def test_a_dp_release_publishes_only_protected_figures(
    world: Any, managers: dict[str, Any]
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 40)
    release = define(managers, [world.agency], method="dp", epsilon=2.0, k=3, synthetic=True)
    approve_all(release, managers)
    release = computed(release, managers)
    public = json.dumps(release.metadata)
    assert "utility" not in release.metadata  # measures on true data stay with the host
    assert release.assessment["utility"]["all"]["combinations"] > 0
    assert release.assessment["snapshot"]["rows"] == 40
    # The exact count is nowhere in what is published: the snapshot stays with the host, and
    # "rows" appears only as the synthetic file's noisy count (which noise of 0 can leave at 40).
    assert "snapshot" not in release.metadata
    assert public.count('"rows": ') == 1
    assert release.metadata["contributors"][0]["records"] is None
    assert release.metadata["synthetic"]["rows"] == release.records  # the noisy count
    assert services.synthetic_csv(release).count(b"\n") == release.records + 1


def test_a_case_with_a_malformed_year_is_left_out_not_fatal(
    world: Any, managers: dict[str, Any]
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 12)
    coded_cases(world.agency, world.users["case_worker"], 1, ana_YearOfRegistration="n/a")
    release = define(managers, [world.agency], k=3)
    approve_all(release, managers)
    assert computed(release, managers).snapshot.rows == 12


def test_contributors_see_drafts_not_unpublished_results(
    world: Any, managers: dict[str, Any], login_as: Any
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 12)
    release = define(managers, [world.agency], k=3)
    approve_all(release, managers)
    release = computed(release, managers)
    asked = login_as(managers["agency"])
    assert asked.get(f"/statistics/releases/{release.pk}/").status_code == 404
    services.publish(managers["host"], release)
    newer = services.new_version(managers["host"], release)
    page = login_as(None).get(f"/statistics/releases/{release.pk}/").content.decode()
    assert str(newer.pk) not in page  # an unpublished next version is not announced
    assert (
        str(newer.pk)
        in login_as(managers["host"]).get(f"/statistics/releases/{release.pk}/").content.decode()
    )


def test_a_value_no_code_list_knows_is_not_counted_as_its_own(
    world: Any, managers: dict[str, Any]
) -> None:
    coded_cases(world.agency, world.users["case_worker"], 12)
    coded_cases(world.agency, world.users["case_worker"], 3, ana_Citizenship="ZZ")
    release = define(managers, [world.agency], k=3)
    approve_all(release, managers)
    release = computed(release, managers)
    assert release.snapshot.rows == 15  # the cases count...
    assert cell(release, "citizenship", "ZZ") is None  # ...their unknown code is not a value
    assert cell(release, "citizenship", "NG") == (10, False)
