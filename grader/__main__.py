"""`python -m grader` runs the `grade` CLI."""

from grader.cli import main

main()
