"""Due dates, extensions and the late policy: the schedule's checks, the penalty's arithmetic,
the extensions file's checks (grader/course/schedule.py, grader/instructor/late.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.course.schedule import LatePolicy, ScheduleError, parse_schedule, parse_time
from grader.errors import InputError
from grader.instructor.late import (
    Extension,
    late_block,
    penalty_percent,
    read_extensions,
    upload_time,
)

SEOUL = dt.timezone(dt.timedelta(hours=9))
IDS = ["ex01", "ex04", "q01"]
SCHEDULE = {
    "time_zone": "Asia/Seoul",
    "due": "2025-03-01 23:59",
    "items": {"ex04": "2025-03-10T23:59:00+09:00"},
    "late": {"grace_minutes": 15, "per": "day", "penalty_percent": 10, "max_penalty_percent": 50},
}

policies = st.builds(
    LatePolicy,
    grace_seconds=st.integers(0, 86_400),
    unit_seconds=st.sampled_from([3_600, 86_400]),
    penalty_percent=st.floats(0, 100),
    cap_percent=st.floats(0, 100),
    refuse_after_seconds=st.none() | st.integers(0, 30 * 86_400),
)


@given(policies, st.integers(0, 60 * 86_400))
def test_a_penalty_is_never_below_0_nor_above_the_cap_unless_refused(policy, late):
    percent, refused = penalty_percent(late, policy)
    assert 0 <= percent <= (100 if refused else policy.cap_percent)
    assert refused == (
        late > policy.grace_seconds
        and policy.refuse_after_seconds is not None
        and late > policy.refuse_after_seconds
    )


@given(policies, st.integers(0, 60 * 86_400), st.integers(0, 60 * 86_400))
def test_a_penalty_grows_with_lateness(policy, first, second):
    earlier, later = sorted((first, second))
    assert penalty_percent(earlier, policy) <= penalty_percent(later, policy)


@given(policies, st.integers(0, 86_400))
def test_within_the_grace_nothing_is_taken(policy, late):
    if late <= policy.grace_seconds:
        assert penalty_percent(late, policy) == (0.0, False)


def test_the_penalty_counts_each_day_begun_after_the_grace():
    policy = LatePolicy(grace_seconds=900, penalty_percent=10, cap_percent=50)
    assert penalty_percent(900, policy) == (0.0, False)
    assert penalty_percent(901, policy) == (10.0, False)  # a day begun
    assert penalty_percent(86_401, policy) == (20.0, False)
    assert penalty_percent(30 * 86_400, policy) == (50.0, False)  # the cap
    hourly = LatePolicy(unit_seconds=3_600, penalty_percent=1)
    assert penalty_percent(2 * 3_600 + 1, hourly) == (3.0, False)
    refusing = LatePolicy(penalty_percent=10, refuse_after_seconds=0)
    assert penalty_percent(1, refusing) == (100.0, True)


def test_the_schedule_reads_dates_in_its_zone_and_each_item_its_own():
    schedule = parse_schedule(SCHEDULE, IDS, "course.yaml: schedule")
    assert schedule.due_for("ex01") == dt.datetime(2025, 3, 1, 23, 59, tzinfo=schedule.zone)
    assert schedule.due_for("ex04") == dt.datetime(2025, 3, 10, 23, 59, tzinfo=SEOUL)
    assert schedule.late == LatePolicy(900, 86_400, 10.0, 50.0, None)
    assert parse_schedule(None, IDS, "x").due_for("ex01") is None  # no schedule: nothing is late


@pytest.mark.parametrize(
    "change, named",
    [
        ({"time_zone": "Mars/Olympus"}, "schedule.time_zone"),
        ({"time_zone": None}, "schedule.due: '2025-03-01 23:59' has no time zone"),
        ({"due": "2025-03-01"}, "schedule.due: '2025-03-01' is not a date and time"),
        ({"items": {"ex99": "2025-03-01T10:00Z"}}, "ex99 is not an item"),
        ({"late": {"per": "week"}}, "schedule.late.per"),
        ({"late": {"penalty_percent": 150}}, "schedule.late.penalty_percent"),
        ({"late": {"penalty": 10}}, "unknown key(s) penalty"),
        ({"deadline": "x"}, "unknown key(s) deadline"),
    ],
)
def test_a_bad_schedule_is_named_by_its_key(change, named):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule({**SCHEDULE, **change}, IDS, "course.yaml: schedule")
    assert named in str(caught.value) and "\n" not in str(caught.value)


def test_dates_take_an_offset_z_or_the_zone():
    assert parse_time("2025-03-01T10:00:00Z", None, "x") == dt.datetime(
        2025, 3, 1, 10, tzinfo=dt.timezone.utc
    )
    assert parse_time("2025-03-01 19:00+0900", None, "x").utcoffset() == dt.timedelta(hours=9)
    with pytest.raises(ScheduleError, match="has no time zone"):
        parse_time("2025-03-01 19:00", None, "x")
    with pytest.raises(ScheduleError, match="month must be in 1..12"):
        parse_time("2025-13-01 19:00Z", None, "x")


def test_the_late_block_uses_the_extension_and_keeps_whole_seconds():
    due = dt.datetime(2025, 3, 1, 23, 59, tzinfo=SEOUL)
    submitted = due + dt.timedelta(days=1, seconds=30, microseconds=500)
    block = late_block(
        submitted,
        "upload",
        {"ex01": 10.0, "ex04": 15.0, "q01": 9.0},
        LatePolicy(penalty_percent=10, cap_percent=50),
        lambda item: None if item == "q01" else due,
        {"ex04": Extension(days=2)},
    )
    assert block["submitted_at"] == "2025-03-02T23:59:30+09:00"
    assert set(block["items"]) == {"ex01", "ex04"}  # q01 has no due date
    assert block["items"]["ex01"] == {
        "due": "2025-03-01T23:59:00+09:00",
        "extension": None,
        "late_seconds": 86_430,
        "penalty_points": 2.0,  # two days begun, 10% each of 10 points
        "refused": False,
    }
    assert block["items"]["ex04"]["extension"] == "2025-03-03T23:59:00+09:00"
    assert block["items"]["ex04"]["late_seconds"] == 0


def _extensions(tmp_path, text, catalogue, encoding="utf-8"):
    path = tmp_path / "extensions.csv"
    path.write_bytes(text.encode(encoding))
    schedule = parse_schedule(SCHEDULE, catalogue.ids, "schedule")
    return read_extensions(path, catalogue, schedule)


def test_extensions_read_days_dates_and_every_item(tmp_path, catalogue):
    read = _extensions(
        tmp_path,
        "\ufefflearner,item,due,days\r\ndave,*,,1.5\r\n김민수,EX4,2025-03-20 12:00,\r\n,,,\r\n",
        catalogue,
    )
    assert read.by_learner["dave"]["*"] == Extension(days=1.5)
    assert read.by_learner["김민수"]["ex04"].due == dt.datetime(
        2025, 3, 20, 12, tzinfo=parse_schedule(SCHEDULE, catalogue.ids, "s").zone
    )


@pytest.mark.parametrize(
    "row, where, says",
    [
        ("dave,ex01,2025-03-05 10:00,2", "line 2, column due", "either a new due date or"),
        ("dave,ex01,,", "line 2, column due", "either a new due date or"),
        ("dave,ex01,2025-02-01 10:00,", "line 2, column due", "earlier than the course's"),
        ("dave,ex01,next friday,", "line 2, column due", "is not a date and time"),
        ("dave,ex01,,-1", "line 2, column days", "not a number of days above 0"),
        ("dave,ex01,,nan", "line 2, column days", "not a number of days"),
        ("dave,ex42,,1", "line 2, column item", "is not an item of this course"),
        (",ex01,,1", "line 2, column learner", "no learner named"),
        ("dave,ex01,,1\ndave,EX01,,2", "line 3, column item", "has a row for it already"),
    ],
)
def test_a_bad_extension_names_its_file_line_and_column(tmp_path, catalogue, row, where, says):
    with pytest.raises(InputError) as caught:
        _extensions(tmp_path, f"learner,item,due,days\n{row}\n", catalogue)
    message = str(caught.value)
    assert "extensions.csv" in message and where in message and says in message
    assert "\n" not in message


def test_an_excel_file_in_korean_windows_encoding_keeps_names_whole(tmp_path, catalogue):
    read = _extensions(tmp_path, "learner;item;due;days\n김민수;*;;2\n", catalogue, "cp949")
    assert list(read.by_learner) == ["김민수"]


def test_an_upload_time_is_its_newest_file_never_through_a_link(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "ex01_convolution.py").write_text("x")
    (folder / "link").symlink_to("/etc/hostname")
    stamp = dt.datetime(2025, 3, 2, tzinfo=dt.timezone.utc).timestamp()
    import os

    os.utime(folder / "ex01_convolution.py", (stamp, stamp))
    os.utime(folder, (stamp - 10, stamp - 10))
    assert upload_time(folder) == (dt.datetime.fromtimestamp(stamp, dt.timezone.utc), "upload")
    assert upload_time(tmp_path / "gone") is None
