"""Who may call which endpoint: the permission matrix as one table.

Every URL of the site and every operation of the JSON API has one row here. The test
(test_permission_matrix.py) discovers the endpoints from Django's URL resolver and the API's
OpenAPI schema, so a new endpoint without a row fails it, and a row whose endpoint is gone
fails it too.

Actors (the `org` fixture of congvu/testing.py):
    leader     lanh_dao   provincial leader, grant over the whole province
    head       gd_a       Giám đốc Sở Tài chính
    deputy     pgd_a      Phó Giám đốc Sở Tài chính
    specialist alice      Chuyên viên, Phòng Ngân sách (Sở Tài chính)
    hr         noi_vu     Sở Nội vụ grant over the province (read-only)
    inspector  thanh_tra  inspector grant over Sở Tài chính (read-only)
    admin      quan_tri   administrator of the organisation (does not read work)
    outsider   charlie    Chuyên viên of Sở Xây dựng: out of scope of everything below
    anonymous  —          not signed in

Objects: "in" is in Sở Tài chính (a task assigned by gd_a to alice in Phòng Ngân sách with
Phòng Đầu tư coordinating; the unit Phòng Ngân sách; the person alice; a detection finding
about alice, under review); "out" is in UBND xã Hòa Bình (a task the leader assigned to ct_xa;
that unit; ct_xa; a finding about ct_xa). An endpoint with an object
in its path is called once for each; a cell "in/out" gives both answers, a single word both.

Answers: ok (served: 2xx or a redirect that is not to sign-in), 403, 404 (hidden: the object
is answered as missing), login (401, or a redirect to the sign-in page), refused (the
permission layer let the call through and the workflow or the form said no: 400/405/409/422).
Signing out always ends on the sign-in page, hence "login" for everyone. The web task action
posted is "accept" (the lead side may), the API bodies are in `body_for`; a workflow call on
the fresh task may be refused for its state even when the actor may act ("refused").
The lead's steps (accept, decline, report, submit…) are refused to the task's own assigner
(issue #15): the head on the "in" task he assigned, the leader on the "out" task he assigned.
Read-only roles (hr, inspector) get 403 from the API's workflow actions on what they can read
and 404 on what they cannot; the administrator manages the organisation and never reads work.
Accounts and role grants (web:accounts, web:account) are the administrators' alone, not HR's;
the set-password link is public and the matrix's made-up link is refused to everyone.
One exception: a finding whose appeal level is outside the system (the "out" finding about the
head of UBND xã, reviewed by the province) has its outside answer recorded by HR in scope
(congvu/detection/review.py), so HR passes the permission layer there ("refused": no appeal
is pending on the fresh finding).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

ACTORS: dict[str, str | None] = {
    "leader": "lanh_dao",
    "head": "gd_a",
    "deputy": "pgd_a",
    "specialist": "alice",
    "hr": "noi_vu",
    "inspector": "thanh_tra",
    "admin": "quan_tri",
    "outsider": "charlie",
    "anonymous": None,
}

# Web pages are keyed by URL name, API operations by "METHOD /path" (OpenAPI, without /api/v1).
TABLE = """
endpoint                                                method leader      head        deputy      specialist  hr          inspector   admin   outsider anonymous
set_language                                            POST   ok          ok          ok          ok          ok          ok          ok      ok       ok
twofactor_verify                                        GET    ok          ok          ok          ok          ok          ok          ok      ok       login
twofactor_setup                                         GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:inbox                                               GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:sign_in                                             GET    ok          ok          ok          ok          ok          ok          ok      ok       ok
web:sign_out                                            POST   login       login       login       login       login       login       login   login    login
web:search                                              GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:notifications                                       GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:unit_tree                                           GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:unit                                                GET    ok          ok/403      ok/403      ok/403      ok          ok/403      ok      403      login
web:person                                              GET    ok          ok/403      ok/403      ok/403      ok          ok/403      ok      403      login
web:pick_unit                                           GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:pick_person                                         GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:calendar                                            GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:calendar                                            POST   403         403         403         403         403         403         ok      403      login
web:calendar_remove                                     POST   403         403         403         403         403         403         ok      403      login
web:task_list                                           GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:task_export                                         GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:task_new                                            GET    ok          ok          ok          403         403         403         403     403      login
web:deadline_preview                                    GET    ok          ok          ok          ok          ok          ok          ok      ok       login
web:task                                                GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
web:task_act                                            POST   ok/refused  refused/404 ok/404      ok/404      refused     refused/404 404     404      login
web:delegations                                         GET    ok          ok          ok          403         403         403         403     403      login
web:delegations                                         POST   ok          ok          ok          403         403         403         403     403      login
web:delegations_on_behalf                               GET    403         403         403         403         ok          403         ok      403      login
web:delegations_on_behalf                               POST   403         403         403         403         refused     403         refused 403      login
web:delegation_revoke                                   POST   404         404         404         403         404         403         404     403      login
web:accounts                                            GET    403         403         403         403         403         403         ok      403      login
web:account                                             GET    403         403         403         403         403         403         ok      403      login
web:account                                             POST   403         403         403         403         403         403         ok      403      login
web:set_password                                        GET    refused     refused     refused     refused     refused     refused     refused refused  refused
web:set_password                                        POST   refused     refused     refused     refused     refused     refused     refused refused  refused
web:unit_admin                                          POST   403         403         403         403         refused     403         refused 403      login
web:task_sheet                                          GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
web:import_documents                                    GET    ok          ok          ok          403         403         403         403     403      login
web:import_documents                                    POST   ok          ok          ok          403         403         403         403     403      login
web:agency_codes                                        POST   403         403         403         403         ok          403         ok      403      login
web:webhooks                                            POST   403         403         403         403         403         403         ok      403      login
web:agency_codes                                        GET    403         403         403         403         ok          403         ok      403      login
web:webhooks                                            GET    403         403         403         403         403         403         ok      403      login
web:task_report_package                                 GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
web:unit_feed                                           GET    ok          ok/403      ok/403      403         ok          ok/403      403     403      login
web:directive_new                                       GET    ok          ok          ok          403         403         403         403     403      login
web:directive                                           GET    404         404         404         404         404         404         404     404      login
web:bulk_step                                           POST   403         403         403         403         403         403         403     403      login
web:unit_dashboard_home                                 GET    ok          ok          ok          403         403         403         403     403      login
web:unit_dashboard                                      GET    ok          ok/403      ok/403      403         ok          ok/403      403     403      login
web:unit_report                                         GET    ok          ok/403      ok/403      403         ok          ok/403      403     403      login
web:province_dashboard                                  GET    ok          403         403         403         ok          ok          403     403      login
web:inspect                                             GET    403         403         403         403         403         ok          403     403      login
web:integrity_check                                     GET    403         403         403         403         403         ok          403     403      login
web:export_events                                       GET    403         403         403         403         403         ok          403     403      login
web:notification_badge                                  GET    ok          ok          ok          ok          ok          ok          ok          ok          ok
web:pick_tree                                           GET    ok          ok          ok          ok          ok          ok          ok          ok          login
web:task_attach                                         POST   refused     refused/404 refused/404 refused/404 403         403/404     404         404         login
web:task_attachment                                     GET    404         404         404         404         404         404         404         404         login
web:verify_signature                                    GET    ok          ok          ok          ok          ok          ok          ok          ok          login
web:verify_signature                                    POST   refused     refused     refused     refused     refused     refused     refused     refused     login
web:sso_start                                           GET    404         404         404         404         404         404         404         404         404
web:sso_callback                                        GET    404         404         404         404         404         404         404         404         404
web:indicators                                          GET    ok          ok          ok          ok          ok          ok          ok          ok          login
web:indicators                                          POST   ok          ok          ok          403         403         403         403         403         login
web:indicator                                           GET    404         404         404         404         404         404         404         404         login
web:indicator_act                                       POST   404         404         404         404         404         404         404         404         login
web:finding_list                                        GET    ok          ok          ok          ok          ok          ok          ok          ok          login
web:finding_export                                      GET    ok          ok          ok          ok          ok          ok          ok          ok          login
web:finding                                             GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404         404         login
web:finding_act                                         POST   403         403/404     403/404     403/404     403         403/404     404         404         login
web:finding_evidence                                    GET    404         404         404         404         404         404         404         404         login
legal:queue                                             GET    403         403         403         403         403         403         403     403      login
legal:queue                                             POST   403         403         403         403         403         403         403     403      login
legal:report                                            GET    ok          403         403         403         403         403         403     403      login
legal:report_xlsx                                       GET    ok          403         403         403         403         403         403     403      login
legal:nq206                                             GET    ok          403         403         403         403         403         403     403      login
legal:route                                             POST   403         403         403         403         403         403         403     403      login
privacy:my_data                                         GET    ok          ok          ok          ok          ok          ok          ok      ok       login
privacy:my_data                                         POST   refused     refused     refused     refused     refused     refused     refused refused  login
privacy:requests                                        GET    403         403         403         403         ok          403         403     403      login
privacy:requests                                        POST   403         403         403         403         refused     403         403     403      login
privacy:register                                        GET    ok          403         403         403         ok          ok          403     403      login
privacy:dossier                                         GET    ok          403         403         403         ok          ok          403     403      login
staffing:home                                           GET    ok          ok          403         403         ok          ok          403     403      login
staffing:person                                         GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
staffing:unit                                           GET    ok          ok/404      403         403         ok          ok/404      403     403      login
evaluation:home                                         GET    ok          ok          ok          ok          ok          ok          ok      ok       login
evaluation:province                                     GET    ok          403         403         403         ok          403         403     403      login
evaluation:person                                       GET    404         404         404         ok/404      404         404         404     404      login
evaluation:person_act                                   POST   404         404         404         refused/404 404         404         404     404      login
evaluation:person_doc                                   GET    404         404         404         404         404         404         404     404      login
evaluation:person_products                              POST   404         404         404         refused/404 404         404         404     404      login
evaluation:person_appeal                                POST   404         404         404         refused/404 404         404         404     404      login
evaluation:appeals                                      GET    ok          ok          ok          ok          ok          ok          ok      ok       login
evaluation:unit                                         GET    ok          ok/403      ok/403      403         ok          ok/403      403     403      login
evaluation:unit_finalise                                POST   ok          ok/403      ok/403      403         403         403         403     403      login
evaluation:unit_doc                                     GET    404         404/403     404/403     403         404         404/403     403     403      login
evaluation:proposals                                    GET    ok          ok          ok          403         ok          403         403     403      login
evaluation:proposal_decide                              POST   404         404         404         403         404         403         403     403      login
innovation:list                                         GET    ok          ok          ok          ok          ok          ok          ok      ok       login
innovation:list                                         POST   refused     refused     refused     refused     refused     refused     refused refused  login
innovation:detail                                       GET    404         404         404         404         404         404         404     404      login
innovation:act                                          POST   404         404         404         404         404         404         404     404      login
GET /units                                              GET    ok          ok          ok          ok          ok          ok          ok      ok       login
GET /tasks                                              GET    ok          ok          ok          ok          ok          ok          ok      ok       login
POST /tasks                                             POST   ok          ok          ok          403         403         403         403     403      login
GET /tasks/{task_id}                                    GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
GET /tasks/{task_id}/events                             GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
POST /tasks/{task_id}/accept                            POST   ok/403      403/404     ok/404      ok/404      403         403/404     404     404      login
POST /tasks/{task_id}/decline                           POST   refused/403 403/404     refused/404 refused/404 403         403/404     404     404      login
POST /tasks/{task_id}/transfer                          POST   ok/403      403/404     ok/404      ok/404      403         403/404     404     404      login
POST /tasks/{task_id}/return                            POST   ok/403      403/404     ok/404      ok/404      403         403/404     404     404      login
POST /tasks/{task_id}/reassign                          POST   ok/refused  ok/404      ok/404      403/404     403         403/404     404     404      login
POST /tasks/{task_id}/progress                          POST   refused/403 403/404     refused/404 refused/404 403         403/404     404     404      login
POST /tasks/{task_id}/submit                            POST   refused/403 403/404     refused/404 refused/404 403         403/404     404     404      login
POST /tasks/{task_id}/approve                           POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /tasks/{task_id}/rework                            POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /tasks/{task_id}/complete                          POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /tasks/{task_id}/cancel                            POST   ok          ok/404      ok/404      403/404     403         403/404     404     404      login
POST /tasks/{task_id}/remind                            POST   ok          ok/404      ok/404      403/404     403         403/404     404     404      login
POST /tasks/{task_id}/coordination                      POST   ok          ok/404      ok/404      ok/404      403         403/404     404     404      login
POST /tasks/{task_id}/coordination/{request_seq}/answer POST   ok/refused  ok/404      ok/404      403/404     403/refused 403/404     404     404      login
POST /tasks/{task_id}/extension                         POST   ok/403      403/404     ok/404      ok/404      403         403/404     404     404      login
POST /tasks/{task_id}/extension/grant                   POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /tasks/{task_id}/extension/refuse                  POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /tasks/{task_id}/pause                             POST   refused/403 403/404     refused/404 refused/404 403         403/404     404     404      login
POST /tasks/{task_id}/pause/review                      POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /tasks/{task_id}/resume                            POST   refused/403 403/404     refused/404 refused/404 403         403/404     404     404      login
POST /tasks/{task_id}/opinion                           POST   ok/403      403/404     ok/404      ok/404      403         403/404     404     404      login
POST /tasks/{task_id}/opinion/{request_seq}/answer      POST   refused     refused/404 refused/404 refused/404 refused     refused/404 404     404      login
POST /tasks/import                                      POST   ok          ok          ok          refused     refused     refused     refused refused  login
GET /findings                                           GET    ok          ok          ok          ok          ok          ok          ok      ok       login
GET /findings/{finding_id}                              GET    ok          ok/404      ok/404      ok/404      ok          ok/404      404     404      login
POST /findings/{finding_id}/explain                     POST   403         403/404     403/404     ok/404      403         403/404     404     404      login
POST /findings/{finding_id}/decide                      POST   refused     refused/404 refused/404 403/404     403         403/404     404     404      login
POST /findings/{finding_id}/appeal                      POST   403         403/404     403/404     refused/404 403         403/404     404     404      login
POST /findings/{finding_id}/appeal-decision             POST   refused/403 refused/404 refused/404 403/404     403/refused 403/404     404     404      login
GET /detection/runs                                     GET    ok          ok          ok          ok          ok          ok          ok      ok       login
POST /detection/runs                                    POST   ok          ok          ok          403         ok          ok          ok      403      login
"""

# The admin site (/quan-tri/…) has one rule: staff only. Everyone in the table above is a
# regular account; a superuser is checked separately.
ADMIN_RULE = "staff only"


def rows() -> list[tuple[str, str, dict[str, tuple[str, str]]]]:
    """(endpoint, method, {actor: (answer in scope, answer out of scope)}) for every row."""
    lines = [ln.split() for ln in TABLE.strip().splitlines()]
    header, body = lines[0], lines[1:]
    actors = header[2:]
    assert actors == list(ACTORS), f"table columns {actors} != ACTORS"
    out = []
    for cells in body:
        # "POST /tasks/…" endpoints take two words.
        if cells[0] in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            key, method, answers = f"{cells[0]} {cells[1]}", cells[2], cells[3:]
        else:
            key, method, answers = cells[0], cells[1], cells[2:]
        assert len(answers) == len(actors), f"row {key} {method}: {len(answers)} cells"
        parsed = {}
        for actor, cell in zip(actors, answers, strict=True):
            inside, _, outside = cell.partition("/")
            parsed[actor] = (inside, outside or inside)
        out.append((key, method, parsed))
    return out


# --- request bodies ------------------------------------------------------------------------------
# Web forms and API bodies a permitted actor could send (the task "in" is freshly assigned).


def body_for(key: str, method: str, world: Any, scope: str) -> dict[str, Any]:
    from congvu.org.models import today

    ids = world.ids(scope)
    org = world.org
    task = world.task["in" if scope == "-" else scope]
    due = str(today() + timedelta(days=30))
    web: dict[tuple[str, str], dict[str, Any]] = {
        ("set_language", "POST"): {"language": "vi", "next": "/"},
        ("web:calendar", "POST"): {"day": "2026-12-31", "kind": "bogus"},
        ("web:task_act", "POST"): {"action": "accept", "version": task.version},
        # Lock the person's account (rolled back like every call).
        ("web:account", "POST"): {"form": "lock"},
        ("web:search", "GET"): {"q": "Rà soát"},
        ("web:pick_unit", "GET"): {"q": "Phòng"},
        ("web:pick_person", "GET"): {"q": "An"},
        ("web:deadline_preview", "GET"): {"working_days": "5"},
        # A goal for Phòng Ngân sách: whoever directs it may set one.
        ("web:indicators", "POST"): {
            "form": "goal",
            "code": "MT-MATRAN",
            "title": "Cải cách hành chính",
            "owner_unit": org.a1.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    }
    if (key, method) in web:
        return web[(key, method)]
    unit, person = (
        world.unit[scope if scope != "-" else "in"],
        world.person[scope if scope != "-" else "in"],
    )
    api: dict[str, dict[str, Any]] = {
        "POST /tasks": {
            "title": "Tổng hợp báo cáo quý",
            "lead_unit_id": unit.pk,
            "lead_person_id": person.pk,
            "deadline": due,
            "source_number": "1713/UBND-NCKSTTHC",
        },
        "POST /tasks/{task_id}/accept": {},
        "POST /tasks/{task_id}/decline": {"reason": "Không đúng thẩm quyền"},
        "POST /tasks/{task_id}/transfer": {
            "to_unit_id": org.a2.pk if scope == "in" else org.xa.pk,
            "to_person_id": org.bob.pk if scope == "in" else org.ct_xa.pk,
            "reason_code": "misrouted",
            "reason": "Đúng chức năng của phòng",
        },
        "POST /tasks/{task_id}/return": {"reason": "Chuyển nhầm"},
        "POST /tasks/{task_id}/reassign": {
            "to_unit_id": org.a2.pk if scope == "in" else org.xa.pk,
            "to_person_id": org.bob.pk if scope == "in" else org.ct_xa.pk,
            "reason": "Điều chỉnh phân công",
        },
        "POST /tasks/{task_id}/progress": {"percent": 30, "text": "Đã rà soát"},
        "POST /tasks/{task_id}/submit": {"result": "Báo cáo"},
        "POST /tasks/{task_id}/approve": {"text": "Đồng ý"},
        "POST /tasks/{task_id}/rework": {"reason": "Thiếu số liệu"},
        "POST /tasks/{task_id}/complete": {},
        "POST /tasks/{task_id}/cancel": {"reason": "Không còn cần thiết"},
        "POST /tasks/{task_id}/remind": {"text": "Đề nghị khẩn trương"},
        "POST /tasks/{task_id}/coordination": {
            "unit_id": org.so_b.pk,
            "request_text": "Cho ý kiến",
            "due": due,
        },
        "POST /tasks/{task_id}/coordination/{request_seq}/answer": {
            "position": "agree",
            "text": "Thống nhất",
        },
        "POST /tasks/{task_id}/extension": {"new_deadline": due, "reason": "Chờ số liệu"},
        "POST /tasks/{task_id}/extension/grant": {"new_deadline": due},
        "POST /tasks/{task_id}/extension/refuse": {"reason": "Không có căn cứ"},
        "POST /tasks/{task_id}/pause": {
            "reason_code": "waiting_unit",
            "reason": "Chờ số liệu",
            "waiting_on_unit_id": org.so_b.pk,
        },
        "POST /tasks/{task_id}/pause/review": {"text": "Hợp lý"},
        "POST /tasks/{task_id}/resume": {"text": "Đã có số liệu"},
        "POST /tasks/{task_id}/opinion": {
            "superior_id": org.gd_a.pk,
            "question": "Xin ý kiến về phương án",
        },
        "POST /tasks/{task_id}/opinion/{request_seq}/answer": {"opinion": "Đồng ý phương án"},
        "POST /findings/{finding_id}/explain": {"text": "Do hồ sơ chuyển nhầm từ bộ phận một cửa"},
        "POST /findings/{finding_id}/decide": {"confirm": False, "reason": "Giải trình hợp lý"},
        "POST /findings/{finding_id}/appeal": {"text": "Đề nghị xem xét lại"},
        "POST /findings/{finding_id}/appeal-decision": {"uphold": True, "reason": "Giữ nguyên"},
        "POST /detection/runs": {"period": "2026-Q1"},
    }
    assert ids  # the path parameters come from the same world
    return api.get(key, {})
