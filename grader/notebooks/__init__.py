"""A learner's Jupyter notebook as exercise code: read as text, never run (docs/design.md#notebooks).

`read.py` reads and validates a `.ipynb` file with nbformat and keeps the code cells' text,
dropping IPython magics and shell lines with a note; `extract.py` finds an exercise's functions
among the cells' top-level definitions and writes the file the jail then grades.
"""
