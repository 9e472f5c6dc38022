"""The report formats, by name: each format's module registers its renderer here.

A renderer turns a `Report` into text and never recomputes a score. It receives the run's
`Options` (the command that replays the run, the language a summary is written in) and takes
what it needs. Adding a format is one module in grader/reports/ with one `@register("name")`;
the package imports every module of its folder, so the CLI's --format offers the new name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader.results import Report

DEFAULT_FORMAT = "text"  # listed first: the CLI's default


@dataclass(frozen=True)
class Options:
    """What a renderer may use besides the report: `replay` repeats the run (the text report
    prints it), `lang` is the language of a summary a learner reads (Markdown, HTML);
    `handed_back` marks a report handed back after an official grading (`grade feedback`): its
    seed is the grading's secret and is not shown, and each feedback is shown whole."""

    replay: str = ""
    lang: str | None = None
    handed_back: bool = False


Renderer = Callable[[Report, Options], str]
RENDERERS: dict[str, Renderer] = {}


def register(name: str) -> Callable[[Renderer], Renderer]:
    """Decorate a renderer to offer it as format `name`; a name taken by another renderer is a
    programming error, raised at import."""

    def decorate(renderer: Renderer) -> Renderer:
        taken = RENDERERS.get(name)
        if taken is not None and taken.__qualname__ != renderer.__qualname__:
            raise ValueError(f"two renderers for the report format {name!r}")
        RENDERERS[name] = renderer
        return renderer

    return decorate


def formats() -> tuple[str, ...]:
    """Every registered format: the default first, then by name."""
    return tuple(sorted(RENDERERS, key=lambda name: (name != DEFAULT_FORMAT, name)))


def render(
    report: Report,
    output_format: str,
    *,
    replay: str = "",
    lang: str | None = None,
    handed_back: bool = False,
) -> str:
    """The report as text in `output_format` (one of `formats()`)."""
    try:
        renderer = RENDERERS[output_format]
    except KeyError:
        raise ValueError(
            f"no report format {output_format!r}; the formats are {', '.join(formats())}"
        ) from None
    return renderer(report, Options(replay=replay, lang=lang, handed_back=handed_back))
