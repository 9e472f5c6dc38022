"""cnn-exercises: auto-graded exercises and quizzes on convolutional neural networks."""

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """`%load_ext grader` in Jupyter or Colab: adds the `%grade` magic (grader/learner/notebook.py,
    imported only now, so `import grader` stays light)."""
    from grader.learner.notebook import load_ipython_extension as load

    load(ipython)
