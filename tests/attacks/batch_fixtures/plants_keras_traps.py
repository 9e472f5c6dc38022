# Appended by tests/attacks/test_left_behind.py to the ex07 solution: the learner graded first,
# its ex07 worker forked from the Keras server. It tries to leave Keras' state behind for the
# next learner (its settings, its registry of custom objects, a keras.json where Keras looks for
# one, the backend variable), and builds the course's model for itself. Every trace is named
# LEFT_BEHIND, so the next learner can look for it.
import json as _json
import os as _os

import keras as _keras

_MARK = "LEFT_BEHIND"


def _plant():
    _keras.config.set_floatx("float16")
    _keras.config.set_epsilon(0.5)
    _keras.saving.get_custom_objects()[_MARK] = dict
    for folder in ("/tmp/keras", _os.path.expanduser("~/.keras")):
        try:
            _os.makedirs(folder, exist_ok=True)
            with open(_os.path.join(folder, "keras.json"), "w") as stream:
                _json.dump({"floatx": "float16", "epsilon": 0.5, "backend": "jax", "mark": _MARK}, stream)
        except OSError:
            pass
    _os.environ["KERAS_BACKEND"] = "jax"


_plant()
_course_model = build_model  # noqa: F821 (defined by the solution above)


def build_model(*args, **kwargs):
    _plant()
    _keras.config.set_floatx("float32")  # its own model as the course's: the traps stay planted
    model = _course_model(*args, **kwargs)
    _keras.config.set_floatx("float16")
    return model
