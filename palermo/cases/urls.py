from django.urls import path

from palermo.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.intake_start, name="intake_start"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/intake/<int:step>/", views.intake, name="intake"),
    path("<uuid:case_id>/intake/finish/", views.finish_intake, name="finish_intake"),
    path("<uuid:case_id>/screen/", views.screen, name="screen"),
    path("<uuid:case_id>/notes/", views.add_note, name="add_note"),
    path("<uuid:case_id>/services/", views.add_service, name="add_service"),
    path("<uuid:case_id>/consent/", views.add_consent, name="add_consent"),
    path("<uuid:case_id>/status/", views.change_status, name="change_status"),
]
