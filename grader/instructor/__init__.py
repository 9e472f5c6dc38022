"""The instructor's commands: the course self-check, publishing a student release and a
Gradescope bundle, and grading a class in batch.
"""
