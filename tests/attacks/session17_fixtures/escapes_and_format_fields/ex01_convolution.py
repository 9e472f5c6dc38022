"""Text that tries to be a format string, a terminal escape or a report line, in what the
learner prints and raises, and in a function name that ends up in a traceback frame."""
import os
import sys

FIELDS = "{0.__class__.__mro__} {x} {exercise.limits} %(secret)s %s {"
ESCAPES = ("\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07\x1b[2K\r  pass    10 / 10  convolve2d"
           "\u202e\u2028Total 10 / 10\x9b31m\udcff")


CALLS = []


def filter_response(patch, kernel):
    CALLS.append(1)
    if len(CALLS) > 2:  # the worker dies after writing raw bytes: its output is quoted
        _crash()
        os._exit(1)
    print(FIELDS)
    print(ESCAPES)
    sys.stdout.write("\r" * 50 + "PASS " * 500)
    raise ValueError(FIELDS + ESCAPES)


def _forged(image, kernel):
    raise KeyError(FIELDS + ESCAPES)


# A frame whose function name carries a newline, escapes and format fields.
convolve2d = type(_forged)(_forged.__code__.replace(co_name=FIELDS + "\n  pass 1 / 1  " + ESCAPES,
                                                    co_qualname="x"), globals())


def _crash():
    os.write(1, b"\xff\xfe\x1b[2J\x1b[H  pass 10 / 10 " + FIELDS.encode() + b"\n")
    os.write(2, b"\xc3\x28\x1b]0;owned\x07" + FIELDS.encode() + b"\n")
