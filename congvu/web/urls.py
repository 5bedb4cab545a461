from __future__ import annotations

from django.urls import path

from congvu.web.views import auth, calendar, home, org

app_name = "web"

urlpatterns = [
    path("", home.inbox, name="inbox"),
    path("dang-nhap/", auth.sign_in, name="sign_in"),
    path("dang-xuat/", auth.sign_out, name="sign_out"),
    path("tim-kiem/", home.search, name="search"),
    path("thong-bao/", home.notifications, name="notifications"),
    path("to-chuc/", org.unit_tree, name="unit_tree"),
    path("to-chuc/don-vi/<int:unit_id>/", org.unit_detail, name="unit"),
    path("to-chuc/can-bo/<int:person_id>/", org.person_detail, name="person"),
    path("chon/don-vi/", org.pick_unit, name="pick_unit"),
    path("chon/can-bo/", org.pick_person, name="pick_person"),
    path("lich-lam-viec/", calendar.calendar_year, name="calendar"),
    path("lich-lam-viec/xoa/<str:day>/", calendar.calendar_remove, name="calendar_remove"),
]
