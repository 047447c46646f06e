from django.contrib import admin

from palermo.geo.models import Country, Region


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["iso2", "iso3", "name_en", "region", "sub_region"]
    search_fields = ["iso2", "iso3", "name_en"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "level", "parent"]
