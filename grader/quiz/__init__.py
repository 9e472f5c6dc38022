"""Quizzes: the banks (questions in English and Korean), the kinds of answer and how each is
scored, learners' answers files read as untrusted data, grading, and `grade quiz`.
"""
