from django.urls import path

from palermo.cases import views, workflow_views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.intake_start, name="intake_start"),
    path("tasks/", workflow_views.tasks, name="tasks"),
    path("assign/", workflow_views.bulk_assign, name="bulk_assign"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/intake/<int:step>/", views.intake, name="intake"),
    path("<uuid:case_id>/intake/finish/", views.finish_intake, name="finish_intake"),
    path("<uuid:case_id>/screen/", views.screen, name="screen"),
    path("<uuid:case_id>/notes/", views.add_note, name="add_note"),
    path("<uuid:case_id>/services/", views.add_service, name="add_service"),
    path("<uuid:case_id>/consent/", views.add_consent, name="add_consent"),
    path("<uuid:case_id>/status/", views.change_status, name="change_status"),
    path("<uuid:case_id>/movements/", views.add_movement, name="add_movement"),
    path("<uuid:case_id>/attachments/", views.add_attachment, name="add_attachment"),
    path("<uuid:case_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<uuid:case_id>/perpetrators/", views.add_perpetrator, name="add_perpetrator"),
    path("<uuid:case_id>/assign/", workflow_views.assign, name="assign"),
    path("<uuid:case_id>/approvals/", workflow_views.request_approval, name="request_approval"),
    path(
        "<uuid:case_id>/approvals/<int:approval_id>/decide/", workflow_views.decide, name="decide"
    ),
    path(
        "<uuid:case_id>/approvals/<int:approval_id>/withdraw/",
        workflow_views.withdraw,
        name="withdraw",
    ),
    path("<uuid:case_id>/flags/", workflow_views.raise_flag, name="raise_flag"),
    path("<uuid:case_id>/flags/<int:flag_id>/clear/", workflow_views.clear_flag, name="clear_flag"),
    path("<uuid:case_id>/safeguards/", workflow_views.save_safeguards, name="safeguards"),
    path("<uuid:case_id>/record/", workflow_views.export_person, name="export_person"),
    path("<uuid:case_id>/erase/", workflow_views.erase_person, name="erase_person"),
]
