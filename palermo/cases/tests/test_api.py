"""/api/v1/cases/: the same rule as the pages."""

from __future__ import annotations

import pytest

from palermo.audit.models import AuditEvent
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "count", "identifiers"),
    [
        ("case_worker", 1, True),
        ("supervisor", 1, True),
        ("data_manager", 1, True),
        ("analyst", 0, False),
        ("other_case_worker", 0, False),
        ("platform_admin", 0, False),
    ],
)
def test_list_and_detail_follow_the_rule(client, login_as, world, who, count, identifiers) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world.agency, world.users["case_worker"])
    login_as(world.users[who])
    data = client.get("/api/v1/cases/").json()
    assert data["count"] == count
    response = client.get(f"/api/v1/cases/{case.pk}/")
    if count:
        person = response.json()["person"]
        assert (person is not None) is identifiers
        if identifiers:
            assert person["documents"] == [{"type": "passport", "number": "A1234567"}]
            assert AuditEvent.objects.filter(action="case.identifiers_listed").exists()
    else:
        assert response.status_code == 404
        assert "Okonkwo" not in response.content.decode()


def test_create_validate_and_refuse_stale_updates(client, login_as, world) -> None:  # type: ignore[no-untyped-def]
    login_as(world.users["case_worker"])
    body = {
        "given_name": "Api",
        "family_name": "Person",
        "birth_date": "2000-01-01",
        "gender": "Masculine",
        "citizenship": ["PH"],
        "case_type": "presumed_victim",
        "identified_on": "2026-01-05",
        "identification_country": "TH",
    }
    response = client.post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 201
    case = response.json()
    assert case["person"]["given_name"] == "Api"
    bad = client.post(
        "/api/v1/cases/", {**body, "gender": "Robot"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "gender" in bad.json()["error"]["fields"]
    url = f"/api/v1/cases/{case['id']}/"
    ok = client.patch(
        url,
        {"row_version": case["row_version"], "exploitation": ["ForcedLabour"]},
        content_type="application/json",
    )
    assert ok.json()["exploitation"] == ["ForcedLabour"]
    stale = client.patch(
        url,
        {"row_version": case["row_version"], "exploitation": ["Servitude"]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["current"]["exploitation"] == ["ForcedLabour"]
    login_as(world.users["data_manager"])
    assert client.patch(url, {"row_version": 2}, content_type="application/json").status_code == 403
    login_as(world.users["analyst"])
    assert client.post("/api/v1/cases/", body, content_type="application/json").status_code == 403
