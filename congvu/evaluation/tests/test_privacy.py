from __future__ import annotations

from datetime import date

import pytest

from congvu.evaluation import actions, privacy
from congvu.evaluation.models import Evaluation, EvaluationRead
from congvu.lib.errors import ActionError
from congvu.org import actions as org_actions

pytestmark = pytest.mark.django_db


def _open(person):  # type: ignore[no-untyped-def]
    return actions.do_open_evaluation(person, Evaluation.Kind.MONTH, 2026, 1)


def test_a_members_evaluation_is_visible_to_self_heads_up_the_tree_hr_and_inspectors(org) -> None:
    e = _open(org.alice)
    allowed = [org.alice, org.tp_a1, org.gd_a, org.pgd_a, org.lanh_dao, org.noi_vu, org.thanh_tra]
    denied = [org.bob, org.charlie, org.gd_b, org.ct_xa, org.quan_tri]
    assert [p.code for p in allowed if privacy.can_view(p, e)] == [p.code for p in allowed]
    assert [p.code for p in denied if privacy.can_view(p, e)] == []


def test_a_heads_evaluation_is_not_visible_to_their_deputy_or_staff(org) -> None:
    e = _open(org.gd_a)
    assert not privacy.can_view(org.pgd_a, e)
    assert not privacy.can_view(org.tp_a1, e)
    assert privacy.can_view(org.lanh_dao, e)
    assert privacy.can_view(org.noi_vu, e)


def test_a_deputys_evaluation_is_visible_to_the_head_of_the_same_unit(org) -> None:
    e = _open(org.pgd_a)
    assert privacy.can_view(org.gd_a, e)
    assert not privacy.can_view(org.tp_a1, e)


def test_inspectors_see_only_their_scope(org) -> None:
    e = _open(org.charlie)  # Sở Xây dựng, outside the inspector's Sở Tài chính scope
    assert not privacy.can_view(org.thanh_tra, e)
    assert privacy.can_view(org.gd_b, e)


def test_a_transferred_persons_old_periods_are_visible_to_the_new_head(org) -> None:
    jan = _open(org.alice)
    org_actions.transfer_person(org.alice, org.b1, date(2026, 2, 1))
    assert privacy.can_view(org.gd_b, jan)


def test_reads_are_logged_and_refusals_raise(org) -> None:
    e = _open(org.alice)
    got = privacy.read_evaluation(org.tp_a1, e.pk, purpose="view")
    assert got == e
    assert EvaluationRead.objects.get().reader == org.tp_a1
    with pytest.raises(ActionError) as exc:
        privacy.read_evaluation(org.bob, e.pk)
    assert exc.value.code == "permission_denied"
    assert EvaluationRead.objects.count() == 1


def test_visible_evaluations_lists_only_what_the_viewer_may_see(org) -> None:
    mine = _open(org.alice)
    _open(org.bob)
    _open(org.charlie)
    assert list(privacy.visible_evaluations(org.alice)) == [mine]
    names = {e.person.code for e in privacy.visible_evaluations(org.gd_a)}
    assert names == {"ALICE", "BOB"}


def test_awaiting_lists_the_next_step_for_each_person(org) -> None:
    from congvu.evaluation import queries

    e = _open(org.alice)
    assert queries.awaiting(org.alice) == [(e, "Tự đánh giá")]
    assert queries.awaiting(org.tp_a1) == []
    from congvu.evaluation.tests.helpers import sheet

    actions.do_self_assess(e, actor=org.alice, sheet=sheet())
    assert [step for _, step in queries.awaiting(org.tp_a1)] == ["Ghi ý kiến tập thể / đề xuất"]
    assert queries.awaiting(org.bob) == []
