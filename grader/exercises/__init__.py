"""The exercises, one folder each (exNN/), found by the catalogue (grader/course/catalogue.py):
exercise.yaml (title, file, functions, points, limits, hints and their Korean), instructions.ko.yaml
(the stub's Korean), test_public.py (shipped to learners) and hidden/ (kept back: the hidden
suite, test_hidden.py, and whatever holds an answer, such as the reference). The hidden/ package
beside the folders holds what several exercises' hidden parts share. The student release is
this package minus every package named `hidden` (grader/instructor/release.py).
"""
