"""The trusted side of one exercise's worker: send calls, read data back, enforce the time limits.

`WorkerClient` owns the worker process of one exercise (grader/sandbox/process.py). Every call
has a deadline (the call timeout, capped by what is left of the exercise's time limit); a call
that hangs or crashes kills the whole process tree and the next call starts a fresh worker, up
to `max_restarts` times (one out of the exercise's time as it starts is the learner's timeout).
Each worker describes its sandbox and waits: once the run's `Isolation` is decided and the
description matches it, the client says go, and only then is the learner's file loaded. A worker
started before the decision (under the mode being probed, to overlap imports) under another mode
is started again. Whatever goes wrong in the worker surfaces as a `LearnerFailure` with feedback.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NoReturn

from grader.course.catalogue import Exercise
from grader.failures import (
    BadReturn,
    ForbiddenModule,
    LearnerFailure,
    LearnerTimeout,
    LoadFailed,
    MissingName,
    SandboxNotStarted,
    WorkerCrashed,
)
from grader.i18n import _
from grader.jail import wire
from grader.processes import activity
from grader.sandbox import feedback
from grader.sandbox.isolation import Isolation, IsolationSource
from grader.sandbox.launch import SandboxSpec
from grader.sandbox.policy import forbidden_message
from grader.sandbox.portable import PortableWorkerProcess
from grader.sandbox.process import Dead, Deadline, WorkerProcess
from grader.sanitise import clean

log = logging.getLogger(__name__)
PIPE_ERRORS = (Dead, wire.ProtocolError, ValueError, OSError)
PRINTED_LIMIT = 1000  # characters of one call's printed output quoted in feedback


class WorkerClient:
    """One exercise's worker: started on demand, restarted after a crash, killed on `close`."""

    def __init__(self, spec: SandboxSpec, exercise: Exercise, isolation: IsolationSource):
        self.spec = spec
        self.exercise = exercise
        self.isolation = isolation  # decided, or being decided by a probe
        self.launched: Isolation | None = None  # what the running worker was started under
        self.limits = exercise.limits
        self.process: WorkerProcess | PortableWorkerProcess | None = None
        self.exercise_deadline: float | None = None
        self.ready = False
        self.load_failure: LoadFailed | LearnerTimeout | None = None
        self.gave_up: str | None = None
        self.restarts = 0
        self.next_id = 0
        self.last_blobs: list = []
        self.printed: list[str] = []  # what the learner's functions printed, since `take_printed`

    # ------------------------------------------------------------------ lifecycle

    def start(self, under: Isolation | None = None) -> None:
        """Spawn the worker without waiting for it (it imports while the grader sets up, or while
        the previous exercise's tests run). Its exercise's time starts with its first request:
        the time the previous exercise takes, however long, is not this one's."""
        if self.process is not None or self.load_failure is not None:
            return
        self.launched = under or self.isolation.presumed()
        try:
            self.process = (  # a learner's self-check where no sandbox can be built
                PortableWorkerProcess(self.spec, self.launched)
                if self.launched.portable
                else WorkerProcess(self.spec, self.launched)
            )
            log.info(
                "%s: worker started (pid %d, %s)",
                self.exercise.id,
                self.process.pid,
                self.launched.mode,
            )
        except OSError as error:
            self.load_failure = SandboxNotStarted(
                self._sandbox_failed(error.strerror or str(error))
            )
        self.ready = False

    def close(self) -> None:
        """Kill the worker and everything it started."""
        if self.process is not None:
            self.process.kill()
            log.info("%s: worker stopped (pid %d)", self.exercise.id, self.process.pid)
        self.process = None
        self.ready = False

    # ------------------------------------------------------------------ calls

    def call(
        self, name: str, args: tuple, kwargs: dict, *, description: str, return_args: bool = False
    ) -> Any:
        """`name(*args, **kwargs)` in the worker; the value, or (value, args after) with return_args.

        `description` names the call in feedback (`conv2d(x (1, 6, 6, 2) float64, ...)`).
        """
        blobs: list = []
        header = {
            "op": "call",
            "name": name,
            "return_args": return_args,
            "args": wire.encode_value(list(args), blobs),
            "kwargs": wire.encode_value(dict(kwargs), blobs),
        }
        reply, value = self._request(header, blobs, name, description)
        if not return_args:
            return value
        after = reply.get("args_after")
        try:
            after = wire.decode_value(after, self.last_blobs) if isinstance(after, list) else None
        except wire.ProtocolError:
            after = None
        if after is None or len(after) != len(args):
            raise BadReturn(
                _("{call}: the worker did not send the arguments back").format(call=description)
            )
        return value, after

    def get(self, name: str) -> Any:
        """The module-level constant `name` from the learner's file."""
        _header, value = self._request({"op": "get", "name": name}, [], name, name)
        return value

    def _request(self, header: dict, blobs: list, name: str, description: str) -> tuple[dict, Any]:
        self._check_usable()
        if self.exercise_deadline is None:
            self.exercise_deadline = time.monotonic() + self.limits.time_limit
        self.start()
        self._check_usable()  # a worker that could not even be started
        self._wait_ready()
        assert self.process is not None
        deadline, which = self._deadline(time.monotonic() + self.limits.call_timeout, "call")
        line = activity.Line()  # a call still running after a second or two says so, on a terminal
        limit = deadline - line.started
        self.process.on_wait = lambda: line.show(
            activity.waiting_text(self.exercise.id, name, line.elapsed(), limit)
        )
        try:
            self.next_id += 1
            header["id"] = self.next_id
            self.process.write_frame(wire.pack_message(header, blobs), deadline, which)
            reply, self.last_blobs = self.process.read_frame(deadline, which)
        except Deadline as late:
            self._lose_worker()
            raise LearnerTimeout(feedback.timeout(name, late.which, self.exercise)) from None
        except PIPE_ERRORS as error:
            description_of_exit = self._exit_description()
            self._lose_worker()
            raise WorkerCrashed(
                _("the worker process died while running {name}: {reason}").format(
                    name=name, reason=description_of_exit
                )
                + _protocol_note(error)
            ) from None
        finally:
            line.close()
        if reply.get("id") != self.next_id:
            self._lose_worker()
            raise WorkerCrashed(
                _(
                    "the worker answered out of turn while running {name}; did your code "
                    "write to the grader's pipe?"
                ).format(name=name)
            )
        self._keep_printed(reply, description)
        return reply, self._interpret(reply, name, description)

    def _keep_printed(self, reply: dict, description: str) -> None:
        printed = feedback.placeless(reply.get("printed"), self.spec.folder)
        if isinstance(printed, str) and printed.strip():
            quoted = "\n".join(
                "  | " + line for line in clean(printed.rstrip(), PRINTED_LIMIT).splitlines()
            )
            call = clean(description, 120, single_line=True)
            self.printed.append(_("{call} printed:").format(call=call) + f"\n{quoted}")

    def take_printed(self) -> list[str]:
        """What the learner's functions printed since the last call of this method, one text per
        call that printed anything (sanitised, capped)."""
        printed, self.printed = self.printed, []
        return printed

    def _interpret(self, reply: dict, name: str, description: str) -> Any:
        self._note_forbidden(reply)
        if reply.get("ok"):
            try:
                return wire.decode_value(reply.get("value"), self.last_blobs)
            except wire.ProtocolError as error:
                detail = clean(error, 200, single_line=True)
                raise BadReturn(
                    _("{name} returned data the grader cannot read: {detail}").format(
                        name=name, detail=detail
                    ),
                    returned="unreadable data",
                    detail=detail,
                ) from None
        if "missing" in reply:
            raise MissingName(
                _(
                    "{file} has no {name}: was it renamed or deleted? Keep the names and "
                    "signatures of the stub."
                ).format(file=self.exercise.file, name=name)
            )
        if "unsendable" in reply:
            returned = f"a {clean(reply.get('type', 'value'), 60, single_line=True)}"
            detail = clean(
                feedback.placeless(reply["unsendable"], self.spec.folder), single_line=True
            )
            raise BadReturn(
                _(
                    "{name} returned {returned}, which is not data the grader can check "
                    "({detail}); return NumPy arrays, numbers or tuples"
                ).format(name=name, returned=returned, detail=detail),
                returned=returned,
                detail=detail,
            )
        raise feedback.learner_error(
            feedback.reported_error(reply.get("error"), self.spec.folder),
            name,
            description,
            self.exercise,
        )

    def _note_forbidden(self, reply: dict) -> None:
        loaded = reply.get("forbidden_loaded") or []
        if isinstance(loaded, list) and loaded:
            names = [clean(name, 40, single_line=True) for name in loaded]
            raise ForbiddenModule(forbidden_message(self.exercise.id, names, verb="imported"))

    # ------------------------------------------------------------------ start-up and failure

    def _wait_ready(self) -> None:
        """Read the worker's word on its sandbox (before any learner code), then its hello."""
        if self.ready:
            return
        deadline, which = self._deadline(time.monotonic() + self.limits.import_timeout, "import")
        decided = self.isolation.get()
        if self.launched is None or self.launched.mode != decided.mode:  # started before a decision
            self.close()  # that went the other way: no learner code ran in it
            self.start(under=decided)
        sandbox = self._read_start_up(deadline, which, learner_started=False)
        problem = _sandbox_problem(sandbox, decided, self.spec.uid)
        if problem:
            self._fail_to_load(SandboxNotStarted(self._sandbox_failed(problem)))
        self._say_go(deadline, which)
        line = (
            activity.Line()
        )  # ex07's worker imports TensorFlow for seconds: say so, on a terminal
        if self.process is not None:
            self.process.on_wait = lambda: line.show(
                activity.loading_text(self.exercise.id, self.exercise.file, line.elapsed())
            )
        try:
            hello = self._read_start_up(deadline, which, learner_started=True)
        finally:
            line.close()
        if not hello.get("ready"):
            error = hello.get("error")
            self._fail_to_load(
                LoadFailed(
                    feedback.load_error(
                        feedback.reported_error(error, self.spec.folder), self.exercise
                    )
                    if isinstance(error, dict) and error
                    else _(
                        "{file} could not be loaded: its worker answered with a message the grader never sends "
                        "for it; did your code write to the grader's pipe?"
                    ).format(file=self.exercise.file)
                )
            )
        self.ready = True
        self._note_forbidden(hello)

    def _say_go(self, deadline: float, which: str) -> None:
        """The worker's sandbox is the one decided: it may load the learner's file now."""
        assert self.process is not None
        try:
            self.process.write_frame(wire.pack_message({"op": "go"}, []), deadline, which)
        except Deadline:
            self._fail_to_load(SandboxNotStarted(self._sandbox_failed("it did not start in time")))
        except PIPE_ERRORS:
            self._fail_to_load(
                SandboxNotStarted(
                    self._sandbox_failed(
                        f"the worker stopped before its sandbox was ready: {self._exit_description()}"
                    )
                )
            )

    def _read_start_up(self, deadline: float, which: str, *, learner_started: bool) -> dict:
        """The next start-up frame; a worker that fails here fails to load, for the whole run."""
        assert self.process is not None
        failure: LearnerFailure
        try:
            frame, _blobs = self.process.read_frame(deadline, which)  # `_` is gettext here
            return frame
        except Deadline as late:
            late_learner = (
                learner_started or late.which == "exercise"
            )  # the exercise's time is theirs
            failure = (
                LearnerTimeout(feedback.timeout("import", late.which, self.exercise))
                if late_learner
                else SandboxNotStarted(self._sandbox_failed("it did not start in time"))
            )
        except PIPE_ERRORS as error:
            if learner_started:
                failure = LoadFailed(
                    _("{file} could not be loaded: the worker stopped ({reason})").format(
                        file=self.exercise.file, reason=self._exit_description()
                    )
                    + self._output_note()
                    + _protocol_note(error)
                )
            else:
                printed = feedback.tail(self.spec.stderr_path, 200).strip() or "no message"
                failure = SandboxNotStarted(
                    self._sandbox_failed(
                        f"the worker stopped before its sandbox was ready: {printed}"
                    )
                )
        self._fail_to_load(failure)

    def _fail_to_load(self, failure: LoadFailed | LearnerTimeout) -> NoReturn:
        """The learner's file will not run in this run: every later call fails the same way."""
        self._lose_worker(permanently=True)
        self.load_failure = failure
        raise failure

    def _sandbox_failed(self, problem: str) -> str:
        return _(
            "the sandbox could not start {file} ({problem}); no code of yours ran, and this is not "
            "a verdict on it: tell your instructor"
        ).format(file=self.exercise.file, problem=clean(problem, 200))

    def _check_usable(self) -> None:
        if self.load_failure is not None:
            raise self.load_failure
        failure: LearnerFailure | None = None
        if self.gave_up is not None:
            failure = WorkerCrashed(self.gave_up)
        elif self.exercise_deadline is not None and time.monotonic() >= self.exercise_deadline:
            failure = LearnerTimeout(
                _("not run: {id} used up its time limit of {seconds:g} s").format(
                    id=self.exercise.id, seconds=self.limits.time_limit
                )
            )
        if failure is not None:
            failure.ran = False  # no case was tried: feedback shows none
            raise failure

    def _deadline(self, own: float, which: str) -> tuple[float, str]:
        """The sooner of a call's (or the import's) deadline and the exercise's."""
        assert self.exercise_deadline is not None
        if self.exercise_deadline <= own:
            return self.exercise_deadline, "exercise"
        return own, which

    def _lose_worker(self, permanently: bool = False) -> None:
        self.close()
        self.restarts += 1
        log.info(
            "%s: worker lost (%d of %d restarts)",
            self.exercise.id,
            self.restarts,
            self.limits.max_restarts,
        )
        if not permanently and self.restarts > self.limits.max_restarts:
            self.gave_up = _(
                "not run: the worker for {id} crashed or timed out {count} times, so the "
                "remaining calls were skipped"
            ).format(id=self.exercise.id, count=self.restarts)

    def _exit_description(self) -> str:
        if self.process is None:
            return _("it was not running")
        if self.process.over_memory:
            return _(
                "killed by the memory limit ({limit} MB for all the processes it started together): "
                "does it start processes that each build huge arrays?"
            ).format(limit=self.limits.memory_mb)
        return feedback.exit_status(self.process.exit_code(), self.exercise)

    def _output_note(self) -> str:
        excerpt = feedback.output_excerpt(self.spec.stderr_path, self.spec.stdout_path)
        return _("; it printed:") + "\n" + excerpt if excerpt else ""


def _sandbox_problem(frame: dict, isolation: Isolation, uid: int) -> str:
    """What is wrong with a worker's first frame, its word on its own sandbox, or ''."""
    if "sandbox_error" in frame:
        return (
            f"the jail could not be built: {clean(frame['sandbox_error'], 200, single_line=True)}"
        )
    return isolation.view_problem(frame.get("sandbox"), uid)


def _protocol_note(error: Exception) -> str:
    return (
        f" ({clean(error, 200, single_line=True)})" if isinstance(error, wire.ProtocolError) else ""
    )
