from __future__ import annotations

from django.db.models import QuerySet

from palermo.geo.models import Country


def countries() -> QuerySet[Country]:
    return Country.objects.select_related("region", "sub_region", "intermediate_region")
