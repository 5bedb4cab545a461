from __future__ import annotations

from django.urls import path

from congvu.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("danh-gia/", views.home, name="home"),
    path("danh-gia/can-bo/<int:person_id>/", views.person, name="person"),
    path("danh-gia/can-bo/<int:person_id>/thao-tac/", views.person_act, name="person_act"),
    path(
        "danh-gia/can-bo/<int:person_id>/tai/<str:fmt>/", views.person_document, name="person_doc"
    ),
    path("danh-gia/don-vi/<int:unit_id>/", views.unit, name="unit"),
    path("danh-gia/don-vi/<int:unit_id>/chot/", views.unit_finalise, name="unit_finalise"),
    path("danh-gia/don-vi/<int:unit_id>/tai/<str:fmt>/", views.unit_document, name="unit_doc"),
    path("danh-gia/de-xuat/", views.proposals, name="proposals"),
]
