from __future__ import annotations


def test_the_person_sees_the_finding_with_its_evidence_and_may_explain(signed_in, org, finding):
    client = signed_in("gd_b")
    assert "Phát hiện cần tôi giải trình" in client.get("/").content.decode()
    body = client.get(f"/phat-hien/{finding.pk}/").content.decode()
    assert "Đặng Quốc Bảo" in body and "Sở Tài chính chủ trì" in body  # the evidence event's reason
    assert 'id="step-explain"' in body
    response = client.post(
        f"/phat-hien/{finding.pk}/thao-tac/", {"step": "explain", "text": "ngắn"}
    )
    assert response.status_code == 400 and "ít nhất 10 ký tự" in response.content.decode()
    response = client.post(
        f"/phat-hien/{finding.pk}/thao-tac/",
        {"step": "explain", "text": "Văn bản giao ghi rõ Sở Tài chính chủ trì."},
    )
    assert response.status_code == 302
    finding.review.refresh_from_db()
    assert finding.review.status == "explained"


def test_a_finding_is_hidden_from_people_outside_its_privacy_scope(signed_in, org, finding):
    assert signed_in("alice").get(f"/phat-hien/{finding.pk}/").status_code == 404
    assert signed_in("gd_a").get(f"/phat-hien/{finding.pk}/").status_code == 404
    assert (
        signed_in("thanh_tra").get(f"/phat-hien/{finding.pk}/").status_code == 404
    )  # scope: Sở Tài chính
    assert signed_in("noi_vu").get(f"/phat-hien/{finding.pk}/").status_code == 200


def test_the_reviewer_decides_after_the_explanation(signed_in, org, finding):
    from congvu.detection import review as R

    R.do_explain(finding.review, org.gd_b, text="Văn bản giao ghi rõ Sở Tài chính chủ trì.")
    reviewer = finding.review.reviewer_unit
    assert reviewer == org.root  # gd_b heads Sở Xây dựng: the level above reviews
    client = signed_in("lanh_dao")
    body = client.get(f"/phat-hien/{finding.pk}/").content.decode()
    assert 'id="step-decide"' in body
    response = client.post(
        f"/phat-hien/{finding.pk}/thao-tac/",
        {"step": "decide", "confirm": "0", "reason": "Trả lại đúng theo văn bản giao."},
    )
    assert response.status_code == 302
    finding.review.refresh_from_db()
    assert finding.review.status == "dismissed"


def test_the_finding_page_shows_the_combined_evidence_and_the_peer_group(signed_in, org, finding):
    assert finding.components and finding.components[0]["detector"] == "ping_pong"
    body = signed_in("gd_b").get(f"/phat-hien/{finding.pk}/").content.decode()
    assert "Các dấu hiệu được tổng hợp" in body
    assert "Chuyển qua rồi bị trả lại (A→B→A)" in body  # the detector, in words
    assert "Điểm tổng hợp" in body and "Nhóm so sánh" in body


def test_a_finding_shows_a_word_for_its_strength_not_a_bare_number(signed_in, org, finding):
    body = signed_in("gd_b").get(f"/phat-hien/{finding.pk}/").content.decode()
    assert finding.strength_band in body
    assert f"Mức độ</dt><dd>{finding.strength:.2f}".replace(".", ",") not in body


def test_the_strength_bands_cover_zero_to_one(org, finding):
    for value, band in ((0.78, "Rất rõ rệt"), (0.3, "Rõ rệt"), (0.12, "Đáng chú ý"), (0.0, "Nhẹ")):
        finding.strength = value
        assert finding.strength_band == band


def test_the_findings_list_shows_what_each_person_may_see_with_filters(signed_in, org, finding):
    client = signed_in("gd_b")
    body = client.get("/phat-hien/").content.decode()
    assert f"/phat-hien/{finding.pk}/" in body and "Đặng Quốc Bảo" in body
    assert client.get("/phat-hien/?hanh_vi=stalling").context["page_obj"].paginator.count == 0
    assert client.get("/phat-hien/?tu_khoa=dang quoc bao").context["page_obj"].paginator.count == 1
    everything = client.get("/phat-hien/").context["page_obj"].paginator.count
    assert client.get(f"/phat-hien/?ky={finding.period}").context["page_obj"].paginator.count == (
        everything
    )
    assert client.get("/phat-hien/?ky=2000-Q1").context["page_obj"].paginator.count == 0
    bad = client.get("/phat-hien/?ky=quy 3").content.decode()
    assert "Kỳ viết theo dạng năm-Q quý, ví dụ 2026-Q3." in bad
    assert (
        f"/phat-hien/{finding.pk}/" not in signed_in("charlie").get("/phat-hien/").content.decode()
    )


def test_the_findings_export_is_typed_and_filtered(signed_in, org, finding):
    import io

    from openpyxl import load_workbook

    client = signed_in("gd_b")
    rows = list(
        load_workbook(io.BytesIO(client.get("/phat-hien/xuat.xlsx").content))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("Số phát hiện", "Hành vi", "Về")
    assert rows[1][0] == finding.pk and isinstance(rows[1][7], int | float)
    empty = load_workbook(io.BytesIO(client.get("/phat-hien/xuat.xlsx?hanh_vi=stalling").content))
    assert len(list(empty.worksheets[0].iter_rows())) == 1


def test_the_unit_dashboard_links_the_findings_list_and_the_evaluation_summary(signed_in, org):
    body = signed_in("gd_a").get(f"/don-vi/{org.so_a.pk}/").content.decode()
    assert 'href="/phat-hien/"' in body
    assert f'href="/danh-gia/don-vi/{org.so_a.pk}/"' in body
