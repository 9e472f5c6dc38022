"""The learner's way through the course: `grade list`'s order, total and next item, and the item
watch mode names next, which never has full marks already."""

from __future__ import annotations

import dataclasses
import shutil

import click

from grader.cli.course_path import list_lines, next_item
from grader.course.catalogue import COURSE_ROOT
from grader.i18n import display_width, language
from grader.learner.watch import short_report
from grader.progress import Progress
from grader.results import ExerciseResult, TestResult


def _full_marks(item_id: str) -> ExerciseResult:
    return ExerciseResult(
        id=item_id,
        title="t",
        max_score=1.0,
        tests=[
            TestResult(name="t", status="passed", score=1.0, max_score=1.0, visibility="public")
        ],
    )


def test_watch_never_names_an_exercise_that_already_has_full_marks(tmp_path, catalogue):
    Progress(best={"ex04": 15.0}, status={"ex04": "passed", "ex03": "passed"}).save(tmp_path)
    lines = short_report(_full_marks("ex03"), catalogue, tmp_path / "ex03_padding.py")
    assert "ex05" in lines[-1] and "ex04" not in lines[-1], lines
    done = {item.id: "passed" for item in catalogue.items}
    Progress(status={**done, "ex01": "partial"}).save(tmp_path)  # only ex01 is left
    lines = short_report(_full_marks("ex08"), catalogue, tmp_path / "ex08_backprop.py")
    assert "grade watch ex01" in click.unstyle(lines[-1]), lines
    Progress(status=done).save(tmp_path)
    lines = short_report(_full_marks("ex08"), catalogue, tmp_path / "ex08_backprop.py")
    assert "grade watch" not in lines[-1] and "grade quiz" not in lines[-1], lines


def test_list_follows_the_order_marks_advanced_items_and_adds_up_the_best_scores(
    tmp_path, catalogue
):
    Progress(best={"ex01": 10.0, "ex02": 4.5, "q01": 3.0}, status={"ex01": "passed"}).save(tmp_path)
    for lang, advanced, total in (("en", "[advanced]", "Total"), ("ko", "[심화]", "합계")):
        with language(lang):
            lines = list_lines(catalogue, tmp_path)
        rows = [line.split()[0] for line in lines if line and not line.startswith(" ")]
        assert rows[: len(catalogue.items)] == [item.id for item in catalogue.in_order]
        text = "\n".join(lines)
        assert text.count(advanced) == sum(item.advanced for item in catalogue.items), text
        assert total in lines[-1] and "17.5 / " in lines[-1], lines[-1]
        assert all(display_width(line) <= 80 for line in lines), text


def test_a_release_lists_quizzes_it_cannot_mark_outside_the_total_and_a_taken_one_as_done(
    tmp_path, catalogue
):
    course = tmp_path / "course"
    shutil.copytree(COURSE_ROOT / "quizzes", course / "quizzes")  # no solutions/: no keys
    release = dataclasses.replace(catalogue, root=course)
    learner = tmp_path / "exercises"
    (learner / "answers").mkdir(parents=True)
    exercises = [item for item in catalogue.exercises]
    Progress(status={item.id: "passed" for item in exercises}).save(learner)
    first_quiz = next_item(release, learner, Progress.load(learner))
    assert first_quiz is not None and first_quiz.kind == "quiz"
    (learner / first_quiz.answers_file).write_text("answers: {}\n", encoding="utf-8")
    following = next_item(release, learner, Progress.load(learner))
    assert following is not None and following.id != first_quiz.id
    lines = list_lines(release, learner)
    total = " ".join(" ".join(lines[lines.index("") + 1 :]).split())
    points = sum(item.points for item in exercises)
    assert f"/ {points:g}" in total and "hand them in" in total, total
