from __future__ import annotations

from django.urls import path

from congvu.legal import views

app_name = "legal"

urlpatterns = [
    path("phap-ly/vuong-mac/", views.queue, name="queue"),
    path("phap-ly/vuong-mac/phuong-an/", views.route, name="route"),
    path("phap-ly/bao-cao/", views.report, name="report"),
    path("phap-ly/bao-cao-nq206/", views.nq206, name="nq206"),
    path("phap-ly/bao-cao/xlsx/", views.report_xlsx, name="report_xlsx"),
]
