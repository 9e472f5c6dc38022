"""docs/glossary.md is applied everywhere: no Korean text a learner reads uses a word of its
"쓰지 않는 말" column, except inside a gloss that names the course notes (강의 노트)."""

from __future__ import annotations

import re

import pytest

from tests.korean_texts import ROOT, KoreanText, korean_texts

GLOSSARY = ROOT / "docs" / "glossary.md"
GLOSS = re.compile(r"\([^()]*강의 노트[^()]*\)")  # 특성 맵(강의 노트의 "특징 맵")
CODE = re.compile(r"`[^`]*`")
HANGUL = "\uac00-\ud7a3"
# what may follow a one-syllable term and still be that term: its particles
PARTICLES = "을|를|이|가|은|는|의|에|에서|으로|로|과|와|도|만|마다|들|보다|까지|부터|입니다|이다"


def glossary_rows() -> list[tuple[str, str, list[str]]]:
    """(English, Korean, variants not to use) for each row of the glossary's table."""
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in ("English", "---"):
            variants = [word.strip() for word in cells[2].split(",") if word.strip()]
            rows.append((cells[0], cells[1], variants))
    return rows


def variant_pattern(variant: str) -> re.Pattern[str]:
    """A one-syllable variant (창) only as a word of its own, maybe with a particle; a longer one
    anywhere (그래디언트 in 그래디언트를, 수치 그래디언트)."""
    if len(variant) == 1:
        return re.compile(rf"(?<![{HANGUL}]){re.escape(variant)}(?:{PARTICLES})?(?![{HANGUL}])")
    if variant.isascii():
        return re.compile(rf"(?<![A-Za-z_.]){re.escape(variant)}(?![A-Za-z_])")
    return re.compile(re.escape(variant))


def misused(text: KoreanText, rows) -> list[str]:
    prose = CODE.sub("", GLOSS.sub("", text.text))
    return [
        f"{text.where}: {variant!r} where the glossary says {korean!r} ({english})"
        for english, korean, variants in rows
        for variant in variants
        if variant_pattern(variant).search(prose)
    ]


def test_the_glossary_lists_the_course_terms():
    rows = glossary_rows()
    korean = {korean for _english, korean, _variants in rows}
    assert {"합성곱", "기울기", "윈도우", "특성 맵", "수용 영역", "매개변수", "팽창"} <= korean
    englishes = [english for english, _korean, _variants in rows]
    assert len(englishes) == len(set(englishes)), "one row per concept"
    used = [variant for _english, _korean, variants in rows for variant in variants]
    assert not set(used) & korean, "a variant is some other row's term"


def test_no_korean_text_uses_a_variant_the_glossary_rules_out():
    rows = glossary_rows()
    problems = [problem for text in korean_texts() for problem in misused(text, rows)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("마지막 창을 빠뜨렸나요?", True),
        ("창의적인 풀이", False),
        ("수치 그래디언트가", True),
        ("특징 맵이 작아집니다", True),
        ('특성 맵(강의 노트의 "특징 맵")이 작아집니다', False),
        ("Keras가 멈췄습니다", True),
        ("`keras.layers.Conv2D`와 keras.Input", False),
        ("스트라이드만큼 벌려 놓은 d_out", True),
    ],
)
def test_the_check_sees_a_variant_and_spares_a_gloss(text, found):
    assert bool(misused(KoreanText("t", text), glossary_rows())) is found


def test_the_course_notes_term_is_glossed_where_a_learner_first_meets_it():
    first = next(
        text
        for text in korean_texts()
        if text.where == "grader/exercises/ex01/instructions.ko.yaml: module"
    )
    assert "강의 노트" in first.text and "특징 맵" in first.text, first.where
