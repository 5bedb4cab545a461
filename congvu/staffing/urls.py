from __future__ import annotations

from django.urls import path

from congvu.staffing import views

app_name = "staffing"

urlpatterns = [
    path("tinh-gian/", views.home, name="home"),
    path("danh-gia-dot-xuat/can-bo/<int:person_id>/", views.person_snapshot, name="person"),
    path("danh-gia-dot-xuat/don-vi/<int:unit_id>/", views.unit_snapshot, name="unit"),
]
