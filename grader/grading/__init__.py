"""One grading run: the runner that owns the workers, the manifest of tests (derived from the
suites the run collects), and the trusted pytest session (its arguments, clean environment and
plugin) that runs the suites.
"""
