from django.urls import path

from palermo.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/<uuid:case_id>/", views.referral_new, name="new"),
    path("<uuid:referral_id>/", views.referral_detail, name="referral"),
    path("<uuid:referral_id>/answer/", views.referral_answer, name="answer"),
    path("<uuid:referral_id>/complete/", views.referral_complete, name="complete"),
    path("<uuid:referral_id>/cancel/", views.referral_cancel, name="cancel"),
    path("statistics/", views.mechanism, name="statistics"),
    path("services/", views.directory, name="directory"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:service_id>/delete/", views.service_delete, name="service_delete"),
]
