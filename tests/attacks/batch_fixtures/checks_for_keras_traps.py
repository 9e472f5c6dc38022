# Appended by tests/attacks/test_left_behind.py to the ex07 solution: the learner graded next in
# the same batch worker, its worker forked from the same Keras server. At import it looks for
# every trace `a_leaves_keras_traps` tries to leave; if it finds one, build_model raises with the
# list, so the feedback names it. Truly unaffected, it scores exactly what the solution scores.
import os as _os

import keras as _keras


def _keras_traces():
    found = []
    if _keras.config.floatx() != "float32" or _keras.config.epsilon() != 1e-07:
        found.append("keras.config")
    if "LEFT_BEHIND" in _keras.saving.get_custom_objects():
        found.append("custom objects")
    for path in ("/tmp/keras/keras.json", _os.path.expanduser("~/.keras/keras.json")):
        if _os.path.exists(path) and "LEFT_BEHIND" in open(path).read():
            found.append(path)
    if _os.environ.get("KERAS_BACKEND") != "tensorflow":
        found.append("KERAS_BACKEND")
    return found


_KERAS_FOUND = _keras_traces()
_course_model = build_model  # noqa: F821 (defined by the solution above)


def build_model(*args, **kwargs):
    if _KERAS_FOUND:
        raise RuntimeError(f"LEFT_BEHIND found: {_KERAS_FOUND}")
    return _course_model(*args, **kwargs)
