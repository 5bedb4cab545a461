from __future__ import annotations

from django.urls import path

from congvu.privacy import views

app_name = "privacy"

urlpatterns = [
    path("du-lieu-ca-nhan/", views.my_data, name="my_data"),
    path("du-lieu-ca-nhan/yeu-cau/", views.requests_queue, name="requests"),
    path("du-lieu-ca-nhan/so-dang-ky/", views.register, name="register"),
    path("du-lieu-ca-nhan/ho-so-danh-gia-tac-dong/", views.dossier, name="dossier"),
]
