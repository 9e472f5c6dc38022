"""cnn-exercises: auto-graded exercises and quizzes on convolutional neural networks."""

__version__ = "0.1.0"
