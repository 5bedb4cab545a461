"""The shape of a step on something other than a task (a finding's review, an evaluation
period): its key, its label, when it is offered and what it runs.

A task's steps (congvu.tasks.steps.Step) carry more — their needs raise the action's own errors
and their inputs generate the API — but a page treats all of them alike: it offers a step when
`offered(ctx)` holds, shows its `label`, and posts the form's cleaned data to `run`. The action
still decides at the moment of writing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.utils.functional import Promise

C = TypeVar("C")


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


@dataclass(frozen=True)
class ObjectStep(Generic[C]):
    key: str
    label: str | Promise
    offered: Callable[[C], bool]
    run: Callable[[C, dict[str, Any]], object]


def by_key(steps: Sequence[K]) -> dict[str, K]:
    """A page's steps by the key its form posts, in the order they are offered."""
    return {s.key: s for s in steps}


@dataclass(frozen=True)
class PostedStep(Generic[C]):
    """A step taken through a plain HTML form: the fields it reads and what it runs (returning
    the message shown on success). The page reads exactly `inputs` from the form (`posted`),
    never the request itself, so a step's inputs are written once, here."""

    key: str
    inputs: tuple[str, ...]
    run: Callable[[C, dict[str, Any]], str]


def posted(form: Mapping[str, Any], inputs: Sequence[str]) -> dict[str, Any]:
    """The step's inputs from a submitted form, as text. A name ending in "_" is a prefix: every
    field starting with it, as a dict keyed by the rest of its name (a sheet's rows)."""
    out: dict[str, Any] = {}
    for name in inputs:
        if name.endswith("_"):
            out[name] = {
                key.removeprefix(name): str(form.get(key, ""))
                for key in form
                if key.startswith(name)
            }
        else:
            out[name] = str(form.get(name, ""))
    return out
