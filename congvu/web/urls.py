from __future__ import annotations

from django.urls import path

from congvu.web import features
from congvu.web.views import (
    accounts,
    auth,
    calendar,
    delegation,
    home,
    indicators,
    org,
    org_admin,
    signatures,
)

app_name = "web"

urlpatterns = [
    path("", home.inbox, name="inbox"),
    path("dang-nhap/", auth.sign_in, name="sign_in"),
    path("dang-nhap/mot-cua/", auth.sso_start, name="sso_start"),
    path("dang-nhap/mot-cua/xong/", auth.sso_callback, name="sso_callback"),
    path("dang-xuat/", auth.sign_out, name="sign_out"),
    path("tim-kiem/", home.search, name="search"),
    path("thong-bao/", home.notifications, name="notifications"),
    path("thong-bao/dem/", home.notification_badge, name="notification_badge"),
    path("to-chuc/", org.unit_tree, name="unit_tree"),
    path("to-chuc/don-vi/<int:unit_id>/", org.unit_detail, name="unit"),
    path("to-chuc/don-vi/<int:unit_id>/quan-tri/", org_admin.unit_admin, name="unit_admin"),
    path("to-chuc/can-bo/<int:person_id>/", org.person_detail, name="person"),
    path("chon/don-vi/", org.pick_unit, name="pick_unit"),
    path("chon/can-bo/", org.pick_person, name="pick_person"),
    path("chon/cay/", org.pick_tree, name="pick_tree"),
    path("tai-khoan/", accounts.account_list, name="accounts"),
    path("tai-khoan/can-bo/<int:person_id>/", accounts.account_detail, name="account"),
    path(
        "tai-khoan/dat-mat-khau/<str:uidb64>/<str:token>/",
        accounts.set_password,
        name="set_password",
    ),
    path("uy-quyen/", delegation.delegations, name="delegations"),
    path("uy-quyen/thay-mat/", delegation.delegations_on_behalf, name="delegations_on_behalf"),
    path(
        "uy-quyen/<int:delegation_id>/ket-thuc/",
        delegation.delegation_revoke,
        name="delegation_revoke",
    ),
    path("lich-lam-viec/", calendar.calendar_year, name="calendar"),
    path("kiem-tra-chu-ky/", signatures.verify, name="verify_signature"),
    path("chi-tieu/", indicators.indicator_list, name="indicators"),
    path("chi-tieu/<int:indicator_id>/", indicators.indicator_detail, name="indicator"),
    path("chi-tieu/<int:indicator_id>/thao-tac/", indicators.indicator_act, name="indicator_act"),
    path("lich-lam-viec/xoa/<str:day>/", calendar.calendar_remove, name="calendar_remove"),
]

if features.tasks_enabled():
    from congvu.web.views import dashboards, directives, exchange, inspect, tasks

    urlpatterns += [
        path("van-ban/moi/", directives.directive_new, name="directive_new"),
        path("van-ban/nhap/", exchange.import_documents, name="import_documents"),
        path("lien-thong/ma-dinh-danh/", exchange.agency_codes, name="agency_codes"),
        path("lien-thong/webhook/", exchange.webhooks, name="webhooks"),
        path("lien-thong/du-lieu/<int:unit_id>/", exchange.unit_feed, name="unit_feed"),
        path(
            "viec/<int:task_id>/bao-cao.xml",
            exchange.task_report_package,
            name="task_report_package",
        ),
        path("van-ban/<int:directive_id>/", directives.directive_detail, name="directive"),
        path("viec/hang-loat/", directives.bulk_step, name="bulk_step"),
        path("viec/", tasks.task_list, name="task_list"),
        path("viec/giao/", tasks.task_new, name="task_new"),
        path("viec/xuat.xlsx", tasks.task_export, name="task_export"),
        path("viec/han/", tasks.deadline_preview, name="deadline_preview"),
        path("viec/<int:task_id>/", tasks.task_detail, name="task"),
        path("viec/<int:task_id>/thao-tac/", tasks.task_act, name="task_act"),
        path("viec/<int:task_id>/phieu.pdf", tasks.task_sheet, name="task_sheet"),
        path("viec/<int:task_id>/dinh-kem/", tasks.task_attach, name="task_attach"),
        path(
            "viec/<int:task_id>/dinh-kem/<int:attachment_id>/",
            tasks.task_attachment,
            name="task_attachment",
        ),
        path("don-vi/", dashboards.unit_dashboard_home, name="unit_dashboard_home"),
        path("don-vi/<int:unit_id>/", dashboards.unit_dashboard, name="unit_dashboard"),
        path("don-vi/<int:unit_id>/bao-cao/", dashboards.unit_report, name="unit_report"),
        path("toan-tinh/", dashboards.province_dashboard, name="province_dashboard"),
        path("thanh-tra/", inspect.inspect_home, name="inspect"),
        path("thanh-tra/kiem-tra/", inspect.integrity_check, name="integrity_check"),
        path("thanh-tra/xuat/<str:fmt>/", inspect.export_events, name="export_events"),
    ]

if features.detection_enabled():
    from congvu.web.views import findings

    urlpatterns += [
        path("phat-hien/", findings.finding_list, name="finding_list"),
        path("phat-hien/xuat.xlsx", findings.finding_export, name="finding_export"),
        path("phat-hien/<int:finding_id>/", findings.finding_detail, name="finding"),
        path("phat-hien/<int:finding_id>/thao-tac/", findings.finding_act, name="finding_act"),
        path(
            "phat-hien/<int:finding_id>/tai-lieu/",
            findings.finding_evidence,
            name="finding_evidence",
        ),
    ]
