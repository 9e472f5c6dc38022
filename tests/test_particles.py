"""Korean particles chosen from the word before them (grader/particles.py), and every formatted
translation resolved through grader.i18n: a learner never reads "을(를)".

The oracles here are independent of the resolver: a Hangul syllable's final consonant read from
its Unicode name ("HANGUL SYLLABLE GAL" ends in L), a number spelled out in Korean by a small
reader written for this test.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import i18n
from grader.particles import PAIRS, pair_forms, resolve_particles
from tests.korean_texts import KoreanText, korean_texts

HANGUL = st.integers(0xAC00, 0xD7A3).map(chr)
DIGITS = "영일이삼사오육칠팔구"
UNITS = ["", "십", "백", "천"]
MYRIADS = ["", "만", "억", "조", "경"]


def final_of_syllable(syllable: str) -> str:
    """ "none", "rieul" or "other", from the syllable's Unicode name (its romanised spelling)."""
    spelled = unicodedata.name(syllable).rsplit(" ", 1)[1]
    if spelled[-1] in "AEIOUY":
        return "none"
    return "rieul" if spelled.endswith("L") else "other"


def korean_reading(number: int) -> str:
    """`number` read aloud in Sino-Korean (1 일, 10 십, 6600 육천육백, 100000 십만)."""
    if number == 0:
        return "영"
    words, group_index = [], 0
    while number:
        number, group = divmod(number, 10_000)
        if group:
            part = "".join(
                (DIGITS[digit] if digit > 1 or place == 0 else "") + UNITS[place]
                for place, digit in reversed(list(enumerate(map(int, reversed(f"{group:04d}")))))
                if digit
            )
            words.insert(0, part + MYRIADS[group_index])
        group_index += 1
    return "".join(words)


def expected(pair: str, sound: str) -> str:
    after_consonant, after_vowel = PAIRS[pair]
    if pair.startswith("(으"):
        return after_consonant if sound == "other" else after_vowel
    return after_vowel if sound == "none" else after_consonant


@given(syllables=st.lists(HANGUL, min_size=1, max_size=4), pair=st.sampled_from(sorted(PAIRS)))
def test_after_hangul_the_final_consonant_decides(syllables, pair):
    word = "".join(syllables)
    resolved = resolve_particles(f"{word}{pair} 다음")
    assert resolved == f"{word}{expected(pair, final_of_syllable(word[-1]))} 다음"


@given(number=st.integers(0, 10**17), pair=st.sampled_from(sorted(PAIRS)))
def test_after_a_number_its_korean_reading_decides(number, pair):
    reading = korean_reading(number)
    sound = final_of_syllable(reading[-1])
    assert resolve_particles(f"{number}{pair}") == f"{number}{expected(pair, sound)}"
    assert resolve_particles(f"{number:,}{pair}") == f"{number:,}{expected(pair, sound)}"


def test_the_oracle_reads_numbers_as_koreans_do():
    assert [korean_reading(n) for n in (1, 10, 16, 6600, 100000, 115605504)] == [
        "일",
        "십",
        "십육",
        "육천육백",
        "십만",
        "일억천오백육십만오천오백사",
    ]


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("ex09을(를) 찾으셨나요?", "ex09를 찾으셨나요?"),  # 구
        ("ex01을(를)", "ex01을"),  # 일
        ("q05은(는)", "q05는"),  # 오
        ("ex10이(가)", "ex10이"),  # 십
        ("1을(를)", "1을"),
        ("0.5이(가)", "0.5가"),  # 영 점 오
        ("2.30이(가)", "2.30이"),  # 이 점 삼 영
        ("6,600을(를)", "6,600을"),  # 육천육백
        ("커널(으)로", "커널로"),  # ㄹ takes 로
        ("패딩(으)로", "패딩으로"),
        ("필터(으)로", "필터로"),
        ("'same'은(는)", "'same'은"),  # 세임
        ("`conv2d`을(를)", "`conv2d`를"),  # 디
        ("(2, 3)과(와)", "(2, 3)과"),  # 삼
        ("None이(가)", "None이"),  # 논
        ("Flatten(이)나", "Flatten이나"),  # 플래튼
        ("kernel와(과)", "kernel과"),  # 커널
        ("CNN이(가)", "CNN이"),  # 엔
        ("x이(가)", "x가"),  # 엑스
        ("L(으)로", "L로"),  # 엘
        ("padding을(를)", "padding을"),  # 패딩
        ("Dense을(를)", "Dense를"),  # 덴스
        ("answers/q01.yaml을(를)", "answers/q01.yaml을"),  # 야믈
        ("을(를) 앞에 아무것도", "를 앞에 아무것도"),  # nothing readable: the vowel's form
    ],
)
def test_examples_read_as_a_korean_would(text, resolved):
    assert resolve_particles(text) == resolved


@given(st.lists(st.sampled_from(["ex", "0", "9", "가", "갈", " ", "'", *PAIRS])).map("".join))
def test_nothing_is_left_to_resolve_and_resolving_twice_changes_nothing(text):
    once = resolve_particles(text)
    assert not pair_forms(once)
    assert resolve_particles(once) == once


def test_a_text_without_pair_forms_is_returned_as_it_is():
    text = "필터(커널)를 이미지(입력) 위로 움직입니다"
    assert resolve_particles(text) == text


# ------------------------------------------------- every way a translation gets formatted


@pytest.fixture
def korean_entries(monkeypatch):
    """Three Korean entries with pair forms after placeholders, as the catalogue would hold."""
    table = {
        "Did you mean {possibility}?": "{possibility}을(를) 찾으셨나요?",
        "%s is missing": "%s이(가) 빠졌습니다",
        "{count} file": "{count}개 파일은(는) {name}(으)로",
    }

    class Catalogue:
        def gettext(self, message):
            return table.get(message, message)

        def ngettext(self, singular, plural, count):
            return table.get(singular, singular)

    monkeypatch.setattr(i18n, "translations", lambda lang: Catalogue())
    with i18n.language("ko"):
        yield


def test_format_percent_and_format_map_resolve_after_substitution(korean_entries):
    assert i18n._("Did you mean {possibility}?").format(possibility="ex09") == "ex09를 찾으셨나요?"
    assert i18n._("%s is missing") % "Flatten" == "Flatten이 빠졌습니다"
    assert (
        i18n._("Did you mean {possibility}?").format_map({"possibility": "q01"})
        == "q01을 찾으셨나요?"
    )


def test_a_table_entry_and_a_plural_resolve_where_they_are_used(korean_entries):
    table = {"hint": i18n.N_("Did you mean {possibility}?")}
    assert i18n._(table["hint"]).format(possibility="ex02") == "ex02를 찾으셨나요?"
    assert (
        i18n.ngettext("{count} file", "{count} files", 3).format(count=3, name="커널")
        == "3개 파일은 커널로"
    )


def test_a_translation_joined_before_formatting_still_resolves(korean_entries):
    joined = "앞: " + i18n._("Did you mean {possibility}?") + " 끝"
    assert joined.format(possibility="ex01") == "앞: ex01을 찾으셨나요? 끝"


def test_clicks_own_messages_resolve(korean_entries):
    """Click formats its `_()` messages itself; they come from grader.i18n once installed."""
    from click import exceptions

    import grader.cli.app  # noqa: F401  (installs grader.i18n into Click)

    assert exceptions._ is i18n._  # grader.cli.messages.install, run when grader.cli.app loads
    message = exceptions._("Did you mean {possibility}?").format(possibility="ex09")
    assert message == "ex09를 찾으셨나요?"


def test_english_is_left_alone():
    with i18n.language("en"):
        assert type(i18n._("Total")) is str


# ------------------------------------------------------------- the texts as they are written

PLACEHOLDER_END = re.compile(r"(?<!\})\}$|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgxr]$")


def misplaced_pair_forms(text: KoreanText) -> list[str]:
    """A pair form is for a word the text cannot know: after a `{placeholder}` of a catalogue
    entry. After a literal word the writer knows the particle and writes it."""
    problems = []
    for position, pair in pair_forms(text.text):
        before = text.text[:position].rstrip("'\"`»”’")
        if text.formatted and PLACEHOLDER_END.search(before):
            continue
        word = text.text[max(0, position - 12) : position]
        where = "after a literal word" if text.formatted else "in a text shown as written"
        problems.append(
            f"{text.where}: {pair!r} {where} (…{word}{pair}): write "
            f"{resolve_particles(text.text[:position] + pair)[position:]!r} instead"
        )
    return problems


def test_pair_forms_follow_placeholders_only():
    problems = [problem for text in korean_texts() for problem in misplaced_pair_forms(text)]
    assert not problems, "\n".join(problems)


# A particle written after a placeholder (closing quotes or a backtick between) guesses the
# word's final sound; `{accuracy:.1%}` always ends in "%", so its particle is known.
BARE_PARTICLE = re.compile(
    r"(\{[^{}]*\}|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgxr])['\"`»”’]*"
    r"(을|를|이|가|은|는|과|와|으로|로)(?=[\s.,:;!?)]|$)"
)


def bare_particles(text: KoreanText) -> list[str]:
    """Particles a formatted entry writes after a placeholder instead of the pair form."""
    return [
        f"{text.where}: {match.group(0)!r}: write the pair form after a placeholder"
        for match in BARE_PARTICLE.finditer(text.text)
        if text.formatted and not match.group(1).endswith("%}")
    ]


def test_no_bare_particle_follows_a_placeholder():
    problems = [problem for text in korean_texts() for problem in bare_particles(text)]
    assert not problems, "\n".join(problems)


def test_the_bare_particle_check_sees_through_quotes_and_backticks():
    assert bare_particles(KoreanText("po", "`grade {command}`는 강사용", True))
    assert bare_particles(KoreanText("po", "'{name}'을 찾을 수 없습니다", True))
    assert bare_particles(KoreanText("po", "{count}로 나눕니다", True))
    assert not bare_particles(KoreanText("po", "{count}(으)로 나눕니다, 층({layer})은", True))
    assert not bare_particles(KoreanText("po", "{accuracy:.1%}를 맞혔습니다", True))


def test_the_pair_form_check_sees_a_literal_word_and_spares_a_placeholder():
    assert misplaced_pair_forms(KoreanText("po", "{id}을(를) '{name}'은(는) %s이(가)", True)) == []
    assert misplaced_pair_forms(KoreanText("po", "ex09을(를) 찾으셨나요?", True))
    assert misplaced_pair_forms(KoreanText("quiz", "{id}을(를)", False))  # never formatted
