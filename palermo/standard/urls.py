from django.urls import path

from palermo.standard import views

app_name = "standard"

urlpatterns = [
    path("", views.index, name="index"),
    path("versions/", views.version_list, name="version_list"),
    path("fields/", views.field_list, name="field_list"),
    path("fields/<str:key>/", views.field_detail, name="field_detail"),
    path("fields/<str:key>/label/", views.field_label, name="field_label"),
    path("lists/", views.codelist_list, name="codelist_list"),
    path("lists/<slug:key>/", views.codelist_detail, name="codelist_detail"),
    path("lists/<slug:key>/add/", views.code_add, name="code_add"),
    path("lists/<slug:key>/codes/<str:code>/", views.code_detail, name="code_detail"),
    path("lists/<slug:key>/codes/<str:code>/label/", views.code_label, name="code_label"),
    path("lists/<slug:key>/codes/<str:code>/retire/", views.code_retire, name="code_retire"),
    path("download/<str:name>", views.download, name="download"),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_upload, name="instrument_upload"),
    path("instruments/<uuid:instrument_id>/", views.instrument_detail, name="instrument_detail"),
    path(
        "instruments/<uuid:instrument_id>/document.json",
        views.instrument_document,
        name="instrument_document",
    ),
    path("profiles/", views.profile_list, name="profile_list"),
    path("profiles/new/", views.profile_edit, name="profile_create"),
    path("profiles/<uuid:profile_id>/", views.profile_detail, name="profile_detail"),
    path("profiles/<uuid:profile_id>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<uuid:profile_id>/delete/", views.profile_delete, name="profile_delete"),
]
