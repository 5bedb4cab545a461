"""Who proposes, decides, finalises and hears appeals on an evaluation: the one place.

ND 335/2025 Art. 17–19 (công chức), ND 90/2020 Art. 16–18 (cán bộ, viên chức, and công chức
before 2026), the Public Employees Law 2025 (viên chức appeals from 1/7/2026); sources and what
remains uncertain in docs/legal.md ("Who decides").

- The **classifying unit** of a post is the nearest unit at or above it that uses and manages
  staff: an agency (unit type level ≤ 2: UBND tỉnh, Sở, UBND xã) or a public service unit (a
  non-administrative unit: its head classifies its viên chức). A phòng belongs to its Sở.
- Its **head** decides and finalises the classification of everyone in it — members, heads of
  its divisions, its deputies. **Deputies never decide.**
- The agency's head himself is classified by the head of the **managing** classifying unit
  (the one above his agency): a Sở director by the chairman of the provincial committee.
- The **proposal** comes from the head of the person's own unit (a phòng head for his staff
  and deputies); for the head of a unit, from whoever decides. The decider may always propose.
- **Appeals** go to the level above the one that decided, never to the person who decided.
  When no level above exists in the system (the province's own head decided), the appeal is
  recorded and answered by HR (Sở Nội vụ) with the outside authority's decision reference.
  Viên chức under the Public Employees Law 2025 may also address the classifying level
  itself (another person than the one who decided, e.g. a new head).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from congvu.lib.errors import ActionError, ActionPermissionError
from congvu.org.models import Membership, Person, RoleGrant, Unit
from congvu.org.permissions import Access, access_for
from congvu.org.tree import OrgTree, tree_as_of

if TYPE_CHECKING:
    from congvu.evaluation.models import Evaluation

# Unit-type levels that are agencies (cơ quan): UBND tỉnh (1), Sở and UBND xã (2).
AGENCY_MAX_LEVEL = 2

PROPOSE = "propose"
DECIDE = "decide"
FINALISE = "finalise"
CONFIRM_CAUSE = "confirm_cause"
STEPS = (PROPOSE, DECIDE, FINALISE, CONFIRM_CAUSE)

# A bulk run (a province's year, province.py) computes each actor's access, the tree, the unit
# types and the heads once: the organisation does not change while it runs. Outside such a run
# nothing is cached.
_run_cache: ContextVar[dict[object, Any] | None] = ContextVar("evaluation_run_cache", default=None)


def today() -> date:
    return timezone.localdate()


@contextmanager
def cached_access() -> Iterator[None]:
    token = _run_cache.set({})
    try:
        yield
    finally:
        _run_cache.reset(token)


def _memo(key: object, build: Any) -> Any:
    cache = _run_cache.get()
    if cache is None:
        return build()
    if key not in cache:
        cache[key] = build()
    return cache[key]


def access(actor: Person) -> Access:
    found: Access = _memo(("access", actor.pk), lambda: access_for(actor))
    return found


def tree() -> OrgTree:
    found: OrgTree = _memo("tree", lambda: tree_as_of(today()))
    return found


def _unit_kinds() -> dict[int, tuple[int, bool]]:
    def build() -> dict[int, tuple[int, bool]]:
        return {
            pk: (level, admin)
            for pk, level, admin in Unit.objects.values_list(
                "pk", "unit_type__level", "unit_type__is_administrative"
            )
        }

    found: dict[int, tuple[int, bool]] = _memo("unit_kinds", build)
    return found


def _heads() -> dict[int, list[int]]:
    def build() -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for unit_id, person_id in (
            Membership.objects.active_on(today())
            .heads()
            .order_by("unit_id", "person_id")
            .values_list("unit_id", "person_id")
        ):
            out.setdefault(unit_id, []).append(person_id)
        return out

    found: dict[int, list[int]] = _memo("heads", build)
    return found


def is_classifying(unit_id: int) -> bool:
    level, administrative = _unit_kinds().get(unit_id, (99, True))
    return level <= AGENCY_MAX_LEVEL or not administrative


def classifying_unit(unit_id: int) -> int:
    """The agency (or public service unit) that classifies the staff of `unit_id`."""
    t = tree()
    for candidate in [unit_id, *t.ancestors(unit_id)]:
        if is_classifying(candidate):
            return candidate
    return unit_id


def managing_unit(unit_id: int) -> int | None:
    """The classifying unit above the one of `unit_id` (None at the top of the tree)."""
    agency = classifying_unit(unit_id)
    parent = tree().parent.get(agency)
    return classifying_unit(parent) if parent is not None else None


def heads_of(unit_id: int | None) -> list[int]:
    return [] if unit_id is None else list(_heads().get(unit_id, []))


@dataclass(frozen=True)
class Competence:
    """The persons competent for each step of one evaluation (person ids) and the units."""

    proposers: tuple[int, ...]
    deciders: tuple[int, ...]
    deciding_unit: int
    appeal_unit: int | None  # None: the level above is outside the system (HR records it)


def _deciding_unit(e: Evaluation) -> int:
    agency = classifying_unit(e.unit_id)
    if e.unit_id == agency and e.role_in_unit == Membership.Role.HEAD:
        above = managing_unit(agency)
        if above is not None:
            return above
    return agency


def competence(e: Evaluation) -> Competence:
    unit = _deciding_unit(e)
    deciders = tuple(p for p in heads_of(unit) if p != e.person_id)
    if e.role_in_unit == Membership.Role.HEAD:
        own: tuple[int, ...] = ()
    else:
        own = tuple(p for p in heads_of(e.unit_id) if p != e.person_id)
    proposers = tuple(dict.fromkeys(own + deciders))
    parent = tree().parent.get(unit)
    appeal_unit = classifying_unit(parent) if parent is not None else None
    return Competence(proposers, deciders, unit, appeal_unit)


def _unit_name(unit_id: int) -> str:
    return Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() or str(unit_id)


def may(actor: Person, e: Evaluation, step: str) -> bool:
    if actor.pk == e.person_id:
        return False
    c = competence(e)
    if step in (DECIDE, FINALISE):
        return actor.pk in c.deciders
    if step in (PROPOSE, CONFIRM_CAUSE):
        return actor.pk in c.proposers
    raise ValueError(step)


def require(actor: Person, e: Evaluation, step: str) -> None:
    """ActionPermissionError naming who is competent; ActionError when nobody is (a unit
    without a head: a deputy cannot stand in)."""
    if may(actor, e, step):
        return
    c = competence(e)
    who = c.deciders if step in (DECIDE, FINALISE) else c.proposers
    unit = _unit_name(c.deciding_unit)
    if not who:
        raise ActionError(
            "no_competent_level",
            f"{unit} chưa có người đứng đầu: không ai có thẩm quyền "
            f"{_STEP_WORDS[step]} kết quả này (cấp phó không thay được người đứng đầu).",
        )
    names = ", ".join(
        Person.objects.filter(pk__in=who).order_by("full_name").values_list("full_name", flat=True)
    )
    raise ActionPermissionError(
        f"Chỉ người có thẩm quyền mới {_STEP_WORDS[step]} kết quả này: {names} "
        f"(người đứng đầu {unit})."
    )


_STEP_WORDS = {
    PROPOSE: "đề xuất mức xếp loại",
    DECIDE: "quyết định xếp loại",
    FINALISE: "chốt",
    CONFIRM_CAUSE: "xác nhận nguyên nhân khách quan của",
}


def proposer_for(e: Evaluation) -> Person | None:
    ids = competence(e).proposers
    return Person.objects.filter(pk=ids[0]).first() if ids else None


def decider_for(e: Evaluation) -> Person | None:
    ids = competence(e).deciders
    return Person.objects.filter(pk=ids[0]).first() if ids else None


# --- appeals --------------------------------------------------------------------------------


def vien_chuc_law_applies(e: Evaluation, day: date, params: dict[str, Any]) -> bool:
    """The Public Employees Law 2025 appeal rule: viên chức, results made known from its
    entry into force (`vien_chuc_appeal_from`, 1/7/2026)."""
    raw = params.get("vien_chuc_appeal_from")
    return e.category == "vien_chuc" and bool(raw) and day >= date.fromisoformat(str(raw))


def appeal_resolvers(e: Evaluation, *, decided_by: int | None, law_2025: bool) -> list[int]:
    """Who may answer an appeal: the heads of the level above the deciding unit; for viên chức
    under the 2025 law also the classifying level; never the person who decided. Empty when
    the level above is outside the system (then HR records the outside answer)."""
    c = competence(e)
    ids = heads_of(c.appeal_unit)
    if law_2025:
        ids = list(c.deciders) + ids
    return [p for p in dict.fromkeys(ids) if p not in (decided_by, e.person_id)]


def may_resolve_appeal(
    actor: Person, e: Evaluation, *, decided_by: int | None, law_2025: bool
) -> bool:
    if actor.pk in (decided_by, e.person_id):
        return False
    if actor.pk in appeal_resolvers(e, decided_by=decided_by, law_2025=law_2025):
        return True
    if competence(e).appeal_unit is None:
        # Top of the tree: the answer comes from outside; HR in scope records it.
        a = access(actor)
        return a.has_role(RoleGrant.Role.HR) and a.can_see_evaluations_of(e.unit_id)
    return False
