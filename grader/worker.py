"""The worker: the only process that imports a learner's file, and the wire format it speaks.

Run as a script (`python -I worker.py CONFIG_JSON`) inside the sandbox, the worker applies its
resource limits, imports the learner's module, then answers requests from the trusted side:
call a function with these arguments, or read a module-level constant. Arguments and results
cross a pair of pipes as data only: JSON for scalars, tuples and dicts, `np.save` bytes for
arrays (loaded with `allow_pickle=False`). Nothing here trusts the learner, and the trusted
side trusts nothing the worker says beyond "here is some data".

This file is self-contained (standard library and NumPy) because the sandbox copies it next to
the learner's file: in namespace mode the worker cannot see the grader package at all. The
trusted side imports the same file for `encode_value`, `decode_value` and the framing, so both
ends share one definition of the format.
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys
import traceback

FRAME_HEADER = struct.Struct(">II")  # JSON header length, number of binary blobs
BLOB_LENGTH = struct.Struct(">Q")
MAX_MESSAGE_BYTES = 64 << 20  # the largest message either side accepts
MAX_DEPTH = 32  # nesting of tuples, lists and dicts in one value
MESSAGE_TEXT_LIMIT = 2000  # characters of an exception message sent back


class ProtocolError(Exception):
    """A message that is not in the wire format (or too big, or too deep)."""


# --------------------------------------------------------------------------- the wire format


def encode_value(value, blobs: list, depth: int = 0):
    """A JSON-ready tree for `value`; arrays are appended to `blobs` as .npy bytes."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"__int__": str(value)} if abs(value) >= 2**53 else value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else {"__float__": repr(value)}
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
        return {"__dict__": {key: encode_value(item, blobs, depth + 1) for key, item in value.items()}}
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
        (tag, content), = node.items()
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
        if tag == "__int__" and isinstance(content, str):
            return int(content)
        if tag == "__float__" and content in ("nan", "inf", "-inf"):
            return float(content)
        if tag == "__keras_model__" and isinstance(content, dict):
            return _decode_keras_model(content)
    raise ProtocolError("unknown value in message")


def _load_array(blob: bytes):
    """np.load, after checking that the header's shape and dtype match the bytes sent."""
    import numpy as np
    from numpy.lib import format as npy

    stream = io.BytesIO(blob)
    try:
        version = npy.read_magic(stream)
        read_header = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}[version]
        shape, _fortran, dtype = read_header(stream)
        if dtype.hasobject or len(shape) > MAX_DEPTH:
            raise ProtocolError(f"an array of dtype {dtype} and shape {shape} cannot be received")
        size = dtype.itemsize
        for extent in shape:
            size *= extent
        if size != len(blob) - stream.tell():
            raise ProtocolError(f"array header promises {size} bytes, {len(blob) - stream.tell()} came")
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
    before it deserialises anything (grader/keras_config.py).
    """

    __slots__ = ("config", "compile_config")

    def __init__(self, config: str, compile_config):
        self.config = config
        self.compile_config = compile_config

    def __eq__(self, other) -> bool:
        return (isinstance(other, KerasModelData) and self.config == other.config
                and self.compile_config == other.compile_config)

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
            "keras.Sequential([...]) or keras.Model(inputs, outputs)") from None
    if not isinstance(config, str):
        raise ProtocolError("the model's to_json() did not return text")
    return KerasModelData(config, compile_text)


def _decode_keras_model(content: dict) -> KerasModelData:
    config, compile_config = content.get("config"), content.get("compile_config")
    if set(content) != {"config", "compile_config"} or not isinstance(config, str) \
            or not (compile_config is None or isinstance(compile_config, str)):
        raise ProtocolError("malformed Keras model description")
    return KerasModelData(config, compile_config)


def pack_message(header: dict, blobs: list) -> bytes:
    """One frame: sizes, the JSON header, then each blob with its length."""
    header_bytes = json.dumps(header, allow_nan=False).encode("utf-8")
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
    if header_length > MAX_MESSAGE_BYTES or blob_count > 4096:
        raise ProtocolError("message header too large")
    header = json.loads(read_exact(header_length).decode("utf-8"))
    if not isinstance(header, dict):
        raise ProtocolError("message header is not an object")
    blobs, total = [], header_length
    for _ in range(blob_count):
        (length,) = BLOB_LENGTH.unpack(read_exact(BLOB_LENGTH.size))
        total += length
        if total > MAX_MESSAGE_BYTES:
            raise ProtocolError("message too large")
        blobs.append(read_exact(length))
    return header, blobs


# --------------------------------------------------------------------------- the worker process


def _apply_limits(limits: dict) -> None:
    """Resource limits, set before any learner code runs (the sandbox may add more)."""
    import resource

    for name, value in limits.items():
        which = getattr(resource, name)
        soft, hard = resource.getrlimit(which)
        new = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (new, new))


class _ForbiddenImports:
    """A meta-path finder that refuses modules an exercise must not use (defence in depth)."""

    def __init__(self, names, exercise):
        self.names = tuple(names)
        self.exercise = exercise

    def find_spec(self, fullname, path=None, target=None):
        for name in self.names:
            if fullname == name or fullname.startswith(name + "."):
                raise ImportError(
                    f"{self.exercise} may not use {name}: do the computation with NumPy")
        return None


def _learner_traceback(error: BaseException, learner_file: str) -> str:
    """The frames of the learner's own file, innermost last, as 'line N in f: code'."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if os.path.abspath(frame.filename) == learner_file]
    if isinstance(error, SyntaxError) and error.lineno:
        text = (error.text or "").strip()
        return f"line {error.lineno}: {text}"
    return "\n".join(
        f"line {frame.lineno} in {frame.name}: {(frame.line or '').strip()}" for frame in frames[-5:])


def _describe_error(error: BaseException, learner_file: str) -> dict:
    try:
        message = str(error) if not isinstance(error, SyntaxError) else str(error.msg)
    except Exception:  # an exception whose __str__ raises still gets reported
        message = "(the exception's message could not be turned into text)"
    return {
        "type": type(error).__name__,
        "message": message[:MESSAGE_TEXT_LIMIT],
        "traceback": _learner_traceback(error, learner_file)[:MESSAGE_TEXT_LIMIT],
        "not_implemented": isinstance(error, NotImplementedError),
        "value_error": isinstance(error, ValueError),
        "memory_error": isinstance(error, MemoryError),
        "errno": getattr(error, "errno", None) if isinstance(error, OSError) else None,
    }


class _Worker:
    def __init__(self, config: dict):
        self.config = config
        self.request_fd = config["request_fd"]
        self.response_fd = config["response_fd"]
        self.learner_file = os.path.abspath(os.path.join(config["module_dir"], config["module_file"]))
        self.module = None
        self.forbidden = tuple(config.get("forbidden_modules", ()))

    def read_exact(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self.request_fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def send(self, header: dict, blobs: list | None = None) -> None:
        data = memoryview(pack_message(header, blobs or []))
        while data:
            written = os.write(self.response_fd, data)
            data = data[written:]

    def forbidden_loaded(self) -> list:
        return sorted(name for name in self.forbidden if name in sys.modules)

    def start(self) -> None:
        """Import the learner's module and say hello: ready, or why not."""
        import importlib

        sys.path.insert(0, self.config["module_dir"])
        try:
            self.module = importlib.import_module(self.config["module"])
        except BaseException as error:  # SystemExit, KeyboardInterrupt included: report, never die
            self.send({"ready": False, "error": _describe_error(error, self.learner_file)})
            return
        self.send({"ready": True, "forbidden_loaded": self.forbidden_loaded()})

    def serve(self) -> None:
        while True:
            try:
                header, blobs = read_message(self.read_exact)
            except EOFError:
                return
            if header.get("op") == "exit":
                return
            self.send(*self.answer(header, blobs))

    def answer(self, header: dict, blobs: list) -> tuple[dict, list]:
        request_id = header.get("id")
        try:
            args = decode_value(header.get("args", []), blobs)
            kwargs = decode_value(header.get("kwargs", {"__dict__": {}}), blobs)
        except ProtocolError as error:
            return {"id": request_id, "ok": False, "protocol_error": str(error)}, []
        name = header.get("name", "")
        target = getattr(self.module, name, None) if self.module is not None else None
        if header.get("op") == "get":
            if not hasattr(self.module, name):
                return {"id": request_id, "ok": False, "missing": name}, []
            return self.reply(request_id, target, None)
        if not callable(target):
            return {"id": request_id, "ok": False, "missing": name}, []
        try:
            result = target(*args, **kwargs)
        except BaseException as error:  # the learner's exception is data for the feedback
            return {"id": request_id, "ok": False, "error": _describe_error(error, self.learner_file),
                    "forbidden_loaded": self.forbidden_loaded()}, []
        return self.reply(request_id, result, args if header.get("return_args") else None)

    def reply(self, request_id, result, args_after) -> tuple[dict, list]:
        blobs: list = []
        try:
            value = encode_value(result, blobs)
            after = encode_value(args_after, blobs) if args_after is not None else None
        except ProtocolError as error:
            return {"id": request_id, "ok": False, "unsendable": str(error),
                    "type": type(result).__name__}, []
        except Exception as error:  # a learner object whose conversion blew up
            return {"id": request_id, "ok": False, "unsendable": f"{type(error).__name__}: {error}",
                    "type": type(result).__name__}, []
        return {"id": request_id, "ok": True, "value": value, "args_after": after,
                "forbidden_loaded": self.forbidden_loaded()}, blobs


def _isolate(config: dict) -> str | None:
    """Enter the jail and drop privileges (grader/jail.py); the error text if that failed."""
    if "jail" not in config and config.get("uid") is None:
        return None
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_grader_jail", os.path.join(os.path.dirname(os.path.abspath(__file__)), "jail.py"))
    jail = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(jail)
    try:
        if "jail" in config:
            jail.enter(config["jail"])
        jail.drop_privileges(config.get("uid"), config.get("gid"))
    except OSError as error:
        return str(error)
    return None


def main(argv: list) -> None:
    config = json.loads(argv[1])
    jail_error = _isolate(config)
    _apply_limits(config.get("rlimits", {}))
    worker = _Worker(config)
    if jail_error is not None:
        worker.send({"ready": False, "jail_error": jail_error})
        os._exit(1)
    os.chdir(config["module_dir"])
    if config.get("forbidden_modules"):
        sys.meta_path.insert(0, _ForbiddenImports(config["forbidden_modules"], config["exercise"]))
    import numpy  # noqa: F401  the wire format needs it before learner code can interfere

    worker.start()
    if worker.module is not None:
        worker.serve()
    # Skip interpreter shutdown: learner atexit handlers and threads get no last word.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
