"""The quizzes' two languages: which one to use, and the grader's own sentences in each.

Questions, choices and explanations live in the quiz banks; the sentences the grader adds
around them (verdicts, "not attempted", the prompts of `grade quiz`) live here as English
msgids whose Korean is in the gettext catalogue (grader/i18n.py). The language comes from
`--lang`, else from the locale: LC_ALL, LC_MESSAGES or LANG (the first one set) starting with
"ko" means Korean, anything else English.
"""

from __future__ import annotations

from grader.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, _, detect_language, language, with_lang

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "detect_language", "message"]

MESSAGES: dict[str, str] = {  # name -> English source; the Korean is in the catalogue
    "correct": N_("Correct."),
    "wrong": N_("Not correct: you answered {given}; the answer is {expected}."),
    "partial": N_(
        "Partly right ({right} right pick(s), {wrong} wrong pick(s)): you answered "
        "{given}; the answer is {expected}."
    ),
    "unanswered": N_(
        "Not answered yet. Answer it with `{quiz_command}`; its answer and explanation are "
        "shown once you have answered it."
    ),
    "also_accepted": N_("also accepted: {texts}"),
    "none_chosen": N_("no choice"),
    "not_attempted": N_(
        "not attempted: {file} is not in the submission folder; take the quiz with `{quiz_command}`"
    ),
    "empty_sheet": N_(
        "not attempted: {file} has no answers yet; take the quiz with `{quiz_command}`"
    ),
    "bad_answer": N_(
        "{error}. This answer cannot be read, so it earns no points; fix it in the file, or "
        "answer again with `{quiz_command}`."
    ),
    "the_answer": N_("The answer is {expected}."),
    "bad_file": N_(
        "{error}. The quiz cannot be graded until the file is fixed: edit it, or "
        "take the quiz again with `{quiz_command}`."
    ),
    "no_keys": N_(
        "saved, graded on submission: {file} is readable ({answered} of {total} "
        "questions answered). This copy of the course has no answer keys, so your "
        "instructor grades {quiz} when you hand it in; it counts no points here."
    ),
    # grade quiz
    "title": N_("{quiz}: {title} ({count} questions, {points:g} points)"),
    "how_to": N_(
        "Type your answer after each question and press Enter. Enter on its own "
        "keeps the answer shown in [brackets], or skips the question; '-' leaves it "
        "unanswered. Your answers are saved after each question."
    ),
    "question": N_("Question {number}/{count} ({points})"),
    "one_point": N_("1 point"),
    "points": N_("{points:g} points"),
    "ask_single": N_("Your answer ({letters})"),
    "ask_multiple": N_("Your answers: every letter that applies ({letters}), e.g. a, c"),
    "ask_numeric": N_("Your answer (a number)"),
    "ask_shape": N_("Your answer (a shape, e.g. 32x32x10)"),
    "ask_text": N_("Your answer (a word or short phrase)"),
    "existing": N_("{file} already holds {answered} of {total} answers."),
    "existing_choice": N_(
        "resume: answer only the unanswered questions; redo: go through every "
        "question again (Enter keeps an earlier answer); quit: change nothing"
    ),
    "existing_action": N_("What now?"),
    "existing_broken": N_("{file} cannot be read: {error}."),
    "existing_unusable": N_("{error}; that question counts as unanswered."),
    "overwrite": N_("Replace it with new answers?"),
    "nothing_to_do": N_("Every question is already answered. Choose redo to change answers."),
    "unchanged": N_("{file} is unchanged."),
    "saved": N_("Saved {answered} of {total} answers to {file}."),
    "skipped": N_("{count} question(s) unanswered: run `{quiz_command}` again and choose resume."),
    "stopped": N_(
        "Stopped. {answered} of {total} answers are saved in {file}; run `{quiz_command}` "
        "again and choose resume to go on."
    ),
    "stopped_nothing_saved": N_(
        "Stopped before the first answer: nothing was saved. Start again with `{quiz_command}`."
    ),
    "next_graded": N_("Grade your answers (and read the explanations) with: {command}"),
    "next_instructor": N_(
        "This copy of the course has no answer keys: hand in your folder, and "
        "your instructor grades {quiz}."
    ),
}


def message(lang: str, name: str, **values: object) -> str:
    """The grader's sentence `name` in `lang` (English when `lang` is unknown), filled in; a
    suggested `grade quiz` command carries `--lang` when the locale would answer otherwise."""
    with language(lang if lang in LANGUAGES else DEFAULT_LANGUAGE):
        if "quiz" in values:
            values.setdefault(
                "quiz_command", with_lang("grade quiz {quiz}".format(quiz=values["quiz"]))
            )
        return _(MESSAGES[name]).format(**values)
