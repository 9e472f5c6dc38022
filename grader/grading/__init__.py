"""One grading run: the runner that owns the workers, the fixed manifest of tests, and the
trusted pytest session (its arguments, clean environment and plugin) that runs the suites.
"""
