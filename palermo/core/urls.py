from django.urls import path

from palermo.core import views

urlpatterns = [path("", views.home, name="home")]
