"""What a student release holds, as the release scan (grader/instructor/scan.py) tries it.

`release_contents` lists the release's Python modules, with every function, method and lambda
each defines (those inside functions too, by qualified name as Python writes it:
`outer.<locals>.inner`), and its data files. `written_code` finds the code written as text,
which a learner can copy as readily as a module: a Markdown code block (a README, a notebook's
cell), a doctest, a string constant or code commented out in a module, a file saved under another suffix
(`helper.py.orig`), a YAML hint, a translation catalogue, a data file's text. Each piece of
text that is Python defining a function, class or lambda becomes a module of its own in the
scan's copy of the release, holding its imports, definitions and assignments (each on its own,
so one that fails costs only itself) after NumPy imported as the course's files import it.
"""

from __future__ import annotations

import ast
import gettext
import json
import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_SUFFIXES = (".npz", ".npy")
SKIPPED = ("__pycache__", ".grade", ".pytest_cache", ".hypothesis")
WRITTEN_CODE = "_scan_written_code"  # the folder of the scan's copy that holds code written as text
FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)^[ \t]*\1", re.MULTILINE | re.DOTALL)
PROMPT = re.compile(r"^[ \t]*(?:>>>|\.\.\.)(?: |$)")
PREAMBLE = "import numpy\nimport numpy as np\n"
STARTS = re.compile(
    r"^[ \t]*(?:async[ \t]+def|def|class|import|from|@)[ \t]"
)  # where code may start among prose
SPAN_LINES = 200
KEPT = (
    ast.Import,
    ast.ImportFrom,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Assign,
    ast.AnnAssign,
)


@dataclass(frozen=True)
class Module:
    """A Python file of the release: its functions (qualified names) and module-level names."""

    relative: str
    functions: tuple[str, ...]
    names: tuple[str, ...]
    raising: tuple[
        str, ...
    ] = ()  # undecorated functions whose body is one `raise`: they never answer
    label: str = ""  # for code written as text: where it was written ("README.md (code 2)")

    def __str__(self) -> str:
        return self.label or self.relative


def release_contents(release: Path) -> tuple[list[Module], list[str]]:
    """The release's Python modules and data files, walked without following links."""
    modules, data_files = [], []
    for path, relative in _files(release):
        if relative.endswith(".py"):
            modules.append(_module(path, relative))
        elif relative.endswith(DATA_SUFFIXES):
            data_files.append(relative)
    return modules, data_files


def _files(release: Path) -> Iterator[tuple[Path, str]]:
    """(file, path inside the release) for every regular file, sorted; links are not followed."""
    for folder, folders, files in os.walk(release):
        folders[:] = sorted(
            name
            for name in folders
            if name not in SKIPPED and not os.path.islink(os.path.join(folder, name))
        )
        for name in sorted(files):
            path = Path(folder, name)
            if not path.is_symlink() and path.is_file():
                yield path, path.relative_to(release).as_posix()


def _module(path: Path, relative: str) -> Module:
    tree = ast.parse(path.read_bytes(), filename=relative)
    functions: list[str] = []
    names: list[str] = []
    raising: list[str] = []
    named: set[int] = set()
    _defined(tree.body, "", functions, names, raising, named)
    # every other lambda (in a table, a call, a function), by where it stands (scan_loader.target)
    functions += [
        f"<lambda:{node.lineno}:{node.col_offset}>"
        for node in ast.walk(tree)
        if isinstance(node, ast.Lambda) and id(node) not in named
    ]
    return Module(relative, tuple(functions), tuple(names), tuple(raising))


def _defined(
    body: list[ast.stmt],
    prefix: str,
    functions: list[str],
    names: list[str],
    raising: list[str],
    named: set[int],
) -> None:
    """Functions (and methods, functions and classes defined inside functions, and lambdas bound
    to a name at module or class level) defined by `body`, by qualified name as Python writes it
    (`outer.<locals>.inner`), apart from those that only raise (a stub's); the names it assigns
    at module level. Blocks (if, try, with, for, while, match) are looked into."""
    in_function = prefix.endswith(".<locals>.")
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            statements = node.body[1:] if ast.get_docstring(node) is not None else node.body
            only_raises = (
                len(statements) == 1
                and isinstance(statements[0], ast.Raise)
                and not node.decorator_list
            )
            (raising if only_raises else functions).append(prefix + node.name)
            _defined(node.body, f"{prefix}{node.name}.<locals>.", functions, names, raising, named)
        elif isinstance(node, ast.ClassDef):
            _defined(node.body, f"{prefix}{node.name}.", functions, names, raising, named)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and not in_function:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [target.id for target in targets if isinstance(target, ast.Name)]
            if isinstance(node.value, ast.Lambda) and bound:
                functions += [prefix + name for name in bound]
                named.add(id(node.value))
            elif not prefix:
                names += bound
        for inner in blocks(node):
            _defined(inner, prefix, functions, names, raising, named)


def blocks(node: ast.AST) -> list[list[ast.stmt]]:
    """The statement lists inside a compound statement that opens no scope of its own (the
    branches of an if, a try and its handlers, a loop, a with, a match's cases)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return []
    found = []
    for _field, value in ast.iter_fields(node):
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            found.append(value)
        elif isinstance(value, list):
            found += [
                item.body for item in value if isinstance(item, (ast.ExceptHandler, ast.match_case))
            ]
    return found


def written_code(release: Path, copy: Path) -> list[Module]:
    """The code written as text in the release at `release`, each piece written as a module into
    `copy` (the scan's copy of that release), labelled with where it was found."""
    modules: list[Module] = []
    for path, relative in _files(release):
        for number, code in enumerate(pieces(path), start=1):
            inside = f"{WRITTEN_CODE}/{len(modules) + 1:04d}.py"
            (copy / inside).parent.mkdir(exist_ok=True)
            (copy / inside).write_text(PREAMBLE + code, encoding="utf-8")
            found = _module(copy / inside, inside)
            modules.append(
                Module(
                    inside,
                    found.functions,
                    found.names,
                    found.raising,
                    f"{relative} (code {number})",
                )
            )
    return modules


def pieces(path: Path) -> list[str]:
    """Each piece of Python the file's text holds that defines something, reduced to its imports,
    definitions and assignments, each in a `try` of its own."""
    found: list[str] = []
    for text in _texts(path):
        for piece in (text, *(match.group(2) for match in FENCE.finditer(text)), *_doctests(text)):
            for code in (_definitions(textwrap.dedent(piece)), *_spans(piece)):
                if code and code not in found:
                    found.append(code)
    return found


def _spans(text: str) -> list[str]:
    """The code among prose: from each line that starts a definition or an import, the longest
    run of lines (at most SPAN_LINES) that is Python defining something."""
    lines = text.splitlines()
    spans = []
    for start, line in enumerate(lines):
        if not STARTS.match(line):
            continue
        for end in range(min(len(lines), start + SPAN_LINES), start, -1):
            code = _definitions(textwrap.dedent("\n".join(lines[start:end])))
            if code:
                spans.append(code)
                break
    return spans


def _texts(path: Path) -> list[str]:
    """The texts a file holds: a module's string constants and comments, a notebook's cells, a catalogue's
    messages, a YAML file and its strings, a data file's text arrays, any other file whole."""
    raw = path.read_bytes()
    try:
        if path.suffix == ".mo":
            with path.open("rb") as stream:
                catalogue = gettext.GNUTranslations(stream)._catalog  # type: ignore[attr-defined]
            return [str(item) for pair in catalogue.items() for item in pair]
        if path.suffix in DATA_SUFFIXES:
            return _data_texts(path)
        text = raw.decode("utf-8")
        if path.suffix == ".py":
            return [
                *(
                    node.value
                    for node in ast.walk(ast.parse(raw))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)
                ),
                *_comment_runs(text),
            ]
        if path.suffix == ".ipynb":
            return ["".join(cell.get("source", [])) for cell in json.loads(text)["cells"]]
        if path.suffix == ".po":
            return _messages(text)
        if path.suffix in (".yaml", ".yml"):
            import yaml

            return [text, *_strings(yaml.safe_load(text))]
        return [text]
    except (ValueError, SyntaxError, KeyError, TypeError, AttributeError, OSError):
        return [raw.decode("utf-8", errors="replace")]


def _data_texts(path: Path) -> list[str]:
    import numpy as np

    with np.load(path, allow_pickle=False) as loaded:
        arrays = [loaded[name] for name in loaded.files] if hasattr(loaded, "files") else [loaded]
    return [
        str(item) for array in arrays if array.dtype.kind in "US" for item in array.ravel().tolist()
    ]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _strings(item)]


def _messages(text: str) -> list[str]:
    """A .po catalogue's strings (msgid, msgstr), each joined from its quoted lines."""
    messages: list[str] = []
    for line in text.splitlines():
        keyword, _separator, quoted = line.partition(" ")
        if line.startswith("msg") and quoted.startswith('"'):
            messages.append("")
        elif not line.startswith('"') or not messages:
            continue
        try:
            messages[-1] += ast.literal_eval(quoted if line.startswith("msg") else line)
        except (ValueError, SyntaxError):
            continue
    return messages


def _comment_runs(text: str) -> list[str]:
    """Each run of comment lines of a module (code commented out), without the `#`."""
    runs: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        comment = line.lstrip().startswith("#")
        if comment and not previous:
            runs.append([])
        if comment:
            content = line.lstrip()[1:]
            runs[-1].append(content[1:] if content.startswith(" ") else content)
        previous = comment
    return ["\n".join(run) for run in runs]


def _doctests(text: str) -> list[str]:
    """Each run of interpreter-prompt lines (`>>> `, `... `) of `text`, without the prompts."""
    runs: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        prompt = PROMPT.match(line)
        if prompt and not previous:
            runs.append([])
        if prompt:
            runs[-1].append(line[prompt.end() :])
        previous = bool(prompt)
    return ["\n".join(run) for run in runs]


def _definitions(code: str) -> str:
    """`code` reduced to its imports, definitions and assignments, each in a `try` of its own,
    or "" when it is not Python or defines no function, class or lambda."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return ""
    if not any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
        for node in ast.walk(tree)
    ):
        return ""
    guarded: list[ast.stmt] = [
        ast.Try(
            body=[node],
            handlers=[
                ast.ExceptHandler(
                    type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Pass()]
                )
            ],
            orelse=[],
            finalbody=[],
        )
        for node in tree.body
        if isinstance(node, KEPT)
    ]
    return (
        ast.unparse(ast.fix_missing_locations(ast.Module(body=guarded, type_ignores=[]))) + "\n"
        if guarded
        else ""
    )
