from django.urls import path

from palermo.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("countries/<str:iso2>/", views.country, name="country"),
    path("countries/<str:iso2>/checklist/<str:item>/", views.entry_new, name="entry"),
    path("countries/<str:iso2>/plans/new/", views.plan_edit, name="plan_new"),
    path("countries/<str:iso2>/export.<str:fmt>", views.export, name="export"),
    path("countries/<str:iso2>/report.pdf", views.country_report, name="report"),
    path("plans/<uuid:plan_id>/", views.plan, name="plan"),
    path("plans/<uuid:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<uuid:plan_id>/<str:part>/new/", views.part_edit, name="part_new"),
    path("plans/<uuid:plan_id>/<str:part>/<str:part_id>/edit/", views.part_edit, name="part_edit"),
    path("indicators/<uuid:indicator_id>/measure/", views.measure, name="measure"),
    path(
        "measurements/<uuid:measurement_id>/delete/",
        views.measurement_delete,
        name="measurement_delete",
    ),
    path("periods/<uuid:period_id>/<str:step>/", views.period_step, name="period"),
]
