"""The final grade's arithmetic and its checks (grader/instructor/final.py), and the adjustments
file's checks (grader/instructor/adjustments.py)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader.errors import InputError
from grader.instructor.adjustments import read_adjustments
from grader.instructor.final import final_block, problem, shown_total
from grader.instructor.recordcheck import RecordCheck


def _report(graded: float, maximum: float = 10.0) -> dict:
    return {"exercises": [{"id": "ex01", "score": graded, "max_score": maximum}]}


def _late(points: float) -> dict:
    return {"items": {"ex01": {"penalty_points": points}}}


@given(
    maximum=st.sampled_from([1.0, 9.0, 10.0, 15.0]),
    share=st.floats(0, 1),
    asked=st.lists(st.floats(-20, 20), max_size=3),
    nominal=st.floats(0, 20),
)
@example(maximum=1.0, share=0.0, asked=[0.978515625], nominal=0.17578125)  # rounded apart once
def test_an_item_ends_within_0_and_its_points_and_adds_up(maximum, share, asked, nominal):
    graded = round(share * maximum, 2)
    adjustments = [{"item": "ex01", "points": points} for points in asked]
    entry = final_block(_report(graded, maximum), adjustments, _late(nominal))["items"]["ex01"]
    assert 0 <= entry["points"] <= maximum
    assert 0 <= entry["late_penalty"] <= nominal + 1e-6  # kept to 6 decimals
    assert entry["points"] == pytest.approx(
        entry["graded"] + entry["adjustment"] - entry["late_penalty"],
        abs=1e-6,  # 6 decimals
    )
    assert entry["graded"] == graded and entry["max"] == maximum


def test_an_adjustment_is_a_correction_that_late_work_still_pays_for():
    entry = final_block(_report(0.0), [{"item": "ex01", "points": 2.0}], _late(3.0))["items"][
        "ex01"
    ]
    assert (entry["adjustment"], entry["late_penalty"], entry["points"]) == (2.0, 2.0, 0.0)
    more = final_block(_report(9.0), [{"item": "ex01", "points": 5.0}], None)["items"]["ex01"]
    assert (more["adjustment"], more["points"]) == (1.0, 10.0)  # no bonus above the item's points
    less = final_block(_report(2.0), [{"item": "ex01", "points": -5.0}], None)["items"]["ex01"]
    assert (less["adjustment"], less["points"]) == (-2.0, 0.0)


def test_the_total_is_the_sum_of_the_final_items_and_is_shown_with_why():
    report = {
        "score": 15.0,
        "max_score": 25.0,
        "exercises": [
            {"id": "ex01", "score": 10.0, "max_score": 10.0},
            {"id": "ex06", "score": 5.0, "max_score": 15.0},
        ],
    }
    block = final_block(report, [{"item": "ex06", "points": 1.5}], _late(2.0))
    assert (block["total"], block["max"]) == (14.5, 25.0)
    assert (
        shown_total({**report, "final": block}) == "14.5 / 25 (graded 15, adjusted +1.5, late -2)"
    )
    assert shown_total(report) == "15 / 25"


@pytest.fixture(scope="module")
def graded_record():
    from tests.instructor.test_records import meta, report

    return {**report(8.0), "batch": meta()}


def test_the_record_check_refuses_a_final_grade_its_inputs_do_not_give(catalogue, graded_record):
    check = RecordCheck(catalogue)
    adjustments = [{"item": "ex01", "points": -1.0, "reason": "copied", "by": "TA"}]
    record = {
        **graded_record,
        "adjustments": adjustments,
        "final": final_block(graded_record, adjustments, None),
    }
    assert check(record) == ""
    raised = copy.deepcopy(record)
    raised["final"]["items"]["ex01"]["points"] += 1
    assert "final: ex01's points" in check(raised)
    total = copy.deepcopy(record)
    total["final"]["total"] += 1
    assert "the total" in check(total)
    without = {**record, "adjustments": []}
    assert "final: ex01's" in check(without)
    unknown = {**record, "adjustments": [{**adjustments[0], "item": "ex99"}]}
    assert check(unknown)  # the schema's or the course's refusal
    orphan = {key: value for key, value in record.items() if key != "final"}
    assert problem(orphan) == "it has no final grade"
    bad_late = {**record, "late": {"submitted_at": "yesterday", "source": "upload", "items": {}}}
    assert "late.submitted_at" in check(bad_late)


def _adjustments(tmp_path, catalogue, text: str, encoding: str = "utf-8"):
    path = tmp_path / "adjustments.csv"
    path.write_bytes(text.encode(encoding))
    return read_adjustments(path, catalogue, RecordCheck(catalogue).points)


def test_adjustments_add_up_keep_names_whole_and_accept_excel(tmp_path, catalogue):
    text = (
        "\ufeffLearner,Item,Points,Reason,By\r\n"
        '김민수,ex4,+2,"regrade, stride test",TA Lee\r\n'
        "김민수,EX04,-0.5,late slip,Prof. Park\r\n"
        ",,,,\r\n"
    )
    read = _adjustments(tmp_path, catalogue, text)
    assert read.for_learner("김민수") == [
        {"item": "ex04", "points": 2.0, "reason": "regrade, stride test", "by": "TA Lee"},
        {"item": "ex04", "points": -0.5, "reason": "late slip", "by": "Prof. Park"},
    ]
    korean_excel = _adjustments(
        tmp_path, catalogue, "learner,item,points,reason,by\n이서연,q01,1,재채점,조교\n", "cp949"
    )
    assert korean_excel.for_learner("이서연")[0]["reason"] == "재채점"


@pytest.mark.parametrize(
    "text, where, says",
    [
        ("learner,item,points,reason\n", "line 1, column by", "missing"),
        ("learner,item,points,reason,by,note\n", "line 1, column note", "unknown column"),
        (
            "learner,item,points,reason,by\nbob,ex01,two,x,y\n",
            "line 2, column points",
            "not a number",
        ),
        (
            "learner,item,points,reason,by\nbob,ex01,inf,x,y\n",
            "line 2, column points",
            "not a number",
        ),
        (
            "learner,item,points,reason,by\nbob,ex01,11,x,y\n",
            "line 2, column points",
            "more than ex01's 10",
        ),
        ("learner,item,points,reason,by\nbob,ex77,1,x,y\n", "line 2, column item", "not an item"),
        ("learner,item,points,reason,by\nbob,ex01,1,,y\n", "line 2, column reason", "empty"),
        ("learner,item,points,reason,by\n\nbob,ex01,1,x,\n", "line 3, column by", "empty"),
        ("learner,item,points,reason,by\nbob,ex01,1,x,y,z\n", "line 2", "more than the header"),
    ],
)
def test_a_bad_adjustment_names_its_file_line_and_column(tmp_path, catalogue, text, where, says):
    with pytest.raises(InputError) as caught:
        _adjustments(tmp_path, catalogue, text)
    message = str(caught.value)
    assert "adjustments.csv" in message and where in message and says in message
    assert "\n" not in message


def test_an_adjustment_for_someone_not_in_the_class_is_refused_by_line(tmp_path, catalogue):
    read = _adjustments(
        tmp_path, catalogue, "learner,item,points,reason,by\nbob,ex01,1,x,y\nzed,ex01,1,x,y\n"
    )
    read.check_learners({"bob"}, lambda name: name != "zed")  # zed: another shard's
    with pytest.raises(InputError, match="line 3, column learner: zed is not a learner"):
        read.check_learners({"bob"}, lambda name: True)
