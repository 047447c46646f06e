from django.urls import path

from palermo.referrals import views

app_name = "referrals"

urlpatterns = [
    path("services/", views.directory, name="directory"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:service_id>/delete/", views.service_delete, name="service_delete"),
]
