from __future__ import annotations

from django.urls import path

from congvu.twofactor import views

urlpatterns = [
    path("xac-thuc/", views.verify, name="twofactor_verify"),
    path("xac-thuc/thiet-lap/", views.setup, name="twofactor_setup"),
]
