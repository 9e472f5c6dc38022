"""The tools of a replay attack: read answers out of feedback, and write exercise files that
answer from a table instead of computing anything.

A learner who collects every value the grader's feedback ever shows (and every case and answer
of the public suites, which learners have) could hand in a file that looks each call up in
that table. `harvest` reads reports as generously as such a learner would: any "expected ...",
any array printed after "expected:", any number or tuple after a call. `replay_source` writes
an exercise file that answers from a table: by the exact arguments (the public suites' cases),
else by the call as feedback writes it (`describe_call`), else it raises ValueError ("raise")
or returns a plausible stock answer of the right kind ("default").
"""

from __future__ import annotations

import ast
import base64
import inspect
import json
import re
import zlib
from collections import defaultdict
from typing import Any

import numpy as np

from grader.check_feedback import describe_call
from tests.suites.recording import case_key

# Functions that return several arrays, with the names feedback gives their parts and the
# text that joins a call and a part ("sobel_edges(...), gx", "conv_backward(...) d_x").
PARTS = {
    "sobel_edges": (", ", ("gx", "gy", "magnitude")),
    "conv_backward": (" ", ("d_x", "d_kernel", "d_bias")),
}
CALL = r"(?P<call>\b[a-z][a-z0-9_]*\((?:[^()]|\([^()]*(?:\([^()]*\))*[^()]*\))*\)(?:,? (?:gx|gy|magnitude|d_x|d_kernel|d_bias))?)"
VALUE = r"(?P<value>\((?:[^()]|\([^()]*\))*\)|-?\d[\d.,]*(?:e[-+]?\d+)?)"
EXPECTED_VALUE = re.compile(CALL + r".{0,400}?\bexpected (?!shape|an? |\{)" + VALUE, re.S)
EXPECTED_ARRAY = re.compile(
    CALL + r"[^\n]*\n(?:expected|기대값)?:?\n(?P<array>\[[-\d.e+\s\[\]]*\])\n", re.S
)
AFTER_CALL = re.compile(CALL + r"(?::? returned|: |\s+is|\s+gives?|\s*=)\s*" + VALUE)


def encode(value: Any) -> Any:
    """A JSON-ready form of an answer (arrays as .npy bytes in base64)."""
    if isinstance(value, np.ndarray):
        return {"npy": base64.b64encode(_npy(value)).decode()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    return value


def _npy(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _literal(text: str) -> Any:
    """A number, a tuple or an array as feedback prints it, or None."""
    text = text.strip().rstrip(".,")
    if text.startswith("["):
        body = re.sub(r"\s+", ",", text)
        body = re.sub(r"\[,+", "[", re.sub(r",+\]", "]", body))
        body = re.sub(r"\],*\[", "],[", body)
        try:
            return np.array(ast.literal_eval(body), dtype=np.float64)
        except (ValueError, SyntaxError):
            return None
    try:
        value = ast.literal_eval(text.replace(",", "") if not text.startswith("(") else text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, (int, float, tuple)) and not isinstance(value, bool) else None


def read_feedback(text: str) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(call, value) pairs a learner could read in `text`: those labelled "expected" (or an
    array printed after the call), and every other value printed after a call (what the
    submission itself returned, or a worked example)."""
    labelled = [
        (match["call"], _literal(match["value"])) for match in EXPECTED_VALUE.finditer(text)
    ]
    labelled += [
        (match["call"], _literal(match["array"])) for match in EXPECTED_ARRAY.finditer(text)
    ]
    other = [(match["call"], _literal(match["value"])) for match in AFTER_CALL.finditer(text)]
    return (
        [pair for pair in labelled if pair[1] is not None],
        [pair for pair in other if pair[1] is not None],
    )


def harvest(reports: list[dict], own_answers: set[str]) -> dict[str, Any]:
    """Every (call, value) the reports show, as the table of a replay: values labelled
    "expected" first, then any other value after a call unless the submission returned it
    itself (`own_answers`, as text), which the grader just called wrong."""
    found: dict[str, Any] = {}
    for report in reports:
        for item in report["exercises"]:
            for test in item["tests"]:
                labelled, other = read_feedback(test["feedback"])
                for call, value in labelled:
                    found[call] = value
                for call, value in other:
                    if call not in found and repr(value) not in own_answers:
                        found.setdefault(call, value)
    return found


def table(exact: dict[str, Any], described: dict[str, Any], constants: dict[str, Any]) -> dict:
    """The replay's table: answers by exact arguments, by call text and by part, and constants."""
    parts: dict[str, dict[str, Any]] = defaultdict(dict)
    for call, value in described.items():
        for joiner, names in PARTS.values():
            for name in names:
                if call.endswith(joiner + name):
                    parts[call[: -len(joiner + name)]][name] = encode(value)
    return {
        "exact": {key: encode(value) for key, value in exact.items()},
        "described": {call: encode(value) for call, value in described.items()},
        "parts": parts,
        "constants": {name: encode(value) for name, value in constants.items()},
    }


TEMPLATE = '''"""A replay attack: every answer comes from a table of answers seen elsewhere."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib

import numpy as np
from typing import Any

_TABLE = json.loads(zlib.decompress(base64.b64decode({packed!r})))
_MODE = {mode!r}
_PARTS = {parts!r}


{case_key}

{describe_call}

def _decode(node):
    if isinstance(node, dict) and "npy" in node:
        return np.load(io.BytesIO(base64.b64decode(node["npy"])), allow_pickle=False)
    if isinstance(node, dict) and "tuple" in node:
        return tuple(_decode(item) for item in node["tuple"])
    if isinstance(node, list):
        return [_decode(item) for item in node]
    return node


def _default(name, args):
    """A stock answer of the right kind, computed from nothing but the arguments' shapes."""
    arrays = [arg for arg in args if isinstance(arg, np.ndarray)]
    if name == "sobel_edges":
        return tuple(np.zeros(args[0].shape) for _ in range(3))
    if name == "conv_backward":
        return np.zeros(args[1].shape), np.zeros(args[2].shape), np.zeros(args[2].shape[-1])
    if name == "max_pool_backward":
        return np.zeros(args[1].shape)
    if name == "same_padding":
        return (0, 0)
    if name in ("conv_output_shape", "pool_output_shape"):
        return tuple(args[0])
    if arrays:
        return np.zeros(arrays[0].shape)
    return 0.0 if name == "filter_response" else 1


def _answer(name, args, kwargs):
    key = case_key(name, args, kwargs)
    if key in _TABLE["exact"]:
        return _decode(_TABLE["exact"][key])
    described = describe_call(name, *args, **kwargs)
    if described in _TABLE["described"]:
        return _decode(_TABLE["described"][described])
    known = _TABLE["parts"].get(described, {{}})
    if name in _PARTS and all(part in known for part in _PARTS[name]):
        return tuple(_decode(known[part]) for part in _PARTS[name])
    if _MODE == "raise":
        raise ValueError("this case is not in the table")
    return _default(name, args)


for _name, _value in _TABLE["constants"].items():
    globals()[_name] = _decode(_value)
'''


def replay_source(functions: tuple[str, ...], replay_table: dict, mode: str) -> str:
    """An exercise file whose `functions` answer from `replay_table` (see the module docstring)."""
    packed = base64.b64encode(zlib.compress(json.dumps(replay_table).encode(), 9)).decode()
    source = TEMPLATE.format(
        packed=packed,
        mode=mode,
        parts={name: names for name, (_separator, names) in PARTS.items()},
        case_key=inspect.getsource(case_key),
        describe_call=inspect.getsource(describe_call),
    )
    for name in functions:
        source += f"\n\ndef {name}(*args, **kwargs):\n    return _answer({name!r}, args, kwargs)\n"
    return source
