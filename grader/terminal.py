"""What fits a learner's terminal: every screen's text wrapped to its width by display width.

One helper for every screen (the reports, `grade list`, `show`, `hint`, `watch`, the quiz, error
messages): a Hangul syllable takes two columns, lines break at spaces only, so an English word
or a Korean eojeol is never cut (only a word wider than the whole line is), and a block of lines
laid out in columns (a printed matrix, ex07's layer table) is kept whole: moved left to fit, and
each row broken under its own indent only when even that is too wide.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable

import click

from grader.i18n import display_width

DEFAULT_WIDTH = 80  # columns when standard output is not a terminal (a pipe, a file)
MIN_WIDTH, MAX_WIDTH = 40, 100
LAYOUT_INDENT = "  "  # a paragraph that starts with this is laid out (a table, a matrix)
LONGEST_COMMAND = 200  # columns of a command in backticks that is never split
MIN_BLOCK_INDENT = 4  # a laid-out block moved left to fit stays off columns 0-3, where a
# report starts its own rows (learner text must never pose as one)


def terminal_width() -> int:
    """The width to wrap to: the terminal's (80 when it is not a terminal), from 40 to 100."""
    return max(MIN_WIDTH, min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, MAX_WIDTH))


def fit(
    line: str,
    continuation: str = "",
    width: int | None = None,
    keep_off_line_start: Callable[[str], bool] | None = None,
) -> list[str]:
    """`line` broken at spaces into lines of at most `width` display columns, the later ones
    starting with `continuation`; a word wider than a line is cut after a path separator
    (`/`) where it has one, else between characters.

    `keep_off_line_start(word)` names words that must not open a continuation line (a report
    keeps learner text from posing as one of its own rows): such a word takes the one before it
    along.
    """
    width = width or terminal_width()
    if display_width(line) <= width:
        return [line]
    body = line.lstrip(" ")
    lines, current = [], line[: len(line) - len(body)]
    for word in _words(body):
        candidate = f"{current} {word}" if current.strip() else current + word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current.strip():
            head, _space, last = current.rstrip().rpartition(" ")
            if keep_off_line_start is not None and keep_off_line_start(word) and head.strip():
                lines.append(head.rstrip())
                current = f"{continuation}{last} {word}"
            else:
                lines.append(current.rstrip())
                current = continuation + word
        else:
            current = candidate
        if " " in word:  # a command: whole on its own line, where the terminal folds it
            continue
        while display_width(current) > width:  # a word wider than the line: cut it
            cut = _cut(current, width)
            lines.append(current[:cut])
            current = continuation + current[cut:]
    return [*lines, current.rstrip()] if current.strip() else lines


def _words(body: str) -> list[str]:
    """`body`'s words, a command in backticks (`grade quiz q01`) kept as one (up to
    LONGEST_COMMAND columns), so that it is never split across lines."""
    words: list[str] = []
    opened: list[str] = []
    for word in body.split(" "):
        if opened:
            opened.append(word)
            if word.count("`") % 2:
                joined = " ".join(opened)
                words += [joined] if display_width(joined) <= LONGEST_COMMAND else opened
                opened = []
        elif word.count("`") % 2:
            opened = [word]
        else:
            words.append(word)
    return words + opened


def _cut(text: str, width: int) -> int:
    """How many characters of `text` fit in `width` columns, in one pass (a learner's 1,000
    characters without a space once took a second per paragraph, minutes per report)."""
    used = 0
    for end, char in enumerate(text):
        used += display_width(char)
        if used > width:
            return _after_separator(text, end)
    return max(len(text), 1)


def _after_separator(text: str, end: int) -> int:
    """Where to cut `text` at or before `end`: just after its last path separator there (a path
    breaks between its folders, never inside a flag or a name), else at `end`."""
    start = len(text) - len(text.lstrip(" "))  # the continuation's indent is not the word
    separator = max(text.rfind("/", start, end), text.rfind("\\", start, end))
    return separator + 1 if separator > start else end


def wrap_lines(
    text: str,
    indent: str = "",
    hanging: str | None = None,
    width: int | None = None,
    keep_off_line_start: Callable[[str], bool] | None = None,
) -> list[str]:
    """`text` under `indent`, each paragraph (line) wrapped to `width` with `hanging` (default:
    two more spaces) before its later lines. Consecutive paragraphs that start with two spaces
    are a laid-out block (a matrix, a table): kept as they are while they fit, else moved left
    as a whole (never to fewer than four columns), else each row wrapped under its own indent."""
    width = width or terminal_width()
    hanging = indent + "  " if hanging is None else hanging
    lines: list[str] = []
    paragraphs = text.splitlines() or [""]
    start = 0
    while start < len(paragraphs):
        end = start
        while end < len(paragraphs) and paragraphs[end].startswith(LAYOUT_INDENT):
            end += 1
        if end > start:
            lines += _block(paragraphs[start:end], indent, width)
            start = end
            continue
        lines += fit(indent + paragraphs[start], hanging, width, keep_off_line_start)
        start += 1
    return lines


def wrap(text: str, indent: str = "", hanging: str | None = None, width: int | None = None) -> str:
    """`wrap_lines` joined into one string, for `click.echo`."""
    return "\n".join(wrap_lines(text, indent, hanging, width))


def _block(rows: list[str], indent: str, width: int) -> list[str]:
    """Laid-out rows under `indent`: whole when they fit; else moved left as a block, keeping
    their columns, as far as needed (at most to MIN_BLOCK_INDENT); a row still too wide there is
    wrapped alone, its later lines deeper, and the other rows keep their columns."""
    widest = max(display_width(row) for row in rows)
    if display_width(indent) + widest <= width:
        return [indent + row for row in rows]
    common = min(len(row) - len(row.lstrip(" ")) for row in rows)
    spare = max(display_width(indent) + common - MIN_BLOCK_INDENT, 0)
    shift = min(display_width(indent) + widest - width, spare)
    cut_indent = min(shift, len(indent))
    moved = [indent[: len(indent) - cut_indent] + row[shift - cut_indent :] for row in rows]
    continuation = " " * (MIN_BLOCK_INDENT + 4)
    return [part for row in moved for part in fit(row, continuation, width)]


def echo_wrapped(
    text: str, indent: str = "", hanging: str | None = None, err: bool = False
) -> None:
    """`click.echo` of `text` wrapped to the terminal."""
    click.echo(wrap(text, indent, hanging), err=err)


def reflow_lines(text: str, width: int | None = None) -> list[str]:
    """Prose with hard line breaks (a docstring) reflowed to `width`: consecutive lines of one
    paragraph (same indent; a list item's lines two deeper) joined and wrapped under their indent.
    Lines laid out by hand (aligned columns, `>>>`, a heading and its underline) are kept as they
    are, or wrapped alone when too wide."""
    width = width or terminal_width()
    lines: list[str] = []
    rows = text.splitlines()
    paragraph: list[str] = []
    first = continuation = ""

    def flush() -> None:
        if paragraph:
            lines.extend(fit(first + " ".join(paragraph), continuation, width))
            paragraph.clear()

    for number, row in enumerate(rows):
        body = row.strip()
        indent = row[: len(row) - len(row.lstrip(" "))]
        following = rows[number + 1].strip() if number + 1 < len(rows) else ""
        if not body or _laid_out(body) or _is_underline(following):
            flush()
            lines.extend(fit(row.rstrip(), indent + "  ", width) if body else [""])
        elif paragraph and indent == continuation:
            paragraph.append(body)
        else:
            flush()
            first, paragraph[:] = indent, [body]
            continuation = indent + ("  " if re.match(r"([-*]|\d+\.) ", body) else "")
    flush()
    return lines


def _laid_out(body: str) -> bool:
    return body.startswith(">>>") or _is_underline(body) or bool(re.search(r"\S {2,}\S", body))


def _is_underline(body: str) -> bool:
    return len(body) >= 3 and set(body) <= set("-=~")
