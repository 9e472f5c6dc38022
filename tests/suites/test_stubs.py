"""Stubs mirror solutions: same docstrings and signatures, different only inside the bodies."""

from __future__ import annotations

import ast

import pytest

from grader.course.catalogue import load_catalogue
from tests.conftest import SOLUTIONS, STUBS

EXERCISES = [
    exercise
    for exercise in load_catalogue().exercises
    if (SOLUTIONS / exercise.file).is_file() and (STUBS / exercise.file).is_file()
]


def outline(tree: ast.Module, public_bodies: bool) -> list:
    """Every top-level statement; public functions reduced to signature and docstring."""
    parts = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            parts.append(("def", node.name, ast.dump(node.args), ast.get_docstring(node)))
        elif isinstance(node, ast.Assign) and all(
            isinstance(t, ast.Name) and t.id.isupper() for t in node.targets
        ):
            parts.append(("constant", [t.id for t in node.targets]))
        else:
            parts.append(ast.dump(node))
    return parts


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_stub_mirrors_solution(exercise):
    stub = ast.parse((STUBS / exercise.file).read_text(encoding="utf-8"))
    solution = ast.parse((SOLUTIONS / exercise.file).read_text(encoding="utf-8"))
    assert outline(stub, False) == outline(solution, True)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_stub_bodies_say_not_implemented(exercise):
    stub = ast.parse((STUBS / exercise.file).read_text(encoding="utf-8"))
    functions = [
        node
        for node in stub.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]
    assert {function.name for function in functions} >= set(exercise.functions)
    for function in functions:
        raised = function.body[-1]
        assert isinstance(raised, ast.Raise), (
            f"{function.name} must end in raise NotImplementedError"
        )
        assert "NotImplementedError" in ast.dump(raised) and exercise.id in ast.dump(raised)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_docstrings_lead_with_shapes_and_size(exercise):
    solution = ast.parse((SOLUTIONS / exercise.file).read_text(encoding="utf-8"))
    for node in solution.body:
        if isinstance(node, ast.FunctionDef) and node.name in exercise.functions:
            doc = ast.get_docstring(node) or ""
            assert "Parameters" in doc and "Returns" in doc, node.name
            assert "Reference: about" in doc, f"{node.name} should say how long the answer is"


def reference_claims() -> list[tuple[str, str, int, int]]:
    """(file, function, lines the stub promises, code lines of the solution's body)."""
    import re

    found = []
    for exercise in EXERCISES:
        stub = ast.parse((STUBS / exercise.file).read_text(encoding="utf-8"))
        source = (SOLUTIONS / exercise.file).read_text(encoding="utf-8").splitlines()
        solution = {
            node.name: node
            for node in ast.walk(ast.parse("\n".join(source)))
            if isinstance(node, ast.FunctionDef)
        }
        for node in stub.body:
            claim = (
                re.search(r"Reference: about (\d+) lines", ast.get_docstring(node) or "")
                if isinstance(node, ast.FunctionDef)
                else None
            )
            if claim:
                body = solution[node.name].body[1:]  # after the docstring
                lines = [
                    line
                    for line in source[body[0].lineno - 1 : solution[node.name].end_lineno]
                    if line.strip() and not line.strip().startswith("#")
                ]
                found.append((exercise.file, node.name, int(claim.group(1)), len(lines)))
    return found


@pytest.mark.parametrize(
    "file, function, promised, actual",
    reference_claims(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_promised_length_matches_the_reference(file, function, promised, actual):
    """ "Reference: about N lines" must be about right, or a learner misjudges the task."""
    assert abs(promised - actual) <= max(2, actual // 4), (
        f"{function} promises {promised}, has {actual}"
    )
