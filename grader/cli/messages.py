"""The command line's own words in the learner's language: Click's messages and `--help`.

Click marks its sentences with the standard library's gettext (`from gettext import gettext as
_` in each of its modules), so they can be translated without copying them. `install` points
those names at grader.i18n, which answers in the language of the run, and the sentences a
learner meets are listed below with `N_` so that Babel extracts them into the grader's catalogue
(grader/locale), where tests/test_i18n.py requires their Korean. A sentence not listed stays
Click's English. Plural pairs are translated form by form (Korean has one form).

The help of every `grade` command and option is translated as it is written out (a formatter
that looks each text up), and `extract_cli_help` hands Babel those texts as the command tree
holds them, so a help text is written once, in cli*.py, and still needs its Korean.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator

import click

from grader.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    _,
    choose_language,
    current_language,
    wrap_to_width,
)

CLICK_MODULES = (
    "click.core",
    "click.exceptions",
    "click.parser",
    "click.types",
    "click.decorators",
    "click.formatting",
    "click.utils",
    "click.termui",
)
MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("required"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("Missing command."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} requires an argument."),
    N_("Option {name!r} requires {nargs} arguments."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not {choice}."),
    N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Aborted!"),
    N_("default: {default}"),
)


def _plural(singular: str, plural: str, count: int) -> str:
    return _(singular if count == 1 else plural)


def language_from_arguments(args: list[str]) -> None:
    """Use the language that `args` ask for (`--lang ko`, `--lang=ko`), else the locale's, before
    Click parses them: a usage error is then already in the learner's language."""
    asked = None
    for position, argument in enumerate(args):
        if argument == "--lang" and position + 1 < len(args):
            asked = args[position + 1]
        elif argument.startswith("--lang="):
            asked = argument.partition("=")[2]
    choose_language(asked if asked in LANGUAGES else None)


class TranslatedFormatter(click.HelpFormatter):
    """Writes help texts in the run's language: a paragraph, or an option's or command's help
    (whose "[default: ...]" Click has already translated). Click wraps by characters; a Korean
    help is wrapped by display width instead (a Hangul syllable takes two columns)."""

    def write_text(self, text: str) -> None:
        if current_language() == DEFAULT_LANGUAGE:
            return super().write_text(text)
        indent = " " * self.current_indent
        paragraphs = _(text).split("\n\n")
        for number, paragraph in enumerate(paragraphs):
            for line in wrap_to_width(paragraph, self.width - self.current_indent):
                self.write(f"{indent}{line}\n")
            if number + 1 < len(paragraphs):
                self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(term, _translated_help(text)) for term, text in rows]
        if current_language() == DEFAULT_LANGUAGE or not rows:
            return super().write_dl(rows, col_max, col_spacing)
        first = min(max(len(term) for term, _step in rows), col_max) + col_spacing
        hanging = " " * (self.current_indent + first)
        for term, text in rows:
            self.write(f"{' ' * self.current_indent}{term}")
            if not text:
                self.write("\n")
                continue
            self.write(
                " " * (first - len(term)) if len(term) <= first - col_spacing else f"\n{hanging}"
            )
            lines = wrap_to_width(text, max(self.width - len(hanging), 20))
            self.write("\n".join([lines[0], *(hanging + line for line in lines[1:])]) + "\n")


def _translated_help(text: str) -> str:
    help_text, bracket, extra = text.partition("  [")
    return _(help_text) + bracket + extra if help_text else text


def commands(root: click.Command) -> Iterator[click.Command]:
    """`root` and every command under it."""
    yield root
    if isinstance(root, click.Group):
        for command in root.commands.values():
            yield from commands(command)


def help_texts(command: click.Command) -> Iterator[str]:
    """The texts `grade ... --help` writes for `command`, as the formatter looks them up."""
    for text in (command.help, command.epilog):
        if text:
            yield inspect.cleandoc(text).partition("\f")[0]
    if command.short_help:
        yield inspect.cleandoc(command.short_help)
    for parameter in command.params:
        if isinstance(parameter, click.Option) and parameter.help and not parameter.hidden:
            yield parameter.help


def extract_cli_help(fileobj, keywords, comment_tags, options):
    """Babel extraction method: this file's `_()` and `N_()` calls, and every help text of the
    `grade` command tree (grader/locale/babel.cfg maps this file to it)."""
    from babel.messages.extract import extract_python

    from grader.cli.app import cli

    yield from extract_python(fileobj, keywords, comment_tags, options)
    for command in commands(cli):
        for text in help_texts(command):
            yield 0, None, text, []


def install(root: click.Command) -> None:
    """Click's messages through grader.i18n from now on (the language is read at each message),
    and `root`'s help written in the run's language: each command's short help is its help's
    first sentence, whole, so that it is a text the catalogue has."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            vars(module)["_"] = _
        if hasattr(module, "ngettext"):
            vars(module)["ngettext"] = _plural
    for command in commands(root):
        if command.help and not command.short_help:
            command.short_help = command.get_short_help_str(limit=1000)
        command.context_class = type(
            command.context_class.__name__,
            (command.context_class,),
            {"formatter_class": TranslatedFormatter},
        )
