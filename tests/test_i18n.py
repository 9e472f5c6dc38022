"""The Korean catalogue is complete and in step with the code: every sentence the grader can show
has a Korean translation with the same placeholders, and the compiled .mo is the .po's.

Messages are extracted with Babel's own API over the source files, through the same
`grader/locale/babel.cfg` that `pybabel extract` reads (so test names, the first line of each
grading test's docstring, are extracted too).
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from grader import i18n
from grader.cli.app import cli
from grader.course.catalogue import COURSE_ROOT
from tests.conftest import SOLUTIONS

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "grader" / "locale"
PO_FILE = LOCALE / "ko" / "LC_MESSAGES" / "grader.po"
MO_FILE = LOCALE / "ko" / "LC_MESSAGES" / "grader.mo"
COURSE_STUBS = COURSE_ROOT / "exercises"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
GETTEXT_NAMES = set(KEYWORDS)
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgxr]")


def extracted_messages(root: Path = ROOT) -> dict[str, str]:
    """msgid -> the first file that uses it, as `pybabel extract -F babel.cfg` finds them."""
    with open(LOCALE / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault(msgid, filename)
    return found


def korean_catalogue():
    with open(PO_FILE, "rb") as po:
        return read_po(po, locale="ko")


def placeholders(text: str) -> list[str]:
    """The `{name}`/`{0}` fields (format spec ignored: a translation may not change the value)
    and `%s`-style placeholders of `text`, sorted."""
    fields = []
    try:
        fields = [
            name
            for _literal, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        fields = ["<unbalanced braces>"]
    return sorted(fields + PERCENT_PLACEHOLDER.findall(text))


def fstrings_in_gettext(source: str) -> list[int]:
    """Lines where `_()`, `N_()` or `ngettext()` is handed an f-string (it cannot be extracted,
    and its translation would never be found)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in GETTEXT_NAMES
        ):
            if any(isinstance(part, ast.JoinedStr) for arg in node.args for part in ast.walk(arg)):
                lines.append(node.lineno)
    return lines


def test_every_extracted_message_has_a_korean_translation():
    catalogue = korean_catalogue()
    problems = []
    for msgid, filename in sorted(extracted_messages().items()):
        entry = catalogue.get(msgid) or next(
            (
                message
                for message in catalogue
                if isinstance(message.id, tuple) and message.id[0] == msgid
            ),
            None,
        )
        strings = (
            entry.string
            if entry is not None and isinstance(entry.string, tuple)
            else ((entry.string,) if entry is not None else ("",))
        )
        if entry is None or not all(strings):
            problems.append(f"{filename}: no Korean for {msgid!r}")
        elif entry.fuzzy:
            problems.append(
                f"{filename}: the Korean for {msgid!r} is fuzzy (check it, then drop the flag)"
            )
    assert not problems, (
        "\n".join(problems[:40]) + f"\n({len(problems)} in all; see grader/i18n.py)"
    )


def test_the_extraction_finds_code_messages_and_test_names():
    messages = extracted_messages()
    assert "Total" in messages  # a `_()` call in grader/reports/text.py
    assert "Correct." in messages  # an `N_()` table entry in quiz/text.py
    assert any(
        name.endswith(("test_public.py", "test_hidden.py")) for name in messages.values()
    )  # test names


def test_every_translation_keeps_the_placeholders_of_its_source():
    problems = []
    for entry in korean_catalogue():
        if not entry.id:
            continue
        sources = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for translated in filter(None, strings):
            if placeholders(translated) != placeholders(sources[-1]) and placeholders(
                translated
            ) != placeholders(sources[0]):
                problems.append(
                    f"{sources[0]!r}: {placeholders(sources[0])} but Korean has "
                    f"{placeholders(translated)}"
                )
    assert not problems, "\n".join(problems)


def test_placeholder_check_sees_a_missing_or_added_field():
    assert placeholders("{exercise} passed, {count:d} tests") == ["count", "exercise"]
    assert placeholders("{0} of %s") == ["%s", "0"]
    assert placeholders("{exercise} 통과") != placeholders("{exercise} passed, {count:d} tests")
    assert placeholders("{{literal}} braces") == []


def test_the_compiled_catalogue_is_the_po_file():
    catalogue = korean_catalogue()
    fresh = io.BytesIO()
    write_mo(fresh, catalogue)
    fresh.seek(0)
    expected = gettext.GNUTranslations(fresh)._catalog
    with open(MO_FILE, "rb") as compiled:
        actual = gettext.GNUTranslations(compiled)._catalog
    assert actual == expected, (
        "grader.mo is stale: run `pybabel compile -d grader/locale -D grader`"
    )


def test_no_fstring_is_handed_to_gettext():
    problems = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "grader").rglob("*.py"))
        for line in fstrings_in_gettext(path.read_text(encoding="utf-8"))
    ]
    assert not problems, (
        'f-string inside _(): write _("... {name}").format(name=...) instead: '
        + ", ".join(problems)
    )


def test_the_fstring_check_sees_one():
    assert fstrings_in_gettext(
        'x = _(f"{name} passed")\ny = _("{name} passed").format(name=1)\n'
    ) == [1]
    assert fstrings_in_gettext('n = ngettext("a", f"{count} b", count)\n') == [1]


def test_the_extraction_sees_a_test_name_and_a_message(tmp_path):
    folder = tmp_path / "grader" / "exercises" / "ex99"
    folder.mkdir(parents=True)
    (folder / "test_public.py").write_text(
        'def test_one():\n    """conv2d: a name of the report.\n\n    More."""\n'
        '    raise AssertionError(_("a feedback {x}").format(x=1))\n',
        encoding="utf-8",
    )
    messages = extracted_messages(tmp_path)
    assert {"conv2d: a name of the report", "a feedback {x}"} <= set(messages)


def test_korean_is_used_when_asked_and_english_otherwise():
    with i18n.language("ko"):
        assert i18n._("Total") == "합계"
    with i18n.language("en"):
        assert i18n._("Total") == "Total"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LC_ALL": "C", "LANG": "ko_KR"}, "en"),
        ({}, "en"),
        ({"LC_MESSAGES": "ko"}, "ko"),
    ],
)
def test_the_locale_decides_the_default_language(environ, expected):
    assert i18n.detect_language(environ) == expected


def test_a_suggested_command_carries_lang_when_the_locale_would_answer_in_english(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    i18n.choose_language(None)
    with i18n.language("ko"):
        assert i18n.with_lang("grade hint ex01") == "grade hint ex01 --lang ko"
    with i18n.language("en"):
        assert i18n.with_lang("grade hint ex01") == "grade hint ex01"
    monkeypatch.setenv("LC_ALL", "ko_KR.UTF-8")
    with i18n.language("ko"):
        assert i18n.with_lang("grade hint ex01") == "grade hint ex01"


def test_a_suggested_command_repeats_a_language_the_learner_named(monkeypatch):
    monkeypatch.setenv("LC_ALL", "ko_KR.UTF-8")
    before = i18n.current_language()
    try:
        i18n.choose_language("ko")
        assert i18n.with_lang("grade ex01") == "grade ex01 --lang ko"
        i18n.choose_language(None)
        assert i18n.with_lang("grade ex01") == "grade ex01"
    finally:
        i18n.choose_language(before)


# ------------------------------------------------------------------- the CLI in Korean


def test_every_hint_has_its_korean_twin(catalogue):
    for item in (*catalogue.exercises, *catalogue.quizzes):
        assert len(item.hints_ko) == len(item.hints), f"{item.id}: hints_ko in course.yaml"
        assert all(re.search("[가-힣]", hint) for hint in item.hints_ko), item.id
        assert all(hint.rstrip().endswith("?") for hint in item.hints_ko), (
            f"{item.id}: a hint is a question"
        )
        assert item.title_ko, f"{item.id}: title_ko in course.yaml"


@pytest.mark.parametrize("item_id", ["q02", "ex04"])
def test_hints_in_korean_for_quizzes_and_exercises(grade, tmp_path, catalogue, item_id):
    item = catalogue.item(item_id)
    first = grade("hint", item_id, "--submission", tmp_path, "--lang", "ko")
    assert first.exit_code == 0, first.stderr
    assert item.hints_ko[0] in " ".join(first.stdout.split()) and item.title_ko in first.stdout
    assert "번째" in first.stdout and "Hint" not in first.stdout
    second = grade("hint", item_id, "--submission", tmp_path, "--lang", "en")
    assert item.hints[1] in " ".join(second.stdout.split()) and "Hint 2 of" in second.stdout


def test_a_stub_graded_in_korean_reads_korean_to_the_end(grade, make_submission):
    folder = make_submission(ex03=COURSE_STUBS, ex01=SOLUTIONS)  # ex01 draws cases to replay
    run = grade("ex01", "ex03", "--submission", folder, "--lang", "ko")
    assert run.exit_code == 1
    assert "합계" in run.stdout and "Total" not in run.stdout
    replay = " ".join(
        run.stdout[run.stdout.index("같은 무작위 사례를") :].split()
    )  # wrapped at 80 columns
    assert "--seed" in replay and replay.endswith("--lang ko")
    assert "제로 패딩" in run.stdout and "시도하지 않음" in run.stdout


def test_an_unknown_id_is_answered_in_korean(grade):
    run = grade("ex3x", "--lang", "ko")
    assert run.exit_code == 2
    assert "찾으셨나요" in run.stderr and "did you mean" not in run.stderr


def test_a_quiz_input_error_is_korean(grade, tmp_path):
    run = CliRunner().invoke(
        cli,
        ["quiz", "q03", "--submission", str(tmp_path), "--lang", "ko"],
        input="zz\n" + "\n" * 40,
    )
    assert (
        "(받은 값: 'zz')" in run.stdout and "형태여야 합니다" in run.stdout
    )  # q03 asks a shape first
    assert "must be" not in run.stdout


def gettext_shadowed(source: str) -> list[int]:
    """The lines that bind `_` (`for _ in`, `x, _ = ...`, `with ... as _`, `except ... as _`,
    a parameter, a comprehension, `import x as _`): `_` is gettext's everywhere, and a module
    that rebinds it calls something else, or nothing, the day a `_()` lands next to the loop.
    Only importing gettext's own `_` binds it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "_" and not isinstance(node.ctx, ast.Load):
            found.append(node.lineno)
        elif isinstance(node, ast.arg) and node.arg == "_":
            found.append(node.lineno)
        elif isinstance(node, ast.alias) and node.asname == "_" and node.name != "_":
            found.append(node.lineno)
        elif (
            isinstance(
                node, (ast.ExceptHandler, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            )
            and node.name == "_"
        ):
            found.append(node.lineno)
    return found


def project_modules() -> list[Path]:
    """The project's Python: the package, its tests and benchmarks, but not the fixtures
    (learners' files, graded as written) and not grader/i18n.py, which defines `_`."""
    return sorted(
        path
        for folder in ("grader", "tests", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if not any("fixtures" in part for part in path.relative_to(ROOT).parts)
        and path != ROOT / "grader" / "i18n.py"
    )


def test_nothing_rebinds_gettext():
    problems = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in project_modules()
        for line in gettext_shadowed(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "`_` is gettext's: name what is left unused (`_index`, `_rest`): " + (
        ", ".join(problems)
    )


@pytest.mark.parametrize(
    "source",
    [
        "for _ in range(3):\n    pass\n",
        "a, _ = g()\n",
        "[1 for _ in z]\n",
        "with open(p) as _:\n    pass\n",
        "try:\n    pass\nexcept OSError as _:\n    pass\n",
        "def f(_):\n    pass\n",
        "lambda *_: 0\n",
        "from gettext import gettext as _\n",
        "(_ := 3)\n",
    ],
)
def test_the_shadow_check_sees_each_way_of_binding(source):
    assert gettext_shadowed(source)


def test_the_shadow_check_lets_gettext_be_imported_and_called():
    assert gettext_shadowed("from grader.i18n import _\nprint(_('x'))\n") == []
    assert gettext_shadowed("match x:\n    case [_, *_]:\n        pass\n") == []  # wildcards


def test_the_suites_speak_the_language_of_the_run(grade, make_submission):
    """pytest runs in the CLI's process: --lang reaches every test name and feedback, and the
    next run in the same process speaks its own language again."""
    folder = make_submission(ex03=COURSE_ROOT / "solutions")
    korean_run = grade("ex03", "--submission", folder, "--format", "json", "--lang", "ko")
    names = [test["name"] for test in korean_run.item("ex03")["tests"]]
    assert korean_run.item("ex03")["score"] == korean_run.item("ex03")["max_score"]
    assert "zero_pad: 배치를 바꾸지 않습니다" in names
    assert all(re.search("[가-힣]", name) for name in names)
    english_run = grade("ex03", "--submission", folder, "--format", "json", "--lang", "en")
    assert "zero_pad: the batch is not modified" in [
        test["name"] for test in english_run.item("ex03")["tests"]
    ]


def test_a_named_mistake_is_explained_in_korean(grade, make_submission):
    stub = (COURSE_ROOT / "solutions" / "ex01_convolution.py").read_text(encoding="utf-8")
    flipped = stub.replace(
        "def convolve2d(image, kernel):",
        "def convolve2d(image, kernel):\n    kernel = np.asarray(kernel)[::-1, ::-1]",
        1,
    )
    assert flipped != stub
    folder = make_submission(ex01=flipped)
    run = grade("ex01", "--submission", folder, "--format", "json", "--lang", "ko")
    feedback = " ".join(test["feedback"] for test in run.item("ex01")["tests"])
    assert "케라스는 뒤집지 않" in feedback and "flipped" not in feedback


def test_a_usage_error_suggests_the_command_in_korean(grade):
    run = grade("--lang", "ko")
    assert run.exit_code == 2 and "`grade ex01 --lang ko`" in run.stderr


def test_grade_list_in_korean(grade, tmp_path, catalogue):
    run = grade("list", "--submission", tmp_path, "--lang", "ko")
    assert run.exit_code == 0
    first = run.stdout.splitlines()[0]
    assert (
        first.startswith("ex01")
        and "시작 안 함" in first
        and catalogue.item("ex01").title_ko in first
    )
