from django.urls import path

from palermo.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_new, name="new"),
    path("overlaps/", views.overlaps, name="overlaps"),
    path("import/", views.import_new, name="import"),
    path("import/<uuid:job_id>/", views.import_detail, name="import_detail"),
    path("export.<str:fmt>", views.export, name="export"),
    path("gaps/", views.gap_overview, name="gaps"),
    path("countries/<str:iso2>/", views.country, name="country"),
    path("organisations/<path:key>/", views.organisation, name="organisation"),
    path("vocabulary/", views.vocabulary_page, name="vocabulary"),
    path("<uuid:activity_id>/", views.activity_detail, name="detail"),
    path("<uuid:activity_id>/edit/", views.activity_edit, name="edit"),
    path("<uuid:activity_id>/delete/", views.activity_delete, name="delete"),
    path("<uuid:activity_id>/annotate/", views.activity_annotate, name="annotate"),
]
