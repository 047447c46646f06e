"""Bad input to the API gets a clear JSON error with the right status, never a 500."""

from __future__ import annotations

import json

from palermo.accounts.models import Organisation


def test_malformed_json_is_a_400(world, login_as):
    client = login_as(world.users["platform_admin"])
    response = client.post(
        "/api/v1/organisations/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "JSON parse error" in error["message"]


def test_invalid_fields_are_reported_per_field(world, login_as):
    client = login_as(world.users["platform_admin"])
    payload = {"name": "", "acronym": "X", "type": "Circus", "country": "ZZ"}
    response = client.post(
        "/api/v1/organisations/", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"name", "type", "country"}
    assert not Organisation.objects.filter(acronym="X").exists()


def test_duplicate_acronym_is_a_400_not_a_500(world, login_as):
    client = login_as(world.users["platform_admin"])
    payload = {"name": "Another", "acronym": world.agency.acronym, "type": "NGO"}
    response = client.post(
        "/api/v1/organisations/", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert "acronym" in response.json()["error"]["fields"]


def test_unsupported_media_type(world, login_as):
    client = login_as(world.users["platform_admin"])
    response = client.post("/api/v1/organisations/", data="a=b", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_unknown_api_path_is_json_404(db, client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_schema_and_docs_are_served(db, client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/me/", "/api/v1/organisations/", "/api/v1/countries/"} <= set(paths)
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode()


def test_api_pagination(world, login_as):
    client = login_as(world.users["analyst"])
    body = client.get("/api/v1/countries/?page_size=10&page=2").json()
    assert body["count"] == 249
    assert len(body["results"]) == 10
    assert body["previous"] is not None
    assert body["next"] is not None
