"""`grade reset exNN`: the course's stub back, the learner's file kept as a backup, never a
surprise: it asks (or needs --yes), says where the backup is, refuses links and quizzes."""

from __future__ import annotations

from click.testing import CliRunner

from grader.cli.app import cli
from grader.progress import Progress
from tests.conftest import STUBS, run_grade

MINE = "def zero_pad(x, pad):\n    return x  # my attempt\n"


def reset(folder, *args: str, typed: str | None = None):
    return CliRunner().invoke(
        cli, ["reset", "ex03", "--submission", str(folder), *args], input=typed
    )


def test_reset_asks_restores_the_course_stub_and_says_where_the_backup_is(tmp_path):
    (tmp_path / "ex03_padding.py").write_text(MINE, encoding="utf-8")
    Progress(best={"ex03": 4.0}, status={"ex03": "partial"}).save(tmp_path)
    declined = reset(tmp_path, typed="n\n")
    assert declined.exit_code == 0 and "Nothing changed" in declined.output
    assert (tmp_path / "ex03_padding.py").read_text(encoding="utf-8") == MINE
    done = reset(tmp_path, typed="y\n")
    assert done.exit_code == 0, done.output
    stub = (STUBS / "ex03_padding.py").read_text(encoding="utf-8")
    assert (tmp_path / "ex03_padding.py").read_text(encoding="utf-8") == stub
    (backup,) = (tmp_path / ".grade" / "backups").iterdir()
    assert backup.read_text(encoding="utf-8") == MINE
    assert str(backup.relative_to(tmp_path)) in "".join(done.output.split())
    progress = Progress.load(tmp_path)
    assert "ex03" not in progress.status and progress.best["ex03"] == 4.0  # the best is kept
    again = reset(tmp_path, "--yes")
    assert "already the stub" in again.output
    assert len(list((tmp_path / ".grade" / "backups").iterdir())) == 1


def test_reset_without_an_answer_or_yes_changes_nothing_and_says_so(tmp_path):
    (tmp_path / "ex03_padding.py").write_text(MINE, encoding="utf-8")
    run = reset(tmp_path, typed="")
    assert run.exit_code == 2 and "--yes" in run.output and "Aborted" not in run.output
    assert (tmp_path / "ex03_padding.py").read_text(encoding="utf-8") == MINE
    assert not (tmp_path / ".grade" / "backups").exists()


def test_two_resets_in_one_second_keep_both_backups(tmp_path):
    for attempt in ("first", "second"):
        (tmp_path / "ex03_padding.py").write_text(f"# {attempt}\n", encoding="utf-8")
        assert reset(tmp_path, "--yes").exit_code == 0
    kept = sorted(path.read_text() for path in (tmp_path / ".grade" / "backups").iterdir())
    assert kept == ["# first\n", "# second\n"]


def test_reset_refuses_a_link_and_a_quiz_in_one_line(tmp_path):
    target = tmp_path / "elsewhere.py"
    target.write_text(MINE, encoding="utf-8")
    (tmp_path / "ex03_padding.py").symlink_to(target)
    run = run_grade("reset", "ex03", "--yes", "--submission", tmp_path)
    assert run.exit_code == 2 and "symbolic link" in run.stderr
    assert target.read_text(encoding="utf-8") == MINE
    quiz = run_grade("reset", "q01", "--submission", tmp_path, "--lang", "ko")
    assert quiz.exit_code == 2 and "grade quiz q01 --lang ko" in quiz.stderr
