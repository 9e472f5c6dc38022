"""A Korean learner never meets English prose: every command run with `--lang ko` (help, list,
show, hint, quiz with answers piped, the quizzes and exercises graded, stubs and solutions,
watch's short report, the usual errors) writes Latin letters only where they are code.

The rule, applied to each output line after the code is taken out:
- code spans (`...`), a quoted word ('same', "valid"), flags (--lang), paths and dotted
  names (answers/q01.yaml, np.pad, keras.layers) and calls (`max(`) are code;
- a word with a digit or an underscore (ex01, q05, conv2d, d_out, 3x3), a single letter (H, W, S,
  k) and a CamelCase name (MaxPooling2D, BatchNormalization, ReLU) are code;
- a word the course defines is code: the functions and arguments of the solutions, the Keras
  layers, activations, optimisers and settings the ex07 grader accepts;
- `ALLOWED` below: the few other words that are names, each with its reason.
Anything else is English prose, and the test names the command, the line and the word.
"""

from __future__ import annotations

import ast
import re
from functools import cache

import pytest
from click.testing import CliRunner

from grader.cli.app import cli
from grader.course.catalogue import load_catalogue
from grader.i18n import language
from grader.learner.watch import short_report
from grader.model import allowlist
from tests.conftest import SOLUTIONS, STUBS
from tests.korean_texts import korean_texts

ALLOWED = {
    # Python and NumPy values and types a docstring or feedback names
    *("None", "True", "False", "ndarray", "float", "int", "tuple", "list", "dtype", "inf", "nan"),
    *("NaN", "ValueError", "NotImplementedError", "TypeError"),
    # padding modes as Keras spells them (also quoted, but formulas name them bare)
    *("valid", "same", "full", "SAME", "Valid"),
    # file formats, units and standard abbreviations, written so in Korean too
    *("CNN", "PNG", "CSV", "JSON", "YAML", "ZIP", "UTF", "CI", "ID", "IDs", "MB", "GB", "s"),
    *("MACs", "MAC", "RGB", "L2", "OCR", "tcp", "ln", "x", "ko", "en"),
    *("HTML", "BOM", "NUL", "UTC", "Markdown"),  # formats, a byte and a time standard
    *("YYYY", "MM", "DD", "HH"),  # a date's pattern, as the instructor writes it
    # products and tools a learner or instructor uses by name
    *("Gradescope", "Canvas", "Moodle", "Dask", "Jupyter", "Colab", "Excel", "pytest", "pip"),
    *("hypothesis", "Click", "IPython", "matplotlib", "root", "Adam", "SGD", "RMSprop", "LoRA"),
    *("Ctrl", "Enter"),  # keys
    *("LeNet", "AlexNet", "VGG", "GoogLeNet", "ResNet"),  # networks the course notes name
    # the program, the placeholders of a usage line (Click's own) and an environment variable
    *("grade", "OPTIONS", "COMMAND", "ARGS", "LANG"),
    # words a learner types at the quiz prompt (the prompt names them)
    *("redo", "resume", "quit"),
    # names the stubs' docstrings use in formulas: same_padding returns (before, after)
    *("before", "after", "mode", "uid", "KB", "CPU"),
    # Keras names the ex07 grader refuses, so they are not in its allow-list
    *("Lambda", "Constant"),
    "TODO",  # the stubs' TODO lines
    "def",  # a signature, as `grade show` prints it
    *("SIFT", "HOG"),  # the hand-made features the course notes compare CNNs with
}
CODE = re.compile(
    r"`[^`]*`"  # a code span
    r"|'[^'\s]*'|\"[^\"\s]*\""  # a quoted word
    r"|(?<![\w-])--?[A-Za-z][\w-]*"  # a flag
    r"|[\w.~-]*[/\\][\w./\\*~-]*"  # a path
    r"|\w+(?:\.\w+)+"  # a dotted name or a file
    r"|[A-Za-z_]\w*\("  # a call
    r"|\b[A-Za-z_]\w*="  # a keyword argument
    r"|\[기본값: [^\]]*\]"  # a default value, as Click shows it
    r"|\{[^{}]*\}"  # a placeholder of a catalogue entry (its value is checked where it is used)
    r"|(?<![\w.])\.\w+"  # a file extension (.zip)
)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@cache
def course_names() -> frozenset[str]:
    """The names the course defines: every name in the solutions (functions, arguments,
    variables), and the Keras names the ex07 grader accepts."""
    names: set[str] = set()
    for path in SOLUTIONS.glob("ex*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
    names |= set(allowlist.LAYER_SETTINGS) | set(allowlist.ACTIVATIONS) | set(allowlist.NAMED)
    for settings in allowlist.LAYER_SETTINGS.values():
        names |= set(settings)
    return frozenset(names | cli_words())


def cli_words() -> set[str]:
    """The `grade` commands and the metavars of their options (DIR, FILE, PERCENT, ...)."""
    from grader.cli.messages import commands

    words = set()
    for command in commands(cli):
        words.add(command.name or "")
        for parameter in command.params:
            metavar = parameter.metavar or getattr(parameter.type, "name", "").upper()
            words |= set(WORD.findall(metavar or ""))
    return words


def run_korean(*args: object, stdin: str | None = None) -> str:
    """`grade ARGS --lang ko` as a learner types it (the program is called `grade`)."""
    result = CliRunner().invoke(
        cli, [*map(str, args), "--lang", "ko"], prog_name="grade", input=stdin
    )
    return result.stdout + result.stderr


def english_words(line: str) -> list[str]:
    """The words of `line` that are neither code nor an allowed name."""
    prose = CODE.sub(" ", line)
    return [
        word
        for word in WORD.findall(prose)
        if not (
            len(word) == 1
            or re.search(r"[\d_]", word)
            or re.search(r"[a-z][A-Z]|[A-Z]{2}[a-z]", word)
            or word in ALLOWED
            or word in course_names()
        )
    ]


def english_in(output: str, command: str) -> list[str]:
    """Each line of `output` with English prose (a code span may wrap over two lines, and a path
    too long for a line breaks after a `/`: its rest, on the next line, is still the path)."""
    spans = re.sub(r"`[^`]*`", lambda span: re.sub(r"[^\n]", " ", span.group()), output)
    spans = re.sub(r"/\n( *)(\S+)", lambda rest: "/\n" + " " * len(rest.group(0)[2:]), spans)
    return [
        f"`{command}`: {words} in {line.strip()!r}"
        for line, masked in zip(output.splitlines(), spans.splitlines())
        if (words := english_words(masked))
    ]


def test_the_rule_sees_prose_and_spares_code():
    assert english_words("strides=None means it moves") == ["means", "it", "moves"]
    assert english_words("보호 수준: namespaces") == ["namespaces"]
    assert english_words("    Parameters") == ["Parameters"]
    assert english_words("`grade ex01 --lang ko`로 채점하세요") == []
    assert english_words("conv2d(x, kernel)의 'same' 패딩, answers/q01.yaml, np.pad") == []
    assert english_words("MaxPooling2D 뒤 Dense 층의 편향 bias") == []


def test_no_english_in_the_korean_texts_as_written():
    """The catalogue, the exercises' and quizzes' Korean and the student release's README: the
    same rule before any command runs (a placeholder's value is checked where it is shown)."""
    problems = [
        problem
        for text in korean_texts()
        if not text.where.startswith("README.md")  # the course README is English with glosses
        for problem in english_in(text.text, text.where)
    ]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the commands, run in Korean


@pytest.fixture(scope="module")
def korean_outputs(tmp_path_factory) -> dict[str, str]:
    """command -> what it wrote (standard output and error), each run once in Korean."""
    catalogue = load_catalogue()
    folder = tmp_path_factory.mktemp("learner")
    runs: dict[str, list[str]] = {
        "--help": ["--help"],
        "list": ["list", "--submission", folder],
        "ex3x": ["ex3x"],
        "(no id)": [],
        "--nope": ["ex01", "--nope"],
        "--seed x": ["ex01", "--seed", "x"],
        "watch q01": ["watch", "q01", "--submission", folder],
        "quiz keys": [*(quiz.id for quiz in catalogue.quizzes), "--submission", SOLUTIONS],
    }
    for command in ("list", "show", "hint", "quiz", "watch", "check", "publish", "batch"):
        runs[f"{command} --help"] = [command, "--help"]
    runs |= {f"show {e.id}": ["show", e.id] for e in catalogue.exercises}
    for item in (*catalogue.exercises, *catalogue.quizzes):
        for number in range(len(item.hints) + 1):  # every hint, then "seen them all"
            runs[f"hint {item.id} #{number + 1}"] = ["hint", item.id, "--submission", folder]
    return {name: run_korean(*args) for name, args in runs.items()}


def test_no_english_in_any_korean_command_output(korean_outputs):
    problems = [
        problem
        for command, output in korean_outputs.items()
        for problem in english_in(output, command)
    ]
    assert not problems, "\n".join(problems)


def test_the_outputs_are_korean_and_resolved(korean_outputs):
    for command, output in korean_outputs.items():
        assert re.search("[가-힣]", output), f"`{command}` wrote no Korean: {output[:200]!r}"
        assert not re.search(r"을\(를\)|이\(가\)|은\(는\)|\(으\)로", output), command


def test_the_quiz_prompt_in_korean(tmp_path):
    problems = []
    for quiz in load_catalogue().quizzes:
        output = run_korean("quiz", quiz.id, "--submission", tmp_path, stdin="ㅋㅋ\n" + "a\n" * 60)
        problems += english_in(output, f"grade quiz {quiz.id}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_stubs_graded_in_korean():
    """Every exercise's stub and every quiz unanswered (about a minute on two cores)."""
    problems = english_in(run_korean("--all", "--submission", STUBS), "grade --all <stubs>")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_solutions_graded_in_korean(make_submission):
    """Every exercise's solution but ex07's (it trains: tests/model/test_ex07.py grades it in
    Korean where its training is done already)."""
    catalogue = load_catalogue()
    ids = [e.id for e in catalogue.exercises if e.id != "ex07"]
    folder = make_submission(**{item_id: SOLUTIONS for item_id in ids})
    problems = english_in(run_korean(*ids, "--submission", folder), "grade <solutions>")
    assert not problems, "\n".join(problems)


def test_watch_short_report_in_korean(tmp_path):
    """What watch mode redraws after a save: a failing test, and full marks with the next
    exercise (its title in the learner's language)."""
    from grader.results import ExerciseResult, TestResult

    catalogue = load_catalogue()
    with language("ko"):
        passed = TestResult("zero_pad: 배치를 바꾸지 않습니다", "passed", 1.0, 1.0)
        failed = TestResult("zero_pad: 값", "failed", 0.0, 1.0, feedback="값이 다릅니다")
        problems = []
        for tests in ([passed], [passed, failed]):
            result = ExerciseResult("ex03", "제로 패딩", sum(t.max_score for t in tests), tests)
            lines = short_report(result, catalogue, tmp_path / "ex03_padding.py")
            problems += english_in("\n".join(lines), "watch ex03")
    assert not problems, "\n".join(problems)


def test_a_named_mistake_graded_in_korean(make_submission):
    """A learner's mistake gets its named feedback, in Korean too: ex05 with strides=None read
    as a stride of 1 (the diagnosis once came out in English)."""
    solution = (SOLUTIONS / "ex05_pooling.py").read_text(encoding="utf-8")
    buggy = solution.replace(
        "(f_h, f_w) if strides is None else strides", "(1, 1) if strides is None else strides"
    )
    assert buggy != solution
    output = run_korean("ex05", "--submission", make_submission(ex05=buggy))
    assert "풀 크기" in output, output
    problems = english_in(output, "grade ex05 <strides=None as 1>")
    assert not problems, "\n".join(problems)
