"""The report as Gradescope's results.json, what a learner sees on Gradescope and when.

Gradescope's "autograder specifications" define the fields: a top-level `score`, `output`
(always shown), `visibility`, `stdout_visibility`, `extra_data` (stored with the results, never
shown) and `tests`, each with its own `visibility`. Hidden tests and quiz questions wait for the
due date; the grading's seed is the instructor's alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from grader.i18n import _, language
from grader.reports.registry import Options, register
from grader.reports.text import protection_name
from grader.results import ExerciseResult, Report

GRADESCOPE_SHOWN = "visible"
GRADESCOPE_LATER_NOTE = (
    "Hidden tests and quiz answers are graded now and shown after the due date, with your total."
)
GRADESCOPE_RECEIVED = (
    "Your answers were read and graded; each question, with its answer and explanation, "
    "is shown after the due date.\n답안을 읽고 채점했습니다. 문항별 결과와 정답, 해설은 "
    "마감 후 공개됩니다."
)
GRADESCOPE_UNREADABLE = (
    "These answers cannot be read and earn no points; the others were read and graded. "
    "Fix them and submit again.\n다음 답은 읽을 수 없어 점수를 받지 못합니다. 나머지 답은 읽고 "
    "채점했습니다. 고친 뒤 다시 제출하세요."
)
GRADESCOPE_LATER_NOTE_KO = (
    "숨은 테스트와 퀴즈 정답은 지금 채점되며, 마감 후 총점과 함께 공개됩니다."
)
SEED_OPTION = re.compile(r"--seed(=|\s+)\d+")
SEED_SHOWN_AS = "N"  # "replay with --seed N": the learner never learns the grading's seed
MIN_SEED_DIGITS = (
    4  # a shorter seed (one typed for a replay) is too common a number to blank out everywhere
)


@register("gradescope")
def render_gradescope(report: Report, options: Options) -> str:
    return json.dumps(to_gradescope(report), indent=2, ensure_ascii=False) + "\n"


def to_gradescope(report: Report) -> dict:
    """Gradescope's results.json (its "autograder specifications").

    Each test carries the visibility course.yaml gives its item: public tests at once, hidden
    tests and quiz questions (whose feedback holds the answer) after the due date. Gradescope
    hides the total while any test is not yet visible, so the top-level `output`, which is
    always shown, sums up only the tests a learner can already see.

    The run's seed is the grading's secret: no text a learner sees holds it (a feedback's
    "replay with --seed 123" reads "--seed N"), and it is kept for the instructor in
    `extra_data`, which Gradescope stores with the results without showing it.
    """
    tests: list[dict[str, Any]] = []
    for exercise in report.exercises:
        for test in exercise.tests:
            tests.append(
                {
                    "name": f"{exercise.id} {test.name}",
                    "score": test.score,
                    "max_score": test.max_score,
                    "status": "passed" if test.status == "passed" else "failed",
                    "output": test.feedback,
                    "visibility": exercise.gradescope_visibility.get(
                        test.visibility, "after_due_date"
                    ),
                }
            )
        tests += _receipt(exercise)
    for entry in tests:
        entry["name"], entry["output"] = (
            without_seed(entry[field], report.seed) for field in ("name", "output")
        )
    return {
        "score": report.score,
        "execution_time": round(report.execution_time, 3),
        "output": without_seed(_visible_summary(report), report.seed),
        "visibility": GRADESCOPE_SHOWN,
        "stdout_visibility": "hidden",
        "extra_data": _instructor_data(report),
        "tests": tests,
    }


def _instructor_data(report: Report) -> dict:
    """What Gradescope keeps for the instructor alone: the seed (to replay the grading with
    `grade --seed`), the protection, and the tests the grader could not check, if any."""
    data = {"seed": report.seed, "protection": report.protection}
    unchecked = report.to_dict().get("unchecked")
    if unchecked:
        data["unchecked"] = list(unchecked)
    return data


def without_seed(text: str, seed: int) -> str:
    """`text` with the seed written as N: after `--seed`, and anywhere as a whole number when it
    is long enough not to be some other number of the feedback."""
    text = SEED_OPTION.sub(lambda match: f"--seed{match.group(1)}{SEED_SHOWN_AS}", text)
    digits = str(seed)
    if len(digits) >= MIN_SEED_DIGITS:
        text = re.sub(rf"(?<![0-9]){digits}(?![0-9])", SEED_SHOWN_AS, text)
    return text


def _receipt(exercise: ExerciseResult) -> list[dict]:
    """For a quiz none of whose questions is visible yet, a visible 0-point test that says whether
    its answers file was read, and which answers could not be (a broken file or answer is the
    learner's to fix now). It quotes only the first line of a problem's feedback, which never
    holds the answer (grader/quiz/grading.py)."""
    if (
        exercise.kind != "quiz"
        or not exercise.tests
        or any(
            exercise.gradescope_visibility.get(test.visibility) == GRADESCOPE_SHOWN
            for test in exercise.tests
        )
    ):
        return []
    problems = list(
        dict.fromkeys(
            (test.feedback.splitlines() or [""])[0]
            for test in exercise.tests
            if test.status == "error"
        )
    )
    if exercise.status == "not_attempted":
        output = exercise.tests[0].feedback
    elif exercise.status == "error" and len(problems) == 1:  # the file as a whole
        output = problems[0]
    elif problems:
        output = GRADESCOPE_UNREADABLE + "\n" + "\n".join(f"- {problem}" for problem in problems)
    else:
        output = GRADESCOPE_RECEIVED
    return [
        {
            "name": _("{id} answers file").format(id=exercise.id),
            "score": 0.0,
            "max_score": 0.0,
            "status": "failed" if problems or exercise.status == "not_attempted" else "passed",
            "output": output,
            "visibility": GRADESCOPE_SHOWN,
        }
    ]


def _visible_summary(report: Report) -> str:
    """What a learner may read before the due date, in English and Korean (Gradescope shows one
    text to everyone): the points of the tests already visible, and the protection used."""
    parts, later = [], False
    for exercise in report.exercises:
        shown = [
            test
            for test in exercise.tests
            if exercise.gradescope_visibility.get(test.visibility) == GRADESCOPE_SHOWN
        ]
        later = later or len(shown) < len(exercise.tests)
        if shown:
            parts.append(
                f"{exercise.id} {_points(sum(t.score for t in shown), sum(t.max_score for t in shown))}"
            )
    listed = "; ".join(parts)
    english = f"Visible now: {listed}." if parts else "Nothing is shown before the due date."
    korean = f"지금 보이는 결과: {listed}." if parts else "마감 전에는 공개되는 결과가 없습니다."
    if later:
        english, korean = (
            f"{english} {GRADESCOPE_LATER_NOTE}",
            f"{korean} {GRADESCOPE_LATER_NOTE_KO}",
        )
    with language("ko"):
        korean_protection = protection_name(report.protection)
    return f"{english} Protection: {report.protection}.\n{korean} 보호 수준: {korean_protection}."


def _points(score: float, max_score: float) -> str:
    """`13.67 / 15`, as the text report writes points."""
    return f"{round(score, 2):g} / {round(max_score, 2):g}"
