"""The formats' registry: each module of grader/reports/ registers its format, --format offers
every one, and a new format is one module."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import grader.reports
from grader.reports import registry
from grader.results import ExerciseResult, Report, TestResult

REPORTS_DIR = Path(grader.reports.__file__).parent


def small_report() -> Report:
    tests = [TestResult("a 3x3 kernel", "passed", 2, 2, "public")]
    return Report(
        [ExerciseResult("ex01", "The convolution operation", 2, tests)], seed=7, protection="none"
    )


def test_every_module_of_the_folder_is_a_registered_format():
    modules = {path.stem for path in REPORTS_DIR.glob("*.py")} - {"__init__", "registry"}
    assert set(grader.reports.FORMATS) == modules
    assert grader.reports.FORMATS[0] == registry.DEFAULT_FORMAT


@pytest.mark.parametrize("output_format", grader.reports.FORMATS)
def test_each_format_renders_a_report_to_text(output_format):
    text = grader.reports.render(
        small_report(), output_format, replay="grade ex01 --seed 7", lang="en"
    )
    assert isinstance(text, str) and text.strip()


def test_an_unknown_format_is_refused_by_name():
    with pytest.raises(ValueError, match="no report format 'csv'"):
        grader.reports.render(small_report(), "csv")


def test_a_second_renderer_cannot_take_a_formats_name():
    def render_text(report, options):  # another function under the text format's name
        return ""

    render_text.__qualname__ = "impostor"
    with pytest.raises(ValueError, match="two renderers"):
        registry.register("text")(render_text)
    assert registry.RENDERERS["text"] is not render_text


def test_the_command_line_offers_every_format():
    from grader.cli import cli

    choices = {
        tuple(param.type.choices)
        for command in [cli, *cli.commands.values()]
        for param in command.params
        if param.name == "output_format"
    }
    assert choices == {grader.reports.FORMATS}


def test_a_new_format_is_one_module_that_registers_itself(tmp_path, monkeypatch):
    """A module dropped beside the others (here a folder added to the package's path) is
    imported with the package and renders under its name."""
    (tmp_path / "tally.py").write_text(
        "from grader.reports.registry import register\n\n\n"
        "@register('tally')\n"
        "def render_tally(report, options):\n"
        "    return f'{report.score:g}/{report.max_score:g}\\n'\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(grader.reports, "__path__", [*grader.reports.__path__, str(tmp_path)])
    monkeypatch.setattr(registry, "RENDERERS", dict(registry.RENDERERS))
    for name in [name for name in sys.modules if name == "grader.reports.tally"]:
        monkeypatch.delitem(sys.modules, name)
    assert "tally" in grader.reports._import_formats()
    assert grader.reports.render(small_report(), "tally") == "2/2\n"
    monkeypatch.delitem(sys.modules, "grader.reports.tally")
