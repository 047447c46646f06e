from __future__ import annotations

from django.utils import translation

from palermo.geo.models import Country, Region
from palermo.geo.services import load_reference_data


def test_all_iso_countries_with_m49_regions(db):
    assert Country.objects.count() == 249
    nigeria = Country.objects.get(iso2="NG")
    assert (nigeria.iso3, nigeria.numeric) == ("NGA", "566")
    assert nigeria.region_id == "002"
    assert nigeria.sub_region_id == "202"
    assert nigeria.intermediate_region_id == "011"
    assert Region.objects.get(code="202").parent_id == "002"
    assert Country.objects.get(iso2="TH").sub_region.name_en == "South-eastern Asia"
    # Every country but Antarctica belongs to a region.
    assert list(Country.objects.filter(region__isnull=True).values_list("iso2", flat=True)) == [
        "AQ"
    ]


def test_names_in_the_six_languages(db):
    france = Country.objects.get(iso2="FR")
    assert france.name_in("fr") == "France"
    assert france.name_in("ar") == "فرنسا"
    assert france.name_in("zh-hans") == "法国"
    assert france.name_in("ru") == "Франция"
    assert france.name_in("es") == "Francia"
    for field in ("name_ar", "name_zh", "name_fr", "name_ru", "name_es"):
        assert not Country.objects.filter(**{field: ""}).exists(), field
    africa = Region.objects.get(code="002")
    assert africa.name_in("fr") == "Afrique"
    with translation.override("es"):
        assert str(france) == "Francia"


def test_loading_again_changes_nothing(db):
    before = list(Country.objects.order_by("iso2").values())
    result = load_reference_data()
    assert result.created == 0
    assert result.countries == 249
    assert list(Country.objects.order_by("iso2").values()) == before


def test_countries_api_speaks_the_requested_language(db, client):
    body = client.get("/api/v1/countries/eg/", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert body["name"] == "مصر"
    assert body["region"] == {"code": "002", "name": "أفريقيا"}
    filtered = client.get("/api/v1/countries/?region=029&page_size=100").json()
    assert filtered["count"] > 10  # the Caribbean
    assert client.get("/api/v1/countries/zz/").status_code == 404


def test_bad_filters_are_a_400_not_a_500(db, client):
    for query in ("q=%00", "region=%00", "region=abc"):
        response = client.get(f"/api/v1/countries/?{query}")
        assert response.status_code == 400, query
        assert response.json()["error"]["code"] == "invalid"
