"""The worker: the only process that imports a learner's file.

Run as a script (`python -I worker.py CONFIG_JSON`) inside the sandbox, the worker enters its
jail (jail.py), applies its resource limits and describes its sandbox to the trusted side. It
imports NumPy (and Keras, for ex07) meanwhile, but the learner's module only once the trusted
side, having checked that description, says go. Then it answers requests from the trusted side
in the wire format (wire.py): call a function with these arguments, or read a module-level
constant. Nothing here trusts the learner, and the trusted side trusts nothing the worker says
beyond "here is some data".

Run with `"probe": true` in its configuration, it imports no learner code at all: it builds
the jail, drops its privileges and describes what it can see, so that the trusted side can
decide, before any learner code runs, which protection this machine really gives.

This file and its siblings are standard library and NumPy only: the sandbox copies them next
to the learner's file, where the grader package is out of reach. Python runs with -s -P, so the
siblings are loaded by their path, never found on sys.path.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import sys
import traceback
import types

MESSAGE_TEXT_LIMIT = 2000  # characters of an exception message sent back
PRINTED_TEXT_LIMIT = 2000  # characters of what a learner's function printed sent back
OOM_SCORE_ADJ_MAX = 1000  # the kernel's out-of-memory killer takes these processes first


def _sibling(name: str):
    """Load a sibling (wire.py, jail.py, unprivileged.py) from this file's folder under a private
    module name (once: a worker forked by the pre-warmed server, zygote.py, finds them loaded)."""
    module = sys.modules.get(f"_grader_{name}")
    if module is not None:
        return module
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_grader_{name}", path)
    if spec is None or spec.loader is None:  # a .py file always has both
        raise ImportError(f"cannot load {name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


wire = _sibling("wire")


def _apply_limits(limits: dict, portable: bool = False) -> None:
    """Resource limits, set before any learner code runs (the sandbox may add more). The
    portable worker sets those its system has (none on Windows, where `resource` is missing;
    macOS refuses some) and goes on: its time limits are the trusted side's deadlines."""
    try:
        import resource
    except ImportError:
        if portable:
            return
        raise
    for name, value in limits.items():
        try:
            which = getattr(resource, name)
            soft, hard = resource.getrlimit(which)
            new = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (new, new))
        except (AttributeError, ValueError, OSError):
            if not portable:
                raise


def _standard_pipes(config: dict) -> dict:
    """The portable worker's frames travel on its standard input and output (no descriptors can
    be handed to a child on Windows): keep private copies of both, then point the standard ones
    elsewhere, so that nothing a learner prints or reads can touch the pipes."""
    request_fd, response_fd = os.dup(0), os.dup(1)
    try:
        import msvcrt  # Windows: bytes through, never newline translation

        for fd in (request_fd, response_fd):
            msvcrt.setmode(fd, os.O_BINARY)  # type: ignore[attr-defined]  # Windows only
    except ImportError:
        pass
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # printed outside a call: to the worker's error file, as in the sandbox
    return dict(config, request_fd=request_fd, response_fd=response_fd)


class _ForbiddenImports:
    """A meta-path finder that refuses modules an exercise must not use (defence in depth)."""

    def __init__(self, names, exercise):
        self.names = tuple(names)
        self.exercise = exercise

    def find_spec(self, fullname, path=None, target=None):
        for name in self.names:
            if fullname == name or fullname.startswith(name + "."):
                raise ImportError(
                    f"{self.exercise} may not use {name}: do the computation with NumPy"
                )
        return None


def _learner_traceback(error: BaseException, learner_file: str) -> str:
    """The frames of the learner's own file, innermost last, as 'line N in f: code'."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if os.path.abspath(frame.filename) == learner_file
    ]
    if isinstance(error, SyntaxError) and error.lineno:
        text = (error.text or "").strip()
        return f"line {error.lineno}: {text}"
    return "\n".join(
        f"line {frame.lineno} in {frame.name}: {(frame.line or '').strip()}"
        for frame in frames[-5:]
    )


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


class _Printed:
    """What a learner's function prints during one call, kept up to PRINTED_TEXT_LIMIT characters."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self) -> None:
        self.parts: list = []
        self.size = 0
        self.dropped = 0

    def write(self, text) -> int:
        text = text if isinstance(text, str) else "(something that is not text)"
        room = max(PRINTED_TEXT_LIMIT - self.size, 0)
        self.parts.append(text[:room])
        self.size += min(len(text), room)
        self.dropped += len(text) - min(len(text), room)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        more = f"\n... ({self.dropped} more characters)" if self.dropped else ""
        return "".join(self.parts) + more


class _Worker:
    def __init__(self, config: dict):
        self.config = config
        self.request_fd = config["request_fd"]
        self.response_fd = config["response_fd"]
        self.learner_file = os.path.abspath(
            os.path.join(config.get("module_dir", ""), config.get("module_file", ""))
        )
        self.module: types.ModuleType | None = None
        self.forbidden = tuple(config.get("forbidden_modules", ()))

    def read_exact(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self.request_fd, min(size, wire.PIPE_CHUNK_BYTES))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def send(self, header: dict, blobs: list | None = None) -> None:
        try:
            message = wire.pack_message(header, blobs or [])
        except wire.ProtocolError as error:  # too big to send: say so, in a frame that fits
            message = wire.pack_message(
                {
                    "id": header.get("id"),
                    "ok": False,
                    "unsendable": str(error),
                    "type": "value too large",
                },
                [],
            )
        data = memoryview(message)
        while data:
            written = os.write(self.response_fd, data)
            data = data[written:]

    def wait_for_go(self) -> bool:
        """Whether the trusted side, having read this worker's word on its sandbox, says go."""
        try:
            header, _blobs = wire.read_message(self.read_exact)
        except (EOFError, wire.ProtocolError, ValueError):
            return False
        return header.get("op") == "go"

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
                header, blobs = wire.read_message(self.read_exact)
            except EOFError:
                return
            if header.get("op") == "exit":
                return
            self.send(*self.answer(header, blobs))

    def answer(self, header: dict, blobs: list) -> tuple[dict, list]:
        request_id = header.get("id")
        try:
            args = wire.decode_value(header.get("args", []), blobs)
            kwargs = wire.decode_value(header.get("kwargs", {"__dict__": {}}), blobs)
        except wire.ProtocolError as error:
            return {"id": request_id, "ok": False, "protocol_error": str(error)}, []
        name = header.get("name", "")
        target = getattr(self.module, name, None) if self.module is not None else None
        if header.get("op") == "get":
            if not hasattr(self.module, name):
                return {"id": request_id, "ok": False, "missing": name}, []
            return self.reply(request_id, target, None)
        if not callable(target):
            return {"id": request_id, "ok": False, "missing": name}, []
        printed, saved = _Printed(), (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = printed  # print() in a learner's function goes to its feedback
        try:
            result = target(*args, **kwargs)
        except BaseException as error:  # the learner's exception is data for the feedback
            return {
                "id": request_id,
                "ok": False,
                "error": _describe_error(error, self.learner_file),
                "forbidden_loaded": self.forbidden_loaded(),
                "printed": printed.text(),
            }, []
        finally:
            sys.stdout, sys.stderr = saved
        header, blobs = self.reply(request_id, result, args if header.get("return_args") else None)
        header["printed"] = printed.text()
        return header, blobs

    def reply(self, request_id, result, args_after) -> tuple[dict, list]:
        blobs: list = []
        try:
            value = wire.encode_value(result, blobs)
            after = wire.encode_value(args_after, blobs) if args_after is not None else None
        except wire.ProtocolError as error:
            return {
                "id": request_id,
                "ok": False,
                "unsendable": str(error),
                "type": type(result).__name__,
            }, []
        except Exception as error:  # a learner object whose conversion blew up
            return {
                "id": request_id,
                "ok": False,
                "unsendable": f"{type(error).__name__}: {error}",
                "type": type(result).__name__,
            }, []
        return {
            "id": request_id,
            "ok": True,
            "value": value,
            "args_after": after,
            "forbidden_loaded": self.forbidden_loaded(),
        }, blobs


def _isolate(config: dict) -> str | None:
    """Enter the jail and drop privileges (jail.py; the portable worker's drop, run by root on
    any POSIX system: unprivileged.py); the error text if that failed."""
    if "jail" not in config and config.get("uid") is None:
        return None
    if config.get("stdio"):
        return _sibling("unprivileged").become(config["uid"], config.get("gid"))
    jail = _sibling("jail")
    try:
        if "jail" in config:
            jail.enter(config["jail"])
        jail.drop_privileges(config.get("uid"), config.get("gid"))
    except OSError as error:
        return str(error)
    return None


def _view(paths) -> dict:
    """What this process is and can reach, for the trusted side to check (probe mode)."""
    capabilities = 0
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    capabilities = int(line.split()[1], 16)
    except OSError:
        pass
    return {
        "pid": os.getpid(),
        "uid": os.geteuid() if hasattr(os, "geteuid") else -1,  # Windows has neither
        "gid": os.getegid() if hasattr(os, "getegid") else -1,
        "capabilities": capabilities,
        "visible": [path for path in paths if os.path.exists(path)],
        "root_writable": os.access("/", os.W_OK),
    }


def _first_to_go() -> None:
    """Ask the kernel to kill this process tree first when memory runs out: each process is
    limited, but many of them together must not cost the grader, or another learner, its life.
    An unprivileged process may raise this score, never lower it again."""
    try:
        with open("/proc/self/oom_score_adj", "w") as score:
            score.write(str(OOM_SCORE_ADJ_MAX))
    except OSError:
        pass


def run(config: dict) -> None:
    """Everything a worker does, from its jail to its last answer; never returns. The process
    is already in its new namespaces (made by `unshare`, or by zygote.py)."""
    portable = bool(config.get("stdio"))
    if portable:
        config = _standard_pipes(config)
    _first_to_go()  # while still the launcher's user: a changed uid may no longer write its /proc
    sandbox_error = _isolate(config)
    _apply_limits(config.get("rlimits", {}), portable)
    worker = _Worker(config)
    # The first frame, written before any learner code exists in this process: the sandbox's word.
    if sandbox_error is not None:
        worker.send({"sandbox_error": sandbox_error})
        os._exit(1)
    worker.send({"sandbox": _view(config.get("must_not_see", []))})
    if config.get("probe"):  # no learner file: the description was the whole job
        os._exit(0)
    os.chdir(config["module_dir"])
    if config.get("forbidden_modules"):
        sys.meta_path.insert(0, _ForbiddenImports(config["forbidden_modules"], config["exercise"]))
    import numpy  # the wire format needs it before learner code can interfere

    for name in config.get("preload", ()):  # Keras for ex07: its seconds of import, before the go
        try:
            importlib.import_module(name)
        except Exception:  # the learner's own import meets the same error, and reports it
            pass
    random.seed(config.get("learner_seed", 0))  # a learner's unseeded randomness: the same each run
    numpy.random.seed(config.get("learner_seed", 0))
    if (
        not worker.wait_for_go()
    ):  # the trusted side has not checked this sandbox, or found it wanting
        os._exit(0)
    worker.start()
    if worker.module is not None:
        worker.serve()
    # Skip interpreter shutdown: learner atexit handlers and threads get no last word.
    os._exit(0)


if __name__ == "__main__":
    run(json.loads(sys.argv[1]))
