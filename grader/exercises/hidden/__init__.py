"""Hidden suites and their reference implementations: never shipped to learners."""
