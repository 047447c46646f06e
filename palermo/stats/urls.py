from django.urls import path

from palermo.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.index, name="index"),
    path("releases/", views.release_list, name="releases"),
    path("own/", views.own, name="own"),
    path("releases/new/", views.release_new, name="release_new"),
    path("releases/<uuid:release_id>/", views.release_detail, name="release"),
    path("releases/<uuid:release_id>/status/", views.release_status, name="status"),
    path(
        "releases/<uuid:release_id>/answer/<int:contribution_id>/",
        views.release_answer,
        name="answer",
    ),
    path("releases/<uuid:release_id>/compute/", views.release_compute, name="compute"),
    path("releases/<uuid:release_id>/publish/", views.release_publish, name="publish"),
    path("releases/<uuid:release_id>/next/", views.release_next, name="next"),
    path("releases/<uuid:release_id>/dashboard/", views.dashboard, name="dashboard"),
    path(
        "releases/<uuid:release_id>/charts/<str:kind>/<str:dimension>.svg",
        views.chart,
        name="chart",
    ),
    path(
        "releases/<uuid:release_id>/tables/<str:dimension>.<str:fmt>",
        views.table_download,
        name="table",
    ),
    path("releases/<uuid:release_id>/files/<str:name>", views.release_file, name="file"),
]
