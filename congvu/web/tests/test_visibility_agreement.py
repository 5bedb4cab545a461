"""The one visibility rule (congvu.tasks.visibility) gives the same answer whichever way it is
asked: the task page and every action (`can_see_task`), the API list (`visible_to`), and the
web list, its two ways of counting and the search (`web.taskquery`). Issue #14: these were
three definitions, and the web list lost a task its former lead had transferred away."""

from __future__ import annotations

import random

import pytest

from congvu.lib.errors import ActionError
from congvu.org.permissions import access_for
from congvu.tasks import actions as A
from congvu.tasks.models import Task
from congvu.web import taskquery
from congvu.web.taskquery import count_visible, search_tasks, visible_tasks

# Who may lead in which unit (members of it), and whom each assigner directs.
LEADS = {
    "a1": ("alice", "tp_a1"),
    "a2": ("bob",),
    "so_a": ("gd_a", "pgd_a"),
    "so_b": ("gd_b",),
    "b1": ("charlie",),
    "xa": ("ct_xa",),
}
DIRECTS = {
    "lanh_dao": tuple(LEADS),
    "gd_a": ("a1", "a2", "so_a"),
    "gd_b": ("so_b", "b1"),
    "tp_a1": ("a1",),
}


def _generate(org, rng: random.Random, n: int) -> list[Task]:  # type: ignore[no-untyped-def]
    """n tasks built through the real actions with random assigners, leads, coordinators,
    acceptances and transfers (a refused step is simply skipped, as a person would be)."""
    tasks = []
    for i in range(n):
        by = rng.choice(sorted(DIRECTS))
        unit = rng.choice(DIRECTS[by])
        others = sorted(u for u in LEADS if u != unit)
        coordinators = tuple(rng.sample(others, rng.randint(0, 2)))
        task = A.do_assign(
            assigner=org.people[by],
            title=f"Nhiệm vụ sinh tự động {i}",
            lead_unit=org.units[unit],
            lead_person=org.people[rng.choice(LEADS[unit])],
            working_days=10,
            source_number=f"{i}/UBND",
            coordinations=[
                A.CoordinationSpec(org.units[c], "Đề nghị phối hợp", task_due(org))
                for c in coordinators
            ],
        )
        for _ in range(rng.randint(0, 3)):
            task.refresh_from_db()
            lead = Task.objects.get(pk=task.pk).lead_person
            try:
                if rng.random() < 0.4:
                    A.do_accept(task, lead)
                else:
                    to_unit = rng.choice(sorted(LEADS))
                    A.do_transfer(
                        task,
                        lead,
                        to_unit=org.units[to_unit],
                        to_person=org.people[rng.choice(LEADS[to_unit])],
                        reason_code="competence",
                        reason="Thuộc thẩm quyền đơn vị khác",
                    )
            except ActionError:
                pass
        tasks.append(task)
    return tasks


def task_due(org):  # type: ignore[no-untyped-def]
    from congvu.org.models import today

    return today()


def _answers(org, who: str, union_max: int, monkeypatch) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]
    person = org.people.get(who)
    access = access_for(person, superuser=who == "superuser")
    monkeypatch.setattr(taskquery, "UNION_COUNT_MAX_UNITS", union_max)
    everything = list(Task.objects.all())
    api = (
        set(Task.objects.values_list("pk", flat=True))
        if access.is_superuser
        else set(
            Task.objects.visible_to(access.read_unit_ids, access.person_id).values_list(
                "pk", flat=True
            )
        )
    )
    web = set(visible_tasks(access).values_list("pk", flat=True))
    counted = count_visible(access, lambda qs: qs)
    assert counted == len(web), f"{who}: the list counts {counted} rows but shows {len(web)}"
    return {
        "can_see_task": {t.pk for t in everything if A.can_see_task(t, access)},
        "api visible_to": api,
        "web visible_tasks": web,
        "web search": {t.pk for t in search_tasks(access, "sinh tự động")},
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_three_readings_of_visibility_agree_on_generated_tasks(org, monkeypatch, seed):
    _generate(org, random.Random(seed), 12)
    for who in [*sorted(org.people), "superuser"]:
        for union_max in (50, 0):
            answers = _answers(org, who, union_max, monkeypatch)
            reference = answers["can_see_task"]
            for name, seen in answers.items():
                assert seen == reference, (
                    f"{who} (seed {seed}): {name} differs from can_see_task: "
                    f"only there {sorted(seen - reference)}, missing {sorted(reference - seen)}"
                )


def test_a_former_lead_still_finds_the_task_they_transferred_away(org):
    """The case of issue #14: alice accepts, then transfers to Sở Xây dựng's Phòng Quy hoạch.
    She may open the task and the API lists it; the web list and search now show it too."""
    task = A.do_assign(
        assigner=org.gd_a,
        title="Việc chuyển đi nơi khác",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=10,
        source_number="9/STC",
    )
    A.do_accept(task, org.alice)
    A.do_transfer(
        task,
        org.alice,
        to_unit=org.b1,
        to_person=org.charlie,
        reason_code="competence",
        reason="Thuộc thẩm quyền Sở Xây dựng",
    )
    access = access_for(org.alice)
    task.refresh_from_db()
    assert A.can_see_task(task, access)
    assert task.pk in set(visible_tasks(access).values_list("pk", flat=True))
    assert [t.pk for t in search_tasks(access, "chuyen di noi khac")] == [task.pk]
    assert count_visible(access, lambda qs: qs.filter(pk=task.pk)) == 1
