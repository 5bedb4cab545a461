from __future__ import annotations

from django.urls import path

from congvu.evaluation import innovation_views as views

app_name = "innovation"

urlpatterns = [
    path("sang-kien/", views.innovation_list, name="list"),
    path("sang-kien/de-xuat/", views.innovation_detail, name="detail"),
    path("sang-kien/de-xuat/thao-tac/", views.innovation_act, name="act"),
]
