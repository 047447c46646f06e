from django.urls import path

from palermo.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("review/", views.queue, name="queue"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<uuid:claim_id>/", views.claim_detail, name="claim"),
    path("claims/<uuid:claim_id>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<uuid:claim_id>/delete/", views.claim_delete, name="claim_delete"),
    path("claims/<uuid:claim_id>/approve/", views.claim_approve, name="claim_approve"),
    path("<uuid:uid>/", views.detail, name="detail"),
    path("<uuid:uid>/file/", views.download, name="file"),
    path("<uuid:uid>/edit/", views.edit, name="edit"),
    path("<uuid:uid>/submit/", views.submit, name="submit"),
    path("<uuid:uid>/review/", views.review, name="review"),
    path("<uuid:uid>/delete/", views.delete, name="delete"),
    path("<uuid:uid>/claims/new/", views.claim_new, name="claim_new"),
]
