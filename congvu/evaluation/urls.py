from __future__ import annotations

from django.urls import path

from congvu.evaluation import appeal_views, product_views, views

app_name = "evaluation"

urlpatterns = [
    path("danh-gia/", views.home, name="home"),
    path("danh-gia/can-bo/<int:person_id>/", views.person, name="person"),
    path("danh-gia/can-bo/<int:person_id>/thao-tac/", views.person_act, name="person_act"),
    path(
        "danh-gia/can-bo/<int:person_id>/san-pham/",
        product_views.person_products,
        name="person_products",
    ),
    path(
        "danh-gia/can-bo/<int:person_id>/kien-nghi/",
        appeal_views.person_appeal,
        name="person_appeal",
    ),
    path(
        "danh-gia/can-bo/<int:person_id>/tai/<str:fmt>/", views.person_document, name="person_doc"
    ),
    path("danh-gia/toan-tinh/", views.province, name="province"),
    path("danh-gia/don-vi/<int:unit_id>/", views.unit, name="unit"),
    path("danh-gia/don-vi/<int:unit_id>/chot/", views.unit_finalise, name="unit_finalise"),
    path("danh-gia/don-vi/<int:unit_id>/tai/<str:fmt>/", views.unit_document, name="unit_doc"),
    path("danh-gia/de-xuat/", views.proposals, name="proposals"),
    path("danh-gia/de-xuat/quyet-dinh/", views.proposal_decide, name="proposal_decide"),
    path("danh-gia/kien-nghi/", appeal_views.appeals, name="appeals"),
]
