"""The standard unit types: the ones `seed_unit_types` creates and the demo province uses.

(code, name, level counted from the top = 1, administrative) for the two-tier province since
1/7/2025, plus the district tier it replaced (kept so history before that date reads right).
"""

from __future__ import annotations

UNIT_TYPES = [
    ("ubnd_tinh", "Ủy ban nhân dân tỉnh", 1, True),
    ("so", "Sở và cơ quan tương đương", 2, True),
    ("ubnd_huyen", "Ủy ban nhân dân huyện (đến 30/6/2025)", 2, True),
    ("ubnd_xa", "Ủy ban nhân dân xã", 3, True),
    ("ubnd_phuong", "Ủy ban nhân dân phường", 3, True),
    ("phong", "Phòng chuyên môn", 4, True),
    ("dvsn", "Đơn vị sự nghiệp công lập", 4, False),
]
