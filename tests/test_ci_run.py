""".ci/run: README's quick start in a fresh venv, where a missing install step must fail CI.

The quick start's install brings every optional library the tests use (TensorFlow, Dask's
`distributed`). A test that skips when one cannot be imported would let CI pass without it, so
in CI (`CI=true`, which .ci/run sets) such a skip is a failure (tests/strict_imports.py).
Running .ci/run itself takes a fresh install of TensorFlow: it is CI's own job, not a test's.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import COURSE_ROOT

pytest_plugins = ["pytester"]

NEEDS_A_MISSING_LIBRARY = """
import pytest

missing = pytest.importorskip("no_such_library_for_the_ci_test")


def test_uses_it():
    assert missing
"""

NEEDS_IT_IN_A_FIXTURE = """
import pytest


@pytest.fixture
def missing():
    return pytest.importorskip("no_such_library_for_the_ci_test")


def test_uses_it(missing):
    assert missing
"""


@pytest.mark.parametrize(
    "source", [NEEDS_A_MISSING_LIBRARY, NEEDS_IT_IN_A_FIXTURE], ids=["module", "fixture"]
)
@pytest.mark.parametrize("ci", ["true", ""], ids=["in-ci", "locally"])
def test_in_ci_a_library_that_cannot_be_imported_fails_the_run(pytester, monkeypatch, source, ci):
    monkeypatch.setenv("PYTHONPATH", str(COURSE_ROOT))
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(test_optional=source)
    result = pytester.runpytest_subprocess("-p", "tests.strict_imports")
    if ci:
        assert result.ret != 0 and "no_such_library_for_the_ci_test" in result.stdout.str()
    else:
        result.assert_outcomes(skipped=1)


def test_ci_run_declares_itself_ci():
    assert "export CI=true" in (COURSE_ROOT / ".ci" / "run").read_text(encoding="utf-8")
