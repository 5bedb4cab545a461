"""A step names its `do_*` and hands it the inputs by name (congvu.tasks.steps.Step.run):
nothing else checks those names before a step runs, so this does, for every step."""

from __future__ import annotations

import inspect

import pytest

from congvu.tasks import actions
from congvu.tasks.steps import STEPS


def test_every_input_of_a_step_is_a_keyword_argument_of_its_action():
    for step in STEPS:
        params = inspect.signature(getattr(actions, step.action)).parameters
        assert "when" in params, f"{step.key}: {step.action} takes no at= / expected_version="
        for i in step.inputs:
            assert i.name in params, f"{step.key}: {step.action} has no argument {i.name}"
            assert params[i.name].kind is inspect.Parameter.KEYWORD_ONLY, (step.key, i.name)


def test_a_misspelt_keyword_of_an_action_is_refused():
    # `**when` takes at= and expected_version= only; anything else is a mistake of the caller.
    with pytest.raises(TypeError, match="expected_verison"):
        actions.do_accept(1, None, expected_verison=3)  # type: ignore[arg-type, call-arg]
