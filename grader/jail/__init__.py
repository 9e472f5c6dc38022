"""The files copied next to a learner's file and run inside the jail: the worker, its wire
format and the jail builder. Standard library and NumPy only; nothing here imports the grader.
"""
