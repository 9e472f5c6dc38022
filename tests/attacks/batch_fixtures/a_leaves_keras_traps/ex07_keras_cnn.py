"""Graded first in a batch worker, its ex07 worker forked from the Keras server: try to leave
Keras' state behind for the next learner (its settings, its registry of custom objects, a
keras.json where Keras looks for one, the backend variable), then build the course's model.
Every trace is named LEFT_BEHIND, so the next learner can look for it.
"""
import json
import os

import keras
from keras import layers

MARK = "LEFT_BEHIND"


def _plant():
    keras.config.set_floatx("float16")
    keras.config.set_epsilon(0.5)
    keras.saving.get_custom_objects()[MARK] = dict
    for folder in ("/tmp/keras", os.path.expanduser("~/.keras")):
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "keras.json"), "w") as stream:
                json.dump({"floatx": "float16", "epsilon": 0.5, "backend": "jax", "mark": MARK}, stream)
        except OSError:
            pass
    os.environ["KERAS_BACKEND"] = "jax"


_plant()


def _solution(input_shape=(8, 8, 1), num_classes=10):
    """A compiled CNN that classifies (H, W, C) images into `num_classes` classes.

    Parameters
    ----------
    input_shape : tuple of 3 ints (H, W, C), default (8, 8, 1)
        The shape of one image, without the batch axis. Use it, do not assume 8x8: the grader
        also builds your model for (28, 28, 1) images, among others.
    num_classes : int, default 10
        How many classes; the last layer has one unit per class.

    Returns
    -------
    keras.Model
        A model built from keras.layers that
          - starts with keras.Input(shape=input_shape),
          - contains Conv2D, MaxPooling2D and Flatten layers,
          - ends in Dense(num_classes, activation="softmax"), so its output has shape
            (N, num_classes) and each row holds probabilities that sum to 1,
          - has at most 50,000 parameters for the digits (input_shape=(8, 8, 1), 10 classes),
          - is compiled with a loss that takes integer labels (sparse_categorical_crossentropy)
            and an optimiser such as "adam",
        and that reaches at least 95% accuracy on the held-out digits after the grader trains it
        for 20 epochs (batch size 32).

    Reference: about 12 lines: keras.Sequential([...]) with two Conv2D + MaxPooling2D blocks,
    then model.compile(...).
    """
    model = keras.Sequential([
        # The image goes in as it is: (H, W, C), here (8, 8, 1).
        keras.Input(shape=input_shape),
        # Two conv blocks: 'same' padding keeps H and W, pooling halves them: 8 -> 4 -> 2.
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Conv2D(64, kernel_size=3, padding="same", activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        # (2, 2, 64) -> 256 numbers, then a small classifier on top.
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        # One probability per class.
        layers.Dense(num_classes, activation="softmax"),
    ])
    # Integer labels 0-9 call for the *sparse* categorical cross-entropy.
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_model(input_shape=(8, 8, 1), num_classes=10):
    _plant()
    keras.config.set_floatx("float32")  # its own model as the course's: the traps stay planted
    model = _solution(input_shape, num_classes)
    keras.config.set_floatx("float16")
    return model
