"""An untrusted YAML file as nodes, with what is wrong in it and where, before any value is built.

A learner's answers file may hold anything YAML can say: anchors and aliases (a "billion
laughs" that expands to gigabytes), tags (`!!python/object`, `!!binary`, `!!set`), nesting
deep enough to exhaust the recursion of a recursive parser. `scan` walks the file's events
once and lists each such flaw with its position; `compose` then builds the node tree without
ever resolving an alias (an alias becomes an empty placeholder node), so composing costs no
more than the text. The caller decides what each flaw costs: a flaw inside one answer's value
costs that answer, any other the file. Only nesting past `HARD_NESTING` stops the scan at once.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import yaml

from grader.course.yamlfile import yaml_problem
from grader.i18n import _
from grader.quiz.kinds import shown
from grader.sanitise import clean

HARD_NESTING = 24  # collections inside collections beyond this are refused before composing
PLACEHOLDER_TAG = (
    "tag:cnn-exercises,2024:unresolved-alias"  # never constructed: its value is flawed
)


class AnswersError(Exception):
    """An answers file that cannot be used: what is wrong, and where (line, key) if known."""

    def __init__(self, problem: str, line: int | None = None, key: str | None = None):
        super().__init__(problem)
        self.problem, self.line, self.key = problem, line, key

    def describe(self, source: str) -> str:
        """One line: `answers/q01.yaml line 4 (answers.lenet_year): must be a number`."""
        where = (
            source
            + (_(" line {line}").format(line=self.line) if self.line else "")
            + (f" ({self.key})" if self.key else "")
        )
        return clean(f"{where}: {self.problem}", single_line=True)


@dataclass(frozen=True)
class Flaw:
    """Something in the file no answer may use: what, at which character index, on which line."""

    problem: str
    index: int
    line: int


class TooDeep(Exception):
    """Nesting past `HARD_NESTING`: the file is refused before it is composed."""

    def __init__(self, flaw: Flaw):
        super().__init__(flaw.problem)
        self.flaw = flaw


class _Composer(yaml.SafeLoader):
    """Composes nodes with no anchor table: an alias is a placeholder, never the anchored node."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode(PLACEHOLDER_TAG, "", event.start_mark, event.end_mark)
        self.anchors = {}  # no anchor is ever looked up, so none is kept (or found twice)
        return super().compose_node(parent, index)


def scan(text: str, max_nesting: int) -> list[Flaw]:
    """Every anchor, alias, explicit tag and collection nested deeper than `max_nesting`, in order.

    `yaml.YAMLError` for text that is not YAML; `TooDeep` past `HARD_NESTING`.
    """
    flaws: list[Flaw] = []
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        mark = event.start_mark
        assert mark is not None  # the parser marks every event
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            flaws.append(
                Flaw(
                    _("YAML anchors and aliases (&name, *name) are not allowed"),
                    mark.index,
                    mark.line + 1,
                )
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            flaws.append(
                Flaw(
                    _("YAML tags ({tag}) are not allowed").format(tag=tag),
                    mark.index,
                    mark.line + 1,
                )
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            flaw = Flaw(
                _("is nested more than {levels} levels deep").format(levels=max_nesting),
                mark.index,
                mark.line + 1,
            )
            if depth > HARD_NESTING:
                raise TooDeep(flaw)
            if depth > max_nesting:
                flaws.append(flaw)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return flaws


def compose(text: str) -> yaml.SafeLoader:
    """A loader holding `text`, ready for `get_single_node()`; the caller disposes of it."""
    return _Composer(text)


class Owners:
    """Which of some non-overlapping nodes each flaw lies in (a node's tag and anchor included),
    found by bisection: a file of thousands of anchors costs no more than reading it."""

    def __init__(self, labelled: list[tuple[str, yaml.Node]]):
        self._spans = sorted(
            (node.start_mark.index, max(node.end_mark.index, node.start_mark.index + 1), label)
            for label, node in labelled
        )
        self._starts = [start for start, _end, _label in self._spans]

    def of(self, flaw: Flaw) -> str | None:
        """The label of the node `flaw` lies in; None when it lies in none."""
        position = bisect.bisect_right(self._starts, flaw.index) - 1
        if position >= 0 and flaw.index < self._spans[position][1]:
            return self._spans[position][2]
        return None


def yaml_error(error: yaml.YAMLError) -> AnswersError:
    problem, line = yaml_problem(error)
    return AnswersError(problem, line)


def line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """The Python value of `node`; whatever YAML cannot build (a 5,000-digit decimal integer, a
    date that does not exist, a tag it has no constructor for) is an `AnswersError`."""
    try:
        return loader.construct_object(node, deep=True)
    except Exception:  # noqa: BLE001 - untrusted text: any failure is the value's problem
        text = shown(node.value) if isinstance(node, yaml.ScalarNode) else ""
        problem = (
            _("holds {text}, which is not a value YAML can read").format(text=text)
            if text
            else _("holds a value YAML cannot read")
        )
        raise AnswersError(problem, line(node)) from None


def entries(
    node: yaml.Node, loader: yaml.SafeLoader, problem: str
) -> dict[str, list[tuple[yaml.Node, yaml.Node]]]:
    """A mapping node's (key node, value node) pairs by key text, in order, a key given twice
    with both pairs; a key that is not text is an `AnswersError`, as is a node that is no mapping."""
    if not isinstance(node, yaml.MappingNode):
        raise AnswersError(problem, line(node))
    found: dict[str, list[tuple[yaml.Node, yaml.Node]]] = {}
    for key_node, value_node in node.value:
        key = construct(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            raise AnswersError(
                _("keys must be names, not {key}").format(key=shown(key)), line(key_node)
            )
        found.setdefault(key, []).append((key_node, value_node))
    return found


def mapping(
    node: yaml.Node, loader: yaml.SafeLoader, problem: str, prefix: str = ""
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """`entries`, where a key given twice is an `AnswersError` too."""
    found = entries(node, loader, problem)
    for key, pairs in found.items():
        if len(pairs) > 1:
            raise AnswersError(
                _("{key} appears twice").format(key=shown(key)),
                line(pairs[1][0]),
                prefix + shown(key, quoted=False),
            )
    return {key: pairs[0] for key, pairs in found.items()}
