"""The register of processing and the effective-dated policies, as data (editable in the admin).

Sources and uncertain points: docs/legal.md ("Personal data, streamlining, NQ 206"). Values marked
uncertain there are parameters here, not constants in code.
"""

from datetime import date

from django.db import migrations

POLICIES = [
    {
        "topic": "privacy",
        "code": "privacy_nd13_2023",
        "name": "Bảo vệ dữ liệu cá nhân theo Nghị định 13/2023/NĐ-CP",
        "legal_basis": "Nghị định 13/2023/NĐ-CP (hiệu lực 01/7/2023, thay bằng Luật 91/2025/QH15)",
        "valid_from": date(2023, 7, 1),
        "valid_to": date(2025, 12, 31),
        "params": {"answer_working_days": {"access": 3, "correction": 3, "objection": 3}},
        "notes": "Chưa đối chiếu: thời hạn 72 giờ của NĐ 13 được ghi là 3 ngày làm việc.",
    },
    {
        "topic": "privacy",
        "code": "privacy_law91_2025",
        "name": "Luật Bảo vệ dữ liệu cá nhân 2025 và Nghị định 356/2025/NĐ-CP",
        "legal_basis": "Luật 91/2025/QH15 (hiệu lực 01/01/2026); Nghị định 356/2025/NĐ-CP",
        "valid_from": date(2026, 1, 1),
        "valid_to": None,
        "params": {"answer_working_days": {"access": 10, "correction": 10, "objection": 5}},
        "notes": "Chưa chắc chắn: thời hạn trả lời theo NĐ 356 chưa đọc được văn bản gốc; "
        "giá trị là tham số.",
    },
    {
        "topic": "streamlining",
        "code": "streamlining_nd29_2023",
        "name": "Tinh giản biên chế theo Nghị định 29/2023/NĐ-CP",
        "legal_basis": "Nghị định 29/2023/NĐ-CP",
        "valid_from": date(2023, 7, 20),
        "valid_to": date(2025, 6, 14),
        "params": {
            "levels_in_scope": ["KHT"],
            "exclusions": [
                "pregnancy",
                "maternity_leave",
                "child_under_36m",
                "pending_discipline",
                "criminal_proceedings",
                "inspection",
            ],
            "voluntary_overrides": ["pregnancy", "maternity_leave", "child_under_36m"],
        },
        "notes": "Chưa đối chiếu văn bản gốc; danh sách loại trừ giả định như NĐ 154.",
    },
    {
        "topic": "streamlining",
        "code": "streamlining_nd154_2025",
        "name": "Tinh giản biên chế theo Nghị định 154/2025/NĐ-CP",
        "legal_basis": "Nghị định 154/2025/NĐ-CP",
        "valid_from": date(2025, 6, 15),
        "valid_to": None,
        "params": {
            "levels_in_scope": ["KHT"],
            "exclusions": [
                "pregnancy",
                "maternity_leave",
                "child_under_36m",
                "pending_discipline",
                "criminal_proceedings",
                "inspection",
            ],
            "voluntary_overrides": ["pregnancy", "maternity_leave", "child_under_36m"],
        },
        "notes": "Ngày hiệu lực và các trường hợp theo kết quả xếp loại (ngoài KHT) chưa "
        "đối chiếu công báo.",
    },
    {
        "topic": "obstacles",
        "code": "obstacles_nq206_2025",
        "name": "Xử lý khó khăn, vướng mắc do quy định của pháp luật (NQ 206/2025/QH15)",
        "legal_basis": "Nghị quyết 206/2025/QH15 (24/6/2025) Điều 2, Điều 4; "
        "Quyết định 1785/QĐ-TTg",
        "valid_from": date(2025, 6, 24),
        "valid_to": date(2027, 2, 28),
        "params": {
            "criteria": ["conflict", "unclear", "burden"],
            "routes": ["interpret", "shortened", "resolution"],
            "plan_due": "2027-02-28",
            "report_to": "Bộ Tư pháp",
        },
        "notes": "Ngày hiệu lực và cơ quan nhận báo cáo của tỉnh chưa đối chiếu văn bản gốc.",
    },
    {
        "topic": "weak_units",
        "code": "weak_units_kl210_2025",
        "name": "Thay thế cán bộ yếu kém, người đứng đầu đơn vị yếu kém (KL 210-KL/TW)",
        "legal_basis": "Kết luận 210-KL/TW (11/2025)",
        "valid_from": date(2025, 11, 1),
        "valid_to": None,
        "params": {"kht_share": 0.2, "min_rated": 3},
        "notes": "Ngưỡng “đơn vị yếu kém” không có trong nguồn đọc được: tham số, mặc định 20 % "
        "công chức KHT hoặc người đứng đầu KHT.",
    },
]

LAW91 = "Luật 91/2025/QH15 — xử lý dữ liệu để cơ quan nhà nước thực hiện nhiệm vụ theo luật"
REGISTER = [
    (
        {
            "code": "task_log",
            "name": "Giao việc, theo dõi, đôn đốc nhiệm vụ (nhật ký sự kiện)",
            "purpose": "Giao, theo dõi, đôn đốc và báo cáo kết quả thực hiện nhiệm vụ.",
            "legal_basis": LAW91 + "; Quy chế làm việc của UBND tỉnh",
            "data_subjects": "Cán bộ, công chức, viên chức được giao việc",
            "recipients": "Người giao việc, lãnh đạo đơn vị, thanh tra trong phạm vi",
            "safeguards": "Nhật ký niêm phong HMAC, phân quyền theo đơn vị, xác thực hai lớp",
            "automated": False,
        },
        [
            {
                "code": "task_events",
                "name": "Sự kiện xử lý nhiệm vụ của từng người (theo dõi hành vi trên nền tảng số)",
                "sensitive": True,
                "sensitive_ground": "Dữ liệu theo dõi hành vi trên không gian mạng (NĐ 356/2025)",
                "retention_days": None,
                "action": "keep",
                "handler": "",
            }
        ],
    ),
    (
        {
            "code": "detection",
            "name": "Phát hiện dấu hiệu né tránh, đùn đẩy, cầm chừng, sợ trách nhiệm",
            "purpose": "Cung cấp bằng chứng để người có thẩm quyền xem xét; không tự động xử lý.",
            "legal_basis": LAW91 + "; Luật 80/2025/QH15; Công điện 280/CĐ-TTg",
            "data_subjects": "Cán bộ, công chức và đơn vị có phát hiện",
            "recipients": "Người được phát hiện, lãnh đạo có thẩm quyền xem xét, thanh tra",
            "safeguards": "Giải trình trước khi quyết định; chỉ phát hiện đã xác nhận mới có hệ quả",
            "automated": True,
        },
        [
            {
                "code": "findings",
                "name": "Phát hiện và hồ sơ xem xét (hồ sơ hành vi)",
                "sensitive": True,
                "sensitive_ground": "Suy luận từ dữ liệu theo dõi hành vi (NĐ 356/2025)",
                "retention_days": None,
                "action": "keep",
                "handler": "",
            },
            {
                "code": "finding_explanations",
                "name": "Nội dung giải trình và tài liệu kèm theo của phát hiện đã bác bỏ",
                "sensitive": True,
                "sensitive_ground": "Có thể chứa thông tin sức khỏe, gia đình",
                "retention_days": 365,
                "action": "erase",
                "handler": "finding_explanations",
            },
        ],
    ),
    (
        {
            "code": "evaluation",
            "name": "Đánh giá, xếp loại chất lượng cán bộ, công chức",
            "purpose": "Đánh giá, xếp loại và sử dụng kết quả theo NĐ 335/2025, NĐ 90/2020.",
            "legal_basis": LAW91 + "; Nghị định 335/2025/NĐ-CP; Luật 80/2025/QH15",
            "data_subjects": "Cán bộ, công chức, viên chức",
            "recipients": "Cấp có thẩm quyền đánh giá, Sở Nội vụ, thanh tra trong phạm vi",
            "safeguards": "Quyền xem theo cấp quản lý; nhật ký xem niêm phong",
            "automated": True,
        },
        [
            {
                "code": "evaluations",
                "name": "Kết quả đánh giá, xếp loại (hồ sơ cán bộ)",
                "sensitive": False,
                "retention_days": None,
                "action": "keep",
                "handler": "",
            },
            {
                "code": "circumstances",
                "name": "Hoàn cảnh cá nhân được xét loại trừ khi tinh giản (thai sản, con nhỏ)",
                "sensitive": True,
                "sensitive_ground": "Dữ liệu sức khỏe, đời sống gia đình",
                "retention_days": 365,
                "action": "erase",
                "handler": "circumstances",
            },
        ],
    ),
    (
        {
            "code": "privacy",
            "name": "Nhật ký truy cập và yêu cầu của chủ thể dữ liệu",
            "purpose": "Bảo đảm trách nhiệm giải trình về việc xem dữ liệu và thực hiện quyền "
            "của chủ thể dữ liệu.",
            "legal_basis": LAW91,
            "data_subjects": "Người xem và người được xem dữ liệu; người gửi yêu cầu",
            "recipients": "Chủ thể dữ liệu, bộ phận tổ chức cán bộ, thanh tra",
            "safeguards": "Nhật ký niêm phong chỉ chứa dấu băm có khóa của danh tính",
            "automated": False,
        },
        [
            {
                "code": "access_identities",
                "name": "Danh tính người xem và người được xem trong nhật ký truy cập",
                "sensitive": False,
                "retention_days": 730,
                "action": "erase",
                "handler": "access_identities",
            },
            {
                "code": "subject_requests",
                "name": "Yêu cầu của chủ thể dữ liệu và bản sao dữ liệu đã cung cấp",
                "sensitive": False,
                "retention_days": 1095,
                "action": "erase",
                "handler": "subject_requests",
            },
        ],
    ),
]


def forwards(apps, schema_editor):
    Policy = apps.get_model("privacy", "Policy")
    Activity = apps.get_model("privacy", "ProcessingActivity")
    Category = apps.get_model("privacy", "DataCategory")
    for p in POLICIES:
        Policy.objects.update_or_create(code=p["code"], defaults=p)
    for activity, categories in REGISTER:
        a, _ = Activity.objects.update_or_create(
            code=activity["code"], defaults={**activity, "valid_from": date(2026, 1, 1)}
        )
        for c in categories:
            Category.objects.update_or_create(code=c["code"], defaults={**c, "activity": a})


def backwards(apps, schema_editor):
    apps.get_model("privacy", "DataCategory").objects.all().delete()
    apps.get_model("privacy", "ProcessingActivity").objects.all().delete()
    apps.get_model("privacy", "Policy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
