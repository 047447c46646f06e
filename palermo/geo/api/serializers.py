from __future__ import annotations

from rest_framework import serializers

from palermo.geo.models import Country


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CountrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(help_text="In the language of the request (Accept-Language).")
    names = serializers.SerializerMethodField()
    region = RegionRefSerializer(allow_null=True)
    sub_region = RegionRefSerializer(allow_null=True)
    intermediate_region = RegionRefSerializer(allow_null=True)

    class Meta:
        model = Country
        fields = [
            "iso2",
            "iso3",
            "numeric",
            "name",
            "names",
            "region",
            "sub_region",
            "intermediate_region",
        ]
        read_only_fields = fields

    def get_names(self, country: Country) -> dict[str, str]:
        return {
            "ar": country.name_ar,
            "zh-hans": country.name_zh,
            "en": country.name_en,
            "fr": country.name_fr,
            "ru": country.name_ru,
            "es": country.name_es,
        }
