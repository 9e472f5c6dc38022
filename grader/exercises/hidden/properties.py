"""Property-based checks: hypothesis draws cases within the contract and shrinks a failure.

A suite hands `run_property` a strategy of cases and a `check(case)` that grades one case
against the reference (raising `GradingFailure` with feedback). Cases come from the run's
seed, so `--seed` replays them; there is no deadline (a slow honest loop is fine) and no
example database (nothing is written to disk). Each distinct case calls the learner once
(hypothesis' final replay reuses the first answer). The work is bounded by counts alone,
`EXAMPLES` generated cases and `CALL_BUDGET` calls with shrinking, never by a clock, so the
same seed checks the same cases on an idle or a busy machine; a slow learner is stopped by the
worker's own limits per call and per exercise. The run also stops once the learner timed out
or crashed. The feedback shows the smallest failing case found by then. A run that checked no
case at all is the grader's failure (`evidence.NothingChecked`), never a pass, and so is an
error of the grader's own while checking a case.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from grader import evidence
from grader.exercises.hidden.examples import show  # noqa: F401  (the suites import it from here)
from grader.failures import GradingFailure, LearnerFailure, LearnerRaised, SandboxNotStarted
from grader.i18n import _

try:  # an internal module of hypothesis: see _no_local_constants
    from hypothesis.internal.conjecture import providers as hypothesis_providers

    # an internal module whose names change between versions: looked up with getattr first
    providers: Any = hypothesis_providers
except ImportError:  # pragma: no cover - another hypothesis version
    providers = None

EXAMPLES = 30  # generated cases per property test, before shrinking
CALL_BUDGET = 60  # learner calls per property test, shrinking included


def _key(value: Any) -> Any:
    """A hashable fingerprint of a case (arrays by shape, dtype and bytes)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (tuple, list)):
        return tuple(_key(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _key(item)) for key, item in value.items()))
    return repr(value)


def seed_for(run_seed: int, name: str) -> int:
    """The hypothesis seed of one property test: the run's seed and the test's name."""
    return (run_seed << 32) ^ zlib.crc32(name.encode())


@contextlib.contextmanager
def _no_local_constants() -> Iterator[None]:
    """Hypothesis sometimes draws numbers found in the source of the modules loaded so far,
    and caches them under ./.hypothesis. Which modules are loaded depends on what else is
    graded, so a seed would not replay; and the grader writes nothing in the learner's folder.
    Both are avoided by offering it none (an internal of hypothesis, hence the guard)."""
    original = getattr(providers, "_get_local_constants", None)
    if original is None or not hasattr(providers, "Constants"):  # nothing to switch off
        yield
        return
    providers._get_local_constants = providers.Constants
    try:
        yield
    finally:
        providers._get_local_constants = original


class _Stop(BaseException):
    """Raised inside a hypothesis run to end it when the budget is spent (hypothesis lets a
    BaseException through instead of treating it as a failure)."""


def run_property(
    strategy: st.SearchStrategy,
    check: Callable[[Any], None],
    *,
    run_seed: int,
    name: str,
    describe: Callable[[Any], str],
) -> None:
    """Grade `check(case)` on generated cases; re-raise the smallest failure with its case.

    `describe(case)` writes the case for the feedback (small arrays in full, see `show`).
    """
    answers: dict[Any, tuple[Any, GradingFailure | None]] = {}  # the cases checked, in order
    grader_errors: list[Exception] = []

    def one_case(case: Any) -> None:
        key = _key(case)
        if key not in answers:
            if len(answers) >= CALL_BUDGET:
                raise _Stop()
            try:
                check(case)
                answers[key] = (case, None)
            except GradingFailure as failure:
                answers[key] = (case, failure)
                # A stub, or a hung or crashed worker, answers every case alike: stop there.
                if failure.not_attempted or (
                    isinstance(failure, LearnerFailure) and not isinstance(failure, LearnerRaised)
                ):
                    raise _Stop() from None
            except Exception as error:  # the grader's own: no verdict on this case or any other
                grader_errors.append(error)
                raise _Stop() from None
        answer = answers[key][1]
        if answer is not None:
            raise answer

    test = settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(strategy)(one_case))
    try:
        with _no_local_constants():
            hypothesis_seed(seed_for(run_seed, name))(test)()
    except (GradingFailure, _Stop):
        pass
    if grader_errors:
        raise grader_errors[0]
    if not answers:
        raise evidence.NothingChecked(f"{name}: no generated case was checked")
    failing = [(case, answer) for case, answer in answers.values() if answer is not None]
    if not failing:
        return  # every case checked passed
    case, failure = _to_report(failing)
    if failure.not_attempted or isinstance(failure, SandboxNotStarted) or not failure.ran:
        raise failure from None  # no case of the learner's to show
    message = (
        failure.feedback
        + "\n"
        + _(
            "A generated case that shows it, shrunk by hypothesis (replay with --seed {seed}):"
        ).format(seed=run_seed)
        + "\n"
        + describe(case)
    )
    raise _same_kind(failure, message) from None


def _to_report(failing: list[tuple[Any, GradingFailure]]) -> tuple[Any, GradingFailure]:
    """The failure to show: the last one found (hypothesis shrinks towards smaller cases),
    unless it names no mistake and another does (a 1x1 case is often too small to tell
    mistakes apart); then the named one with the shortest feedback."""
    named = [item for item in failing if item[1].diagnosed]
    if failing[-1][1].diagnosed or not named:
        return failing[-1]
    return min(named, key=lambda item: len(item[1].feedback))


def _same_kind(failure: GradingFailure, feedback: str) -> GradingFailure:
    """A failure of the same status and diagnosis as `failure`, with new feedback."""
    copy = GradingFailure(feedback)
    copy.status, copy.not_attempted = failure.status, failure.not_attempted
    copy.diagnosed = failure.diagnosed
    return copy
