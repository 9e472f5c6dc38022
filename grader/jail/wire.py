"""The wire format between the trusted side and a worker: data only, in both directions.

Arguments and results cross a pair of pipes as frames: a JSON header, then binary blobs.
Scalars, tuples, lists and dicts are JSON; arrays are `np.save` bytes, loaded with
`allow_pickle=False` after their header is checked against their length. A Keras model (ex07)
crosses as its configuration text, never its weights. Nothing here trusts the other end.

This file is self-contained (standard library and NumPy): the sandbox copies it next to the
learner's file, where the grader package is out of reach, and the trusted side imports the
same file, so both ends share one definition of the format.
"""

from __future__ import annotations

import io
import json
import struct
import sys

FRAME_HEADER = struct.Struct(">II")  # JSON header length, number of binary blobs
BLOB_LENGTH = struct.Struct(">Q")
MAX_MESSAGE_BYTES = 64 << 20  # the largest message either side accepts
# The JSON header is parsed into Python objects, each far larger than its text ("[]," is a
# 56-byte list), so it gets its own caps: arrays travel as blobs, and a model's configuration
# (at most 1 MB of text) fits with room to spare.
MAX_HEADER_BYTES = 4 << 20
MAX_HEADER_CONTAINERS = 100_000  # "[" and "{" in one header, counted before it is parsed
MAX_INT_DIGITS = 4300  # Python's own limit for int(text)
MAX_BLOBS = 4096  # arrays in one message
MAX_DEPTH = 32  # nesting of tuples, lists and dicts in one value
EXACT_FLOAT_INTS = 2**53  # larger ints cross as text, so JSON readers lose no digits
PIPE_CHUNK_BYTES = 1 << 20  # the most either end reads from a pipe at once


class ProtocolError(Exception):
    """A message that is not in the wire format (or too big, or too deep)."""


def encode_value(value, blobs: list, depth: int = 0):
    """A JSON-ready tree for `value`; arrays are appended to `blobs` as .npy bytes."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"__int__": str(value)} if abs(value) >= EXACT_FLOAT_INTS else value
    if isinstance(value, float):
        return (
            value if value == value and abs(value) != float("inf") else {"__float__": repr(value)}
        )
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject or array.dtype.kind not in "biufc":
            raise ProtocolError(f"an array of dtype {array.dtype} cannot be sent; use numbers")
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        blobs.append(buffer.getvalue())
        kind = "__scalar__" if isinstance(value, np.generic) else "__array__"
        return {kind: len(blobs) - 1}
    if isinstance(value, tuple):
        return {"__tuple__": [encode_value(item, blobs, depth + 1) for item in value]}
    if isinstance(value, list):
        return [encode_value(item, blobs, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ProtocolError("only dicts with text keys can be sent")
        return {
            "__dict__": {key: encode_value(item, blobs, depth + 1) for key, item in value.items()}
        }
    model = value if isinstance(value, KerasModelData) else _encode_keras_model(value)
    if model is not None:  # ex07: a Keras model crosses as its configuration, never its weights
        return {"__keras_model__": {"config": model.config, "compile_config": model.compile_config}}
    raise ProtocolError(f"a value of type {type(value).__name__} cannot be sent")


def decode_value(node, blobs: list, depth: int = 0):
    """The inverse of `encode_value`: plain Python values and fresh NumPy arrays."""
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested more than {MAX_DEPTH} levels deep")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [decode_value(item, blobs, depth + 1) for item in node]
    if isinstance(node, dict) and len(node) == 1:
        ((tag, content),) = node.items()
        if tag in ("__array__", "__scalar__"):
            if not isinstance(content, int) or not 0 <= content < len(blobs):
                raise ProtocolError("array reference out of range")
            array = _load_array(blobs[content])
            if array.dtype.hasobject or array.dtype.kind not in "biufc":
                raise ProtocolError(f"an array of dtype {array.dtype} cannot be received")
            return array[()] if tag == "__scalar__" and array.ndim == 0 else array
        if tag == "__tuple__" and isinstance(content, list):
            return tuple(decode_value(item, blobs, depth + 1) for item in content)
        if tag == "__dict__" and isinstance(content, dict):
            return {str(key): decode_value(item, blobs, depth + 1) for key, item in content.items()}
        if tag == "__int__" and isinstance(content, str) and _is_int_text(content):
            return int(content)
        if tag == "__float__" and content in ("nan", "inf", "-inf"):
            return float(content)
        if tag == "__keras_model__" and isinstance(content, dict):
            return _decode_keras_model(content)
    raise ProtocolError("unknown value in message")


def _is_int_text(text: str) -> bool:
    digits = text[1:] if text[:1] == "-" else text
    return 0 < len(digits) <= MAX_INT_DIGITS and digits.isascii() and digits.isdigit()


def _load_array(blob: bytes):
    """np.load, after checking that the header's shape and dtype match the bytes sent."""
    import numpy as np
    from numpy.lib import format as npy

    stream = io.BytesIO(blob)
    try:
        version = npy.read_magic(stream)
        read_header = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}[
            version
        ]
        shape, _fortran, dtype = read_header(stream)
        if dtype.hasobject or len(shape) > MAX_DEPTH:
            raise ProtocolError(f"an array of dtype {dtype} and shape {shape} cannot be received")
        size = dtype.itemsize
        for extent in shape:
            size *= extent
        if size != len(blob) - stream.tell():
            raise ProtocolError(
                f"array header promises {size} bytes, {len(blob) - stream.tell()} came"
            )
        return np.load(io.BytesIO(blob), allow_pickle=False)
    except ProtocolError:
        raise
    except Exception as error:  # a malformed .npy is a protocol error, whatever numpy raises
        raise ProtocolError(f"malformed array data: {error}") from None


# --------------------------------------------------------------------------- Keras models (ex07)


class KerasModelData:
    """A Keras model as data: its architecture and compile settings as JSON text, never weights.

    `config` is `model.to_json()`, `compile_config` is `json.dumps(model.get_compile_config())`
    (None for a model that was never compiled). Both are text the learner's code produced: the
    trusted side parses them with `json` and checks every class name against an allowlist
    before it deserialises anything (grader/model/config.py).
    """

    __slots__ = ("config", "compile_config")

    def __init__(self, config: str, compile_config):
        self.config = config
        self.compile_config = compile_config

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, KerasModelData)
            and self.config == other.config
            and self.compile_config == other.compile_config
        )

    def __repr__(self) -> str:
        return f"KerasModelData({len(self.config)} characters of configuration)"


def _encode_keras_model(value):
    """`value` as KerasModelData if it is a Keras model, else None.

    Keras is looked up, never imported: if the learner's code has not imported it, `value`
    cannot be a Keras model. The weights stay behind; the trusted side trains its own.
    """
    keras = sys.modules.get("keras")
    model_class = getattr(keras, "Model", None) if keras is not None else None
    if not isinstance(model_class, type) or not isinstance(value, model_class):
        return None
    try:
        config = value.to_json()
        compile_config = value.get_compile_config()
        compile_text = json.dumps(compile_config) if compile_config else None  # {}: not compiled
    except Exception as error:  # a subclassed model has no configuration to send
        raise ProtocolError(
            f"this {type(value).__name__} cannot be described by its configuration "
            f"({type(error).__name__}: {str(error)[:200]}); build it from keras.layers with "
            "keras.Sequential([...]) or keras.Model(inputs, outputs)"
        ) from None
    if not isinstance(config, str):
        raise ProtocolError("the model's to_json() did not return text")
    return KerasModelData(config, compile_text)


def _decode_keras_model(content: dict) -> KerasModelData:
    config, compile_config = content.get("config"), content.get("compile_config")
    if (
        set(content) != {"config", "compile_config"}
        or not isinstance(config, str)
        or not (compile_config is None or isinstance(compile_config, str))
    ):
        raise ProtocolError("malformed Keras model description")
    return KerasModelData(config, compile_config)


def pack_message(header: dict, blobs: list) -> bytes:
    """One frame: sizes, the JSON header, then each blob with its length."""
    header_bytes = json.dumps(header, allow_nan=False).encode("utf-8")
    if len(header_bytes) > MAX_HEADER_BYTES:
        raise ProtocolError(
            f"message header of {len(header_bytes)} bytes is larger than {MAX_HEADER_BYTES}"
        )
    parts = [FRAME_HEADER.pack(len(header_bytes), len(blobs)), header_bytes]
    for blob in blobs:
        parts += [BLOB_LENGTH.pack(len(blob)), blob]
    message = b"".join(parts)
    if len(message) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(message)} bytes is larger than {MAX_MESSAGE_BYTES}")
    return message


def read_message(read_exact) -> tuple[dict, list]:
    """Read one frame with `read_exact(n) -> bytes`; returns (header, blobs)."""
    header_length, blob_count = FRAME_HEADER.unpack(read_exact(FRAME_HEADER.size))
    if header_length > MAX_HEADER_BYTES or blob_count > MAX_BLOBS:
        raise ProtocolError("message header too large")
    text = read_exact(header_length)
    if text.count(b"[") + text.count(b"{") > MAX_HEADER_CONTAINERS:
        raise ProtocolError(
            f"message header holds more than {MAX_HEADER_CONTAINERS} lists and dicts"
        )
    try:
        header = json.loads(text.decode("utf-8"))
    except RecursionError:
        raise ProtocolError("message header nested too deeply") from None
    except ValueError as error:  # not JSON, not UTF-8, or a number past int()'s digit limit
        raise ProtocolError(f"message header is not JSON: {str(error)[:200]}") from None
    if not isinstance(header, dict):
        raise ProtocolError("message header is not an object")
    blobs, total = [], header_length
    for _blob in range(blob_count):
        (length,) = BLOB_LENGTH.unpack(read_exact(BLOB_LENGTH.size))
        total += length
        if total > MAX_MESSAGE_BYTES:
            raise ProtocolError("message too large")
        blobs.append(read_exact(length))
    return header, blobs
