"""Public suites: shipped in the student release, graded locally by learners."""
