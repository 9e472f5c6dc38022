"""Property: no model configuration, however strange, gets past the allowlist wrongly or breaks a report.

Hypothesis takes a correct model description and replaces one value anywhere in it (a layer
setting, an initialiser's setting, the loss, the optimiser) with anything JSON can hold: lone
surrogates, integers too large for `str()`, lists where Keras takes a number, objects that
name other classes. Reading it must either give a `ModelSpec` whose every setting is a scalar
where Keras takes one, or refuse it with `ModelRejected`; either way the feedback renders in
every report format as valid UTF-8.
"""

from __future__ import annotations

import copy
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from grader import results
from grader.jail.wire import KerasModelData
from grader.model.config import ModelRejected, read_model
from grader.model.judge import untrainable_because
from grader.reports import FORMATS, render
from tests.model.test_config import COMPILED, digits_layers

BASE = {
    "module": "keras",
    "class_name": "Sequential",
    "config": {"name": "sequential", "layers": digits_layers()},
}
ODD_STRINGS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "\x1b[2J", "a" * 5000, "Constant", "keras.layers", "__tuple__"]),
)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**50), max_value=10**50),
        st.just("__HUGE__"),
        st.floats(allow_nan=False),
        ODD_STRINGS,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(
            st.sampled_from(["class_name", "module", "config", "value", "registered_name", "x"]),
            children,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def paths(node, prefix=()):
    """Every place in a JSON tree where a value could be replaced."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, prefix + (index,))


def replaced(tree, path, value):
    tree = copy.deepcopy(tree)
    if not path:
        return value
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return tree


def scalars_where_keras_takes_scalars(spec) -> bool:
    """No list of numbers longer than a kernel's or padding's pair of pairs survives."""

    def small(node) -> bool:
        if isinstance(node, list):
            return len(node) <= 8 and all(small(item) for item in node)
        if isinstance(node, dict):
            return all(small(item) for item in node.values())
        return True

    return all(small(row.config) for row in spec.layers)


def renders(feedback: str) -> None:
    test = results.TestResult(
        name="build_model", status="failed", score=0.0, max_score=1.0, feedback=feedback
    )
    report = results.Report(
        exercises=[results.ExerciseResult(id="ex07", title="t", max_score=1.0, tests=[test])],
        seed=1,
        protection="namespaces",
    )
    for output_format in FORMATS:
        render(report, output_format).encode("utf-8")


MODEL_PATHS = list(paths(BASE))
COMPILE_PATHS = list(paths(COMPILED))


@settings(max_examples=300, deadline=None)
@given(
    where=st.sampled_from(MODEL_PATHS),
    value=json_values,
    in_compile=st.booleans(),
    compile_where=st.sampled_from(COMPILE_PATHS),
)
def test_any_changed_configuration_is_read_or_refused_cleanly(
    where, value, in_compile, compile_where
):
    config, compiled = BASE, COMPILED
    if in_compile:
        compiled = replaced(COMPILED, compile_where, value)
    else:
        config = replaced(BASE, where, value)
    huge = "9" * 5000  # a number literal Python's int() refuses to read
    data = KerasModelData(
        json.dumps(config).replace('"__HUGE__"', huge),
        json.dumps(compiled).replace('"__HUGE__"', huge),
    )
    try:
        spec = read_model(data, "build_model()")
    except ModelRejected as error:
        renders(error.feedback)
        return
    assert scalars_where_keras_takes_scalars(spec)
    renders(spec.table() + "\n" + untrainable_because(spec))
