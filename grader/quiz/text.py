"""The quizzes' two languages: which one to use, and the grader's own sentences in each.

Questions, choices and explanations live in the quiz banks; the sentences the grader adds
around them (verdicts, "not attempted", the prompts of `grade quiz`) live here, in English and
Korean. The language comes from `--lang`, else from the locale: LC_ALL, LC_MESSAGES or LANG
(the first one set) starting with "ko" means Korean, anything else English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence, strongest first


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """"ko" when the first locale variable that is set starts with "ko", else "en"."""
    environ = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "ko" if value.lower().startswith("ko") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "correct": "Correct.",
        "wrong": "Not correct: you answered {given}; the answer is {expected}.",
        "partial": ("Partly right ({right} right pick(s), {wrong} wrong pick(s)): you answered "
                    "{given}; the answer is {expected}."),
        "unanswered": "Not answered; the answer is {expected}.",
        "also_accepted": "also accepted: {texts}",
        "none_chosen": "no choice",
        "not_attempted": ("not attempted: {file} is not in the submission folder; take the quiz "
                          "with `grade quiz {quiz}`"),
        "empty_sheet": ("not attempted: {file} has no answers yet; take the quiz with "
                        "`grade quiz {quiz}`"),
        "bad_file": ("{error}. The quiz cannot be graded until the file is fixed: edit it, or "
                     "take the quiz again with `grade quiz {quiz}`."),
        "no_keys": ("saved, graded on submission: {file} is readable ({answered} of {total} "
                    "questions answered). This copy of the course has no answer keys, so your "
                    "instructor grades {quiz} when you hand it in; it counts no points here."),
        # grade quiz
        "title": "{quiz}: {title} ({count} questions, {points:g} points)",
        "how_to": ("Type your answer after each question and press Enter. Enter on its own "
                   "keeps the answer shown in [brackets], or skips the question; '-' leaves it "
                   "unanswered. Your answers are saved after each question."),
        "question": "Question {number}/{count} ({points})",
        "one_point": "1 point",
        "points": "{points:g} points",
        "ask_single": "Your answer ({letters})",
        "ask_multiple": "Your answers: every letter that applies ({letters}), e.g. a, c",
        "ask_numeric": "Your answer (a number)",
        "ask_shape": "Your answer (a shape, e.g. 32x32x10)",
        "ask_text": "Your answer (a word or short phrase)",
        "existing": "{file} already holds {answered} of {total} answers.",
        "existing_choice": ("resume: answer only the unanswered questions; redo: go through every "
                            "question again (Enter keeps an earlier answer); quit: change nothing"),
        "existing_action": "What now?",
        "existing_broken": "{file} cannot be read: {error}.",
        "overwrite": "Replace it with new answers?",
        "nothing_to_do": "Every question is already answered. Choose redo to change answers.",
        "unchanged": "{file} is unchanged.",
        "saved": "Saved {answered} of {total} answers to {file}.",
        "skipped": "{count} question(s) unanswered: run `grade quiz {quiz}` again and choose resume.",
        "next_graded": "Grade your answers (and read the explanations) with: {command}",
        "next_instructor": ("This copy of the course has no answer keys: hand in your folder, and "
                            "your instructor grades {quiz}."),
    },
    "ko": {
        "correct": "정답입니다.",
        "wrong": "틀렸습니다. 입력한 답은 {given}이고, 정답은 {expected}입니다.",
        "partial": ("일부만 맞았습니다(맞게 고른 보기 {right}개, 잘못 고른 보기 {wrong}개). 입력한 답은 "
                    "{given}이고, 정답은 {expected}입니다."),
        "unanswered": "답하지 않았습니다. 정답은 {expected}입니다.",
        "also_accepted": "다음 답도 인정: {texts}",
        "none_chosen": "선택 없음",
        "not_attempted": ("응시하지 않음: 제출 폴더에 {file} 파일이 없습니다. `grade quiz {quiz}` "
                          "명령으로 퀴즈를 풀어 보세요"),
        "empty_sheet": ("응시하지 않음: {file} 파일에 아직 답이 없습니다. `grade quiz {quiz}` "
                        "명령으로 퀴즈를 풀어 보세요"),
        "bad_file": ("{error}. 파일을 고치기 전에는 채점할 수 없습니다. 파일을 직접 고치거나 "
                     "`grade quiz {quiz}` 명령으로 퀴즈를 다시 풀어 보세요."),
        "no_keys": ("저장됨, 제출 후 채점: {file} 파일을 읽을 수 있습니다(전체 {total}문항 중 "
                    "{answered}문항 답함). 이 과정 사본에는 정답 파일이 없으므로 {quiz}는 제출한 뒤 "
                    "강사가 채점하며, 여기서는 점수에 넣지 않습니다."),
        "title": "{quiz}: {title} ({count}문항, {points:g}점)",
        "how_to": ("각 문제 뒤에 답을 입력하고 Enter 키를 누르세요. 아무것도 입력하지 않고 Enter를 "
                   "누르면 [대괄호] 안의 답을 유지하거나 문제를 건너뜁니다. '-'를 입력하면 답을 "
                   "비워 둡니다. 답은 문제마다 저장됩니다."),
        "question": "문제 {number}/{count} ({points})",
        "one_point": "1점",
        "points": "{points:g}점",
        "ask_single": "답 ({letters})",
        "ask_multiple": "답: 해당하는 보기를 모두 입력 ({letters}), 예: a, c",
        "ask_numeric": "답 (숫자)",
        "ask_shape": "답 (형태, 예: 32x32x10)",
        "ask_text": "답 (단어나 짧은 구)",
        "existing": "{file} 파일에 이미 전체 {total}문항 중 {answered}문항의 답이 있습니다.",
        "existing_choice": ("resume: 답하지 않은 문제만 풀기, redo: 모든 문제를 다시 풀기(Enter를 "
                            "누르면 이전 답 유지), quit: 아무것도 바꾸지 않기"),
        "existing_action": "어떻게 할까요?",
        "existing_broken": "{file} 파일을 읽을 수 없습니다: {error}.",
        "overwrite": "새 답으로 바꿀까요?",
        "nothing_to_do": "모든 문제에 이미 답했습니다. 답을 바꾸려면 redo를 고르세요.",
        "unchanged": "{file} 파일은 바뀌지 않았습니다.",
        "saved": "전체 {total}문항 중 {answered}문항의 답을 {file} 파일에 저장했습니다.",
        "skipped": ("답하지 않은 문제가 {count}개 있습니다. `grade quiz {quiz}` 명령을 다시 실행하고 "
                    "resume을 고르세요."),
        "next_graded": "다음 명령으로 채점하고 해설을 읽어 보세요: {command}",
        "next_instructor": ("이 과정 사본에는 정답 파일이 없습니다. 폴더를 제출하면 강사가 {quiz}를 "
                            "채점합니다."),
    },
}


def message(lang: str, name: str, **values: object) -> str:
    """The grader's sentence `name` in `lang` (English when `lang` is unknown), filled in."""
    table = MESSAGES.get(lang, MESSAGES[DEFAULT_LANGUAGE])
    return table[name].format(**values)
