"""Click's own messages (usage errors, "Usage:", "Try 'grade --help'") in the learner's language.

Click marks its sentences with the standard library's gettext (`from gettext import gettext as
_` in each of its modules), so they can be translated without copying them. `install` points
those names at grader.i18n, which answers in the language of the run, and the sentences a
learner meets are listed below with `N_` so that Babel extracts them into the grader's catalogue
(grader/locale), where tests/test_i18n.py requires their Korean. A sentence not listed stays
Click's English. Plural pairs are translated form by form (Korean has one form).
"""

from __future__ import annotations

import importlib

from grader.i18n import LANGUAGES, N_, _, choose_language

CLICK_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.decorators",
                 "click.formatting", "click.utils", "click.termui")
MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Error: {message}"), N_("Try '{command} {option}' for help."),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"), N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"), N_("Missing argument"), N_("Missing option"),
    N_("Missing parameter"), N_("Missing {param_type}"), N_("Missing parameter: {param_name}"),
    N_("Missing command."), N_("Invalid value: {message}"), N_("Invalid value for {param_hint}: {message}"),
    N_("Option {name!r} requires an argument."), N_("Option {name!r} requires {nargs} arguments."),
    N_("Option {name!r} does not take a value."), N_("{value!r} is not {choice}."),
    N_("{value!r} is not one of {choices}."), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."), N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."), N_("{name} {filename!r} is a directory."), N_("file"),
    N_("directory"), N_("path"), N_("Show this message and exit."), N_("Show the version and exit."),
    N_("Aborted!"), N_("default: {default}"),
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


def install() -> None:
    """Click's messages through grader.i18n from now on (the language is read at each message)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = _plural


install()  # on import by grader/cli.py: every command, usage errors included
