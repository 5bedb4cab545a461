"""Human oversight of the automated assessment (AI law 2025, docs/privacy.md): a finding has
consequences only once a named person confirmed it with a reason."""

from __future__ import annotations

from datetime import date

import pytest

from congvu.audit import log as eventlog
from congvu.detection import review as R
from congvu.detection.models import FindingReview
from congvu.evaluation.consequences import finding_discipline_proposals
from congvu.evaluation.services import confirmed_findings
from congvu.lib.errors import ActionError
from congvu.privacy.tests.factories import finding_about_alice

pytestmark = pytest.mark.django_db
FAR = date(2030, 1, 1)


def test_a_confirmation_records_the_human_reviewer_and_the_reason_in_the_sealed_log(org) -> None:
    _, review = finding_about_alice(org)
    R.do_explain(review, org.alice, text="Phòng kia không có thẩm quyền.")
    with pytest.raises(ActionError):
        R.do_decide(review, org.tp_a1, confirm=True, reason="   ")
    R.do_decide(review, org.tp_a1, confirm=True, reason="Chuyển qua lại không có căn cứ.")
    review.refresh_from_db()
    assert (review.decided_by, review.decision_reason) == (
        org.tp_a1,
        "Chuyển qua lại không có căn cứ.",
    )
    confirmed = eventlog.history("finding", review.pk)[-1]
    assert (confirmed.kind, confirmed.actor) == ("confirmed", org.tp_a1)
    assert confirmed.payload["reason"] == "Chuyển qua lại không có căn cứ."


@pytest.mark.parametrize(
    "status",
    [
        FindingReview.Status.OPEN,
        FindingReview.Status.EXPLAINED,
        FindingReview.Status.DISMISSED,
    ],
)
def test_an_unconfirmed_finding_has_no_consequence(org, status: str) -> None:
    _, review = finding_about_alice(org)
    FindingReview.objects.filter(pk=review.pk).update(status=status)
    assert confirmed_findings(org.alice.pk, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert finding_discipline_proposals(FAR) == []
