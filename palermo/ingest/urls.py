from django.urls import path

from palermo.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("export/", views.export, name="export"),
    path("files/<uuid:upload_id>/map/", views.map_columns, name="map"),
    path("files/<uuid:upload_id>/discard/", views.upload_discard, name="discard"),
    path("<uuid:batch_id>/", views.batch_detail, name="batch"),
    path("<uuid:batch_id>/import/", views.batch_run, name="run"),
    path("<uuid:batch_id>/report.xlsx", views.batch_report, name="report"),
]
