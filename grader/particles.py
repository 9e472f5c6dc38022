"""Korean particles chosen from the word before them, so that a learner never reads "을(를)".

A Korean particle has two forms, picked by the sound the word before it ends in: 필터를 but
패딩을, 커널로 but 행렬로. A translation cannot know the word a `{placeholder}` will hold, so it
writes the pair form after it (`{name}을(를)`, `{n}이(가)`, `{x}은(는)`, `{x}과(와)`,
`{x}(으)로`, `{x}(이)나`), and `resolve_particles` picks the form once the word is in place
(grader.i18n calls it on every formatted translation). The last sound is read as a Korean would
read the word aloud:

- a Hangul syllable by its final consonant (받침);
- a number by its Korean reading: 1 일, 3 삼, 10 십, 100 백, 6,600 육천육백, 0.5 영 점 오;
  so `ex09` (구) takes 를, `ex01` (일) 을, `q05` (오) 는;
- a letter by its name (L 엘, M 엠, N 엔, R 알 end in a consonant; the others in a vowel) in
  an abbreviation or a single letter (`CNN`, `x`); an English word by its usual Korean spelling,
  from its ending: -ng (패딩), -m (아담), -n (플래튼), -l and -le (커널, 테이블), -ck (스택),
  a silent e after n or m (논, 세임); every other ending is read as a vowel (필터, 코드);
- closing quotes, brackets and backticks are skipped: `'conv2d'`, `(2, 3)`, `` `x` ``.

A pair form after nothing readable (an empty value, a space) takes the form for a vowel.
"""

from __future__ import annotations

import re

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
FINAL_COUNT = 28  # 받침 slots per Hangul syllable (the first: none)
RIEUL = 8  # the slot of ㄹ, which takes 로 rather than 으로
NONE, RIEUL_FINAL, OTHER_FINAL = "none", "rieul", "other"

# pair form -> (after a final consonant, after a vowel or ㄹ for the (으) forms)
PAIRS = {
    "을(를)": ("을", "를"),
    "를(을)": ("을", "를"),
    "이(가)": ("이", "가"),
    "가(이)": ("이", "가"),
    "은(는)": ("은", "는"),
    "는(은)": ("은", "는"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "아(야)": ("아", "야"),
    "야(아)": ("아", "야"),
    "(으)": ("으", ""),  # (으)로, (으)면, (으)며: ㄹ counts as a vowel here (커널로)
    "(이)": ("이", ""),  # (이)나, (이)라는, (이)며, (이)고
}
PAIR_FORM = re.compile("|".join(re.escape(pair) for pair in sorted(PAIRS, key=len, reverse=True)))
CLOSERS = "'\"`)]}»”’>*_"
DIGIT_FINALS = (
    "ㅇ",
    "ㄹ",
    "_",
    "ㅁ",
    "_",
    "_",
    "ㄱ",
    "ㄹ",
    "ㄹ",
    "_",
)  # 영 일 이 삼 사 오 육 칠 팔 구
PLACE_FINALS = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ"}  # 십 백 천
MYRIAD_FINALS = ("ㄴ", "ㄱ", "_", "ㅇ")  # 만 억 조 경
LETTER_FINALS = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}  # 엘 엠 엔 알
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?$")
WORD = re.compile(r"[A-Za-z]+$")


def final_sound(text: str) -> str:
    """NONE, RIEUL_FINAL or OTHER_FINAL: how the last word of `text` ends when read in Korean."""
    text = text.rstrip(CLOSERS)
    if not text:
        return NONE
    last = text[-1]
    if HANGUL_FIRST <= ord(last) <= HANGUL_LAST:
        slot = (ord(last) - HANGUL_FIRST) % FINAL_COUNT
        return NONE if slot == 0 else RIEUL_FINAL if slot == RIEUL else OTHER_FINAL
    if last.isdigit():
        return _kind(_number_final(NUMBER.search(text).group()))  # type: ignore[union-attr]
    word = WORD.search(text)
    if word and last.isascii():
        return _kind(_word_final(word.group()))
    return NONE


def _kind(final: str) -> str:
    return NONE if final in ("_", " ", "") else RIEUL_FINAL if final == "ㄹ" else OTHER_FINAL


def _number_final(number: str) -> str:
    """The final consonant of a number read in Korean ("_" for none)."""
    if "." in number:  # the digits after the point are read one by one: 0.5 영 점 오
        return DIGIT_FINALS[int(number[-1])]
    digits = number.replace(",", "").lstrip("0") or "0"
    if digits == "0":
        return DIGIT_FINALS[0]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros >= 4:  # read in groups of four digits: 100000 십만, the last word its unit
        return MYRIAD_FINALS[min(zeros // 4, len(MYRIAD_FINALS)) - 1]
    return PLACE_FINALS[zeros] if zeros else DIGIT_FINALS[int(digits[-1])]


def _word_final(word: str) -> str:
    """The final consonant of a Latin-letter word as Koreans write it ("_" for none)."""
    lower = word.lower()
    if len(word) == 1 or (word.isupper() and len(word) <= 5):  # a letter, an abbreviation
        return LETTER_FINALS.get(lower[-1], "_")
    if word[:-1].isupper() and lower.endswith("s"):  # MACs: 맥스
        return "_"
    if lower.endswith("ng"):
        return "ㅇ"
    if lower.endswith("ck"):
        return "ㄱ"
    if lower.endswith("le") or lower.endswith("l"):
        return "ㄹ"
    if lower[-1] in "mn":
        return LETTER_FINALS[lower[-1]]
    if re.search(r"[aeiou][mn]e$", lower):  # a silent e: None 논, same 세임
        return LETTER_FINALS[lower[-2]]
    return "_"


def choose(pair: str, before: str) -> str:
    """The form of `pair` that follows `before`."""
    after_consonant, after_vowel = PAIRS[pair]
    sound = final_sound(before)
    if pair in ("(으)",):
        return after_consonant if sound == OTHER_FINAL else after_vowel
    return after_vowel if sound == NONE else after_consonant


def resolve_particles(text: str) -> str:
    """`text` with every pair form replaced by the form its preceding word takes."""
    if "(" not in text:
        return text
    pieces, start = [], 0
    for match in PAIR_FORM.finditer(text):
        pieces += [text[start : match.start()], choose(match.group(), text[: match.start()])]
        start = match.end()
    return "".join(pieces) + text[start:] if pieces else text


def pair_forms(text: str) -> list[tuple[int, str]]:
    """(position, pair form) of each pair form in `text`."""
    return [(match.start(), match.group()) for match in PAIR_FORM.finditer(text)]
