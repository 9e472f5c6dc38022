"""Exercise 07: a Keras CNN for handwritten digits (손글씨 숫자를 위한 케라스 CNN).

Everything so far, convolution, padding, stride, pooling, output sizes and parameter counts,
is what Keras' layers do for you. Now build a real CNN with them. The grader trains it on the
handwritten digits that scikit-learn ships: 1,797 grey images of 8x8 pixels, scaled to [0, 1]
and shaped (N, 8, 8, 1), with integer labels 0-9. A fixed, stratified quarter of them is held
out, and the grader measures accuracy on those, with its own seeds and training settings.

The classic recipe, one block at a time:

    Input (H, W, C)  ->  Conv2D + ReLU  ->  MaxPooling2D  ->  (repeat)  ->  Flatten
                     ->  Dense + ReLU  ->  Dense(num_classes, softmax)

Conv2D learns filters (F_h * F_w * C_in * K weights plus K biases); MaxPooling2D (2x2, the
default) halves H and W, rounding down, and learns nothing; Flatten turns the (H, W, C) feature map into a vector of H * W * C
numbers for Dense. The output size of a conv or pooling layer is H_out = (H - F + 2P) // S + 1
("valid" is P = 0; "same" keeps H_out = ceil(H / S)). `model.summary()` prints every shape
and parameter count: check them against your own working out.

The grader never runs your training code and never takes your weights: it reads the model's
configuration, rebuilds it from standard keras.layers (no Lambda layers, no custom classes),
and trains it with the optimiser and loss you compiled it with.

Check your work with `grade ex07`; ask for a hint with `grade hint ex07`.
"""

import keras
from keras import layers


def build_model(input_shape=(8, 8, 1), num_classes=10):
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
    # TODO(ex07): stack keras.Input, Conv2D, MaxPooling2D, Flatten and Dense layers in a keras.Sequential, then compile it with an optimiser and an integer-label loss.
    raise NotImplementedError("ex07: build_model is not implemented yet")
