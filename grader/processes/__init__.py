"""Trusted process management: the grader's own child processes (a batch's gradings, ex07's
trainer), a batch worker's warm fork server and its pre-warmed worker servers, and the line a
long wait shows on a terminal. No learner code runs in what this package starts; the learner's
code runs only in the jail (grader/jail/), which grader/sandbox/ launches.
"""
