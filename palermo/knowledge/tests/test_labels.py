"""Codes are named by one function, the same on the search page, the detail page and the API:
the page and the API list the same codes of a resource and name the facets alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from palermo.knowledge import vocabulary
from palermo.knowledge.tests.helpers import resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(world: Any) -> Any:
    theme = next(iter(vocabulary.names(vocabulary.THEME, "en")))
    return resource(
        world.agency,
        {"en": "Forced labour on fishing boats", "fr": "Travail forcé sur les bateaux de pêche"},
        publishers=["UNODC"],
        authors=["Ana Silva"],
        licence="CC BY 4.0",
        text_language="en",
        codes={
            vocabulary.COUNTRY: {"TH"},  # brings Asia and South-eastern Asia
            vocabulary.REGION: {"150"},  # chosen: Europe
            vocabulary.THEME: {theme},
            vocabulary.EXPLOITATION: {"ForcedLabour"},
            vocabulary.ARTICLE: {"6"},
        },
    )


def test_the_page_and_the_api_show_the_same_codes(coded: Any) -> None:
    api = Client().get(f"/api/v1/knowledge/resources/{coded.uid}/", HTTP_ACCEPT_LANGUAGE="fr")
    codes = api.json()["codes"]
    assert set(codes) == {"country", "region", "intervention_theme", "ctdc_exploitation"} | {
        "protocol_article"
    }
    assert codes["region"] == ["035", "142", "150"]  # the country's regions and the chosen one
    page = Client().get(f"/knowledge/{coded.uid}/", HTTP_ACCEPT_LANGUAGE="fr")
    shown = sorted(label for labels in page.context["codes"].values() for label in labels)
    with translation.override("fr"):
        named = sorted(vocabulary.label(k, code) for k, found in codes.items() for code in found)
    assert shown == named
    assert "Thaïlande" in shown
    assert "Europe" in shown
    # The derived codes show with their fields: the titles' languages on the page.
    assert page.context["title_languages"] == ["Anglais", "Français"]


def test_the_page_and_the_api_name_the_facets_alike(coded: Any) -> None:
    page = Client().get("/knowledge/", HTTP_ACCEPT_LANGUAGE="fr")
    shown = sorted(str(item[0]) for group in page.context["facets"] for item in group["items"])
    api = Client().get("/api/v1/knowledge/resources/facets/", HTTP_ACCEPT_LANGUAGE="fr").json()
    named = sorted(
        item["label"]
        for items in [api["kinds"], api["years"], *api["codes"].values()]
        for item in items
    )
    assert shown == named
    for label in ("Thaïlande", "Asie", "Europe", "UNODC", "Ana Silva", "Anglais"):
        assert label in shown
