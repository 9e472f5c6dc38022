"""What a learner sees beyond the report: pictures of their results, watch mode, Jupyter.

`pictures` runs the learner's functions on a photograph in the sandbox and checks what comes
back; `drawing` turns checked arrays into PNG files with matplotlib (Agg); `watch` re-grades on
every save; `notebook` is the IPython extension behind `%load_ext grader` and `%grade`.
"""
