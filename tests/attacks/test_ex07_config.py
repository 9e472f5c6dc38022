"""Attacks on the reading of ex07's model description: any JSON where the grader expects a
Keras configuration is refused with feedback, never a crash of the grader's own code.

The description is text the learner's code wrote (grader/model/config.py reads it). The tests
take two real descriptions (tests/attacks/ex07_model_configs.json: a Sequential and a
functional model) and put other JSON values in their places: lists where names belong,
dicts where numbers belong, numbers where lists belong. Reading must give a `ModelSpec` or
a `ModelRejected`; any other exception would reach a test as "the grader could not check".
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.jail.wire import KerasModelData
from grader.model.allowlist import ModelRejected
from grader.model.config import read_model

BASES = json.loads((Path(__file__).resolve().parent / "ex07_model_configs.json").read_text())
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(["__tuple__", "keras.layers", "Conv2D", "InputLayer"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, path=()):
    """Every place in a JSON tree, as a tuple of keys and indexes."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _replaced(tree, path, value):
    tree = copy.deepcopy(tree)
    if not path:
        return value
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return tree


def _read(config, compile_config):
    data = KerasModelData(
        json.dumps(config), None if compile_config is None else json.dumps(compile_config)
    )
    try:
        return read_model(data, "build_model()")
    except ModelRejected as rejected:
        assert rejected.feedback
        return None


@pytest.mark.parametrize("base", sorted(BASES))
def test_both_descriptions_are_read(base):
    assert _read(BASES[base]["config"], BASES[base]["compile_config"]) is not None


def test_unhashable_layer_names_are_refused():
    config = copy.deepcopy(BASES["functional"]["config"])
    config["config"]["layers"][1]["name"] = [1, 2]
    assert _read(config, BASES["functional"]["compile_config"]) is None


@pytest.mark.parametrize("base", sorted(BASES))
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_json_in_any_place_is_read_or_refused(base, data):
    part = data.draw(st.sampled_from(["config", "compile_config"]))
    tree = BASES[base][part]
    path = data.draw(st.sampled_from(list(_paths(tree))))
    value = data.draw(JSON_VALUES)
    mutated = _replaced(tree, path, value)
    config, compile_config = BASES[base]["config"], BASES[base]["compile_config"]
    if part == "config":
        _read(mutated, compile_config)
    else:
        _read(config, mutated)
