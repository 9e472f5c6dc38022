"""The five kinds of question: what answer each accepts, how it is normalised, shown and scored.

| kind     | an answer is                      | right when                                    |
|----------|-----------------------------------|-----------------------------------------------|
| single   | one choice letter (`b`)           | it is the key's letter                        |
| multiple | letters (`[a, c]` or `"a, c"`)    | partial credit, see `score_answer`            |
| numeric  | a number (`4096`, `"4,096"`)      | within the question's tolerance               |
| shape    | `[32, 32, 10]`, `"32x32x10"`, ... | every dimension matches                       |
| text     | a word or short phrase            | the key or an `also_accept` text, normalised  |
|          |                                   | (see `text_forms`)                            |

`coerce_answer` turns what a file holds into the normalised answer (or raises `ValueError`
with a sentence a learner can act on, whatever the value: a 5,000-digit integer, a date, a
mapping); `parse_typed` does the same for what a learner types at `grade quiz`, where choices
may also be given by number. Every normalised answer is small: a shape's dimensions and a
number's digits are bounded, so showing or comparing one never fails.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import yaml

from grader.i18n import _
from grader.quiz.bank import Question
from grader.sanitise import clean

MAX_TEXT_CHARS = 300
MAX_SHAPE_DIMS = 6
MAX_DIMENSION = 10**9 - 1  # nine digits, as a shape typed as text may have
MAX_INTEGER_BITS = (
    1024  # an integer this long is no answer to any question (and float() would overflow)
)
EXACT_DIGITS = 15  # numbers up to this many digits are shown whole, larger ones as 1.23457e+20
SHOWN_VALUE_CHARS = 40  # of a learner's value quoted in a problem
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
THOUSANDS_SEPARATOR = re.compile(r"(?<=\d)[,_\s'](?=\d{3}(?!\d))")
SHAPE_SEPARATOR = re.compile(r"[x×*,\s]+")
LETTER_SEPARATOR = re.compile(r"[,;\s]+")
DIMENSION = re.compile(r"[0-9]{1,9}")
FLOAT_SLACK = 1e-9  # absorbs binary rounding when a tolerance is exactly met
GLOSS = re.compile(r"\(([^()]*)\)")  # "최대 풀링 (max pooling)": a gloss in brackets (after NFKC)
ARTICLES = ("the", "a", "an")
LAYER_WORDS = ("layers", "layer", "레이어", "층")  # "Flatten 층" and "평탄화 레이어" name the layer


def normalise_text(text: str) -> str:
    """Compare texts without case, spaces, punctuation or full-width forms: "Max-Pooling" == "maxpooling"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if unicodedata.category(char)[0] not in "PSZC")


def text_forms(text: str) -> frozenset[str]:
    """The normalised forms a short text stands for, so that reasonable variants match.

    Beyond `normalise_text`, a leading article and a trailing "layer" / "층" / "레이어" are
    dropped ("the Flatten layer", "Flatten 층" and "평탄화 레이어" are "flatten" and "평탄화"),
    and a gloss in brackets is a second form of the same answer: "최대 풀링 (max pooling)"
    stands for both "최대풀링" and "maxpooling".
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    parts = [*GLOSS.findall(folded), GLOSS.sub(" ", folded)]
    return frozenset(form for form in map(_without_filler, parts) if form)


def text_matches(answer: str, accepted: tuple[str, ...]) -> bool:
    """Whether a text answer is one of the accepted texts: every form of it must be accepted
    (a gloss that names something else, "max pooling (average pooling)", is not hedging that pays)."""
    forms = text_forms(answer)
    allowed = frozenset().union(*(text_forms(text) for text in accepted))
    return bool(forms) and forms <= allowed


def _without_filler(part: str) -> str:
    words = part.split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    form = normalise_text(" ".join(words))
    for word in LAYER_WORDS:
        if form.endswith(word) and len(form) > len(word):
            return form[: -len(word)]
    return form


def coerce_answer(question: Question, value: Any) -> Any:
    """The normalised answer held in a file: a letter, a tuple of letters, a float, a tuple of ints
    or a text; None when unanswered. `ValueError` says what the question wants instead."""
    if value is None:
        return None
    try:
        return _COERCERS[question.kind](question, value)
    except AnswerValueError:
        raise
    except Exception as error:  # noqa: BLE001 - no value a learner writes may escape as anything else
        raise AnswerValueError(
            _("holds a value that cannot be used as an answer ({error})").format(
                error=type(error).__name__
            )
        ) from None


class AnswerValueError(ValueError):
    """An answer that does not fit its question, with a sentence that says what would."""


def shown(value: Any, *, quoted: bool = True) -> str:
    """A learner's value as a problem quotes it: short, printable, never raising (a 5,000-digit
    integer is "a very large number"); text in quotes unless `quoted` is False."""
    text = clean(value, SHOWN_VALUE_CHARS, single_line=True)
    return repr(text) if quoted and isinstance(value, str) else text


def parse_typed(question: Question, typed: str) -> Any:
    """What a learner typed at the prompt, normalised; choices may be given as numbers (2 = b)."""
    if question.kind in ("single", "multiple"):
        parts = [part for part in LETTER_SEPARATOR.split(_fold(typed)) if part]
        typed = ", ".join(_number_to_letter(question, part) for part in parts)
    if not typed.strip():
        raise ValueError(_("type an answer"))
    return coerce_answer(question, typed)


def score_answer(
    question: Question, answer: Any, key: Any, accepted: tuple[str, ...] = ()
) -> tuple[float, int, int]:
    """(fraction of the points earned, right picks, wrong picks) for `answer` against `key`.

    Multiple choice earns partial credit: the share of the right choices picked minus the share
    of the wrong choices picked, floored at 0. Picking every choice, or none, therefore earns
    nothing (unless every choice is right).
    """
    if answer is None:
        return 0.0, 0, 0
    if question.kind == "multiple":
        right = len(set(answer) & set(key))
        wrong = len(set(answer) - set(key))
        wrong_choices = len(question.letters) - len(key)
        penalty = wrong / wrong_choices if wrong_choices else 0.0
        return max(0.0, right / len(key) - penalty), right, wrong
    if question.kind == "numeric":
        slack = FLOAT_SLACK * max(1.0, abs(key))
        return float(abs(answer - key) <= question.tolerance(key) + slack), 0, 0
    if question.kind == "text":
        return float(text_matches(answer, (key, *accepted))), 0, 0
    return float(answer == key), 0, 0


def show_answer(question: Question, answer: Any, lang: str) -> str:
    """An answer as feedback shows it: `b) Object detection`, `a, c`, `4096`, `(32, 32, 10)`."""
    if question.kind == "single":
        return f"{answer}) {question.choice_text(answer, lang)}"
    if question.kind == "multiple":
        return ", ".join(answer)
    if question.kind == "numeric":
        return _number_text(answer)
    if question.kind == "shape":
        return "(" + ", ".join(str(size) for size in answer) + ")"
    return f'"{answer}"'


def yaml_value(question: Question, answer: Any) -> str:
    """An answer as `grade quiz` writes it into answers/qNN.yaml (`~` when unanswered)."""
    if answer is None:
        return "~"
    if question.kind == "multiple":
        return "[" + ", ".join(answer) + "]"
    if question.kind == "numeric":
        return _number_text(answer)
    if question.kind == "shape":
        return "[" + ", ".join(str(size) for size in answer) + "]"
    if question.kind == "text":
        return yaml.safe_dump(answer, allow_unicode=True, default_style='"', width=math.inf).strip()
    return str(answer)


def _single(question: Question, value: Any) -> str:
    letter = _fold(value).rstrip(").") if isinstance(value, str) else None
    if letter not in question.letters:
        raise AnswerValueError(
            _("must be one choice letter ({letters}), not {value}").format(
                letters=_letters(question), value=shown(value)
            )
        )
    return letter


def _multiple(question: Question, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        folded = _fold(value)
        parts = [part.rstrip(").") for part in LETTER_SEPARATOR.split(folded) if part]
        if len(parts) == 1 and parts[0].isalpha() and parts[0] not in question.letters:
            parts = list(parts[0])  # "ac" means a and c
    elif isinstance(value, list):
        parts = [_fold(item).rstrip(").") if isinstance(item, str) else item for item in value]
    else:
        parts = [value]
    if not all(part in question.letters for part in parts):
        raise AnswerValueError(
            _("must be a list of choice letters ({letters}) such as [a, c], not {value}").format(
                letters=_letters(question), value=shown(value)
            )
        )
    return tuple(sorted(set(parts)))


def _numeric(question: Question, value: Any) -> float:
    number: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = float(value) if value.bit_length() <= MAX_INTEGER_BITS else None
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = THOUSANDS_SEPARATOR.sub("", unicodedata.normalize("NFKC", value).strip())
        number = float(text) if NUMBER.match(text) else None
    if number is None or not math.isfinite(number):
        raise AnswerValueError(
            _("must be a number such as 4096 or 0.5, not {value}").format(value=shown(value))
        )
    return number


def _shape(question: Question, value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        text = _fold(value).strip("()[]")
        parts: list[Any] = [part for part in SHAPE_SEPARATOR.split(text) if part]
    elif isinstance(value, list):
        parts = value
    else:
        parts = []
    sizes = [
        int(part)
        if isinstance(part, int) and not isinstance(part, bool)
        else int(part)
        if isinstance(part, str) and DIMENSION.fullmatch(part.strip())
        else None
        for part in parts
    ]
    if (
        not sizes
        or len(sizes) > MAX_SHAPE_DIMS
        or any(size is None or not 1 <= size <= MAX_DIMENSION for size in sizes)
    ):
        raise AnswerValueError(
            _(
                "must be a shape of whole numbers such as [32, 32, 10] or 32x32x10, not {value}"
            ).format(value=shown(value))
        )
    return tuple(size for size in sizes if size is not None)  # none is, by the test above


def _text(question: Question, value: Any) -> str:
    if isinstance(value, float) or (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() <= MAX_INTEGER_BITS
    ):
        value = str(value)  # 7 is "7"; a 5,000-digit integer is no short phrase
    if not isinstance(value, str) or not normalise_text(value):
        raise AnswerValueError(
            _(
                'must be a word or short phrase in quotes, such as "max pooling", not {value}'
            ).format(value=shown(value))
        )
    if len(value) > MAX_TEXT_CHARS:
        raise AnswerValueError(
            _("is longer than {limit} characters; a short phrase is enough").format(
                limit=MAX_TEXT_CHARS
            )
        )
    return " ".join(value.split())


_COERCERS = {
    "single": _single,
    "multiple": _multiple,
    "numeric": _numeric,
    "shape": _shape,
    "text": _text,
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _number_to_letter(question: Question, part: str) -> str:
    if (
        part.isascii()
        and part.isdigit()
        and len(part) <= 3
        and 1 <= int(part) <= len(question.letters)
    ):
        return question.letters[int(part) - 1]
    return part


def _letters(question: Question) -> str:
    return f"{question.letters[0]}-{question.letters[-1]}"


def _number_text(number: float) -> str:
    if float(number).is_integer() and abs(number) < 10**EXACT_DIGITS:
        return str(int(number))
    return f"{number:.6g}"
