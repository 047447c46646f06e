"""Layout, languages and error pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import path

from palermo.urls import urlpatterns as real_urlpatterns


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", _boom), path("api/v1/boom/", _boom), *real_urlpatterns]
handler500 = "palermo.core.views.server_error"
handler404 = "palermo.core.views.page_not_found"


def test_layout_landmarks_and_skip_link(db, client):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<nav aria-label=" in html
    assert '<label for="language-select">' in html
    assert 'name="viewport"' in html


def test_switching_to_arabic_gives_rtl_and_is_remembered(db, client):
    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ar"
    assert int(response.cookies["django_language"]["max-age"]) > 30 * 24 * 3600
    html = client.get("/").content.decode()
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert "Skip to main content" not in html  # the page is translated, not just flipped


@pytest.mark.parametrize("code", ["ar", "zh-hans", "fr", "ru", "es"])
def test_navigation_login_and_errors_are_translated(db, code):
    """Palermo's own catalogue (not only Django's) translates the layout, login and 404 pages."""
    from django.utils import translation

    client = Client(HTTP_ACCEPT_LANGUAGE=code)
    for url, english in [
        ("/login/", "Skip to main content"),
        ("/login/", "Palermo: inter-agency cooperation against trafficking in persons."),
        ("/login/", "Main navigation"),
        ("/no/such/page/", "This page does not exist, or you do not have access to it."),
    ]:
        html = client.get(url).content.decode()
        with translation.override(code):
            translated = translation.gettext(english)
        assert translated != english, f"{english!r} is not translated into {code}"
        assert f'lang="{code}"' in html
        assert translated in html
        assert english not in html


def test_404_is_friendly(db, client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_404_is_translated(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/no/such/page/")
    assert 'lang="fr"' in response.content.decode()
    assert "Page not found" not in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_500_never_shows_a_stack_trace(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html
    api = client.get("/api/v1/boom/")
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "server_error"
    assert "secret" not in api.content.decode()


def test_csrf_failure_is_friendly(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()


def test_strict_content_security_policy_and_no_inline_scripts(world, login_as):
    client = login_as(world.users["administrator"])
    for url in ["/", "/login/", "/account/", f"/organisations/{world.agency.pk}/", "/audit/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert "<style" not in html
        assert " style=" not in html
